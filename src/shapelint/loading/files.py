"""Read a model file as data: the model config dict, never code, never weights.

* ``.keras``: a zip; only ``config.json`` is read, with a cap on its inflated size.
* ``.h5``/``.hdf5``: the ``model_config`` attribute, through h5py (imported lazily).
* ``.json``/``.yaml``/``.yml``: what ``model.to_json()`` writes (Keras 1 to 3; also that
  JSON saved as one string), a bare ``{"class_name", "config"}``, a ``get_config()``
  dump, or a TF.js layers-model ``model.json``.
"""

from __future__ import annotations

import json
import os
import zipfile
import zlib
from typing import Any, Optional

from shapelint.errors import NotAModel, UnreadableModel
from shapelint.loading import legacy

try:
    from lzma import LZMAError
except ImportError:  # a Python built without lzma reads no LZMA members either
    LZMAError = zlib.error

MODEL_EXTENSIONS = (".keras", ".h5", ".hdf5", ".json", ".yaml", ".yml")
MAX_CONFIG_BYTES = int(os.environ.get("SHAPELINT_MAX_CONFIG_BYTES", 64 * 1024 * 1024))
# YAML parses ~100x slower than JSON (~0.5 MB/s): its files get a 32nd of the cap, and its
# aliases may not expand a document past the values such a file can hold
MAX_YAML_BYTES = MAX_CONFIG_BYTES // 32
MAX_ZIP_MEMBERS = 10_000  # a .keras holds a handful; each listed one costs ~400 bytes to read
# a parsed JSON value costs ~60-100 bytes (a real config has one per ~16 bytes of text, so
# it reaches this with the byte cap); 3 bytes of "{}," would cost 72: cap the values too
MAX_JSON_VALUES = MAX_CONFIG_BYTES // 16


def read_model_config(path: str, notes: Optional[list] = None) -> dict:
    """The model's ``{"class_name": ..., "config": ...}`` dict from the file at ``path``.

    ``notes``: a list to which what the reader noticed about the file is appended."""
    ext = os.path.splitext(path)[1].lower()
    if ext == ".keras":
        data = _parse_json(_read_keras_zip(path, notes if notes is not None else []),
                           "config.json")
    elif ext in (".h5", ".hdf5"):
        data = _parse_json(_read_h5_attribute(path), "the model_config attribute")
    elif ext == ".json":
        data = _parse_json(_read_capped(path), "the file")
    elif ext in (".yaml", ".yml"):
        data = _parse_yaml(_read_capped(path, yaml=True))
    else:
        raise UnreadableModel(
            f"unsupported file type {ext or '(none)'!r}; expected one of {', '.join(MODEL_EXTENSIONS)}")
    return model_config_from(data)


def model_config_from(data: Any) -> dict:
    """Find the Keras model config inside a parsed document; a Keras 1 config comes back
    rewritten in the later form (:mod:`shapelint.loading.legacy`)."""
    if isinstance(data, str) and data.lstrip()[:1] in ("{", "["):
        # model.to_json() saved with json.dump: the document is that JSON as one string
        try:
            data = json.loads(data)
        except (ValueError, RecursionError):
            raise NotAModel("not a Keras model config (a string that is not JSON)") from None
    if isinstance(data, dict) and "modelTopology" in data:  # TF.js model.json
        topology = data["modelTopology"]
        if data.get("format") == "graph-model" or (isinstance(topology, dict)
                                                   and "node" in topology):
            # a TF graph, not a Keras model: skipped like any other JSON that is no model
            raise NotAModel("unsupported: TF.js graph-model, not a Keras layers model")
        if isinstance(topology, dict) and "model_config" in topology:
            topology = topology["model_config"]
        data = topology
    if not (isinstance(data, dict) and data.get("class_name")
            and isinstance(data.get("config"), (dict, list))):
        data = _bare_model_config(data)
    return legacy.normalize(data) if legacy.is_legacy(data) else data


def _bare_model_config(data: Any) -> dict:
    """A ``model.get_config()`` dump, which has no class_name: Functional when it names
    its input or output layers, else Sequential (Keras 1's is a bare list of layers)."""
    layers = data if isinstance(data, list) else (
        data.get("layers") if isinstance(data, dict) else None)
    if not (isinstance(layers, list) and layers and all(
            isinstance(e, dict) and isinstance(e.get("class_name"), str) for e in layers)):
        raise NotAModel("not a Keras model config (no top-level 'class_name' and 'config')")
    functional = isinstance(data, dict) and ("input_layers" in data or "output_layers" in data)
    return {"class_name": "Functional" if functional else "Sequential", "config": data}


