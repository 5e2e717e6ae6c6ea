"""Hostile model files, built as an attacker would, and a measured run of the CLI on them.

Every payload writes a marker file when executed (or imported), so a test only has to
check that the marker never appears. ``payload_fires`` proves, without Keras, that each
payload is live: the tests that assert "no marker" can fail.
"""

from __future__ import annotations

import base64
import json
import marshal
import os
import struct
import subprocess
import sys
import tempfile
import time
import types
import zipfile
import zlib
from dataclasses import dataclass
from typing import Optional

PAYLOAD_MODULE = "shapelint_payload_mod"  # planted next to the files: importing it fires


# -- measured runs ---------------------------------------------------------------------------------

@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    peak_mib: float  # peak resident set size of the CLI process or of a child of it
    timed_out: bool

    def error_lines(self) -> list:
        return self.stderr.strip().splitlines()


def clean_env(**extra) -> dict:
    """The environment minus any shapelint limit the caller may have set."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHAPELINT_")}
    env.update(TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="", PYTHONHASHSEED="0")
    env.update(extra)
    return env


# ``python -m shapelint`` that writes its peak RSS (KiB) to the file named by argv[1] at
# exit: the larger of its own and its children's (the HDF5 reader). It measures itself: a
# forked child's ru_maxrss also counts the parent's pages it held between fork and exec
# (all of pytest's memory), its VmHWM only its own.
_MEASURED_MAIN = """\
import atexit, resource, runpy, sys
def _peak(path=sys.argv.pop(1)):
    with open("/proc/self/status") as status:
        own = int(next(line.split()[1] for line in status if line.startswith("VmHWM")))
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    with open(path, "w") as out:
        out.write(str(max(own, children)))
