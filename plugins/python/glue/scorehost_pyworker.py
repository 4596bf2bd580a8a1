"""Python side of the scorehost python worker (imported by the embedded interpreter).

The C++ worker (worker_main.cc) calls three functions and never sees a Python exception from them:

  hello(_)          -> (True, json)   facts about the interpreter, sent in the HELLO frame
  load(request)     -> (ok, json)     loads the MLflow model; json = schema document or error
  predict(rows, cols) -> (True, rows, columns) | (False, error_json, None)

Columns cross as plain Python objects built by the C++ side, so this module needs no compiled
code of its own and works with whatever numpy/pandas the model's environment pins:
  in:  [(name, type, data, nulls)]  data = bytes (numeric: raw little-endian values; bool: one
       byte per row) or list of str/None (text); nulls = bytes (1 = null, one per row) or None
  out: the same shape; numeric data is a C-contiguous numpy array of the declared width.
Type codes are scorehost's sh_data_type: 1 bool, 2 int32, 3 int64, 4 float32, 5 float64, 6 str,
7 time (text).
"""

import faulthandler
import json
import sys
import traceback

# A model that crashes the interpreter (segfault in an extension, ctypes) dies of the signal as
# before, but first prints the Python stack of every thread to stderr, which the supervisor keeps
# and reports as the worker's last output.
faulthandler.enable(all_threads=True)

BOOL, INT32, INT64, FLOAT32, FLOAT64, STR, TIME = 1, 2, 3, 4, 5, 6, 7

# MLflow column types -> scorehost types. binary travels as base64 text (as in MLflow's own JSON
# input), datetime as text parsed by pandas.
_MLFLOW_COLTYPES = {
    "boolean": BOOL, "integer": INT32, "long": INT64, "float": FLOAT32, "double": FLOAT64,
    "string": STR, "binary": STR, "datetime": TIME,
}

_state = {}


def _error(kind, message, tb=""):
    return json.dumps({"kind": kind, "message": message, "traceback": tb})


def _exception_error(exc, default_kind="model"):
    """Turns an exception from MLflow or the model into an error document.

    MLflow's own input validation (MlflowException with BAD_REQUEST / INVALID_PARAMETER_VALUE) is
    the client's fault, as in `mlflow models serve`; anything else is the model's.
    """
    kind = default_kind
    code = getattr(exc, "error_code", None)
    if code in ("BAD_REQUEST", "INVALID_PARAMETER_VALUE"):
        kind = "user"
    if isinstance(exc, _InputError):
        kind = "user"
    tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return _error(kind, "%s: %s" % (type(exc).__name__, exc), tb)


class _InputError(ValueError):
    pass


def hello(_unused):
    import os
    return True, json.dumps({
        "version": "%d.%d.%d" % sys.version_info[:3],
        "executable": sys.executable,
        "prefix": sys.prefix,
        "base_prefix": sys.base_prefix,
        "pid": os.getpid(),
    })


def _dtype_type(dtype):
    """scorehost type for a numpy/pandas dtype (of a model output or input example)."""
    import numpy as np
    kind = getattr(dtype, "kind", "O")
    name = str(dtype)
    if name == "boolean" or kind == "b":
        return BOOL
    if name in ("Int8", "Int16", "Int32", "UInt8", "UInt16") or (kind in "iu" and dtype.itemsize <= 2) \
            or (kind == "i" and dtype.itemsize == 4):
        return INT32
    if name in ("Int64", "UInt32", "UInt64") or kind in "iu":
        return INT64
    if name == "Float32" or (kind == "f" and dtype.itemsize <= 4):
        return FLOAT32
    if name == "Float64" or kind == "f":
        return FLOAT64
    del np
    return STR


