"""Worker side of the Python Pipeline Scorers: a Driverless AI Python scoring pipeline in the worker.

The pipeline is the experiment wheel scoring_h2oai_experiment_<id>-….whl (pip-installed in the
worker's env together with the h2oaicore wheel of the DAI version that built it); its module
exposes Scorer. Calls, for the worker glue (scorehost_pyworker.py) to make:

  load(pipeline_root, module=None) -> Pipeline   licence check, import, Scorer() once
  describe(pipeline) -> dict                     inputs / outputs / contribution outputs (JSON-able)
  predict(pipeline, frame, contribs=False)       pandas.DataFrame in -> pandas.DataFrame out

Types use scorehost's sh_data_type codes, as scorehost_pyworker.py does: inputs are all STR (6)
because a DAI Scorer states no input types (it offers get_column_names() only, and its own
score()/score_batch() accept text and convert with the experiment's training-time types), outputs
FLOAT64 (5).

Licence (the seed's rules): DRIVERLESS_AI_LICENSE_KEY (the licence text), else
DRIVERLESS_AI_LICENSE_FILE (a path to license.sig), else /license/license.sig, else
~/.driverlessai/license.sig. It is checked before the pipeline is imported: without one, importing
h2oaicore and building the Scorer is slow and its error names less than this one. The key is never
printed.
"""

import glob
import importlib
import inspect
import os
import sys

STR, FLOAT64 = 6, 5

# Module attribute rather than a literal so tests can point it at a temporary path.
SYSTEM_LICENSE_FILE = "/license/license.sig"
USER_LICENSE_FILE = "~/.driverlessai/license.sig"
WHEEL_PREFIX = "scoring_h2oai_experiment_"


class LicenseError(RuntimeError):
    """No usable Driverless AI licence in any of the four places."""


class UnsupportedError(RuntimeError):
    """The pipeline cannot do what was asked (e.g. Shapley values): scorehost's SH_UNIMPLEMENTED."""


def _places():
    user = os.path.expanduser(USER_LICENSE_FILE)
    return ("the environment variable DRIVERLESS_AI_LICENSE_KEY (the licence text), the environment variable "
            "DRIVERLESS_AI_LICENSE_FILE (the path of a license.sig), the file %s, or the file %s (%s)"
            % (SYSTEM_LICENSE_FILE, USER_LICENSE_FILE, user))


def find_license():
    """Where the licence is: "DRIVERLESS_AI_LICENSE_KEY" or a file path. Raises LicenseError.

    A DRIVERLESS_AI_LICENSE_FILE that names a missing or unreadable file is an error even when a
    default file exists: whoever set it meant that file, and silently using another would hide it.
    """
    if os.environ.get("DRIVERLESS_AI_LICENSE_KEY", "").strip():
        return "DRIVERLESS_AI_LICENSE_KEY"
    named = os.environ.get("DRIVERLESS_AI_LICENSE_FILE", "")
    if named:
        if os.path.isfile(named) and os.access(named, os.R_OK):
            return named
        raise LicenseError("DRIVERLESS_AI_LICENSE_FILE is set to %s, which is not a readable file; a Driverless AI "
                           "Python scoring pipeline needs a licence, looked for in %s" % (named, _places()))
    for path in (SYSTEM_LICENSE_FILE, os.path.expanduser(USER_LICENSE_FILE)):
        if os.path.isfile(path) and os.access(path, os.R_OK):
            return path
    raise LicenseError("no Driverless AI licence found: a Driverless AI Python scoring pipeline needs one, looked "
                       "for in %s" % _places())


def _module_of(pipeline_root):
    wheels = sorted(glob.glob(os.path.join(glob.escape(pipeline_root), WHEEL_PREFIX + "*.whl")))
    if len(wheels) != 1:
        raise RuntimeError("%s should hold exactly one %s*.whl, found %d" % (pipeline_root, WHEEL_PREFIX, len(wheels)))
    return os.path.basename(wheels[0]).split("-")[0]


def _call_pred_columns(scorer, output_margin, pred_contribs):
    """Scorer.get_pred_columns across signature variants (keywords, positional, none)."""
    fn = scorer.get_pred_columns
    for args, kwargs in (((), {"output_margin": output_margin, "pred_contribs": pred_contribs}),
                         ((output_margin, pred_contribs), {})):
        try:
            return [str(c) for c in fn(*args, **kwargs)]
        except TypeError:
            continue
    if not output_margin and not pred_contribs:
        return [str(c) for c in fn()]
    raise TypeError("get_pred_columns takes neither output_margin/pred_contribs keywords nor positions")


def _accepts(fn, name):
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):  # a compiled callable without a signature: assume it does
        return True
    return any(p.name == name or p.kind == p.VAR_KEYWORD for p in params)


