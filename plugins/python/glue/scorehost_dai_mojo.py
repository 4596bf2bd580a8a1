"""Python side of the ``dai-mojo-scorer`` runtime: licence lookup, pipeline metadata, load/predict.

Runs inside the daimojo virtualenv (``tests/python/make_dai_venv.sh``): stdlib, plus ``daimojo``
(whose wheel ships the pipeline's protobuf definitions, ``daimojo/*_pb2.py``), ``protobuf`` and
``datatable``.

Three layers, each usable without the one after it:

* ``find_licence`` / ``LICENCE_MISSING_MESSAGE``: where the native runtime looks for a licence, in
  its order. Pure stdlib; never returns or prints the key.
* ``read_pipeline_metadata``: everything the pipeline file itself says (version, UUID, features,
  outputs, missing-value tokens, what it can do), decoded with daimojo's shipped ``*_pb2`` modules.
  Needs no licence and never loads daimojo's native library, so ``scorehost inspect`` works on a
  machine without a licence and cannot be crashed by the runtime.
* ``load`` / ``predict``: the licensed path through ``daimojo.model`` and ``datatable``. NOT RUN on
  the development machine (no licence there); see the UNTESTED notes in those functions.

Facts measured against daimojo 2.9.2 (cp312) that the code relies on are cited as [measured].
"""

import io
import os
import re
import sys
import tempfile
import threading
import types
import zipfile
import importlib.util

__all__ = [
    "LICENCE_MISSING_MESSAGE",
    "LICENCE_PLACES",
    "DaiMojoError",
    "NotAPipelineError",
    "CorruptPipelineError",
    "LicenceMissingError",
    "LicenceRejectedError",
    "find_licence",
    "licence_missing_message",
    "read_pipeline_metadata",
    "coerce_columns",
    "load",
    "predict",
]

# ---------------------------------------------------------------------------------------------
# Licence

KEY_VAR = "DRIVERLESS_AI_LICENSE_KEY"
FILE_VAR = "DRIVERLESS_AI_LICENSE_FILE"
DOCKER_LICENCE_PATH = "/license/license.sig"
HOME_LICENCE_SUFFIX = os.path.join(".driverlessai", "license.sig")

# The runtime's own order, as its "License could not be found!" log lists it [measured].
LICENCE_PLACES = (KEY_VAR, FILE_VAR, DOCKER_LICENCE_PATH, "~/.driverlessai/license.sig")

LICENCE_MISSING_MESSAGE = (
    "No Driverless AI licence found: set DRIVERLESS_AI_LICENSE_KEY (the licence key text) or "
    "DRIVERLESS_AI_LICENSE_FILE (the path of a license.sig), or put the licence file at "
    "/license/license.sig or ~/.driverlessai/license.sig"
)


class DaiMojoError(Exception):
    """Base of every error this module raises on purpose."""


class NotAPipelineError(DaiMojoError):
    """The path is readable but holds no Driverless AI MOJO pipeline."""


class CorruptPipelineError(DaiMojoError):
    """It looks like a pipeline (zip, mojo/pipeline.pb) but cannot be read."""


class LicenceMissingError(DaiMojoError):
    """No licence in any of the four places (raised before the pipeline is touched)."""


class LicenceRejectedError(DaiMojoError):
    """The runtime found a licence and refused it; ``reason`` is the runtime's own text."""

    def __init__(self, reason, source=None):
        self.reason = reason
        self.source = source
        where = " (from %s)" % source if source else ""
        super().__init__("Driverless AI licence rejected%s: %s" % (where, reason))


def _usable_file(path):
    # A missing file, an empty file and a directory all make the runtime move on to the next
    # place [measured: DRIVERLESS_AI_LICENSE_FILE=/missing, =<empty file>, =<directory> with a
    # licence in ~/.driverlessai reached that one]. Unreadable files are treated the same way
    # (unverified: needs a non-root user to test).
    try:
        return os.path.isfile(path) and os.path.getsize(path) > 0 and os.access(path, os.R_OK)
    except OSError:
        return False