def _result_frame(result):
    """Columns of whatever predict returned, as (name, pandas Series) pairs, in order.

    DataFrame -> its columns; Series -> one column; ndarray 1-D -> one column, 2-D -> one per
    column; list/tuple -> like numpy.asarray unless it holds dicts (records); dict -> DataFrame.
    Unnamed columns are called "prediction" (one) or "prediction.<i>" (several)."""
    import numpy as np
    import pandas as pd
    result = _from_torch(result)
    if isinstance(result, pd.DataFrame):
        frame = result
    elif isinstance(result, pd.Series):
        frame = result.to_frame()
        if result.name is None:
            frame.columns = [None]
    elif isinstance(result, dict):
        frame = pd.DataFrame(result)
    elif isinstance(result, (list, tuple)) and result and all(isinstance(r, dict) for r in result):
        frame = pd.DataFrame(list(result))
    else:
        arr = result if isinstance(result, np.ndarray) else np.asarray(result)
        if arr.ndim == 0:
            arr = arr.reshape(1)
        if arr.ndim == 1:
            frame = pd.DataFrame({0: arr})
            frame.columns = [None]
        elif arr.ndim == 2:
            frame = pd.DataFrame(arr)
            frame.columns = [None] * arr.shape[1]
        else:
            # Higher-rank tensors (e.g. per-row matrices) travel as their JSON text, one per row.
            frame = pd.DataFrame({0: [json.dumps(x.tolist()) for x in arr]})
            frame.columns = [None]
    cols = []
    unnamed = [c is None for c in frame.columns]
    n = len(frame.columns)
    for i in range(n):
        name = frame.columns[i]
        if name is None or (isinstance(name, (int, np.integer)) and all(isinstance(c, (int, np.integer)) for c in frame.columns)):
            name = "prediction" if n == 1 else "prediction.%d" % i
        cols.append((str(name), frame.iloc[:, i]))
    del unnamed
    return cols


def _from_torch(result):
    """torch tensors (also inside a dict, list or tuple) -> numpy arrays on the CPU.

    A tensor that lives on a GPU cannot be read by numpy, and one that requires grad refuses
    .numpy(); detach().cpu() handles both. torch is only looked at when the model imported it."""
    torch = sys.modules.get("torch")
    if torch is None:
        return result
    if isinstance(result, torch.Tensor):
        return result.detach().cpu().numpy()
    if isinstance(result, dict):
        return {k: _from_torch(v) for k, v in result.items()}
    if isinstance(result, (list, tuple)) and any(isinstance(v, torch.Tensor) for v in result):
        return [_from_torch(v) for v in result]
    return result


def _torch_facts():
    """What the worker's torch sees, when the model imported torch (None otherwise): the device
    policy is decided before Python starts, and this confirms what torch made of it."""
    torch = sys.modules.get("torch")
    if torch is None:
        return None
    facts = {"version": str(getattr(torch, "__version__", "?"))}
    try:
        facts["cuda_available"] = bool(torch.cuda.is_available())
        if facts["cuda_available"]:
            facts["device_name"] = torch.cuda.get_device_name(0)
    except Exception as exc:  # noqa: BLE001 -- a broken CUDA setup is reported, not fatal
        facts["cuda_available"] = False
        facts["cuda_error"] = "%s: %s" % (type(exc).__name__, exc)
    return facts


def _signature_outputs(schema):
    """Declared outputs from an MLflow output schema, or None when they cannot be told apart."""
    if schema is None:
        return None
    out = []
    if schema.is_tensor_spec():
        for i, spec in enumerate(schema.inputs):
            shape = tuple(spec.shape or ())
            width = 1 if len(shape) <= 1 else (shape[1] if len(shape) == 2 and shape[1] > 0 else None)
            if width is None:
                return None
            t = _dtype_type(spec.type)
            base = spec.name
            for j in range(width):
                out.append((base, t, j, width))
    else:
        for spec in schema.inputs:
            tname = getattr(spec.type, "name", None)
            out.append((spec.name, _MLFLOW_COLTYPES.get(tname, STR), 0, 1))
    n = len(out)
    named = []
    for i, (base, t, j, width) in enumerate(out):
        if base is None:
            name = "prediction" if n == 1 else "prediction.%d" % i
        else:
            name = base if width == 1 else "%s.%d" % (base, j)
        named.append({"name": name, "type": t})
    return named


def _frame_outputs(result):
    return [{"name": name, "type": _dtype_type(series.dtype)} for name, series in _result_frame(result)]


