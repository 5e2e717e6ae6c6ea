"""Output shapes as Keras/TensorFlow infers them, from a model config stripped of foreign code.

Keras's ``safe_mode`` is not a security boundary: a config can name any module or
function, Lambda layers carry marshalled bytecode and TFSMLayer loads a SavedModel from
a path. So before Keras sees a config, a deep copy of it keeps only Keras's own
built-in layer classes; everything else (Lambda, TFSMLayer, custom or registered
classes, foreign ``module`` values) becomes a stand-in layer whose output shape is
shapelint's prediction. Nested objects of kept layers (initializers, activations, ...)
that are not Keras's own fall back to defaults. What Keras 1, tf.keras 2 and TF.js wrote
that Keras 3 refuses or reads differently is adapted (:meth:`_Sanitizer.adapt`: arguments
it does not take are dropped, ``stateful`` too; nested models' calls renumbered; RNN initial
states passed by keyword). The model is then built symbolically
(no weights are loaded or even allocated) and every layer call's output shape is read
off the graph, with shapelint's qualified names for layers inside nested models.

Keras is imported lazily: this module imports without TensorFlow installed.
"""

from __future__ import annotations

import contextlib
import inspect
import os
import sys
import warnings
from dataclasses import dataclass, field
from typing import Any, Optional

from shapelint.loading.graph import is_model_entry, layer_name, nested_call_shifts
from shapelint.loading.keys import (
    MAX_NESTING, declared_shape, is_model_class, is_shape, nested_call_name)

STAND_IN = "shapelint>StandIn"  # the stand-in's name in custom_objects (no Keras class has a '>')
DENIED_LAYERS = {"Lambda", "TFSMLayer", "JaxLayer", "FlaxLayer", "TorchModuleWrapper"}
PATH_LAYERS = {"StringLookup", "IntegerLookup", "TextVectorization"}  # a str vocabulary is a file
DATA_OBJECTS = {"__keras_tensor__", "__numpy__", "__bytes__", "__ellipsis__", "__slice__",
                "__tensor__"}
NESTED_NAMESPACES = ("layers", "initializers", "regularizers", "constraints", "dtype_policies")
MODEL_KEYS = ("name", "trainable", "layers", "input_layers", "output_layers", "build_input_shape")
RENAMED_LAYERS = {"CuDNNLSTM": "LSTM", "CuDNNGRU": "GRU"}  # tf.keras 1.x-2.0: same shapes
INPUT_KEYS = ("batch_input_shape", "batch_shape", "input_shape", "batch_size")  # an input's shape
# keywords Keras 3 reads out of **kwargs, by the class whose __init__ reads them
KWARGS_READ = {"Layer": ("input_dim", "input_shape"), "InputLayer": INPUT_KEYS,
               "Embedding": ("input_length",), "LeakyReLU": ("alpha",),
               "LayerNormalization": ("rms_scaling",), "LSTMCell": ("implementation",),
               "LSTM": ("implementation",), "GRUCell": ("implementation",),
               "GRU": ("implementation",),
               "IndexLookup": ("vocabulary_size", "has_input_vocabulary"),
               "TextVectorization": ("vocabulary_size", "has_input_vocabulary")}


@dataclass
class TFShapes:
    shapes: dict  # {(qualified layer name, node index): [output shape tuples]}
    error: Optional[str] = None  # one line: why Keras could not build the model
    replaced: list = field(default_factory=list)  # qualified names of stand-in layers
    layer: Optional[str] = None  # the layer Keras was building when it refused (as Keras names it)
    guessed: list = field(default_factory=list)  # stand-ins without a predicted shape: their
    # input shape was passed on, and calls depending on them are left out of ``shapes``