def find_licence(environ=os.environ, home=None, *, docker_licence_path=DOCKER_LICENCE_PATH):
    """Where the runtime would take its licence from, or None.

    Returns ``{"source": "DRIVERLESS_AI_LICENSE_KEY", "length": n}``,
    ``{"source": "DRIVERLESS_AI_LICENSE_FILE", "path": p}``,
    ``{"source": "/license/license.sig", "path": p}`` or
    ``{"source": "~/.driverlessai/license.sig", "path": p}``. The key text itself is never part of
    the result. Whether the licence is *valid* only the runtime can say (``load``).

    ``home`` defaults to ``environ["HOME"]``: the runtime expands ``~`` from ``HOME``
    [measured: HOME=<tmp dir> made it read <tmp dir>/.driverlessai/license.sig].
    ``docker_licence_path`` exists so tests need not write to /license.
    """
    if KEY_VAR in environ:
        # A set-but-empty key ends the search: the runtime then says "License could not be
        # found!" even with a valid DRIVERLESS_AI_LICENSE_FILE or ~/.driverlessai licence
        # [measured]. Mirror that instead of pretending a later place will be used.
        key = environ[KEY_VAR]
        if key == "":
            return None
        # Whitespace-only is still "a key" to the runtime (it answers "invalid Driverless AI
        # license", not "could not be found") [measured], so it counts as found here too.
        return {"source": KEY_VAR, "length": len(key)}
    path = environ.get(FILE_VAR, "")
    if path and _usable_file(path):
        return {"source": FILE_VAR, "path": path}
    if _usable_file(docker_licence_path):
        return {"source": DOCKER_LICENCE_PATH, "path": docker_licence_path}
    if home is None:
        home = environ.get("HOME")  # no HOME: the runtime's behaviour is unknown; skip the place
    if home:
        path = os.path.join(home, HOME_LICENCE_SUFFIX)
        if _usable_file(path):
            return {"source": "~/.driverlessai/license.sig", "path": path}
    return None


def licence_missing_message(environ=os.environ):
    """LICENCE_MISSING_MESSAGE, plus the one trap the runtime sets: an empty key variable."""
    if environ.get(KEY_VAR, None) == "":
        return (LICENCE_MISSING_MESSAGE + " (DRIVERLESS_AI_LICENSE_KEY is set but empty, and the "
                "runtime then looks nowhere else: unset it)")
    return LICENCE_MISSING_MESSAGE


# ---------------------------------------------------------------------------------------------
# Protobuf definitions without the native runtime

_pb2_lock = threading.Lock()
_pb2_cache = None


def _pipeline_pb2():
    """daimojo's generated ``Pipeline_pb2`` module, imported without running daimojo/__init__.

    ``import daimojo`` loads the 57 MB native ``cppmojo`` module (plus datatable), which is the
    part that needs a licence to do anything and has crashed probes before (issue 13). The
    ``*_pb2`` files only need protobuf, but import each other as ``daimojo.X_pb2``; so when
    daimojo is not imported yet, a bare package object stands in for ``daimojo`` while they load,
    and is taken out again afterwards so that a later real ``import daimojo`` runs its
    ``__init__`` normally (it then finds the ``daimojo.X_pb2`` entries already in sys.modules,
    which is what it would have created anyway: re-executing them would register the same
    descriptors twice and fail).
    """
    global _pb2_cache
    with _pb2_lock:
        if _pb2_cache is not None:
            return _pb2_cache
        if "daimojo" in sys.modules and not getattr(sys.modules["daimojo"], "_scorehost_stub", 0):
            from daimojo import Pipeline_pb2  # the real package is loaded: use it
            _pb2_cache = Pipeline_pb2
            return Pipeline_pb2
        spec = importlib.util.find_spec("daimojo")
        if spec is None or not spec.submodule_search_locations:
            raise DaiMojoError("the daimojo package is not installed in this Python (%s); it is "
                               "needed to decode pipeline.pb" % sys.executable)
        stub = types.ModuleType("daimojo")
        stub.__path__ = list(spec.submodule_search_locations)
        stub._scorehost_stub = 1
        sys.modules["daimojo"] = stub
        try:
            import daimojo.Pipeline_pb2 as Pipeline_pb2
        finally:
            if sys.modules.get("daimojo") is stub:
                del sys.modules["daimojo"]
        _pb2_cache = Pipeline_pb2
        return Pipeline_pb2


# ---------------------------------------------------------------------------------------------
# Locating the pipeline inside what we were given

PIPELINE_PB = "mojo/pipeline.pb"
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")  # local file header; empty archive
_MAX_DEPTH = 4          # directory levels searched for an embedded pipeline
_MAX_PB_BYTES = 1 << 30  # a pipeline.pb larger than this is not something we decode in inspect


def _is_zip_bytes(head):
    return head[:4] in _ZIP_MAGIC


def _file_head(path, n=4):
    with open(path, "rb") as f:
        return f.read(n)