def _read_capped(path: str, yaml: bool = False) -> bytes:
    limit = MAX_YAML_BYTES if yaml else MAX_CONFIG_BYTES
    try:
        size = os.path.getsize(path)
        if size > limit:
            raise UnreadableModel(
                f"file is {size} bytes, over the {limit}-byte limit{' for YAML' * yaml} "
                "(raise it with SHAPELINT_MAX_CONFIG_BYTES)")
        with open(path, "rb") as f:
            return f.read(limit + 1)
    except OSError as e:
        raise UnreadableModel(f"cannot read file: {e.strerror or e}") from None


def _read_keras_zip(path: str, notes: list) -> bytes:
    try:
        if not zipfile.is_zipfile(path):
            raise UnreadableModel("not a .keras file: it is not a zip archive")
        members = _zip_member_count(path)
        if members > MAX_ZIP_MEMBERS:  # ZipFile would read every entry of the directory
            raise UnreadableModel(f"the zip lists {members} members, over the "
                                  f"{MAX_ZIP_MEMBERS} a .keras file may have")
        with zipfile.ZipFile(path) as zf:
            try:
                info = zf.getinfo("config.json")  # the last member of that name, as Keras reads
            except KeyError:
                raise UnreadableModel("not a .keras file: the zip has no config.json") from None
            copies = sum(member.filename == "config.json" for member in zf.infolist())
            if copies > 1:  # a scanner and a loader could be shown different models
                notes.append(f"the archive holds {copies} members named config.json; this "
                             "is the last one, the one Keras loads")
            if info.file_size > MAX_CONFIG_BYTES:
                raise UnreadableModel(
                    f"config.json inflates to {info.file_size} bytes, over the "
                    f"{MAX_CONFIG_BYTES}-byte limit (raise it with SHAPELINT_MAX_CONFIG_BYTES)")
            with zf.open(info) as f:
                # the header's size can lie: never inflate more than the cap (nor ask the
                # decompressor for more than the header says: it would allocate that much)
                data = f.read(min(info.file_size, MAX_CONFIG_BYTES) + 1)
            if len(data) > MAX_CONFIG_BYTES:
                raise UnreadableModel(
                    f"config.json inflates past the {MAX_CONFIG_BYTES}-byte limit")
            return data
    except UnreadableModel:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError,
            zlib.error, LZMAError, ValueError) as e:  # a damaged member too
        raise UnreadableModel(f"corrupt .keras archive: {str(e) or type(e).__name__}") from None
    except OSError as e:
        raise UnreadableModel(f"cannot read file: {e.strerror or e}") from None
    except RuntimeError as e:  # e.g. encrypted members
        raise UnreadableModel(f"cannot read .keras archive: {e}") from None


def _zip_member_count(path: str) -> int:
    """How many members the zip's end record lists, read before the directory itself."""
    end_record = getattr(zipfile, "_EndRecData", None)  # the stdlib's own reader
    if end_record is None:
        return 0
    with open(path, "rb") as f:
        end = end_record(f)
    return end[zipfile._ECD_ENTRIES_TOTAL] if end else 0


# for the HDF5 library to find one attribute (a child process: ~0.3 s, most of it imports)
H5_SECONDS = float(os.environ.get("SHAPELINT_H5_SECONDS", 10))
H5_ADDRESS_SPACE = 4 << 30
# the HDF5 library is C code that a crafted file can crash or hang (the fuzzer found both):
# it reads in a child process with a time and memory limit. -I, and the parent's sys.path
# less the working directory: no module planted in a repository under review is imported.
_H5_CHILD = """\
import sys
sys.path[:] = sys.argv[3:]
try:
    import resource
    resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[2]), int(sys.argv[2])))
except (ImportError, ValueError, OSError):
    pass
from shapelint.errors import UnreadableModel
from shapelint.loading.files import _read_h5_in_process
try:
    sys.stdout.buffer.write(_read_h5_in_process(sys.argv[1]))
except UnreadableModel as e:
    sys.stderr.write(str(e))
    sys.exit(3)
"""


def _read_h5_attribute(path: str) -> bytes:
    import importlib.util
    import subprocess
    import sys

    if importlib.util.find_spec("h5py") is None:
        raise UnreadableModel(
            "reading .h5 files needs h5py, a dependency of shapelint: pip install h5py")
    here = os.path.realpath(os.getcwd())
    paths = [p for p in sys.path if os.path.isabs(p) and os.path.realpath(p) != here]
    try:
        done = subprocess.run([sys.executable, "-I", "-c", _H5_CHILD, os.path.abspath(path),
                               str(H5_ADDRESS_SPACE), *paths], capture_output=True,
                              stdin=subprocess.DEVNULL, timeout=H5_SECONDS)
    except subprocess.TimeoutExpired:
        raise UnreadableModel(f"the HDF5 library did not read the file in {H5_SECONDS:g} s "
                              "(a damaged or crafted file; raise the limit with "
                              "SHAPELINT_H5_SECONDS)") from None
    if done.returncode == 0:
        return done.stdout
    message = done.stderr.decode("utf-8", "replace").strip()
    if done.returncode == 3:
        raise UnreadableModel(message)
    if done.returncode < 0:
        raise UnreadableModel(f"the HDF5 library crashed reading the file (signal "
                              f"{-done.returncode}): a damaged or crafted file")
    last = message.splitlines()[-1] if message else f"exit code {done.returncode}"
    raise UnreadableModel(f"the HDF5 library could not read the file: {last}")


