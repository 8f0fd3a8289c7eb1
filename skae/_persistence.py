"""Saving estimators and their Keras models, without pickle.

Two routes:

* pickling (``pickle``, ``joblib``, process pools) goes through the estimator's
  ``__getstate__``/``__setstate__``, which turn the training model into the bytes of a
  ``.keras`` file (:func:`model_to_bytes`) and back (:func:`model_from_bytes`);
* :func:`save` / :func:`read` (behind :func:`skae.load`) write and read a zip archive
  holding ``skae.json`` (format version, parameters and fitted attributes as plain
  JSON) and ``model.keras``. Loading runs no pickle and restores Keras objects with
  ``safe_mode=True``, so a file from an untrusted source cannot execute code; the
  encoder and decoder are taken back out of the training model, so the three stay one
  set of shared layers.

Keras is imported only when a model is actually serialized, so ``import skae`` stays
light. This module knows no estimator class: a savable one declares
``_FITTED_ATTRIBUTES`` (what a fitted one has) and ``_HOLDS_MODEL`` (whether it holds a
Keras model), and :func:`read` is given the classes a file may hold.
"""

import io
import json
import math
import os
import tempfile
import zipfile

import numpy as np

from ._safe_mode import forced_safe_mode

FORMAT = "skae"
FORMAT_VERSION = 1
_HEADER = "skae.json"
_MODEL = "model.keras"
_TAG = "__skae_type__"

#: Limits on what :func:`load` reads: the JSON header, every other member (the Keras
#: model, a nested estimator), and how deep estimators may nest (a detector holds a
#: transformer).
MAX_HEADER_BYTES = 64 * 2**20
MAX_MEMBER_BYTES = 4 * 2**30
MAX_NESTING = 2


def model_to_bytes(model):
    """Serialize a Keras model to the bytes of a ``.keras`` file."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.keras")
        model.save(path)
        with open(path, "rb") as handle:
            return handle.read()


def model_from_bytes(data):
    """Load a Keras model from the bytes of a ``.keras`` file (Keras safe mode)."""
    from . import layers, metrics  # noqa: F401  (registers skae's custom objects)
    from ._backend import keras

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.keras")
        with open(path, "wb") as handle:
            handle.write(data)
        with forced_safe_mode():
            return keras.saving.load_model(path, safe_mode=True)


# ------------------------------------------------------------------ JSON values


def _encode(value, name):
    """Turn ``value`` into JSON-compatible data; ``name`` locates it in error messages.

    Containers and NumPy/Keras objects are written as ``{"__skae_type__": ...}`` dicts
    so that :func:`_decode` gives back the same types (a tuple stays a tuple).
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, np.integer)) and not isinstance(value, np.bool_):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return value if math.isfinite(value) else {_TAG: "float", "value": repr(value)}
    if isinstance(value, (list, tuple)):
        items = [_encode(v, f"{name}[{i}]") for i, v in enumerate(value)]
        return items if isinstance(value, list) else {_TAG: "tuple", "value": items}
    if isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            raise TypeError(f"Cannot save {name}: a dict with non-string keys.")
        return {_TAG: "dict", "value": {k: _encode(v, f"{name}[{k!r}]") for k, v in value.items()}}
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biufUO":
            raise TypeError(f"Cannot save {name}: an array of dtype {value.dtype}.")
        return {
            _TAG: "ndarray",
            "dtype": value.dtype.str if value.dtype.kind != "O" else "object",
            "shape": list(value.shape),
            "value": _encode(value.ravel().tolist(), name),
        }
    if isinstance(value, np.random.RandomState):
        kind, keys, pos, has_gauss, cached = value.get_state()
        return {_TAG: "RandomState", "value": [kind, keys.tolist(), pos, has_gauss, cached]}
    return _encode_keras(value, name)


def _encode_keras(value, name):
    """Keras objects with a config (optimizers, registered functions), via Keras."""
    from ._backend import keras

    if callable(value) and not hasattr(value, "get_config"):
        # A plain function (a custom builder) loads back only through Keras' registry.
        registered = keras.saving.get_registered_name(value)
        if keras.saving.get_registered_object(registered) is not value:
            raise TypeError(
                f"Cannot save {name}={value!r}: skae.load could only find this function "
                "again through Keras' registry; decorate it with "
                "@keras.saving.register_keras_serializable(), or use pickle/joblib."
            )
    try:
        config = keras.saving.serialize_keras_object(value)
        json.dumps(config, allow_nan=False)
    except (TypeError, ValueError, NotImplementedError) as exc:
        raise TypeError(
            f"Cannot save {name}={value!r}: an object of type {type(value).__name__} has "
            "no JSON form (only plain values, NumPy arrays, RandomState and Keras "
            "objects with a config, such as optimizers, can be saved). Keras callbacks "
            "only act during training: set callbacks=None before saving. Or use "
            "pickle/joblib, which store any picklable object."
        ) from exc
    return {_TAG: "keras", "value": config}