class Pipeline:
    """A loaded pipeline: the Scorer (built once: it is expensive) and its column names."""

    def __init__(self, module_name, module, scorer, license_source):
        self.module_name = module_name
        self.module = module
        self.scorer = scorer
        self.license_source = license_source  # "DRIVERLESS_AI_LICENSE_KEY" or a path; never the key
        self.inputs = [str(c) for c in scorer.get_column_names()]
        labels = scorer.get_target_labels() if hasattr(scorer, "get_target_labels") else None
        self.target_labels = None if labels is None else [str(x) for x in list(labels)]
        self.outputs = _call_pred_columns(scorer, False, False)
        # Shapley "where offered": score_batch must take pred_contribs and the pipeline must name
        # the contribution columns; either missing means the pipeline does not offer it.
        self.contrib_outputs = None
        self.contrib_reason = ""
        if not _accepts(scorer.score_batch, "pred_contribs"):
            self.contrib_reason = "the pipeline's Scorer.score_batch takes no pred_contribs"
        else:
            try:
                self.contrib_outputs = _call_pred_columns(scorer, False, True)
            except Exception as e:  # noqa: BLE001 - any failure means "not offered", with its reason
                self.contrib_reason = "the pipeline cannot name its contribution columns (%s: %s)" % (type(e).__name__, e)
        self.dai_version = ""
        core = sys.modules.get("h2oaicore")
        if core is not None:
            self.dai_version = str(getattr(core, "__version__", ""))


def load(pipeline_root, module=None):
    """Licence check, then import of scoring_h2oai_experiment_<id> and Scorer() once.

    `module` defaults to the name of the experiment wheel in `pipeline_root`. Raises LicenseError
    (nothing of the pipeline imported), RuntimeError (wheel not installed), or whatever the
    pipeline raises.
    """
    license_source = find_license()
    if license_source not in ("DRIVERLESS_AI_LICENSE_KEY", os.environ.get("DRIVERLESS_AI_LICENSE_FILE")):
        # Found in a default place: also hand it to the pipeline by the variable every DAI runtime
        # reads, in case this version's h2oaicore does not look in that place itself.
        os.environ["DRIVERLESS_AI_LICENSE_FILE"] = license_source
    name = module or _module_of(pipeline_root)
    try:
        mod = importlib.import_module(name)
    except ModuleNotFoundError as e:
        if e.name != name:
            raise
        raise RuntimeError("the experiment module %s is not installed in this environment (pip install the %s*.whl "
                           "and the h2oaicore wheel from %s)" % (name, WHEEL_PREFIX, pipeline_root)) from e
    scorer = mod.Scorer()
    return Pipeline(name, mod, scorer, license_source)


def describe(p):
    return {
        "module": p.module_name,
        "dai_version": p.dai_version,
        "inputs": [{"name": c, "type": STR} for c in p.inputs],
        "outputs": [{"name": c, "type": FLOAT64} for c in p.outputs],
        "target_labels": p.target_labels,
        "contrib_outputs": None if p.contrib_outputs is None else [{"name": c, "type": FLOAT64} for c in p.contrib_outputs],
        "contrib_reason": p.contrib_reason,
        "license_source": p.license_source,
    }


def _input_frame(p, frame):
    """The pipeline's columns in its order: a missing column is all-missing, an extra one dropped
    (the host matches columns by name, so order in the request must not matter)."""
    import pandas as pd
    n = len(frame)
    data = {}
    for c in p.inputs:
        if c in frame.columns:
            data[c] = frame[c].astype(object).where(frame[c].notna(), None).tolist()
        else:
            data[c] = [None] * n
    return pd.DataFrame(data, columns=p.inputs, index=range(n), dtype=object)


def _result_frame(result, names):
    import numpy as np
    import pandas as pd
    if isinstance(result, pd.DataFrame):
        out = result.reset_index(drop=True)
        if len(out.columns) == len(names) and [str(c) for c in out.columns] != names:
            # Unnamed (RangeIndex) columns get the names the pipeline declared.
            if all(isinstance(c, (int, np.integer)) for c in out.columns):
                out.columns = names
    elif hasattr(result, "to_pandas"):  # datatable.Frame
        return _result_frame(result.to_pandas(), names)
    else:
        arr = np.asarray(result)
        if arr.ndim == 1:
            arr = arr.reshape(-1, len(names)) if len(names) > 1 else arr.reshape(-1, 1)
        out = pd.DataFrame(arr, columns=names if arr.shape[1] == len(names) else None)
    out.columns = [str(c) for c in out.columns]
    for c in out.columns:
        try:
            out[c] = out[c].astype("float64")
        except (TypeError, ValueError):
            pass  # left as the pipeline returned it; the caller's coercion reports it
    return out


def predict(p, frame, contribs=False):
    """Scores `frame` with Scorer.score_batch; contribs=True → Shapley values (pred_contribs)."""
    x = _input_frame(p, frame)
    if contribs:
        if p.contrib_outputs is None:
            raise UnsupportedError("Shapley values are not offered by this pipeline: " + p.contrib_reason)
        return _result_frame(p.scorer.score_batch(x, pred_contribs=True), p.contrib_outputs)
    return _result_frame(p.scorer.score_batch(x), p.outputs)