def _example_frame(meta, model_dir):
    import pandas as pd
    try:
        example = meta.load_input_example(model_dir)
    except Exception:  # noqa: BLE001 -- an unreadable example only costs us the inference
        return None
    if example is None:
        return None
    if isinstance(example, pd.DataFrame):
        return example
    try:
        if isinstance(example, dict):
            return pd.DataFrame(example) if all(hasattr(v, "__len__") and not isinstance(v, str) for v in example.values()) \
                else pd.DataFrame([example])
        return pd.DataFrame(example)
    except Exception:  # noqa: BLE001
        return None


def load(request_json):
    try:
        return True, _load(json.loads(request_json))
    except BaseException as exc:  # noqa: BLE001 -- SystemExit/KeyboardInterrupt from a model too
        return False, _exception_error(exc, "model")


def _load(req):
    if req.get("kind") == "dai_mojo":
        return _load_dai_mojo(req)
    if req.get("kind") == "dai_python":
        return _load_dai_python(req)
    return _load_mlflow(req)


def _load_dai_python(req):
    """A Driverless AI Python scoring pipeline: its Scorer (scorehost_dai_pipeline.py)."""
    import scorehost_dai_pipeline as daipy
    pipeline = daipy.load(req["pipeline_root"], req.get("module") or None)
    d = daipy.describe(pipeline)
    _state.update(kind="dai_python", daipy=pipeline, inputs=d["inputs"], outputs=d["outputs"], mode="columns")
    return json.dumps({
        "model_id": d["module"].replace("scoring_h2oai_experiment_", ""),
        "description": "Driverless AI %s Python scoring pipeline %s" % (d["dai_version"] or "", d["module"]),
        "inputs": d["inputs"],
        "outputs": d["outputs"],
        "sample_request": None,
        "operations": {"SCORE": True, "SCORE_PREDICTION_INTERVAL": False, "CONTRIBUTION_ORIGINAL": False,
                       "CONTRIBUTION_TRANSFORMED": d["contrib_outputs"] is not None},
    })


def _predict_dai_python(rows, cols, op):
    import scorehost_dai_pipeline as daipy
    if op not in ("score", "contrib_transformed"):
        raise _InputError("a Driverless AI Python pipeline does not offer %s" % op)
    frame = _input_frame(rows, cols)
    try:
        result = daipy.predict(_state["daipy"], frame, contribs=op == "contrib_transformed")
    except daipy.UnsupportedError as exc:
        raise _InputError(str(exc))
    return [(str(c), result[c]) for c in result.columns]


_TYPE_CODES = {"Bool": BOOL, "Int32": INT32, "Int64": INT64, "Float32": FLOAT32, "Float64": FLOAT64, "Str": STR}


def _load_dai_mojo(req):
    """A Driverless AI MOJO pipeline through daimojo (scorehost_dai_mojo.py). With
    "metadata_only" (scorehost inspect without a licence) only the pipeline file is read."""
    import scorehost_dai_mojo as dai
    path = req["model_path"]
    if req.get("metadata_only"):
        meta = dai.read_pipeline_metadata(path)
        model, inputs, operations = None, meta["inputs"], meta["operations"]
    else:
        model = dai.load(path)
        meta, inputs, operations = model.metadata, model.inputs, model.operations
    outputs = meta["outputs"]
    _state.update(kind="dai_mojo", dai=model, inputs=[{"name": f["name"], "type": _TYPE_CODES.get(f["type"], STR)}
                                                       for f in inputs], outputs=None, mode="columns",
                  dai_outputs={f["name"]: _TYPE_CODES.get(f["type"], FLOAT64) for f in outputs})
    return json.dumps({
        "model_id": meta.get("uuid") or "",
        "description": "Driverless AI %s MOJO pipeline%s" % (
            meta.get("dai_version") or "(version unknown)",
            ", experiment %s" % meta["experiment_name"] if meta.get("experiment_name") else ""),
        "inputs": [{"name": f["name"], "type": _TYPE_CODES.get(f["type"], STR)} for f in inputs],
        "outputs": [{"name": f["name"], "type": _TYPE_CODES.get(f["type"], FLOAT64)} for f in outputs],
        "sample_request": None,
        # null = the file cannot tell (Shapley support is known only to a licensed runtime)
        "operations": operations,
        "dai": dict({k: meta.get(k) for k in ("uuid", "created", "mojo_version", "experiment_name")},
                    dai_version=meta.get("dai_version") or "unknown (the pipeline file does not record it)"),
        "missing_values": meta.get("missing_values", []),
    })