atexit.register(_peak)
sys.argv[0] = "shapelint"
runpy.run_module("shapelint", run_name="__main__", alter_sys=True)
"""


def run_cli(args: list, cwd: str, env: Optional[dict] = None, timeout: float = 60.0,
            address_space: Optional[int] = 4 << 30) -> Run:
    """``python -m shapelint ARGS`` in ``cwd``: its output, wall time and peak RSS.

    As with ``python -m``, ``cwd`` comes first on ``sys.path``, so a module planted there
    is what an ``import`` of its name would load. ``address_space`` caps the child's
    virtual memory (a safety net for the machine, not the measurement; None for
    TensorFlow, which reserves much more than it uses).
    """
    def limit():
        if address_space:
            import resource
            resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))

    with tempfile.TemporaryDirectory() as scratch:
        peak_file = os.path.join(scratch, "peak")
        out = open(os.path.join(scratch, "out"), "w+b")
        err = open(os.path.join(scratch, "err"), "w+b")
        with out, err:
            start = time.monotonic()
            proc = subprocess.Popen([sys.executable, "-c", _MEASURED_MAIN, peak_file, *args],
                                    cwd=cwd, env=env or clean_env(), stdout=out, stderr=err,
                                    stdin=subprocess.DEVNULL, preexec_fn=limit)
            timed_out = False
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                timed_out = True
            seconds = time.monotonic() - start
            out.seek(0)
            err.seek(0)
            stdout, stderr = out.read(), err.read()
        peak = 0.0
        if os.path.exists(peak_file):
            with open(peak_file) as f:
                peak = int(f.read() or 0) / 1024
        return Run(proc.returncode, stdout.decode("utf-8", "replace"),
                   stderr.decode("utf-8", "replace"), seconds, peak, timed_out)


def listing(folder: str) -> dict:
    """Every file and folder under ``folder``: relative path -> (size, mtime in ns)."""
    found = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = os.path.join(root, name)
            stat = os.lstat(path)
            found[os.path.relpath(path, folder)] = (stat.st_size if name in files else None,
                                                    stat.st_mtime_ns)
    return found


# -- payloads --------------------------------------------------------------------------------------

def payload_function(marker: str):
    """A lambda that writes ``marker`` when called (as a Lambda layer's function would be)."""
    source = f"lambda x: (open({marker!r}, 'w').write('pwned'), x)[1]"
    return eval(source, {})  # noqa: S307 - builds the payload; calling it is the attack


def marshalled(marker: str) -> str:
    """The payload's bytecode as Keras stores a Lambda: base64 of ``marshal.dumps``."""
    return base64.encodebytes(marshal.dumps(payload_function(marker).__code__)).decode("ascii")


def payload_fires(code: str) -> None:
    """Run a marshalled payload the way ``keras.utils.func_load`` would (the control)."""
    function = types.FunctionType(marshal.loads(base64.decodebytes(code.encode("ascii"))), {})
    function(0)


def plant_module(folder: str, marker: str) -> None:
    """Modules that write ``marker`` when imported: one named in configs, and a fake
    ``keras_hub`` package (Keras itself imports ``keras_hub.*`` modules a config names)."""
    body = f"open({marker!r}, 'w').write('imported')\n"
    with open(os.path.join(folder, PAYLOAD_MODULE + ".py"), "w") as f:
        f.write(body)
    os.makedirs(os.path.join(folder, "keras_hub", "layers"), exist_ok=True)
    for init in ("keras_hub/__init__.py", "keras_hub/layers/__init__.py"):
        with open(os.path.join(folder, init), "w") as f:
            f.write(body)


class _PickledSystem:
    """Unpickling this runs ``os.system(command)``: pickling it runs nothing."""

    def __init__(self, command: str):
        self.command = command

    def __reduce__(self):
        return os.system, (self.command,)


def pickle_payload(marker: str) -> bytes:
    import pickle

    return pickle.dumps(_PickledSystem(f"touch {marker}"))


# -- Keras configs, written by hand as model.to_json() writes them --------------------------------

def _tensor(source: str, shape: list, node: int = 0) -> dict:
    return {"class_name": "__keras_tensor__",
            "config": {"shape": shape, "dtype": "float32", "keras_history": [source, node, 0]}}


def keras3_layer(class_name: str, name: str, config: dict, source: Optional[str],
                 module: Optional[str] = "keras.layers", registered_name=None,
                 shape=(None, 8)) -> dict:
    entry = {"class_name": class_name, "config": {"name": name, "trainable": True,
                                                  "dtype": "float32", **config},
             "registered_name": registered_name, "name": name,
             "inbound_nodes": [] if source is None else [
                 {"args": [_tensor(source, list(shape))], "kwargs": {}}]}
    if module is not None:
        entry["module"] = module
    return entry


def keras3_functional(entries: list, name: str = "victim", width: int = 8) -> dict:
    """Input(width) -> entries (each reading the one before) -> Dense(3)."""
    layers = [{"module": "keras.layers", "class_name": "InputLayer",
               "config": {"batch_shape": [None, width], "dtype": "float32", "sparse": False,
                          "name": "x"},
               "registered_name": None, "name": "x", "inbound_nodes": []}]
    previous = "x"
    for entry in entries:
        entry = json.loads(json.dumps(entry))
        entry["inbound_nodes"] = [{"args": [_tensor(previous, [None, width])], "kwargs": {}}]
        layers.append(entry)
        previous = entry["name"]
    layers.append(keras3_layer("Dense", "dense", {"units": 3, "activation": "linear",
                                                  "use_bias": True}, previous,
                               shape=(None, width)))
    return {"module": "keras.src.models.functional", "class_name": "Functional",
            "registered_name": "Functional",
            "config": {"name": name, "trainable": True, "layers": layers,
                       "input_layers": [["x", 0, 0]], "output_layers": [["dense", 0, 0]]}}


def lambda_keras3(marker: str) -> dict:
    function = {"class_name": "__lambda__",
                "config": {"code": marshalled(marker), "defaults": None, "closure": None}}
    return keras3_functional([keras3_layer("Lambda", "lam", {"function": function,
                                                             "arguments": {}}, "x")])


def lambda_tf_keras2(marker: str) -> dict:
    """tf.keras 2 (and legacy .h5) form: ``function`` is ``[code, defaults, closure]``."""
    return {"class_name": "Functional", "config": {"name": "victim", "layers": [
        {"class_name": "InputLayer", "name": "x", "inbound_nodes": [],
         "config": {"batch_input_shape": [None, 8], "dtype": "float32", "name": "x"}},
        {"class_name": "Lambda", "name": "lam", "inbound_nodes": [[["x", 0, 0, {}]]],
         "config": {"name": "lam", "trainable": True, "dtype": "float32",
                    "function": [marshalled(marker), None, None], "function_type": "lambda",
                    "module": "__main__", "output_shape": None, "output_shape_type": "raw",
                    "output_shape_module": None, "arguments": {}}},
        {"class_name": "Dense", "name": "dense", "inbound_nodes": [[["lam", 0, 0, {}]]],
         "config": {"name": "dense", "units": 3, "activation": "linear"}}],
        "input_layers": [["x", 0, 0]], "output_layers": [["dense", 0, 0]]},
        "keras_version": "2.15.0", "backend": "tensorflow"}


def lambda_keras1(marker: str) -> dict:
    """Keras 1: a Sequential config that is a bare list; ``function`` as in tf.keras 2."""
    return {"class_name": "Sequential", "keras_version": "1.2.2", "config": [
        {"class_name": "Lambda", "config": {
            "name": "lam", "trainable": True, "batch_input_shape": [None, 8],
            "function": [marshalled(marker), None, None], "function_type": "lambda",
            "output_shape": None, "output_shape_type": "raw", "arguments": {}}},
        {"class_name": "Dense", "config": {"name": "dense", "output_dim": 3,
                                           "activation": "linear", "input_dim": None}}]}


def foreign_modules(marker: str) -> dict:
    """Layers and nested objects that name callables and modules instead of Keras classes."""
    command = f"touch {marker}"
    evil = [
        keras3_layer("system", "os_system", {"command": command}, "x", module="os"),
        keras3_layer("exec", "builtins_exec", {"source": f"open({marker!r}, 'w')"}, "x",
                     module="builtins"),
        keras3_layer("Popen", "subprocess_popen", {"args": ["touch", marker]}, "x",
                     module="subprocess"),
        keras3_layer("Dense", "registered_system", {"units": 8}, "x",
                     registered_name="os>system"),
        keras3_layer("Payload", "planted_module", {}, "x", module=PAYLOAD_MODULE,
                     registered_name=f"{PAYLOAD_MODULE}>Payload"),
        keras3_layer("Dense", "planted_keras_hub", {"units": 8}, "x", module="keras_hub.layers"),
        keras3_layer("Dense", "callable_objects", {
            "units": 8,
            "activation": {"module": "os", "class_name": "function", "config": "system",
                           "registered_name": None},
            "kernel_initializer": {"module": "builtins", "class_name": "eval",
                                   "config": {"source": f"open({marker!r}, 'w')"},
                                   "registered_name": None},
            "bias_regularizer": {"module": "subprocess", "class_name": "Popen",
                                 "config": {"args": ["touch", marker]},
                                 "registered_name": "subprocess>Popen"}}, "x"),
    ]
    return keras3_functional(evil)


# -- files -----------------------------------------------------------------------------------------

def write_keras(path: str, config, extra: Optional[dict] = None) -> str:
    """A ``.keras`` zip as Keras writes it: config.json (text or bytes) and metadata.json."""
    data = config if isinstance(config, bytes) else json.dumps(config).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("metadata.json", json.dumps({"keras_version": "3.15.1"}))
        zf.writestr("config.json", data)
        for name, content in (extra or {}).items():
            zf.writestr(name, content)
    return path


def write_h5(path: str, config, model_config_shape: Optional[tuple] = None) -> str:
    """A legacy Keras ``.h5``: the ``model_config`` attribute, an empty weights group."""
    import h5py
    import numpy as np

    text = config if isinstance(config, str) else json.dumps(config)
    with h5py.File(path, "w") as f:
        if model_config_shape is None:
            f.attrs["model_config"] = text
        else:  # an array of strings where a string belongs
            f.attrs.create("model_config", np.full(model_config_shape, text.encode(), dtype=object),
                           dtype=h5py.string_dtype())
        f.attrs["keras_version"] = "2.15.0"
        f.attrs["backend"] = "tensorflow"
        weights = f.create_group("model_weights")
        weights.attrs["layer_names"] = np.array([], dtype="S1")
    return path


def write_json(path: str, config) -> str:
    with open(path, "w") as f:
        json.dump(config, f)
    return path


def write_attack_files(folder: str, marker: str) -> dict:
    """Every code-execution attack, in ``folder``; returns {file name: what it tries}."""
    write_keras(os.path.join(folder, "lambda.keras"), lambda_keras3(marker))
    write_h5(os.path.join(folder, "lambda_tf_keras2.h5"), lambda_tf_keras2(marker))
    write_h5(os.path.join(folder, "lambda_keras3.h5"), lambda_keras3(marker))
    write_json(os.path.join(folder, "lambda_keras1.json"), lambda_keras1(marker))
    write_keras(os.path.join(folder, "foreign_modules.keras"), foreign_modules(marker))
    write_keras(os.path.join(folder, "pickled.keras"), pickle_payload(marker))
    with open(os.path.join(folder, "python_tag.yaml"), "w") as f:
        f.write(f"class_name: !!python/object/apply:os.system [\"touch {marker}\"]\n"
                "config: {layers: []}\n")
    return {
        "lambda.keras": "ok", "lambda_tf_keras2.h5": "ok", "lambda_keras3.h5": "ok",
        "lambda_keras1.json": "ok", "foreign_modules.keras": "ok",
        "pickled.keras": "error", "python_tag.yaml": "error",
    }


# -- zip archives written field by field (for headers that lie) -----------------------------------

def deflate_repeated(chunk: bytes, times: int) -> bytes:
    """Raw deflate data inflating to ``chunk * times``, built in O(len(chunk)) time: one
    fully flushed (self-contained, byte-aligned) piece, repeated, then a final block."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    piece = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    end = zlib.compressobj(9, zlib.DEFLATED, -15).flush(zlib.Z_FINISH)
    return piece * times + end


def raw_zip(path: str, members: list) -> str:
    """Write a zip from ``(name, data, method, declared_size, crc)`` tuples; a declared
    size of 2**32 or more is written as ZIP64 in the central directory."""
    with open(path, "wb") as f:
        central = b""
        for name, data, method, declared, crc in members:
            name = name.encode()
            offset = f.tell()
            f.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0, crc,
                                len(data), min(declared, 0xFFFFFFFF), len(name), 0) + name + data)
            extra = b""
            size_field = declared
            if declared >= 0xFFFFFFFF:
                extra = struct.pack("<HHQ", 0x0001, 8, declared)
                size_field = 0xFFFFFFFF
            central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 45, 45, 0, method, 0, 0,
                                   crc, len(data), size_field, len(name), len(extra), 0, 0, 0,
                                   0, offset) + name + extra
        start = f.tell()
        f.write(central)
        f.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members),
                            len(central), start, 0))
    return path


def many_members_zip(path: str, count: int) -> str:
    """A zip whose central directory lists ``count`` empty members (ZIP64 past 65535)."""
    name = b"a"
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 0, 0, 0, 0, 0, 0, len(name), 0) + name
    entry = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 45, 20, 0, 0, 0, 0, 0, 0, 0,
                        len(name), 0, 0, 0, 0, 0, 0) + name
    with open(path, "wb") as f:
        f.write(local)
        start = f.tell()
        f.write(entry * count)  # every entry points at the one local header
        size = count * len(entry)
        f.write(struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, count, count, size,
                            start))
        f.write(struct.pack("<IIQI", 0x07064B50, 0, start + size, 1))
        f.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF,
                            0xFFFFFFFF, 0))
    return path


# -- configs that are well-formed JSON but absurd ------------------------------------------------

def tf_keras2_chain(count: int, class_name: str = "Activation", config: Optional[dict] = None,
                    batch_shape=(None, 8)) -> dict:
    """Input, then ``count`` layers each reading the one before, in the compact tf.keras 2
    form (~80 bytes a layer)."""
    layers = [{"class_name": "InputLayer", "name": "x", "inbound_nodes": [],
               "config": {"batch_input_shape": list(batch_shape), "name": "x"}}]
    previous = "x"
    for i in range(count):
        name = f"l{i}"
        layers.append({"class_name": class_name, "name": name,
                       "config": dict(config or {"activation": "relu"}, name=name),
                       "inbound_nodes": [[[previous, 0, 0, {}]]]})
        previous = name
    return {"class_name": "Functional", "config": {
        "name": "chain", "layers": layers, "input_layers": [["x", 0, 0]],
        "output_layers": [[previous, 0, 0]]}}


def nested_calls(depth: int, calls: int = 2) -> dict:
    """A model whose inner model is called ``calls`` times, ``depth`` levels deep: a few
    KB that expand to ``calls ** depth`` layer calls."""
    if depth == 0:
        return tf_keras2_chain(1)
    inner = nested_calls(depth - 1, calls)
    nodes = [[["x", 0, 0, {}]]] + [[["inner", k, 0, {}]] for k in range(1, calls)]
    return {"class_name": "Functional", "config": {"name": f"level{depth}", "layers": [
        {"class_name": "InputLayer", "name": "x", "inbound_nodes": [],
         "config": {"batch_input_shape": [None, 8], "name": "x"}},
        {"class_name": "Functional", "name": "inner", "config": inner["config"],
         "inbound_nodes": nodes}],
        "input_layers": [["x", 0, 0]], "output_layers": [["inner", calls - 1, 0]]}}


def nested_deep(depth: int) -> dict:
    """A Sequential inside a Sequential inside ... ``depth`` deep."""
    model = {"class_name": "Sequential", "config": {"name": "s0", "layers": [
        {"class_name": "Dense", "config": {"name": "d", "units": 2}}]}}
    for level in range(1, depth + 1):
        model = {"class_name": "Sequential", "config": {"name": f"s{level}", "layers": [model]}}
    model["config"]["layers"].insert(0, {"class_name": "InputLayer", "config": {
        "name": "x", "batch_input_shape": [None, 4]}})
    return model


def conv_model(batch_shape: list, **conv) -> dict:
    """Input(batch_shape) -> Conv2D(**conv) -> Flatten -> Dense, tf.keras 2 form."""
    config = {"filters": 4, "kernel_size": [3, 3], "strides": [1, 1], "padding": "valid"}
    config.update(conv)
    model = tf_keras2_chain(1, "Conv2D", config, batch_shape=batch_shape)
    layers = model["config"]["layers"]
    for class_name, extra in (("Flatten", {}), ("Dense", {"units": 10})):
        name = class_name.lower()
        layers.append({"class_name": class_name, "name": name, "config": dict(extra, name=name),
                       "inbound_nodes": [[[layers[-1]["name"], 0, 0, {}]]]})
    model["config"]["output_layers"] = [["dense", 0, 0]]
    return model