class _Located:
    """Where the pipeline is: the bytes of pipeline.pb and how to hand it to daimojo."""

    def __init__(self, form, pb_bytes, build_info, mojo_file=None, member=None, mojo_dir=None,
                 wrapper=None):
        self.form = form            # "pipeline.mojo" | "directory" | "zip"
        self.pb_bytes = pb_bytes
        self.build_info = build_info  # text of mojo/dai_build.info, or None
        self.mojo_file = mojo_file  # a pipeline.mojo file on disk
        self.member = member        # (outer zip path, member name) of an embedded pipeline.mojo
        self.mojo_dir = mojo_dir    # a directory holding an unpacked mojo/ tree
        self.wrapper = wrapper      # {"kind": "mlflow", ...} or None


def _read_pipeline_zip(zf, what):
    """pipeline.pb and dai_build.info from an open pipeline.mojo archive."""
    names = set(zf.namelist())
    if PIPELINE_PB not in names:
        if "mojo/pipeline.toml" in names:
            raise NotAPipelineError("%s is a Driverless AI MOJO in the old TOML format "
                                    "(mojo/pipeline.toml, DAI <= 1.6); the daimojo runtime reads "
                                    "only protobuf pipelines (mojo/pipeline.pb)" % what)
        raise NotAPipelineError("%s is a zip archive without %s, so not a Driverless AI MOJO "
                                "pipeline%s" % (what, PIPELINE_PB, _guess_other_kind(names)))
    info = zf.getinfo(PIPELINE_PB)
    if info.file_size > _MAX_PB_BYTES:
        raise CorruptPipelineError("%s: %s is %d bytes, larger than this reader accepts"
                                   % (what, PIPELINE_PB, info.file_size))
    try:
        pb = zf.read(PIPELINE_PB)
        build = zf.read("mojo/dai_build.info").decode("utf-8", "replace") \
            if "mojo/dai_build.info" in names else None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError) as e:
        # zlib.error is a subclass of Exception only; handled by the caller's broad catch
        raise CorruptPipelineError("%s: cannot read %s: %s" % (what, PIPELINE_PB, e)) from e
    return pb, build


def _guess_other_kind(names):
    # Say what it is instead, for the artifacts people confuse with DAI pipelines.
    if "model.ini" in names or any(n.endswith("/model.ini") for n in names):
        return " (it holds model.ini: an H2O-3 MOJO, served by h2o3-mojo-scorer)"
    if "MLmodel" in names or any(n.endswith("/MLmodel") for n in names):
        return " (it holds an MLmodel file but no pipeline.mojo)"
    if any(re.search(r"scoring_h2oai_experiment_.*\.whl$", n) for n in names):
        return " (it holds a DAI Python scoring pipeline wheel)"
    return ""


def _open_zip(path, what):
    try:
        return zipfile.ZipFile(path)
    except zipfile.BadZipFile as e:
        raise CorruptPipelineError("%s is not a readable zip archive (%s); a pipeline.mojo is a "
                                   "zip holding %s" % (what, e, PIPELINE_PB)) from e


def _embedded_mojos(zf):
    """Members of an outer zip that are themselves pipeline.mojo archives, by content."""
    found = []
    for info in zf.infolist():
        if info.is_dir() or info.file_size < 22:  # 22 = smallest possible zip
            continue
        if info.filename.count("/") > _MAX_DEPTH:
            continue
        with zf.open(info) as f:
            head = f.read(4)
        if not _is_zip_bytes(head):
            continue
        data = zf.read(info)
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as inner:
                if PIPELINE_PB in inner.namelist():
                    found.append(info.filename)
        except zipfile.BadZipFile:
            continue
    return found


def _mlflow_wrapper(flavour_text, where):
    # The exact layout of H2O's mlflow_mojo_pipeline artifact is not public (unverified): we
    # recognise "an MLflow model directory (MLmodel at its root) that carries exactly one DAI
    # pipeline somewhere inside", by content, and report the flavours the MLmodel names.
    flavours = re.findall(r"^  ([A-Za-z0-9_.]+):\s*$", flavour_text.split("\nflavors:", 1)[-1]
                          .split("\n\n", 1)[0], re.M) if "flavors:" in flavour_text else []
    return {"kind": "mlflow", "mlmodel": where, "flavors": flavours}


