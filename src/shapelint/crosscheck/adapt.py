"""Configs Keras 1, tf.keras 2 and TF.js wrote, as Keras 3 reads them.

What Keras 3 refuses or reads differently is adapted, through the sanitizer's
:class:`~shapelint.crosscheck.sanitize.Adaptation` hooks, on values already sanitized:
arguments a class does not take are dropped, ``stateful`` too (state variables cannot
be created without weights); classes Keras 3 renamed are renamed; values it reads
differently are converted; a Sequential's declared input shape moves onto an
InputLayer of its own; nested models' calls are renumbered; RNN initial states are
passed by keyword; layer names with "/" (tf.keras 2) are built under a look-alike
name, which :func:`shapelint_name` reads back. :func:`set_inputs` then puts the input
shapes asked for on the model's InputLayers.
"""

from __future__ import annotations

import contextlib
import inspect
from typing import Any, Optional

from shapelint.crosscheck.sanitize import Adaptation
from shapelint.loading.graph import is_model_entry, layer_name, nested_call_shifts
from shapelint.loading.keys import declared_shape, is_shape

RENAMED_LAYERS = {"CuDNNLSTM": "LSTM", "CuDNNGRU": "GRU"}  # tf.keras 1.x-2.0: same shapes
# tf.keras 2 allowed "/" in layer names (DenseNet121's "conv1/conv"); Keras 3 refuses it.
# Such names are built with this look-alike instead, and read back by shapelint_name().
KERAS3_SLASH = "\u2215"
INPUT_KEYS = ("batch_input_shape", "batch_shape", "input_shape", "batch_size")  # an input's shape
# keywords Keras 3 reads out of **kwargs, by the class whose __init__ reads them
KWARGS_READ = {"Layer": ("input_dim", "input_shape"), "InputLayer": INPUT_KEYS,
               "Embedding": ("input_length",), "LeakyReLU": ("alpha",),
               "LayerNormalization": ("rms_scaling",), "LSTMCell": ("implementation",),
               "LSTM": ("implementation",), "GRUCell": ("implementation",),
               "GRU": ("implementation",),
               "IndexLookup": ("vocabulary_size", "has_input_vocabulary"),
               "TextVectorization": ("vocabulary_size", "has_input_vocabulary")}


class Keras3(Adaptation):
    """The adaptation to the Keras 3 ``keras`` (its public classes only)."""

    def __init__(self, keras):
        self.keras = keras
        self.accepted: dict = {}  # class -> the keyword arguments it takes (None: any)

    def class_name(self, name: Any) -> Any:
        return RENAMED_LAYERS.get(name, name)

    def layer_config(self, cls: type, config: dict) -> dict:
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

    def inbound_nodes(self, cls: type, nodes: list) -> list:
        if issubclass(cls, (self.keras.layers.RNN, self.keras.layers.Bidirectional)):
            return [_initial_state_node(n) for n in nodes]
        return nodes

    def model(self, raw: dict, model: dict, depth: int) -> None:
        config = model["config"]
        layers = config["layers"]
        if model["class_name"] != "Sequential":
            _renumber_nested_calls(raw, config)
        else:
            first = raw["layers"][0] if raw["layers"] else None
            declared = declared_shape(first.get("config") or {}) \
                if isinstance(first, dict) else None
            if layers and layers[0].get("class_name") != "InputLayer" and (
                    depth == 0 or declared is not None):
                built = config.get("build_input_shape")
                _add_input_layer(model, declared or (built if is_shape(built) else None))
        _without_slashes(config)

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


def set_inputs(model: dict, input_shapes: Optional[list]) -> None:
    """Override a sanitized model's declared input shapes with ``input_shapes`` (one per
    model input, batch excluded); a Sequential must have an input shape by then."""
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


def shapelint_name(keras_name: str) -> str:
    """A layer's name as the config has it, from the name Keras 3 built it with."""
    return keras_name.replace(KERAS3_SLASH, "/")


def _keras3_name(name: Any) -> Any:
    return name.replace("/", KERAS3_SLASH) if isinstance(name, str) else name


def _without_slashes(config: dict) -> None:
    """The model's and its layers' names, and every reference to them, with "/" replaced
    by :data:`KERAS3_SLASH`."""
    config["name"] = _keras3_name(config.get("name"))
    renamed = set()
    for layer in config.get("layers") or []:
        for entry in (layer, layer.get("config")):
            if isinstance(entry, dict) and isinstance(entry.get("name"), str) \
                    and "/" in entry["name"]:
                renamed.add(entry["name"])
                entry["name"] = _keras3_name(entry["name"])
    if not renamed:
        return
    for layer in config.get("layers") or []:
        if layer.get("inbound_nodes"):
            layer["inbound_nodes"] = _map_refs(layer["inbound_nodes"], renamed, _renamed)
    for key in ("input_layers", "output_layers"):
        if key in config:
            config[key] = _map_refs(config[key], renamed, _renamed)


def _renamed(ref: list) -> list:
    return [_keras3_name(ref[0]), *ref[1:]]


def _map_refs(value: Any, names, change) -> Any:
    """``value`` with every ``[name, node, index, ...]`` reference to a name in ``names``
    (tf.keras 2 inbound nodes, ``input_layers``, Keras 3 ``keras_history``) replaced by
    ``change(reference)``."""
    if isinstance(value, dict):
        return {k: _map_refs(v, names, change) for k, v in value.items()}
    if not isinstance(value, (list, tuple)):
        return value
    if (len(value) in (3, 4) and isinstance(value[0], str) and value[0] in names
            and all(isinstance(v, int) and not isinstance(v, bool) for v in value[1:3])):
        return change(value)
    return [_map_refs(v, names, change) for v in value]


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
            layer["inbound_nodes"] = _map_refs(layer["inbound_nodes"], node_shift,
                                               _shifted(node_shift, set()))
    for key in ("input_layers", "output_layers"):
        if key in config:
            config[key] = _map_refs(config[key], ref_shift, _shifted(ref_shift, functional))


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


def _shifted(shifts: dict, plus_one: set):
    """A reference to a model in ``shifts`` renumbered: ``node - shift`` (when > 0), + 1
    for the models in ``plus_one``."""

    def change(ref: list) -> list:
        node = ref[1] - shifts[ref[0]] if ref[1] > 0 else ref[1]
        return [ref[0], node + (ref[0] in plus_one), *ref[2:]]

    return change


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
