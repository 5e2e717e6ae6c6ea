"""Rebuild every corpus config with Keras 3 and with tf_keras; write the shapes they infer.

Run by hand (not in CI), from the repository root, after adding or changing a fixture:

    python tests/compat/make_expected.py              # every file in MANIFEST.json
    python tests/compat/make_expected.py ID [ID ...]  # only these

Needs TensorFlow with Keras 3 and, for the tf.keras 2 reference, ``pip install
'tf_keras==2.21.*'``. For each file it writes ``expected/<id>.json`` (every layer
call's output shapes as each library that could build the model infers them, batch dim
included, ``null`` when unknown) when at least one library rebuilds it, and records in
MANIFEST.json which library rebuilt it and the one-line error of each that refused.

Nothing in a config runs: a config is refused before any library sees it when it
holds a Lambda (Python bytecode) or a ``module`` outside Keras, so no module a config
names is ever imported; Keras 3 then deserializes in safe mode. A TensorFlow-op layer
(TFOpLambda, SlicingOpLambda, TensorFlowOpLayer) names a TF function or graph op
rather than holding code: tf_keras (and only tf_keras, Keras 3 has no such layers)
rebuilds a config whose op layers all name a pure tensor op of the lists below
(:data:`TF_FUNCTIONS`, :data:`GRAPH_OPS`); any other op is refused like code.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import os
import re
import sys
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))  # tests/, for keras_graph
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

MANIFEST = os.path.join(HERE, "MANIFEST.json")
CONFIGS = os.path.join(HERE, "configs")
EXPECTED = os.path.join(HERE, "expected")
CODE_LAYERS = {"Lambda", "TFOpLambda", "TensorFlowOpLayer", "SlicingOpLambda"}
OP_LAYERS = {"TFOpLambda", "SlicingOpLambda", "TensorFlowOpLayer"}

# TF API names (as TFOpLambda's ``config.function`` writes them, without ``tf.``) of
# functions that only compute a tensor from tensors: no file, variable, random state,
# Python callable or I/O. tf_keras resolves the name in the TF API and calls it on
# symbolic tensors while it builds the model.
TF_FUNCTIONS = frozenset(f"{prefix}{name}" for prefix in ("", "math.", "nn.", "compat.v1.")
                         for name in """
add subtract multiply divide truediv floordiv maximum minimum pow square sqrt rsqrt exp log
abs negative sign sigmoid tanh relu relu6 elu selu gelu silu swish softplus softmax
log_softmax l2_normalize bias_add cast clip_by_value reduce_mean reduce_sum reduce_max
reduce_min reduce_prod reduce_std reduce_variance reduce_logsumexp argmax argmin concat
stack reshape transpose expand_dims squeeze tile pad split matmul einsum shape equal
not_equal greater greater_equal less less_equal logical_and logical_or logical_not
zeros_like ones_like identity squared_difference reciprocal floor ceil round
""".split()) | frozenset(f"__operators__.{name}" for name in """
add sub mul truediv floordiv pow neg getitem eq ne lt le gt ge and or
""".split()) | frozenset({"image.resize", "linalg.matmul", "nn.depth_to_space",
                          "nn.space_to_depth"})
# TensorFlowOpLayer ``node_def.op`` (tf.keras 2.0-2.3) of the same kind.
GRAPH_OPS = frozenset("""
Add AddV2 Sub Mul RealDiv Div FloorDiv Maximum Minimum Pow Square Sqrt Rsqrt Exp Log Abs Neg
Sigmoid Tanh Relu Relu6 Elu Selu Softplus Softmax LogSoftmax BiasAdd Cast Mean Sum Max Min Prod
ConcatV2 Pack Reshape Transpose ExpandDims Squeeze Tile Pad Split SplitV MatMul BatchMatMulV2
StridedSlice Shape Equal NotEqual Greater GreaterEqual Less LessEqual Identity
SquaredDifference ResizeBilinear ResizeNearestNeighbor DepthToSpace SpaceToDepth
""".split())


class Refused(Exception):
    """The config names code; no library is allowed to see it."""


def keras_config(path: str):
    """The Keras model config of a corpus file: the file itself, or a TF.js model's topology."""
    with open(path, encoding="utf-8") as f:
        if path.endswith((".yaml", ".yml")):
            import yaml
            data = yaml.safe_load(f)
        else:
            data = json.load(f)
    if isinstance(data, dict) and "modelTopology" in data:
        data = data["modelTopology"]
        if isinstance(data, dict) and "model_config" in data:
            data = data["model_config"]
    return data


def pure_op(layer: dict) -> bool:
    """An op layer naming one of the pure tensor ops tf_keras may rebuild."""
    config = layer.get("config") or {}
    if layer.get("class_name") == "TensorFlowOpLayer":
        node_def = config.get("node_def") or {}
        return isinstance(node_def, dict) and node_def.get("op") in GRAPH_OPS
    return config.get("function") in TF_FUNCTIONS