def _locate_in_dir(root):
    candidates = []  # (kind, path)
    mlmodel = None
    for dirpath, dirnames, filenames in os.walk(root):
        depth = os.path.relpath(dirpath, root).count(os.sep) + (dirpath != root)
        if depth >= _MAX_DEPTH:
            dirnames[:] = []
        dirnames.sort()
        if dirpath == root and "MLmodel" in filenames:
            mlmodel = os.path.join(dirpath, "MLmodel")
        if os.path.basename(dirpath) == "mojo" and "pipeline.pb" in filenames:
            candidates.append(("unpacked", os.path.dirname(dirpath)))
            continue
        for name in sorted(filenames):
            p = os.path.join(dirpath, name)
            try:
                if os.path.islink(p) or not os.path.isfile(p) or os.path.getsize(p) < 22:
                    continue
                if not _is_zip_bytes(_file_head(p)):
                    continue
                with zipfile.ZipFile(p) as zf:
                    if PIPELINE_PB in zf.namelist():
                        candidates.append(("file", p))
            except (OSError, zipfile.BadZipFile):
                continue
    if not candidates:
        raise NotAPipelineError("%s is a directory without a Driverless AI MOJO pipeline (no zip "
                                "holding %s, and no unpacked mojo/pipeline.pb, within %d levels)"
                                % (root, PIPELINE_PB, _MAX_DEPTH))
    if len(candidates) > 1:
        raise NotAPipelineError("%s holds %d Driverless AI MOJO pipelines (%s); point at one"
                                % (root, len(candidates), ", ".join(p for _, p in candidates)))
    wrapper = None
    if mlmodel:
        with open(mlmodel, encoding="utf-8", errors="replace") as f:
            wrapper = _mlflow_wrapper(f.read(), "MLmodel")
    kind, p = candidates[0]
    if kind == "file":
        with _open_zip(p, p) as zf:
            pb, build = _read_pipeline_zip(zf, p)
        return _Located("directory", pb, build, mojo_file=p, wrapper=wrapper)
    with open(os.path.join(p, PIPELINE_PB), "rb") as f:
        pb = f.read()
    bi = os.path.join(p, "mojo", "dai_build.info")
    build = None
    if os.path.isfile(bi):
        with open(bi, encoding="utf-8", errors="replace") as f:
            build = f.read()
    return _Located("directory", pb, build, mojo_dir=p, wrapper=wrapper)


def _locate(path):
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError("no such file or directory: %s" % path)
    if os.path.isdir(path):
        return _locate_in_dir(path)
    head = _file_head(path)
    if not _is_zip_bytes(head):
        raise NotAPipelineError("%s is not a Driverless AI MOJO pipeline: not a zip archive "
                                "(starts with %r)" % (path, head))
    with _open_zip(path, path) as zf:
        names = zf.namelist()
        if PIPELINE_PB in names or "mojo/pipeline.toml" in names:  # the latter: a clear refusal
            pb, build = _read_pipeline_zip(zf, path)
            return _Located("pipeline.mojo", pb, build, mojo_file=path)
        # A zip of mojo-pipeline/ (DAI's mojo.zip) or of an MLflow directory: find the one
        # embedded pipeline.mojo by content.
        embedded = _embedded_mojos(zf)
        if not embedded:
            raise NotAPipelineError("%s is a zip archive without %s and without an embedded "
                                    "pipeline.mojo, so not a Driverless AI MOJO pipeline%s"
                                    % (path, PIPELINE_PB, _guess_other_kind(set(names))))
        if len(embedded) > 1:
            raise NotAPipelineError("%s holds %d Driverless AI MOJO pipelines (%s); point at one"
                                    % (path, len(embedded), ", ".join(embedded)))
        member = embedded[0]
        with zipfile.ZipFile(io.BytesIO(zf.read(member))) as inner:
            pb, build = _read_pipeline_zip(inner, "%s!%s" % (path, member))
        wrapper = None
        top = member.split("/")[0] + "/" if "/" in member else ""
        for candidate in ("MLmodel", top + "MLmodel"):
            if candidate in names:
                wrapper = _mlflow_wrapper(zf.read(candidate).decode("utf-8", "replace"),
                                          candidate)
                break
        return _Located("zip", pb, build, member=(path, member), wrapper=wrapper)


# ---------------------------------------------------------------------------------------------
# Metadata

# pipeline.pb column type (the Column "Type" oneof) -> scorehost type. DAI passes dates as text
# (its date features are str_type columns, e.g. multinomial-pipeline.mojo's "Date"), so a
# datetime column, should one appear, is sent as Str too. Images and arrays have no scorehost
# type: they are reported with type None.
_TYPE_MAP = {
    "bool_type": "Bool",
    "int32_type": "Int32",
    "int64_type": "Int64",
    "float32_type": "Float32",
    "float64_type": "Float64",
    "str_type": "Str",
    "datetime_type": "Str",
}