def _decode(value):
    """Invert :func:`_encode`."""
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    kind, payload = value.get(_TAG), value.get("value")
    if kind == "float":
        return float(payload)
    if kind == "tuple":
        return tuple(_decode(v) for v in payload)
    if kind == "dict":
        return {k: _decode(v) for k, v in payload.items()}
    if kind == "ndarray":
        dtype = object if value["dtype"] == "object" else np.dtype(value["dtype"])
        return np.array(_decode(payload), dtype=dtype).reshape(value["shape"])
    if kind == "RandomState":
        state = np.random.RandomState()
        name, keys, pos, has_gauss, cached = payload
        state.set_state((name, np.array(keys, dtype=np.uint32), pos, has_gauss, cached))
        return state
    if kind == "keras":
        from . import layers, metrics  # noqa: F401  (registers skae's custom objects)
        from ._backend import keras

        with forced_safe_mode():
            return keras.saving.deserialize_keras_object(payload, safe_mode=True)
    raise ValueError(f"Unknown value of type {kind!r} in the saved file.")


# ----------------------------------------------------------------- save / load


def save(estimator, path):
    """Write ``estimator`` to ``path``; see :meth:`AutoencoderTransformer.save`.

    A fitted attribute that is itself a skae estimator (the detector's
    ``autoencoder_``) is written as a nested archive, member ``<attribute>.skae``.
    """
    # Everything is encoded before the file is opened: a failure leaves no partial file.
    members = _members(estimator)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def _members(estimator):
    """The archive's members for ``estimator``: ``{name: str or bytes}``."""
    from . import __version__

    state = estimator.__getstate__()
    params = estimator.get_params(deep=False)
    members, attributes = {}, {}
    for key, value in state.items():
        if key in params or key == "model_":
            continue
        if _is_saved_estimator(value):
            member = f"{key}.skae"
            buffer = io.BytesIO()
            save(value, buffer)
            members[member] = buffer.getvalue()
            attributes[key] = {_TAG: "estimator", "value": member}
        else:
            attributes[key] = _encode(value, f"attribute {key}")
    header = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "class": type(estimator).__name__,
        "skae_version": __version__,
        "params": {k: _encode(v, f"parameter {k}") for k, v in params.items()},
        "attributes": attributes,
    }
    members = {_HEADER: json.dumps(header, indent=1, allow_nan=False), **members}
    if "model_" in state:
        members[_MODEL] = state["model_"]
    return members


def _is_saved_estimator(value):
    """Whether ``value`` is a skae estimator (saved as a nested archive)."""
    return hasattr(type(value), "_FITTED_ATTRIBUTES") and hasattr(value, "get_params")


def _read_header(archive, path):
    if _HEADER not in archive.namelist():
        raise ValueError(f"{path!s} is not a skae file: it has no valid {_HEADER}.")
    data = _read_member(archive, _HEADER, MAX_HEADER_BYTES, path)
    try:
        header = json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise ValueError(f"{path!s} is not a skae file: it has no valid {_HEADER}.") from exc
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ValueError(f"{path!s} is not a skae file: {_HEADER} lacks format={FORMAT!r}.")
    version = header.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ValueError(f"{path!s} has an unknown skae format version {version!r}.")
    if version > FORMAT_VERSION:
        from . import __version__

        raise ValueError(
            f"{path!s} was written in skae format version {version} (by skae "
            f"{header.get('skae_version', '?')}); this skae ({__version__}) reads format "
            f"versions up to {FORMAT_VERSION}. Upgrade skae to load it."
        )
    return header


def read(path, classes):
    """The estimator in the file ``path``, of one of ``classes`` (``{name: class}``).

    See :func:`skae.load`, which passes skae's estimator classes.
    """
    return _load(path, 0, classes)


class InvalidFileError(ValueError):
    """A file that is a skae archive by its header but cannot be one by its content."""