def _predict_dai_mojo(rows, cols, op):
    import scorehost_dai_mojo as dai
    model = _state["dai"]
    if model is None:
        raise _InputError("the pipeline was opened without a licence (metadata only) and cannot score")
    frame = _input_frame(rows, cols)
    try:
        out = dai.predict(model, frame, intervals=op == "intervals",
                          contribs={"contrib_original": "ORIGINAL", "contrib_transformed": "TRANSFORMED"}.get(op))
    except dai.CellError as exc:
        raise _InputError(str(exc))
    except dai.DaiMojoError as exc:
        if "does not support" in str(exc) or "cannot be combined" in str(exc):
            raise _InputError(str(exc))
        raise
    import pandas as pd
    return [(name, pd.Series(values)) for name, values in out.items()]


def _load_mlflow(req):
    import numpy as np
    import pandas as pd
    import mlflow.pyfunc

    model_dir = req["model_dir"]
    model = mlflow.pyfunc.load_model(model_dir)
    meta = model.metadata
    sig = meta.signature
    example = _example_frame(meta, model_dir)

    inputs = []        # [{"name", "type"}] as the API sees them
    input_mode = None  # how predict rebuilds the model input
    in_schema = sig.inputs if sig is not None else None
    if in_schema is not None and not in_schema.is_tensor_spec():
        input_mode = "columns"
        for i, spec in enumerate(in_schema.inputs):
            tname = getattr(spec.type, "name", None)
            name = spec.name if spec.name is not None else str(i)
            inputs.append({"name": name, "type": _MLFLOW_COLTYPES.get(tname, STR), "mlflow": tname or str(spec.type)})
    elif in_schema is not None:
        specs = in_schema.inputs
        if len(specs) == 1 and specs[0].name is None and len(specs[0].shape) == 2 and specs[0].shape[1] > 0:
            # one unnamed 2-D tensor: one API column per tensor column, rebuilt as a frame whose
            # values MLflow reshapes into the tensor
            input_mode = "tensor2d"
            t = _dtype_type(specs[0].type)
            cols = list(example.columns) if example is not None and len(example.columns) == specs[0].shape[1] else None
            for j in range(specs[0].shape[1]):
                inputs.append({"name": str(cols[j]) if cols else str(j), "type": t, "mlflow": str(specs[0].type)})
        elif all(s.name is not None and len(s.shape) <= 1 or (len(s.shape) == 2 and s.shape[1] == 1) for s in specs):
            input_mode = "columns"
            for s in specs:
                inputs.append({"name": s.name, "type": _dtype_type(s.type), "mlflow": str(s.type)})
        else:
            raise ValueError("the model's tensor input signature %s has no columnar form that scorehost can serve"
                             % in_schema.to_json())
    elif example is not None:
        # No signature: Str inputs named after the example; values are cast back to the example's
        # dtypes before predict, so the model sees what it was built with.
        input_mode = "untyped"
        for name in example.columns:
            inputs.append({"name": str(name), "type": STR, "example_dtype": str(example[name].dtype)})
    else:
        raise ValueError("the model has neither a signature nor an input example, so its input columns are unknown; "
                         "save it with signature= or input_example=")

    outputs = _signature_outputs(sig.outputs if sig is not None else None)
    inferred = False
    if outputs is None:
        probe = example
        if probe is None:
            raise ValueError("the model has no output signature and no input example to infer its outputs from")
        outputs = _frame_outputs(model.predict(_cast_untyped(probe, inputs) if input_mode == "untyped" else probe))
        inferred = True

    sample = None
    if example is not None:
        # The plugin hands the first row to the host (ABI 1.1 input_examples) for
        # GET /model/sample_request; null marks a missing value (the host shows a placeholder).
        head = example.head(5)
        sample = {"fields": [str(c) for c in head.columns],
                  "rows": [[_example_text(v) for v in row] for row in head.itertuples(index=False)]}

    _state.update(model=model, inputs=inputs, outputs=outputs, mode=input_mode,
                  in_columns=[i["name"] for i in inputs], example=example)
    flavor = meta.flavors.get("python_function", {})
    loader = flavor.get("loader_module", "")
    others = [f for f in meta.flavors if f != "python_function"]
    description = "MLflow %s model (%s), saved by MLflow %s with Python %s" % (
        "/".join(others) if others else "pyfunc", loader, getattr(meta, "mlflow_version", None) or "?",
        flavor.get("python_version", "?"))
    import mlflow
    return json.dumps({
        "model_id": getattr(meta, "model_uuid", None) or getattr(meta, "run_id", None) or "",
        "description": description,
        "inputs": inputs,
        "outputs": outputs,
        "outputs_inferred": inferred,
        "sample_request": sample,
        "mlflow_version": mlflow.__version__,
        "numpy_version": np.__version__,
        "pandas_version": pd.__version__,
        "torch": _torch_facts(),
    })