# Transformation kinds that are tree models (TreeSHAP-capable in principle); a hint only.
_TREE_OPS = ("xgb_op", "lgbm_op", "catboost_op")


def _columns(frame):
    out = []
    for c in frame.columns:
        kind = c.WhichOneof("Type")
        out.append({"name": c.name, "type": _TYPE_MAP.get(kind),
                    "dai_type": kind[:-5] if kind else None})
    return out


def _build_info_version(text):
    if not text:
        return None
    m = re.search(r'^version\s*=\s*"([^"]*)"', text, re.M)
    return m.group(1) if m and m.group(1) else None


def _problem(p):
    if not p.HasField("problem"):
        return None
    which = p.problem.WhichOneof("detail")
    if which == "unsupervised_detail":
        return {"kind": "unsupervised"}
    sup = p.problem.supervised_detail
    fam = sup.WhichOneof("problem_family")
    out = {"kind": fam[:-len("_problem_detail")] if fam else None,
           "target": sup.target.name or None, "labels": list(sup.target.labels)}
    if fam == "binomial_problem_detail":
        out["default_threshold"] = sup.binomial_problem_detail.default_threshold
    return out


def _has_interval(p):
    # The interval bounds live only in problem.supervised_detail.regression_problem_detail.
    # prediction_interval; the runtime refuses intervals otherwise ("The pipeline doesn't support
    # prediction intervals", a string in cppmojo). Absent -> False.
    if not p.HasField("problem") or p.problem.WhichOneof("detail") != "supervised_detail":
        return False
    sup = p.problem.supervised_detail
    return (sup.WhichOneof("problem_family") == "regression_problem_detail"
            and sup.regression_problem_detail.HasField("prediction_interval"))


def _decode(pb_bytes, what):
    Pipeline_pb2 = _pipeline_pb2()
    from google.protobuf.message import DecodeError
    p = Pipeline_pb2.Pipeline()
    try:
        p.ParseFromString(pb_bytes)
    except (DecodeError, RuntimeError, ValueError) as e:
        raise CorruptPipelineError("%s: %s is not a valid pipeline protobuf (%s)"
                                   % (what, PIPELINE_PB, e)) from e
    # Protobuf parses many byte strings "successfully"; a real pipeline always has outputs.
    if not p.outputs.columns or not p.uuid:
        raise CorruptPipelineError("%s: %s decodes to an empty pipeline (no uuid or no outputs)"
                                   % (what, PIPELINE_PB))
    return p


def read_pipeline_metadata(path):
    """What the pipeline file says about itself, without a licence and without daimojo's runtime.

    ``path``: a pipeline.mojo, a directory holding one (mojo-pipeline/, an MLflow directory), or a
    zip of such a directory. Recognised by content (a zip with ``mojo/pipeline.pb``), not names.
    Raises FileNotFoundError, NotAPipelineError or CorruptPipelineError.
    """
    loc = _locate(path)
    p = _decode(loc.pb_bytes, os.fspath(path))
    transformations = [t.WhichOneof("Type") for t in p.transformations]
    dai_version = p.dai_version or _build_info_version(loc.build_info)
    has_interval = _has_interval(p)
    meta = {
        "form": loc.form,
        "wrapper": loc.wrapper,
        "pipeline": (loc.mojo_file or loc.mojo_dir or "%s!%s" % loc.member),
        "mojo_version": p.mojo_version,
        "dai_version": dai_version,
        "dai_version_source": ("pipeline.pb" if p.dai_version else
                               "mojo/dai_build.info" if dai_version else None),
        "uuid": p.uuid,
        "experiment_id": p.experiment_id or None,
        "experiment_name": p.experiment_name or None,
        # RFC 3339 UTC, as protobuf's Timestamp writes it; None when the file has none
        "created": p.time_created.ToJsonString() if p.HasField("time_created") else None,
        "inputs": _columns(p.features),
        "outputs": _columns(p.outputs),
        "missing_values": list(p.missing_values),
        "transformed_features": [c.name for c in p.transformed.columns],
        "problem": _problem(p),
        # True/False where the file decides it; None where only the licensed runtime can say
        # (daimojo's model.supported_ops is computed natively after the licence check).
        "operations": {
            "SCORE": True,
            "SCORE_PREDICTION_INTERVAL": has_interval,
            "CONTRIBUTION_ORIGINAL": None,
            "CONTRIBUTION_TRANSFORMED": None,
        },
        # Evidence for the two unknowns, for a caller that wants to guess (not used to decide):
        "contribution_hints": {
            "tree_model_ops": sorted({t for t in transformations if t in _TREE_OPS}),
            "orig_matrix_rows": len(p.orig_matrix),
            "subpipelines": sum(1 for t in transformations if t == "exec_pipe_op"),
        },
        "transformation_count": len(transformations),
    }
    return meta