def check_no_code(value, ops: bool = False) -> None:
    """Refuse code; with ``ops``, op layers naming a pure tensor op pass (tf_keras only)."""
    if isinstance(value, dict):
        name = value.get("class_name")
        if name in CODE_LAYERS and not (ops and name in OP_LAYERS and pure_op(value)):
            what = ("code" if name not in OP_LAYERS else "an op outside the pure-op list"
                    if ops else "a tf.keras 2 op layer, which Keras 3 does not have")
            raise Refused(f"refused: the config has a {name} layer ({what})")
        module = value.get("module")
        if isinstance(module, str) and not (module in ("keras", "tf_keras", "builtins")
                                            or module.startswith(("keras.", "tf_keras."))):
            raise Refused(f"refused: the config names module {module!r}")
        for v in value.values():
            check_no_code(v, ops)
    elif isinstance(value, list):
        for v in value:
            check_no_code(v, ops)


def one_line(e: BaseException) -> str:
    """The exception's type and first sentence."""
    message = str(e)
    if "Exception encountered:" in message:
        # Keras 3 nests the cause after the whole failing config; keep the class and the cause.
        cls = re.match(r"Error when deserializing class '([^']+)'", message)
        cause = message.rsplit("Exception encountered:", 1)[1].strip()
        message = (f"deserializing {cls.group(1)}: " if cls else "") + cause
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    if not lines:
        return type(e).__name__
    text = lines[0].split(". ")[0]
    return f"{type(e).__name__}: {text[:160]}"


@contextlib.contextmanager
def quiet():
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        yield


def declared_inputs(config) -> list:
    """The batch shapes the config declares for the top model's inputs (None: not declared)."""
    inner = model_config_part(config)
    layers = inner if isinstance(inner, list) else (inner or {}).get("layers") or []
    if config.get("class_name") == "Sequential":
        first = (layers[0].get("config") or {}) if layers else {}
        return [_batch_shape(first)]
    by_name = {layer.get("name") or (layer.get("config") or {}).get("name"): layer
               for layer in layers}
    refs = inner.get("input_layers") or [] if isinstance(inner, dict) else []
    if refs and isinstance(refs[0], str):  # a single [name, node, index]
        refs = [refs]
    return [_batch_shape((by_name.get(ref[0]) or {}).get("config") or {}) for ref in refs]


def _batch_shape(config: dict):
    for key in ("batch_shape", "batch_input_shape"):
        if isinstance(config.get(key), list):
            return tuple(config[key])
    for key in ("shape", "input_shape"):
        if isinstance(config.get(key), list):
            return (config.get("batch_size"),) + tuple(config[key])
    return None


def check_inputs(declared: list, built: list) -> None:
    """A library that built inputs other than the declared ones read a different model."""
    for declared, shape in zip(declared, built):
        if declared is not None and tuple(declared) != tuple(shape):
            raise ValueError(f"misread: the config declares input {list(declared)} "
                             f"but the model was built with input {list(shape)}")


# -- Keras 3 ---------------------------------------------------------------------------------

def model_class(config, sequential, functional):
    """The class whose from_config reads ``config``; a bare get_config() dump (no class
    name, a ``layers`` list) is a functional model's."""
    name = config.get("class_name")
    if name is None and isinstance(config.get("layers"), list):
        return functional
    return {"Sequential": sequential, "Model": functional, "Functional": functional}.get(name)


def model_config_part(config: dict):
    """What from_config takes: the inner config, or the dump itself."""
    return config if "class_name" not in config else config.get("config")


def keras3_model(config):
    """``model_from_json`` (safe mode); for an older config, the model class's ``from_config``."""
    import keras

    with quiet():
        try:
            return keras.models.model_from_json(json.dumps(config))
        except Exception as e:  # noqa: BLE001 - try the class's from_config next
            first = one_line(e)
        cls = model_class(config, keras.Sequential, keras.Model)
        if cls is None:
            raise RuntimeError(f"model_from_json: {first}")
        try:
            from keras.src.saving.serialization_lib import SafeModeScope
            with SafeModeScope(True):
                return cls.from_config(model_config_part(config))
        except Exception as e:  # noqa: BLE001
            raise RuntimeError(f"model_from_json: {first}; from_config: {one_line(e)}") from None


def keras3_shapes(config) -> dict:
    import keras

    if not isinstance(config, dict):
        raise TypeError(f"the file holds a {type(config).__name__}, not a model config")
    declared = declared_inputs(config)  # before Keras edits the config
    model = keras3_model(config)
    if not isinstance(model, keras.Model):
        raise TypeError(f"the config is a {type(model).__name__}, not a model")
    check_inputs(declared, [tuple(t.shape) for t in model.inputs])
    out: dict = {}
    _walk_keras3(keras, model, "", out)
    return out


def _walk_keras3(keras, model, prefix: str, out: dict) -> None:
    """Like keras_graph.symbolic_shapes, keeping each call's class name too."""
    import keras_graph

    for node, index in keras_graph._nodes(model):
        op = node.operation
        name = keras_graph._qualify(prefix, op.name)
        out[(name, index)] = (type(op).__name__, [keras_graph._shape(t) for t in node.outputs])
        if isinstance(op, keras.Model):
            _walk_keras3(keras, op, keras_graph._nested_prefix(name, index), out)