def _invalid(path, why):
    return InvalidFileError(f"{path!s} is not a valid skae file: {why}.")


def _read_member(archive, name, limit, path):
    """The bytes of member ``name``, refusing more than ``limit`` (read in bounded steps)."""
    try:
        info = archive.getinfo(name)
    except KeyError:
        raise _invalid(path, f"it has no member {name!r}") from None
    if info.file_size > limit:
        raise _invalid(path, f"{name} holds {info.file_size} bytes, more than {limit}")
    with archive.open(info) as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:  # a directory entry that understates the size
        raise _invalid(path, f"{name} holds more than {limit} bytes")
    return data


def _load(path, depth, classes):
    if not zipfile.is_zipfile(path):
        raise ValueError(
            f"{path!s} is not a skae file: expected a zip archive written by "
            "AutoencoderTransformer.save or AutoencoderOutlierDetector.save."
        )
    try:
        with zipfile.ZipFile(path) as archive:
            header = _read_header(archive, path)
            cls, params, attributes, nested = _check_header(header, path, depth, classes)
            members = {  # read once the header has been checked, each within its limit
                key: _read_member(archive, name, MAX_MEMBER_BYTES, path)
                for key, name in nested.items()
            }
            fitted = _check_fitted(cls, attributes, archive.namelist(), path)
            model = _read_member(archive, _MODEL, MAX_MEMBER_BYTES, path) if fitted else None
    except zipfile.BadZipFile as error:
        raise _invalid(path, f"a damaged zip archive ({error})") from error
    if model is not None and not zipfile.is_zipfile(io.BytesIO(model)):
        raise _invalid(path, f"{_MODEL} is not a Keras model file (a zip archive)")
    try:
        state = cls().get_params(deep=False)
        state.update({k: _decode(v) for k, v in params.items()})
        state.update({k: _decode(v) for k, v in attributes.items() if k not in nested})
        state.update(
            {k: _load(io.BytesIO(data), depth + 1, classes) for k, data in members.items()}
        )
        if model is not None:
            state["model_"] = model
        estimator = cls.__new__(cls)
        estimator.__setstate__(state)
        estimator._validate_params()  # a file's parameters obey the same constraints
    except InvalidFileError:
        raise
    except (
        ValueError,
        TypeError,
        KeyError,
        AttributeError,
        IndexError,
        RecursionError,
        OSError,
        zipfile.BadZipFile,
    ) as error:
        raise _invalid(path, f"{type(error).__name__}: {error}") from error
    return estimator


def _check_header(header, path, depth, classes):
    """``(class, params, attributes, nested members)`` of a header that has its shape."""
    if header.get("class") not in classes:
        raise ValueError(
            f"{path!s} holds an unknown estimator class {header.get('class')!r}; "
            f"expected one of {sorted(classes)}."
        )
    cls = classes[header["class"]]
    params, attributes = header.get("params", {}), header.get("attributes", {})
    for name, value in (("params", params), ("attributes", attributes)):
        if not isinstance(value, dict):
            raise _invalid(path, f"{name} is a {type(value).__name__}, not an object")
    unknown = sorted(set(params) - set(cls().get_params(deep=False)))
    if unknown:
        raise ValueError(
            f"{path!s} sets parameters {unknown} that {cls.__name__} does not have; it was "
            "probably written by another version of skae."
        )
    nested = {
        key: value.get("value")
        for key, value in attributes.items()
        if isinstance(value, dict) and value.get(_TAG) == "estimator"
    }
    if nested and depth >= MAX_NESTING:
        raise _invalid(path, f"estimators nested more than {MAX_NESTING} deep")
    if not all(isinstance(name, str) for name in nested.values()):
        raise _invalid(path, "a nested estimator without a member name")
    return cls, params, attributes, nested


def _check_fitted(cls, attributes, names, path):
    """Whether the file holds a fitted estimator, with everything a fitted one has."""
    fitted = any(k.endswith("_") and not k.startswith("_") for k in attributes)
    if not fitted:
        return False
    missing = [k for k in cls._FITTED_ATTRIBUTES if k not in attributes]
    if missing:
        raise _invalid(path, f"a fitted {cls.__name__} lacks {', '.join(missing)}")
    if cls._HOLDS_MODEL and _MODEL not in names:
        raise _invalid(path, f"a fitted {cls.__name__} without {_MODEL}")
    return cls._HOLDS_MODEL