# ---------------------------------------------------------------------------------------------
# Input conversion (pure Python; tested without a licence)

_TRUE = {"true", "1", "t", "yes", "y"}
_FALSE = {"false", "0", "f", "no", "n"}
_INT_RANGE = {"Int32": (-(1 << 31), (1 << 31) - 1), "Int64": (-(1 << 63), (1 << 63) - 1)}


class CellError(DaiMojoError, ValueError):
    """A cell that cannot be converted to its feature's type (the host answers 400 with it)."""

    def __init__(self, row, column, text, type_name):
        self.row, self.column, self.text, self.type_name = row, column, text, type_name
        super().__init__("row %d, column %r: cannot convert %r to %s"
                         % (row, column, text, type_name))


def _convert(value, type_name, missing, row, column):
    if value is None:
        return None
    if isinstance(value, str):
        # The pipeline's own missing-value tokens are missing, whatever the column type
        # (they are what DAI treated as NA in training: "", "NA", "?", "nan", ...).
        if value in missing:
            return None
        text = value.strip()
        try:
            if type_name == "Str":
                return value
            if type_name == "Bool":
                low = text.lower()
                if low in _TRUE:
                    return True
                if low in _FALSE:
                    return False
                raise ValueError(value)
            if type_name in _INT_RANGE:
                try:
                    v = int(text)
                except ValueError:
                    f = float(text)  # "3.0" is an integer written as a float: accept it
                    if not f.is_integer():
                        raise
                    v = int(f)
                lo, hi = _INT_RANGE[type_name]
                if not lo <= v <= hi:
                    raise ValueError(value)
                return v
            if type_name in ("Float32", "Float64"):
                return float(text)
        except (ValueError, OverflowError):
            raise CellError(row, column, value, type_name) from None
        raise CellError(row, column, value, type_name)
    # Already typed (the host's column blocks arrive typed): pass numbers and bools through,
    # stringify for Str so a numeric column can feed a categorical feature.
    if type_name == "Str":
        return value if isinstance(value, str) else str(value)
    if type_name == "Bool":
        return bool(value)
    if isinstance(value, float) and value != value:  # NaN is missing
        return None
    if type_name in _INT_RANGE:
        if isinstance(value, float) and not value.is_integer():
            raise CellError(row, column, repr(value), type_name)
        return int(value)
    return float(value)


def coerce_columns(inputs, missing_values, columns):
    """Columns (name -> sequence) converted to the pipeline's feature types, in feature order.

    ``inputs``: metadata["inputs"]; ``missing_values``: metadata["missing_values"]. Absent
    features raise one DaiMojoError naming them all; a bad cell raises CellError; extra columns are ignored (the
    runtime selects its features by name too). Returns ``(names, lists)``.
    """
    missing = set(missing_values)
    absent = [f["name"] for f in inputs if f["name"] not in columns]
    if absent:
        raise DaiMojoError("missing input column(s): %s" % ", ".join(
            "%s (%s)" % (f["name"], f["type"]) for f in inputs if f["name"] in absent))
    names, lists = [], []
    nrows = None
    for f in inputs:
        col = list(columns[f["name"]])
        if nrows is None:
            nrows = len(col)
        elif len(col) != nrows:
            raise DaiMojoError("column %r has %d rows, expected %d" % (f["name"], len(col), nrows))
        if f["type"] is None:
            raise DaiMojoError("feature %r has DAI type %s, which scorehost cannot send"
                               % (f["name"], f["dai_type"]))
        names.append(f["name"])
        lists.append([_convert(v, f["type"], missing, i, f["name"]) for i, v in enumerate(col)])
    return names, lists


# datatable stype names per scorehost type (daimojo.model.predict casts to these anyway).
_DT_STYPE = {"Bool": "bool8", "Int32": "int32", "Int64": "int64", "Float32": "float32",
             "Float64": "float64", "Str": "str32"}