# -- tf_keras (Keras 2) ----------------------------------------------------------------------

def tf_keras_shapes(config) -> dict:
    import tf_keras

    if not isinstance(config, dict):
        raise TypeError(f"the file holds a {type(config).__name__}, not a model config")
    declared = declared_inputs(config)
    with quiet():
        if "class_name" in config:
            model = tf_keras.models.model_from_json(json.dumps(config))
        else:  # a get_config() dump: the functional model's from_config reads it
            model = tf_keras.Model.from_config(config)
    if not getattr(model, "_is_graph_network", False):
        raise TypeError("tf_keras built no layer graph (no input shape)")
    check_inputs(declared, [tuple(t.shape.as_list()) for t in model.inputs])
    out: dict = {}
    _walk_tf_keras(tf_keras, model, "", out)
    return out


def _walk_tf_keras(tf_keras, model, prefix: str, out: dict) -> None:
    import tensorflow as tf

    in_graph = {id(n) for nodes in model._nodes_by_depth.values() for n in nodes}
    for depth in sorted(model._nodes_by_depth, reverse=True):
        for node in model._nodes_by_depth[depth]:
            layer = node.layer
            index = [n for n in layer._inbound_nodes if id(n) in in_graph].index(node)
            name = f"{prefix}/{layer.name}" if prefix else layer.name
            outputs = tf.nest.flatten(node.outputs)
            out[(name, index)] = (type(layer).__name__,
                                  [tuple(t.shape.as_list()) for t in outputs])
            if isinstance(layer, tf_keras.Model) and getattr(layer, "_is_graph_network", False):
                _walk_tf_keras(tf_keras, layer, name if index == 0 else f"{name}:{index}", out)


# -- driver ----------------------------------------------------------------------------------

def versions() -> dict:
    out = {}
    with contextlib.suppress(ImportError):
        import keras
        out["keras3"] = keras.__version__
    with contextlib.suppress(ImportError):
        import tf_keras
        out["tf_keras"] = tf_keras.__version__
    return out


def rebuild(entry: dict, found: dict) -> dict:
    """Try each library on one corpus file; write its expected shapes; return the summary."""
    path = os.path.join(CONFIGS, entry["file"])
    config = keras_config(path)
    results, errors = {}, {}
    builders = {"keras3": keras3_shapes, "tf_keras": tf_keras_shapes}
    for lib in found:
        try:
            check_no_code(config, ops=(lib == "tf_keras"))
        except Refused as e:
            errors[lib] = str(e)
            continue
        try:
            results[lib] = builders[lib](copy.deepcopy(config))  # Keras edits it
        except RuntimeError as e:  # already one line per attempt
            errors[lib] = str(e)
        except Exception as e:  # noqa: BLE001 - a refusal is the answer we record
            errors[lib] = one_line(e)
    target = os.path.join(EXPECTED, entry["id"] + ".json")
    if results:
        doc = {"id": entry["id"], "file": entry["file"],
               "versions": {lib: found[lib] for lib in results},
               "layers": {lib: [{"name": name, "node": node, "class_name": class_name,
                                 "output_shapes": [list(s) for s in shapes]}
                                for (name, node), (class_name, shapes) in calls.items()]
                          for lib, calls in results.items()}}
        with open(target, "w", encoding="utf-8") as f:
            f.write(dump_expected(doc))
    elif os.path.exists(target):
        os.remove(target)
    return {"rebuilt_by": sorted(results), "refused": dict(sorted(errors.items()))}


def dump_expected(doc: dict) -> str:
    """The expected-shapes document, one line per layer call (diffs stay readable)."""
    head = {k: v for k, v in doc.items() if k != "layers"}
    lines = [json.dumps(head)[:-1] + ', "layers": {']
    for i, (lib, calls) in enumerate(doc["layers"].items()):
        lines.append(f" {json.dumps(lib)}: [")
        lines.extend("  " + json.dumps(call) + ("," if j < len(calls) - 1 else "")
                     for j, call in enumerate(calls))
        lines.append(" ]" + ("," if i < len(doc["layers"]) - 1 else ""))
    lines.append("}}")
    return "\n".join(lines) + "\n"


def main(argv: list) -> int:
    with open(MANIFEST, encoding="utf-8") as f:
        manifest = json.load(f)
    found = versions()
    if not found:
        print("neither keras nor tf_keras is installed", file=sys.stderr)
        return 2
    missing = {"keras3", "tf_keras"} - set(found)
    if missing:
        print(f"not installed, not tried: {', '.join(sorted(missing))}", file=sys.stderr)
    os.makedirs(EXPECTED, exist_ok=True)
    wanted = set(argv)
    for entry in manifest["files"]:
        if wanted and entry["id"] not in wanted:
            continue
        summary = rebuild(entry, found)
        entry["rebuilt_by"] = summary["rebuilt_by"]
        entry["refused"] = summary["refused"]
        print(f"{entry['id']}: rebuilt by {', '.join(summary['rebuilt_by']) or 'none'}")
    with open(MANIFEST, "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=1, ensure_ascii=False)
        f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