def tf_output_shapes(model_config: dict, input_shapes: Optional[list] = None,
                     predicted: Optional[dict] = None) -> TFShapes:
    """Keras's output shape at every layer call of ``model_config``; never raises.

    ``input_shapes`` (one per model input, batch excluded) overrides the declared
    input shapes; ``predicted`` maps a layer's qualified name (or ``(name, node)``) to
    shapelint's predicted output shapes, which stand-in layers return.
    """
    try:
        keras = _import_keras()
    except Exception as e:  # noqa: BLE001 - a broken TF install is reported, not raised
        return TFShapes({}, _one_line(e))
    shapes: dict = {}
    sanitizer = stand_in = None
    try:
        sanitizer = _Sanitizer(keras, predicted or {})
        config = sanitizer.top(model_config, input_shapes)
        stand_in = _stand_in_class(keras, sanitizer)
        model = _build(keras, config, stand_in)
        _Walker(keras, stand_in, sanitizer.guessed, shapes).walk(model, "", None)
    except Exception as e:  # noqa: BLE001 - Keras refusing the model is the answer
        if not shapes and stand_in is not None:
            with contextlib.suppress(Exception):
                _partial(keras, e.__traceback__,
                         _Walker(keras, stand_in, sanitizer.guessed, shapes))
        return TFShapes(shapes, _one_line(e), sanitizer.replaced if sanitizer else [],
                        _failed_layer(keras, e.__traceback__),
                        sanitizer.guessed_names if sanitizer else [])
    return TFShapes(shapes, None, sanitizer.replaced, guessed=sanitizer.guessed_names)


def _one_line(e: BaseException) -> str:
    lines = [line.strip() for line in str(e).splitlines() if line.strip()]
    return f"{type(e).__name__}: {lines[0][:300]}" if lines else type(e).__name__


# -- importing Keras quietly ---------------------------------------------------------------

def _import_keras():
    if "keras" in sys.modules and "tensorflow" in sys.modules:
        return sys.modules["keras"]
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    with _stderr_silenced():  # TF's C++ side prints before its log level is read
        import keras
    with contextlib.suppress(Exception):
        import absl.logging
        absl.logging.set_verbosity(absl.logging.ERROR)
    with contextlib.suppress(Exception):
        import tensorflow as tf
        tf.get_logger().setLevel("ERROR")
    return keras


@contextlib.contextmanager
def _stderr_silenced():
    try:
        fd = sys.stderr.fileno()
        saved = os.dup(fd)
    except (AttributeError, OSError, ValueError):  # no real stderr (e.g. captured): nothing to do
        yield
        return
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), fd)
        yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)


# -- sanitizing ------------------------------------------------------------------------------

class _Unsafe(Exception):
    """A layer config holds something that is not Keras's own: use a stand-in."""


@dataclass
class _Slot:
    names: list  # qualified name of the layer in each call of its enclosing model
    outputs: int  # how many outputs the config reads from it


def _qualify(prefix: str, name: str) -> str:
    return f"{prefix}/{name}" if prefix else name


def _is_activation_key(key) -> bool:
    return isinstance(key, str) and (key == "activation" or key.endswith("_activation"))


def _default_for(key) -> Any:
    """The harmless value for a slot holding a foreign object, or _Unsafe."""
    if _is_activation_key(key):
        return "linear"
    if isinstance(key, str) and (key.endswith(("_initializer", "_regularizer", "_constraint"))
                                 or key in ("dtype", "quantization_config")):
        return None
    raise _Unsafe(key)


def _keras_module(module) -> bool:
    return isinstance(module, str) and (module == "keras" or module.startswith("keras."))