def to_datatable(inputs, missing_values, columns):
    """A datatable.Frame of the features, typed, for daimojo's predict (needs datatable only)."""
    import datatable as dt
    names, lists = coerce_columns(inputs, missing_values, columns)
    types_ = {f["name"]: f["type"] for f in inputs}
    # Built column by column with an explicit stype: a column of all-None would otherwise
    # become a void column, which daimojo's casts handle less predictably.
    return dt.Frame(lists, names=names,
                    stypes=[getattr(dt.stype, _DT_STYPE[types_[n]]) for n in names])


# ---------------------------------------------------------------------------------------------
# Load / predict (licensed; UNTESTED here: no licence on the development machine)

_LOG_LINE = re.compile(r"^\[(ERROR|WARN(?:ING)?|INFO|DEBUG)\]\[[^\]]*\](\S+?:\d+): ?(.*)$")


def _capture_native_stderr(fn):
    """Run fn() with file descriptor 2 captured; returns (result, exception or None, text).

    The runtime writes its reasons ("License could not be found!", "invalid Driverless AI
    license", "Invalid MOJO file, ...") with its own logger straight to fd 2, while Python only
    gets RuntimeError("Driverless AI license error!") [measured]. Capturing fd 2 around the call is
    the only way to hand the reason on. The text is written back to the real stderr afterwards so
    the worker's log still has it. Only for load: it is not thread-safe (fd 2 is process-wide).
    """
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as tmp:
        os.dup2(tmp.fileno(), 2)
        err = result = None
        try:
            result = fn()
        except BaseException as e:  # noqa: B902 -- re-raised by the caller
            err = e
        finally:
            try:
                sys.stderr.flush()
            finally:
                os.dup2(saved, 2)
                os.close(saved)
        tmp.seek(0)
        text = tmp.read().decode("utf-8", "replace")
    return result, err, text


def _native_messages(text):
    return [m.group(3) for m in map(_LOG_LINE.match, text.splitlines()) if m]


def _redact(text, environ):
    key = environ.get(KEY_VAR)
    if key and key.strip():
        text = text.replace(key, "<DRIVERLESS_AI_LICENSE_KEY>")
    return text


class Model:
    """A loaded pipeline: the daimojo model, the file metadata, and a lock.

    The lock exists because daimojo's ``model.predict`` assigns ``self.output_names`` and
    ``self.output_types`` on every call (read from its model.py), so two threads predicting at
    once could each see the other's names. Callers that want parallelism load one Model per
    thread (the runtime itself uses OpenMP inside a call).
    """

    def __init__(self, dm, metadata, tmpdir):
        self.dm = dm
        self.metadata = metadata
        self._tmpdir = tmpdir
        self.lock = threading.Lock()
        ops = dm.supported_ops  # namedtuple(prediction, interval, pred_contribs, ...original)
        # Now the runtime can say what the file could not [UNTESTED: needs a licence].
        self.operations = {
            "SCORE": True,
            "SCORE_PREDICTION_INTERVAL": bool(ops.interval),
            "CONTRIBUTION_TRANSFORMED": bool(ops.pred_contribs),
            "CONTRIBUTION_ORIGINAL": bool(ops.pred_contribs_original),
        }
        # The runtime's lists win over the file's where both exist [UNTESTED].
        self.inputs = [{"name": n, "type": _RUNTIME_TYPES.get(t), "dai_type": t}
                       for n, t in zip(dm.feature_names, dm.feature_types)]
        self.missing_values = list(dm.missing_values)

    def close(self):
        self.dm = None
        if self._tmpdir is not None:
            self._tmpdir.cleanup()
            self._tmpdir = None


# daimojo's feature_types strings (model.py's cast table) -> scorehost types
_RUNTIME_TYPES = {"bool": "Bool", "int32": "Int32", "int64": "Int64", "float32": "Float32",
                  "float64": "Float64", "string": "Str"}


def _materialise(loc):
    """A pipeline.mojo file path daimojo can open (it wants a file: model.py checks isfile)."""
    if loc.mojo_file:
        return loc.mojo_file, None
    tmpdir = tempfile.TemporaryDirectory(prefix="scorehost-dai-")
    target = os.path.join(tmpdir.name, "pipeline.mojo")
    if loc.member:
        outer, member = loc.member
        with zipfile.ZipFile(outer) as zf, zf.open(member) as src, open(target, "wb") as dst:
            while True:
                chunk = src.read(1 << 20)
                if not chunk:
                    break
                dst.write(chunk)
    else:  # an unpacked mojo/ tree: pack it again, entries named as in a pipeline.mojo
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
            base = loc.mojo_dir
            for dirpath, _, files in os.walk(os.path.join(base, "mojo")):
                for name in sorted(files):
                    full = os.path.join(dirpath, name)
                    zf.write(full, os.path.relpath(full, base).replace(os.sep, "/"))
    return target, tmpdir