def _read_h5_in_process(path: str) -> bytes:
    import h5py

    try:
        with h5py.File(path, "r") as f:
            raw = _h5_string_attribute(f, "model_config")
    except UnreadableModel:
        raise
    except Exception as e:  # noqa: BLE001 - HDF5 parses hostile bytes in many ways
        raise UnreadableModel(f"not a readable HDF5 file: {str(e) or type(e).__name__}") from None
    if raw is None:
        raise UnreadableModel("the HDF5 file has no model_config attribute "
                              "(saved with save_weights, or not a Keras model)")
    if isinstance(raw, bytes):
        return raw
    if isinstance(raw, str):  # h5py keeps bytes that are not UTF-8 as surrogates
        return raw.encode("utf-8", "surrogateescape")
    raise UnreadableModel("the HDF5 model_config attribute is not a string")


def _h5_string_attribute(f, name: str) -> Any:
    """The attribute ``name`` if it is one string within the size cap (checked, where
    the type says the size, before anything is read), else None or an error."""
    if name not in f.attrs:
        return None
    attr = f.attrs.get_id(name)
    if attr.shape not in ((), (1,)) or attr.dtype.kind not in ("S", "U", "O"):
        raise UnreadableModel(f"the HDF5 {name} attribute is not a string")
    if attr.dtype.itemsize > MAX_CONFIG_BYTES:
        raise UnreadableModel(f"the HDF5 {name} attribute is {attr.dtype.itemsize} bytes, over "
                              f"the {MAX_CONFIG_BYTES}-byte limit (raise it with "
                              "SHAPELINT_MAX_CONFIG_BYTES)")
    raw = f.attrs[name]
    raw = raw.reshape(-1)[0] if hasattr(raw, "reshape") else raw
    if isinstance(raw, (bytes, str)) and len(raw) > MAX_CONFIG_BYTES:
        raise UnreadableModel(f"the HDF5 {name} attribute is {len(raw)} bytes, over the "
                              f"{MAX_CONFIG_BYTES}-byte limit (raise it with "
                              "SHAPELINT_MAX_CONFIG_BYTES)")
    return raw


def _parse_json(raw: bytes, what: str) -> Any:
    # every value but the first of a list or mapping follows a comma: an upper bound
    values = raw.count(b",") + raw.count(b"[") + raw.count(b"{") + 1
    if values > MAX_JSON_VALUES:
        raise UnreadableModel(f"{what} holds up to {values} values, over the {MAX_JSON_VALUES} "
                              "limit (raise it with SHAPELINT_MAX_CONFIG_BYTES)")
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

    # libyaml's parser, when PyYAML has it: ~6x faster, with the same errors (one parse only:
    # a second one for another wording of the error would double the time of a bad file)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        data = yaml.load(raw, Loader=loader)
        _check_aliases(data)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise UnreadableModel(f"the file is not valid YAML{where}: "
                              f"{getattr(e, 'problem', None) or 'parse error'}") from None
    except RecursionError:
        raise UnreadableModel("the YAML file is nested too deeply") from None
    return data


def _check_aliases(data: Any) -> None:
    """Refuse YAML whose aliases make it contain itself, or expand it to more values than
    an alias-free file within the cap could hold (an alias bomb: ten aliases of ten
    aliases of ... is 10**n values in a few lines). Linear: each list or mapping is
    counted once."""
    limit = MAX_YAML_BYTES // 2  # a value takes two bytes at least
    counted: dict = {}  # id of a list or mapping -> values in it, aliases expanded
    open_ids: set = set()

    def size(value: Any) -> int:
        if not isinstance(value, (dict, list)):
            return 1
        key = id(value)
        if key in counted:
            return counted[key]
        if key in open_ids:
            raise UnreadableModel("the YAML file contains itself through an alias")
        open_ids.add(key)
        total = 1 + sum(size(v) for v in (value.values() if isinstance(value, dict) else value))
        open_ids.discard(key)
        if total > limit:
            raise UnreadableModel(f"the YAML aliases expand the file to more than {limit} "
                                  "values (raise the limit with SHAPELINT_MAX_CONFIG_BYTES)")
        counted[key] = total
        return total

    size(data)