def _example_text(v):
    """An input example value as the text a REST client sends for it (None when missing)."""
    import base64
    if isinstance(v, (list, tuple, dict)):
        return json.dumps(v)
    if _isnull(v):
        return None
    if isinstance(v, (bytes, bytearray)):
        return base64.b64encode(bytes(v)).decode("ascii")  # binary columns travel as base64
    if isinstance(v, bool) or type(v).__name__ == "bool_":
        return "true" if v else "false"
    if hasattr(v, "isoformat"):
        return v.isoformat()  # datetime / pandas Timestamp
    if hasattr(v, "item"):
        v = v.item()  # numpy scalar -> Python number, so floats print with repr's shortest digits
    return str(v)


def _isnull(v):
    try:
        import pandas as pd
        return v is None or bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _cast_untyped(frame, inputs):
    """Casts a frame of text columns (no signature) to the input example's dtypes."""
    import pandas as pd
    out = {}
    for spec in inputs:
        name = spec["name"]
        col = frame[name] if name in frame.columns else frame[[c for c in frame.columns if str(c) == name][0]]
        want = spec.get("example_dtype", "object")
        if want == "object" or want.startswith("str"):
            out[name] = col
            continue
        try:
            if want == "bool":
                lowered = col.map(lambda v: v if not isinstance(v, str) else v.strip().lower())
                out[name] = lowered.map({"true": True, "1": True, "false": False, "0": False, True: True, False: False})
            else:
                numeric = pd.to_numeric(col, errors="raise")
                out[name] = numeric.astype(want) if not numeric.isna().any() or want.startswith("float") else numeric
        except (ValueError, TypeError) as exc:
            raise _InputError("column %r: cannot read %s as %s (the input example's type): %s" % (name, "values", want, exc))
    return pd.DataFrame(out)


def _input_frame(rows, cols):
    import numpy as np
    import pandas as pd
    dtypes = {INT32: "<i4", INT64: "<i8", FLOAT32: "<f4", FLOAT64: "<f8"}
    specs = {s["name"]: s for s in _state["inputs"]}
    data = {}
    for name, t, values, nulls in cols:
        spec = specs.get(name, {})
        mask = np.frombuffer(nulls, dtype=np.bool_) if nulls is not None else None
        if t in dtypes:
            arr = np.frombuffer(values, dtype=dtypes[t])
            if mask is not None and mask.any():
                # MLflow rejects integer columns with missing values (declare them double); NaN is
                # what it would get from JSON too, so let its schema check say so.
                arr = arr.astype(np.float64 if t != FLOAT32 else np.float32)
                arr[mask] = np.nan
            col = pd.Series(arr, copy=False)
        elif t == BOOL:
            arr = np.frombuffer(values, dtype=np.bool_)
            if mask is not None and mask.any():
                obj = arr.astype(object)
                obj[mask] = None
                col = pd.Series(obj)
            else:
                col = pd.Series(arr)
        else:
            col = pd.Series(values, dtype=object)
            mlflow_type = spec.get("mlflow")
            if mlflow_type == "binary":
                col = _decode_base64(name, col)
            elif t == TIME or mlflow_type == "datetime":
                col = pd.to_datetime(col)
        data[name] = col
    frame = pd.DataFrame(data)
    if len(frame.columns) == 0:
        frame = pd.DataFrame(index=range(rows))
    if _state["mode"] == "untyped":
        frame = _cast_untyped(frame, _state["inputs"])
    return frame