def load(path):
    """Load a pipeline for scoring. Raises LicenceMissingError, LicenceRejectedError,
    NotAPipelineError, CorruptPipelineError, or DaiMojoError with the runtime's reason.

    The licence is looked up in os.environ because that is what the native runtime reads.
    Tested here: the two refusals (no licence; a key the runtime rejects). UNTESTED (no licence):
    everything after a successful daimojo.model().
    """
    environ = os.environ
    metadata = read_pipeline_metadata(path)  # validates the artifact without the runtime
    found = find_licence(environ)
    if found is None:
        # Before the pipeline is touched: the runtime would only print the same list of places.
        raise LicenceMissingError(licence_missing_message(environ))
    loc = _locate(path)
    mojo_path, tmpdir = _materialise(loc)
    try:
        import daimojo  # noqa: F401 -- the real package, loaded only now
        dm, err, text = _capture_native_stderr(lambda: daimojo.model(os.path.abspath(mojo_path)))
        text = _redact(text, environ)
        if text:
            sys.stderr.write(text)  # keep the runtime's lines in the worker log
            sys.stderr.flush()
        if err is not None:
            msgs = _native_messages(text)
            if any(m.startswith("License could not be found") for m in msgs):
                raise LicenceMissingError(licence_missing_message(environ)) from None
            licence_msgs = [m for m in msgs if "licen" in m.lower()]
            if licence_msgs:
                # e.g. "invalid Driverless AI license" [measured with a garbage key and file]
                raise LicenceRejectedError("; ".join(licence_msgs), found["source"]) from None
            if isinstance(err, RuntimeError) and str(err) == "Driverless AI license error!":
                raise LicenceRejectedError(str(err), found["source"]) from None
            if msgs:
                raise CorruptPipelineError("%s: %s" % (path, "; ".join(msgs))) from None
            raise err
        return Model(dm, metadata, tmpdir)
    except BaseException:
        if tmpdir is not None:
            tmpdir.cleanup()
        raise


CONTRIBS = (None, "ORIGINAL", "TRANSFORMED")


def predict(model, frame, intervals=False, contribs=None):
    """Score ``frame`` (a mapping name -> sequence, a pandas DataFrame or a datatable.Frame).

    Returns a dict name -> list in the runtime's output order: predictions (with intervals when
    asked), or contributions (``contrib_<feature>`` ..., ``contrib_bias``) when ``contribs`` is
    "ORIGINAL" or "TRANSFORMED". UNTESTED end to end (needs a licence); the input conversion it
    relies on (``coerce_columns``/``to_datatable``) is tested.
    """
    if contribs not in CONTRIBS:
        raise ValueError("contribs must be one of %r, not %r" % (CONTRIBS, contribs))
    if intervals and contribs:
        # The runtime refuses the combination itself ("Interval prediction can't be used alongside
        # contribution prediction", a string in cppmojo); say so before converting anything.
        raise DaiMojoError("prediction intervals cannot be combined with contributions")
    ops = model.operations
    wanted = ("SCORE_PREDICTION_INTERVAL" if intervals else
              "CONTRIBUTION_%s" % contribs if contribs else "SCORE")
    if not ops.get(wanted):
        raise DaiMojoError("this pipeline does not support %s" % wanted)

    import datatable as dt
    if isinstance(frame, dt.Frame):
        columns = {n: frame[:, n].to_list()[0] for n in frame.names}
    elif hasattr(frame, "to_dict") and hasattr(frame, "columns"):  # pandas
        columns = {str(c): frame[c].tolist() for c in frame.columns}
    else:
        columns = frame
    dtf = to_datatable(model.inputs, model.missing_values, columns)

    # daimojo names contributions only on its pred_contribs=True path (model.py), and h2o-sonar
    # asks for original ones with both flags set; so ORIGINAL = both, TRANSFORMED = the first.
    # [UNTESTED: needs a licence and a pipeline with TreeSHAP]
    with model.lock:
        out = model.dm.predict(dtf, pred_contribs=contribs is not None,
                               pred_contribs_original=contribs == "ORIGINAL",
                               interval=bool(intervals))
    values = out.to_list()
    return dict(zip(out.names, values))
