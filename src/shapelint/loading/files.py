"""Read a model file as data: the model config dict, never code, never weights.

* ``.keras``: a zip; only ``config.json`` is read, with a cap on its inflated size.
* ``.h5``/``.hdf5``: the ``model_config`` attribute, through h5py (imported lazily).
* ``.json``/``.yaml``/``.yml``: what ``model.to_json()`` writes, a bare
  ``{"class_name", "config"}``, or a TF.js layers-model ``model.json``.
"""

from __future__ import annotations

import json
import os
import zipfile
from typing import Any

from shapelint.errors import NotAModel, UnreadableModel

MODEL_EXTENSIONS = (".keras", ".h5", ".hdf5", ".json", ".yaml", ".yml")
MAX_CONFIG_BYTES = int(os.environ.get("SHAPELINT_MAX_CONFIG_BYTES", 256 * 1024 * 1024))


def read_model_config(path: str) -> dict:
    """The model's ``{"class_name": ..., "config": ...}`` dict from the file at ``path``."""
    ext = os.path.splitext(path)[1].lower()
    if ext == ".keras":
        data = _parse_json(_read_keras_zip(path), "config.json")
    elif ext in (".h5", ".hdf5"):
        data = _parse_json(_read_h5_attribute(path), "the model_config attribute")
    elif ext == ".json":
        data = _parse_json(_read_capped(path), "the file")
    elif ext in (".yaml", ".yml"):
        data = _parse_yaml(_read_capped(path))
    else:
        raise UnreadableModel(
            f"unsupported file type {ext or '(none)'!r}; expected one of {', '.join(MODEL_EXTENSIONS)}")
    return model_config_from(data)


def model_config_from(data: Any) -> dict:
    """Find the Keras model config inside a parsed document."""
    if isinstance(data, dict) and "modelTopology" in data:  # TF.js layers-model
        if data.get("format") == "graph-model":
            raise UnreadableModel("TF.js graph-model files hold a TF graph, not a Keras model; "
                                  "only layers-model files can be linted")
        topology = data["modelTopology"]
        if isinstance(topology, dict) and "model_config" in topology:
            topology = topology["model_config"]
        data = topology
    if isinstance(data, dict) and data.get("class_name") and isinstance(data.get("config"), (dict, list)):
        return data
    raise NotAModel("not a Keras model config (no top-level 'class_name' and 'config')")


def _read_capped(path: str) -> bytes:
    try:
        size = os.path.getsize(path)
        if size > MAX_CONFIG_BYTES:
            raise UnreadableModel(
                f"file is {size} bytes, over the {MAX_CONFIG_BYTES}-byte limit "
                "(raise it with SHAPELINT_MAX_CONFIG_BYTES)")
        with open(path, "rb") as f:
            return f.read()
    except OSError as e:
        raise UnreadableModel(f"cannot read file: {e.strerror or e}") from None


def _read_keras_zip(path: str) -> bytes:
    try:
        if not zipfile.is_zipfile(path):
            raise UnreadableModel("not a .keras file: it is not a zip archive")
        with zipfile.ZipFile(path) as zf:
            try:
                info = zf.getinfo("config.json")
            except KeyError:
                raise UnreadableModel("not a .keras file: the zip has no config.json") from None
            if info.file_size > MAX_CONFIG_BYTES:
                raise UnreadableModel(
                    f"config.json inflates to {info.file_size} bytes, over the "
                    f"{MAX_CONFIG_BYTES}-byte limit (raise it with SHAPELINT_MAX_CONFIG_BYTES)")
            with zf.open(info) as f:
                # the header's size can lie: never inflate more than the cap
                data = f.read(MAX_CONFIG_BYTES + 1)
            if len(data) > MAX_CONFIG_BYTES:
                raise UnreadableModel(
                    f"config.json inflates past the {MAX_CONFIG_BYTES}-byte limit")
            return data
    except UnreadableModel:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError) as e:
        raise UnreadableModel(f"corrupt .keras archive: {e}") from None
    except OSError as e:
        raise UnreadableModel(f"cannot read file: {e.strerror or e}") from None
    except RuntimeError as e:  # e.g. encrypted members
        raise UnreadableModel(f"cannot read .keras archive: {e}") from None


def _read_h5_attribute(path: str) -> bytes:
    try:
        import h5py  # lazy: an optional dependency
    except ImportError:
        raise UnreadableModel(
            "reading .h5 files needs h5py: pip install 'shapelint[tf]' (or just h5py)") from None
    try:
        with h5py.File(path, "r") as f:
            raw = f.attrs.get("model_config")
    except OSError as e:
        raise UnreadableModel(f"not a readable HDF5 file: {e}") from None
    if raw is None:
        raise UnreadableModel("the HDF5 file has no model_config attribute "
                              "(saved with save_weights, or not a Keras model)")
    if isinstance(raw, bytes):
        return raw
    if isinstance(raw, str):
        return raw.encode("utf-8")
    raise UnreadableModel("the HDF5 model_config attribute is not a string")


def _parse_json(raw: bytes, what: str) -> Any:
    try:
        return json.loads(raw)
    except UnicodeDecodeError:
        raise UnreadableModel(f"{what} is not UTF-8 text") from None
    except json.JSONDecodeError as e:
        raise UnreadableModel(f"{what} is not valid JSON: {e.msg} at line {e.lineno} "
                              f"column {e.colno}") from None
    except RecursionError:
        raise UnreadableModel(f"{what} is nested too deeply") from None


def _parse_yaml(raw: bytes) -> Any:
    import yaml

    fast = getattr(yaml, "CSafeLoader", None)  # libyaml's parser, when PyYAML has it: ~6x faster
    if fast is not None:
        try:
            return yaml.load(raw, Loader=fast)
        except (yaml.YAMLError, RecursionError):
            pass  # parse again below, for PyYAML's own error message
    try:
        return yaml.safe_load(raw)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise UnreadableModel(f"the file is not valid YAML{where}: "
                              f"{getattr(e, 'problem', None) or 'parse error'}") from None
    except RecursionError:
        raise UnreadableModel("the YAML file is nested too deeply") from None