class _Sanitizer:
    """Makes the copy of a model config that Keras gets to see."""

    def __init__(self, keras, predicted: dict):
        from keras.src import activations
        from keras.src.models.functional import Functional

        self.keras = keras
        self.predicted = predicted
        self.activations = set(activations.ALL_OBJECTS_DICT)
        self.model_classes = {"Functional": Functional, "Model": keras.Model,
                              "Sequential": keras.Sequential}
        self.slots: list = []
        self.replaced: list = []
        self.guessed: dict = {}  # id -> tensor a stand-in output without a predicted shape
        self.guessed_names: list = []
        self.accepted: dict = {}  # class -> the keyword arguments it takes (None: any)

    # -- models ---------------------------------------------------------------------------
    def top(self, entry: Any, input_shapes: Optional[list]) -> dict:
        if not isinstance(entry, dict) or self._model_class(entry) is None:
            name = entry.get("class_name") if isinstance(entry, dict) else type(entry).__name__
            raise ValueError(f"top-level class {name!r} is not a built-in Keras model")
        model = self.model(entry, [""], 0)
        self._set_inputs(model, input_shapes)
        return model

    def _model_class(self, entry: dict):
        name = entry.get("class_name")
        if not is_model_class(name) or entry.get("registered_name") not in (None, name):
            return None
        if "module" in entry and not _keras_module(entry["module"]):
            return None
        return self.model_classes[name]

    def model(self, entry: dict, prefixes: list, depth: int) -> dict:
        """A sanitized model entry; ``prefixes``: the qualified prefix of each of its calls."""
        if depth > MAX_NESTING:
            raise ValueError(f"models nested more than {MAX_NESTING} deep")
        cls = self.model_classes[entry["class_name"]]
        config = entry.get("config")
        if isinstance(config, list):  # very old Sequential: a bare list of layers
            config = {"name": entry.get("name") or "sequential", "layers": config}
        if not isinstance(config, dict) or not isinstance(config.get("layers"), list):
            raise ValueError(f"model {entry.get('name')!r} has no 'layers' list")
        kept = {k: config[k] for k in MODEL_KEYS if k in config}
        out = {"class_name": entry["class_name"], "module": cls.__module__, "config": kept}
        if "name" in entry:
            out["name"] = entry["name"]
        if entry.get("inbound_nodes") is not None:
            out["inbound_nodes"] = self.data(entry["inbound_nodes"])
        sequential = entry["class_name"] == "Sequential"
        outputs = {} if sequential else self._outputs_read(config)
        first = config["layers"][0] if sequential and config["layers"] else None
        declared = declared_shape(first.get("config") or {}) if isinstance(first, dict) else None
        layers = []
        for i, layer in enumerate(config["layers"]):
            if not isinstance(layer, dict):
                raise ValueError(f"layer #{i} is not a {{'class_name', 'config'}} mapping")
            name = layer_name(layer, f"layer_{i}")
            nodes = 1 if sequential else len(layer.get("inbound_nodes") or [])
            layers.append(self.layer(layer, name, prefixes, nodes, outputs.get(name, 1), depth))
        out["config"]["layers"] = layers
        for key in ("input_layers", "output_layers", "build_input_shape"):
            if key in config:
                out["config"][key] = self.data(config[key])
        if sequential and layers and layers[0].get("class_name") != "InputLayer" and (
                depth == 0 or declared is not None):
            built = out["config"].get("build_input_shape")
            _add_input_layer(out, declared or (built if is_shape(built) else None))
        if not sequential:
            _renumber_nested_calls(config, out["config"])
        if "dtype" in config:
            out["config"]["dtype"] = self.scrub(config["dtype"], "dtype")
        if not isinstance(kept.get("name", ""), str):
            raise ValueError(f"model name {kept['name']!r} is not a string")
        return out

    def layer(self, entry: dict, name: str, prefixes: list, nodes: int, outputs: int,
              depth: int) -> dict:
        looks_like_model = isinstance(entry.get("config"), dict) and isinstance(
            entry["config"].get("layers"), list)
        if is_model_class(entry.get("class_name")) or looks_like_model:
            if self._model_class(entry) is not None:
                inner = [_qualify(p, nested_call_name(name, k)) for p in prefixes
                         for k in range(max(nodes, 1))]
                return self.model(entry, inner, depth + 1)
            return self.stand_in(entry, name, prefixes, outputs)
        try:
            kept = self.keep(entry)
        except _Unsafe:
            kept = None
        return kept if kept is not None else self.stand_in(entry, name, prefixes, outputs)

    def keep(self, entry: dict) -> Optional[dict]:
        """The entry with a Keras-only config, or None when its class is not Keras's own."""
        class_name = entry.get("class_name")
        if not isinstance(class_name, str) or entry.get("registered_name") not in (None, class_name):
            return None
        if "module" in entry and not _keras_module(entry["module"]):
            return None
        class_name = RENAMED_LAYERS.get(class_name, class_name)
        module = cls = None
        if "module" in entry and entry["module"].startswith("keras.src.ops."):
            op = getattr(sys.modules.get(entry["module"]), class_name, None)
            if not (isinstance(op, type) and issubclass(op, self.keras.Operation)):
                return None
            module = entry["module"]
        elif self._layer_class(class_name) is None:
            return None
        else:
            cls = self._layer_class(class_name)
            if "module" in entry:
                module = "keras.layers"
        if not isinstance(entry.get("config"), dict):
            return None
        config = self.scrub(entry["config"])
        if cls is not None:
            config = self.adapt(cls, config)
        if class_name in PATH_LAYERS and any(isinstance(config.get(k), str)
                                             for k in ("vocabulary", "idf_weights")):
            return None
        out = {"class_name": class_name, "config": config}
        if module is not None:
            out["module"] = module
        for key in ("name", "inbound_nodes", "shared_object_id"):
            if key in entry:
                out[key] = self.data(entry[key]) if key == "inbound_nodes" else entry[key]
        rnn = (self.keras.layers.RNN, self.keras.layers.Bidirectional)
        if cls is not None and issubclass(cls, rnn) and isinstance(out.get("inbound_nodes"), list):
            out["inbound_nodes"] = [_initial_state_node(n) for n in out["inbound_nodes"]]
        return out

    def stand_in(self, entry: dict, name: str, prefixes: list, outputs: int) -> dict:
        slot = len(self.slots)
        names = [_qualify(p, name) for p in prefixes]
        self.slots.append(_Slot(names, outputs))
        self.replaced.extend(n for n in names if n not in self.replaced)
        out = {"class_name": STAND_IN, "config": {"name": name, "slot": slot}, "name": name,
               "inbound_nodes": self.data(entry.get("inbound_nodes") or [])}
        if "module" in entry:
            out["module"] = None
        return out

    def _layer_class(self, class_name: str):
        if class_name.startswith("_") or class_name in DENIED_LAYERS:
            return None
        cls = getattr(self.keras.layers, class_name, None)
        if isinstance(cls, type) and issubclass(cls, self.keras.layers.Layer) and not issubclass(
                cls, self.keras.Model):
            return cls
        return None

    # -- nested objects ---------------------------------------------------------------------
    def scrub(self, value: Any, key: Any = None) -> Any:
        """A copy of a kept layer's config value with only Keras objects in it."""
        if isinstance(value, dict):
            if "class_name" in value:
                return self.scrub_object(value, key)
            return {k: self.scrub(v, k) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.scrub(v, key) for v in value]
        if isinstance(value, str):
            if value == STAND_IN:
                raise _Unsafe(value)
            if _is_activation_key(key) and value not in self.activations:
                return "linear"
        return value

    def scrub_object(self, obj: dict, key: Any) -> Any:
        class_name = obj["class_name"]
        if class_name in DATA_OBJECTS:
            return {k: self.scrub(v, k) for k, v in obj.items()}
        if obj.get("registered_name") not in (None, class_name) or (
                "module" in obj and not _keras_module(obj["module"]) and not (
                class_name == "function" and obj["module"] == "builtins")):
            return _default_for(key)
        if class_name == "function":
            fn = obj.get("config")
            if _is_activation_key(key) and isinstance(fn, str) and fn in self.activations:
                return fn
            return _default_for(key)
        if is_model_class(class_name):  # a model inside a wrapper layer
            if self._model_class(obj) is None:
                return _default_for(key)
            cls, module = self.model_classes[class_name], self.model_classes[class_name].__module__
        else:
            class_name = RENAMED_LAYERS.get(class_name, class_name)
            cls, module = self._nested_class(class_name)
            if cls is None:
                return _default_for(key)
        if class_name in PATH_LAYERS and isinstance(obj.get("config"), dict) and any(
                isinstance(obj["config"].get(k), str) for k in ("vocabulary", "idf_weights")):
            raise _Unsafe(class_name)
        out = {k: self.scrub(v, k) for k, v in obj.items()
               if k not in ("module", "registered_name", "build_config", "compile_config")}
        out["class_name"] = class_name
        if not is_model_class(class_name) and isinstance(out.get("config"), dict):
            out["config"] = self.adapt(cls, out["config"])
        if "module" in obj or issubclass(cls, self.keras.layers.Layer):
            out["module"] = module  # wrappers load their layer without the legacy loader
        return out

    def adapt(self, cls: type, config: dict) -> dict:
        """``config`` as Keras 3's ``cls`` takes it: what Keras 3 refuses, and what only
        matters for weights or state, is dropped; what it reads differently is converted."""
        keras = self.keras
        if issubclass(cls, keras.layers.Layer) and cls is not keras.layers.InputLayer:
            for key in INPUT_KEYS:  # the model's InputLayers carry the input shapes
                config.pop(key, None)
            if config.get("time_major"):
                raise ValueError(f"layer {config.get('name')!r} is time-major (time_major=True), "
                                 "which Keras 3 RNN layers do not support")
            config.pop("stateful", None)  # state variables cannot be created without weights
            if isinstance(config.get("rate"), str):  # Keras 1 accepted Dropout(p="0.5")
                with contextlib.suppress(ValueError):
                    config["rate"] = float(config["rate"])
        if issubclass(cls, keras.layers.BatchNormalization) and isinstance(
                config.get("axis"), list) and len(config["axis"]) == 1:
            config["axis"] = config["axis"][0]  # tf.keras 2 wrote [3]; Keras 3 takes an int
        if issubclass(cls, keras.layers.Embedding) and isinstance(config.get("dtype"), str) and (
                config["dtype"].startswith(("int", "uint"))):
            # Keras 1/2 wrote the input's dtype there; Keras 3 would make the weights integers,
            # which a uniform initializer cannot fill ("Need minval < maxval")
            del config["dtype"]
        accepted = self._accepted_args(cls)
        return config if accepted is None else {k: v for k, v in config.items() if k in accepted}

    def _accepted_args(self, cls: type) -> Optional[frozenset]:
        """The keyword arguments ``cls`` takes (its ``__init__`` and those of the bases it
        passes ``**kwargs`` on to, up to Layer), or None when it takes any."""
        if cls not in self.accepted:
            names: set = set()
            found = None
            for klass in cls.__mro__:
                names.update(KWARGS_READ.get(klass.__name__, ()))
                init = vars(klass).get("__init__")
                if klass is object:  # no base passed **kwargs on to anything that reads them
                    found = frozenset(names)
                    break
                if init is None:
                    continue
                try:
                    params = list(inspect.signature(init).parameters.values())[1:]
                except (TypeError, ValueError):
                    break
                names.update(p.name for p in params
                             if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY))
                if klass is self.keras.layers.Layer or not any(
                        p.kind is p.VAR_KEYWORD for p in params):
                    found = frozenset(names)
                    break
            self.accepted[cls] = found
        return self.accepted[cls]

    def _nested_class(self, class_name: str) -> tuple:
        if class_name.startswith("_"):
            return None, None
        if self._layer_class(class_name) is not None:
            return self._layer_class(class_name), "keras.layers"
        keras = self.keras
        bases = (keras.initializers.Initializer, keras.regularizers.Regularizer,
                 keras.constraints.Constraint, keras.dtype_policies.DTypePolicy)
        for namespace in NESTED_NAMESPACES[1:]:
            cls = getattr(getattr(keras, namespace), class_name, None)
            if isinstance(cls, type) and issubclass(cls, bases):
                return cls, f"keras.{namespace}"
        return None, None

    def data(self, value: Any) -> Any:
        """Inbound nodes / input and output lists: plain data and symbolic tensors only."""
        if isinstance(value, dict):
            if "class_name" in value and value["class_name"] not in DATA_OBJECTS:
                return None
            return {k: self.data(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.data(v) for v in value]
        return value

    # -- helpers ----------------------------------------------------------------------------
    @staticmethod
    def _outputs_read(config: dict) -> dict:
        """{layer name: 1 + the highest output index any reference in ``config`` reads}."""
        found: dict = {}

        def visit(value):
            if isinstance(value, (list, tuple)):
                if (len(value) in (3, 4) and isinstance(value[0], str)
                        and all(isinstance(v, int) for v in value[1:3])):
                    found[value[0]] = max(found.get(value[0], 1), value[2] + 1)
                for v in value:
                    visit(v)
            elif isinstance(value, dict):
                for v in value.values():
                    visit(v)

        for layer in config["layers"]:
            if isinstance(layer, dict):
                visit(layer.get("inbound_nodes"))
        visit(config.get("output_layers"))
        return found

    def _set_inputs(self, model: dict, input_shapes: Optional[list]) -> None:
        """Override the declared input shapes; give a Sequential an explicit InputLayer."""
        layers = model["config"]["layers"]
        if model["class_name"] == "Sequential":
            if input_shapes is None and (
                    not layers or declared_shape(layers[0].get("config") or {}) is None):
                raise ValueError("the Sequential model declares no input shape")
            inputs = layers[:1]
        else:
            by_name = {layer.get("name") or (layer.get("config") or {}).get("name"): layer
                       for layer in layers}
            refs: list = []
            _collect_refs(model["config"].get("input_layers"), refs)
            inputs = [by_name.get(r) for r in refs]
        if input_shapes is None:
            return
        if len(input_shapes) != len(inputs):
            raise ValueError(f"the model has {len(inputs)} input(s), "
                             f"got {len(input_shapes)} input shape(s)")
        for layer, shape in zip(inputs, input_shapes):
            if layer is None or layer.get("class_name") != "InputLayer":
                raise ValueError("an input of the model is not an InputLayer")
            config = layer.setdefault("config", {})
            for key in ("batch_input_shape", "batch_shape", "input_shape", "shape", "batch_size"):
                config.pop(key, None)
            config["batch_shape"] = [None] + [None if d is None else int(d) for d in shape]


def _add_input_layer(model: dict, shape: Optional[list]) -> None:
    """Put the input shape a Sequential's first layer declares on an InputLayer of its own."""
    layers = model["config"]["layers"]
    first = layers[0]
    stub = {"class_name": "InputLayer",
            "config": {"name": f"{layer_name(first, 'layer')}_input",
                       "batch_shape": list(shape) if shape else None}}
    if "module" in first:
        stub["module"] = "keras.layers"
    layers.insert(0, stub)
    model["config"].pop("build_input_shape", None)


def _renumber_nested_calls(raw: dict, config: dict) -> None:
    """Number references to nested models' calls as Keras 3 reads them.

    tf.keras 2 and Keras 1 count a nested model's calls from 1 (node 0 was its own
    input-to-output link); shapelint's graph knows where (``nested_call_shifts``).
    Keras 3 reads inbound references as the call index, and ``output_layers`` as
    the call index + 1 for a Functional model, the call index for a Sequential.
    """
    node_shift, ref_shift = nested_call_shifts(raw)
    if not (node_shift or ref_shift):
        return
    functional = {layer_name(e, f"layer_{i}") for i, e in enumerate(raw["layers"])
                  if is_model_entry(e) and e.get("class_name") != "Sequential"
                  and isinstance(e.get("config"), dict)}
    for layer in config["layers"]:
        if node_shift and layer.get("inbound_nodes"):
            layer["inbound_nodes"] = _shift_refs(layer["inbound_nodes"], node_shift, set())
    for key in ("input_layers", "output_layers"):
        if key in config:
            config[key] = _shift_refs(config[key], ref_shift, functional)


def _initial_state_node(node: Any) -> Any:
    """An RNN call that tf.keras 2 wrote as ``[inputs, *initial_state]`` as Keras 3
    reads it: ``initial_state`` passed by keyword."""
    if not (isinstance(node, list) and len(node) > 1 and all(
            isinstance(e, list) and len(e) in (3, 4) and isinstance(e[0], str) for e in node)):
        return node
    kwargs = dict(node[0][3]) if len(node[0]) == 4 and isinstance(node[0][3], dict) else {}
    if "initial_state" in kwargs:
        return node

    def tensor(ref: list) -> dict:  # shape and dtype are placeholders: Keras takes the real ones
        return {"class_name": "__keras_tensor__",
                "config": {"shape": [], "dtype": "float32", "keras_history": list(ref[:3])}}

    return {"args": [tensor(node[0])],
            "kwargs": {**kwargs, "initial_state": [tensor(e) for e in node[1:]]}}


def _shift_refs(value: Any, shifts: dict, plus_one: set) -> Any:
    """``value`` with every ``[name, node, index, ...]`` reference to a model in
    ``shifts`` renumbered: ``node - shift`` (when > 0), + 1 for the models in ``plus_one``."""
    if isinstance(value, dict):
        return {k: _shift_refs(v, shifts, plus_one) for k, v in value.items()}
    if not isinstance(value, (list, tuple)):
        return value
    if (len(value) in (3, 4) and isinstance(value[0], str) and value[0] in shifts
            and all(isinstance(v, int) and not isinstance(v, bool) for v in value[1:3])):
        node = value[1] - shifts[value[0]] if value[1] > 0 else value[1]
        return [value[0], node + (value[0] in plus_one), *value[2:]]
    return [_shift_refs(v, shifts, plus_one) for v in value]


def _collect_refs(value: Any, out: list) -> None:
    if isinstance(value, (list, tuple)):
        if len(value) == 3 and isinstance(value[0], str) and isinstance(value[1], int):
            out.append(value[0])
            return
        for v in value:
            _collect_refs(v, out)
    elif isinstance(value, dict):
        for v in value.values():
            _collect_refs(v, out)


# -- the stand-in layer ----------------------------------------------------------------------

def _lookup(predicted: dict, key: tuple) -> Optional[list]:
    value = predicted.get(key, predicted.get(key[0]))
    if value is None:
        return None
    # a single shape instead of a list of them; [None] is one unknown shape, not (None,)
    if is_shape(value) and any(d is not None for d in value):
        return [value]
    if isinstance(value, (list, tuple)):
        return [tuple(s) if is_shape(s) else None for s in value]
    return None


def _stand_in_class(keras, sanitizer: _Sanitizer):
    """A Layer class standing in for every replaced layer of this one model."""

    class StandIn(keras.layers.Layer):
        current: Optional[tuple] = None  # (qualified name, node) while the graph is walked

        def __init__(self, name: str, slot: int):
            super().__init__(name=name, trainable=False)
            self.slot = slot
            self.built = True

        @classmethod
        def from_config(cls, config):
            name = config.get("name")
            return cls(name=name if isinstance(name, str) else "stand_in", slot=int(config["slot"]))

        def get_config(self):
            return {"name": self.name, "slot": self.slot}

        def build(self, *args, **kwargs):
            self.built = True

        def call(self, inputs, *args, **kwargs):
            raise RuntimeError(f"{self.name} stands in for a layer that is never run")

        def compute_output_spec(self, *args, **kwargs):
            slot = sanitizer.slots[self.slot]
            key = StandIn.current or (slot.names[0], len(self._inbound_nodes))
            tensors = [t for t in keras.tree.flatten((args, kwargs))
                       if isinstance(t, keras.KerasTensor)]
            shapes = _lookup(sanitizer.predicted, key) or []
            count = max(slot.outputs, len(shapes), 1)
            specs = []
            for i in range(count):
                shape = shapes[i] if i < len(shapes) else None
                guess = shape is None
                if guess:  # no prediction: pass the input shape on, and remember it is a guess
                    if not tensors:
                        raise ValueError(f"{key[0]}: no predicted shape for a layer without inputs")
                    shape = tensors[min(i, len(tensors) - 1)].shape
                dtype = tensors[0].dtype if tensors else "float32"
                specs.append(keras.KerasTensor(tuple(shape), dtype=dtype))
                if guess:
                    sanitizer.guessed[id(specs[-1])] = specs[-1]
                    if key[0] not in sanitizer.guessed_names:
                        sanitizer.guessed_names.append(key[0])
            return specs[0] if count == 1 else specs

    return StandIn


# -- building and walking --------------------------------------------------------------------

def _build(keras, config: dict, stand_in) -> Any:
    """The model, built symbolically in safe mode; its variables are never allocated."""
    from keras.src.backend.common import global_state
    from keras.src.saving.serialization_lib import SafeModeScope, deserialize_keras_object

    pending = global_state.get_global_attribute("uninitialized_variables")
    saved = list(pending) if pending else []
    filtering = global_state.get_global_attribute("traceback_filtering")
    global_state.set_global_attribute("traceback_filtering", False)  # keep the failing layer
    try:
        with warnings.catch_warnings(), SafeModeScope(True), \
                keras.StatelessScope(initialize_variables=False):
            warnings.simplefilter("ignore")
            return deserialize_keras_object(config, custom_objects={STAND_IN: stand_in},
                                            safe_mode=True)
    finally:  # forget the deferred variables: nothing may initialize them later
        global_state.set_global_attribute("uninitialized_variables", saved)
        global_state.set_global_attribute("traceback_filtering", filtering)


class _Walker:
    """Every layer call's output shapes, nested models walked on their actual inputs.

    Calls that depend on a stand-in whose shape had to be guessed (no prediction) are
    left out: their shapes would say nothing about the model.
    """

    def __init__(self, keras, stand_in: type, guessed: dict, out: dict):
        self.keras = keras
        self.stand_in = stand_in
        self.guessed = guessed  # id -> tensor of every tensor derived from a guess
        self.out = out

    def walk(self, model, prefix: str, inputs: Optional[list]) -> list:
        keras = self.keras
        graph = getattr(model, "_functional", None) or model
        tensors = {} if inputs is None else {id(x): y for x, y in zip(graph.inputs, inputs)}
        ordered = [graph._nodes_by_depth[d] for d in sorted(graph._nodes_by_depth, reverse=True)]
        in_graph = {id(node) for nodes in ordered for node in nodes}
        for nodes in ordered:
            for node in nodes:
                op = node.operation
                # node index among this graph's calls of op (a Sequential keeps stale ones)
                mine = [n for n in op._inbound_nodes if id(n) in in_graph]
                key = (_qualify(prefix, op.name), mine.index(node))
                if inputs is None:  # the top model: Keras computed these when building it
                    args = self._tensors((node.arguments.args, node.arguments.kwargs))
                    outputs = list(node.outputs)
                    if isinstance(op, keras.Model):
                        outputs = self.walk(op, nested_call_name(*key), args)
                        if self.tainted(outputs):
                            self.guessed.update((id(t), t) for t in node.outputs)
                elif node.is_input:
                    args = outputs = [tensors[id(node.outputs[0])]]
                else:
                    call_args, call_kwargs = node.arguments.fill_in(tensors)
                    args = self._tensors((call_args, call_kwargs))
                    if isinstance(op, keras.Model):
                        outputs = self.walk(op, nested_call_name(*key), args)
                    else:
                        outputs = keras.tree.flatten(self._spec(op, key, call_args, call_kwargs))
                    for x, y in zip(node.outputs, outputs):
                        tensors[id(x)] = y
                # a stand-in's shape or a nested model's walk does not depend on a guessed input
                fresh = isinstance(op, (self.stand_in, keras.Model))
                self.record(key, [] if fresh else args, outputs)
        if inputs is None:
            return list(keras.tree.flatten(graph.outputs))
        return [tensors[id(x)] for x in keras.tree.flatten(graph.outputs)]

    def tainted(self, tensors: list) -> bool:
        return any(id(t) in self.guessed for t in tensors)

    def record(self, key: tuple, args: list, outputs: list) -> None:
        """Keep the shapes of a call, unless they derive from a guess."""
        if self.tainted(args) or self.tainted(outputs):
            self.guessed.update((id(t), t) for t in outputs)
        else:
            self.out[key] = [_shape(t) for t in outputs]

    def _tensors(self, structure) -> list:
        return [t for t in self.keras.tree.flatten(structure) if isinstance(t, self.keras.KerasTensor)]

    def _spec(self, op, key: tuple, args, kwargs):
        if not isinstance(op, self.stand_in):
            return op.compute_output_spec(*args, **kwargs)
        self.stand_in.current = key
        try:
            return op.compute_output_spec(*args, **kwargs)
        finally:
            self.stand_in.current = None


def _frames(tb):
    while tb is not None:
        yield tb.tb_frame
        tb = tb.tb_next


def _failed_layer(keras, tb) -> Optional[str]:
    """The innermost Keras operation on the traceback of a build failure."""
    found = None
    for frame in _frames(tb):
        op = frame.f_locals.get("self")
        if isinstance(op, keras.Operation) and isinstance(getattr(op, "name", None), str):
            found = op.name
    return found


def _partial(keras, tb, walker: _Walker) -> None:
    """Shapes of the calls the top Functional model made before Keras gave up on it."""
    for frame in _frames(tb):
        if frame.f_code.co_name == "functional_from_config" and "created_layers" in frame.f_locals:
            layers = frame.f_locals["created_layers"]
            break
    else:
        return
    calls = [((name, k), node) for name, op in layers.items()
             for k, node in enumerate(op._inbound_nodes)]
    inputs = {id(node): walker._tensors((node.arguments.args, node.arguments.kwargs))
              for _, node in calls}
    fresh = (walker.stand_in, keras.Model)  # their outputs do not follow a guessed input
    for _ in range(len(calls)):  # taint flows in config order, which may not be topological
        before = len(walker.guessed)
        for _key, node in calls:
            if not isinstance(node.operation, fresh) and walker.tainted(inputs[id(node)]):
                walker.guessed.update((id(t), t) for t in node.outputs)
        if len(walker.guessed) == before:
            break
    for key, node in calls:
        if isinstance(node.operation, keras.Model):
            walker.record(key, [], walker.walk(node.operation, nested_call_name(*key),
                                               inputs[id(node)]))
        else:
            walker.record(key, [] if isinstance(node.operation, fresh) else inputs[id(node)],
                          list(node.outputs))


def _shape(t) -> tuple:
    return tuple(None if d is None else int(d) for d in t.shape)