def _decode_base64(name, col):
    """A binary column's base64 texts -> bytes, decoded as leniently as MLflow's own JSON input
    (characters outside the alphabet are skipped); text that still is not base64 is the client's
    error (400), naming the row and the column, not a model failure."""
    import base64
    import binascii
    import pandas as pd
    out = []
    for i, v in enumerate(col):
        if v is None:
            out.append(None)
            continue
        try:
            out.append(base64.b64decode(v))
        except (binascii.Error, ValueError) as exc:
            raise _InputError("row %d, column %r: %r is not base64 (%s)" % (i + 1, name, v[:40], exc))
    return pd.Series(out, dtype=object)


def _coerce(series, t):
    """(data, nulls) for one output column of declared type t."""
    import numpy as np
    import pandas as pd
    n = len(series)
    isna = pd.isna(series).to_numpy(dtype=np.bool_) if n else np.zeros(0, dtype=np.bool_)
    nulls = isna.astype(np.uint8) if isna.any() else None
    if t == STR or t == TIME:
        values = series.tolist()
        return [None if isna[i] else (v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v))
                for i, v in enumerate(values)], nulls
    np_dtype = {BOOL: np.uint8, INT32: "<i4", INT64: "<i8", FLOAT32: "<f4", FLOAT64: "<f8"}[t]
    if nulls is not None:
        filled = series.astype(object).where(~isna, 0)
    else:
        filled = series
    try:
        if t == BOOL:
            arr = np.ascontiguousarray(filled.to_numpy().astype(np.bool_).astype(np.uint8))
        else:
            arr = np.ascontiguousarray(pd.to_numeric(filled).to_numpy().astype(np_dtype))
    except (ValueError, TypeError) as exc:
        raise TypeError("output column %r: cannot convert %s values to the declared type: %s" % (series.name, series.dtype, exc))
    return arr, nulls


def predict(rows, cols, op="score"):
    try:
        if _state.get("kind") == "dai_mojo":
            out = []
            for name, series in _predict_dai_mojo(rows, cols, op):
                # the declared type for prediction columns; interval and contribution columns are doubles
                t = _state["dai_outputs"].get(name) or (FLOAT64 if series.dtype.kind in "fiu" else STR)
                data, nulls = _coerce(series, t)
                out.append((name, t, data, nulls))
            return True, (len(out[0][2]) if out else 0), out
        if _state.get("kind") == "dai_python":
            out = []
            for name, series in _predict_dai_python(rows, cols, op):
                data, nulls = _coerce(series, FLOAT64 if series.dtype.kind in "fiub" else STR)
                out.append((name, FLOAT64 if series.dtype.kind in "fiub" else STR, data, nulls))
            return True, (len(out[0][2]) if out else 0), out
        if op != "score":
            raise _InputError("MLflow models only score; %s is not offered" % op)
        frame = _input_frame(rows, cols)
        if _state["mode"] == "tensor2d":
            model_input = frame
        else:
            model_input = frame
        result = _state["model"].predict(model_input)
        produced = _result_frame(result)
        declared = _state["outputs"]
        if len(produced) != len(declared):
            raise TypeError("the model returned %d column(s) %s, but its schema declares %d: %s" % (
                len(produced), [n for n, _ in produced], len(declared), [d["name"] for d in declared]))
        out_rows = len(produced[0][1]) if produced else 0
        out = []
        for (name, series), spec in zip(produced, declared):
            if len(series) != out_rows:
                raise TypeError("output columns differ in length")
            data, nulls = _coerce(series, spec["type"])
            out.append((spec["name"], spec["type"], data, nulls))
        return True, out_rows, out
    except BaseException as exc:  # noqa: BLE001 -- nothing may escape into the C++ worker
        return False, _exception_error(exc, "model"), None
