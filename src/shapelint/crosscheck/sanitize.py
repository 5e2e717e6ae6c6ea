"""The trust boundary: the copy of a model config that Keras is allowed to see.

Keras's ``safe_mode`` is not a security boundary (CVE-2025-1550: a config can name any
module or function; CVE-2026-1462: TFSMLayer loads an attacker's SavedModel), Lambda
layers carry marshalled bytecode, and lookup layers read a vocabulary file from a path.
So :class:`Sanitizer` builds a new config out of the user's and keeps, from it, only:

- layers whose class is in the :class:`AllowList` (Keras's own built-in layers, minus
  :data:`DENIED_LAYERS`), named without a foreign ``module`` or ``registered_name``;
- Keras's own op classes (``module`` ``keras.src.ops.*``), and models of Keras's own
  model classes (their layers sanitized the same way);
- in a kept layer's config: plain data, Keras's own initializers, regularizers,
  constraints, dtype policies, activations and (wrapped) layers, and the data objects
  of :data:`DATA_OBJECTS`; in inbound nodes and input/output lists: plain data and
  those data objects only.

Any other layer (Lambda, TFSMLayer, custom or registered classes, foreign ``module``,
a lookup layer with a vocabulary path, a layer whose config holds a foreign object in a
slot that has no harmless default) becomes a *stand-in*: the layer :data:`STAND_IN`,
which Keras gets from shapelint and which returns shapelint's predicted shape. A foreign
object in an activation, initializer, regularizer, constraint or dtype slot is replaced
by that slot's default instead.

The allow-list is data (:class:`AllowList`, made from Keras by :func:`allow_list`), so
this module can be read and tested without Keras. Adapting a config to Keras 3
(:mod:`shapelint.crosscheck.adapt`) happens through the :class:`Adaptation` hooks, on
values that are already sanitized.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Optional

from shapelint.crosscheck.keras_internals import OPS_MODULE_PREFIX
from shapelint.loading.graph import KERAS2_CONSTANT, TF_OP_CLASSES, layer_name
from shapelint.loading.keys import MAX_NESTING, is_model_class, nested_call_name

STAND_IN = "shapelint>StandIn"  # the stand-in's name in custom_objects (no Keras class has a '>')
DENIED_LAYERS = frozenset({"Lambda", "TFSMLayer", "JaxLayer", "FlaxLayer", "TorchModuleWrapper"})
# lookup layers read a str in one of PATH_KEYS as a file path
PATH_LAYERS = frozenset({"StringLookup", "IntegerLookup", "TextVectorization"})
PATH_KEYS = ("vocabulary", "idf_weights")
DATA_OBJECTS = frozenset({"__keras_tensor__", "__numpy__", "__bytes__", "__ellipsis__",
                          "__slice__", "__tensor__"})
NESTED_NAMESPACES = ("initializers", "regularizers", "constraints", "dtype_policies")
MODEL_KEYS = ("name", "trainable", "layers", "input_layers", "output_layers", "build_input_shape")
LAYERS_MODULE = "keras.layers"


@dataclass(frozen=True)
class AllowList:
    """Every class and function name Keras may be given, as data.

    ``layers``: built-in layer class name -> class (no model class, nothing denied);
    ``objects``: the other built-in classes a kept layer's config may hold
    (initializers, regularizers, constraints, dtype policies): name -> (class, the public
    module Keras loads it from); ``models``: model class name -> (class, its module);
    ``activations``: built-in activation names; ``ops``: ``(module, class name)`` of
    Keras's own op classes.
    """

    layers: Mapping[str, type]
    objects: Mapping[str, tuple] = field(default_factory=dict)
    models: Mapping[str, tuple] = field(default_factory=dict)
    activations: frozenset = frozenset()
    ops: frozenset = frozenset()


def allow_list(keras) -> AllowList:
    """The allow-list of the Keras installed: what its public namespaces export."""
    from shapelint.crosscheck import keras_internals

    layers = {name: cls for name, cls in vars(keras.layers).items()
              if not name.startswith("_") and name not in DENIED_LAYERS
              and isinstance(cls, type) and issubclass(cls, keras.layers.Layer)
              and not issubclass(cls, keras.Model)}
    bases = (keras.initializers.Initializer, keras.regularizers.Regularizer,
             keras.constraints.Constraint, keras.dtype_policies.DTypePolicy)
    objects: dict = {}
    for namespace in NESTED_NAMESPACES:  # the first namespace that has a name gives it
        for name, cls in vars(getattr(keras, namespace)).items():
            if not name.startswith("_") and isinstance(cls, type) and issubclass(cls, bases):
                objects.setdefault(name, (cls, f"keras.{namespace}"))
    functional = keras_internals.functional_class()
    models = {"Functional": (functional, functional.__module__),
              "Model": (keras.Model, keras.Model.__module__),
              "Sequential": (keras.Sequential, keras.Sequential.__module__)}
    return AllowList(layers, objects, models, keras_internals.activation_names(),
                     keras_internals.op_classes(keras))


class Adaptation:
    """How the sanitizer lets a config be adapted to the Keras that reads it.

    Each hook gets values the sanitizer already made safe, and may only drop keys,
    convert plain values, rename a class (the new name is then looked up in the
    allow-list), or add Keras's own InputLayer and symbolic-tensor data. This base
    class adapts nothing.
    """

    def class_name(self, name: Any) -> Any:
        """The class name Keras knows the class ``name`` of an older Keras by."""
        return name

    def layer_config(self, cls: type, config: dict) -> dict:
        """A sanitized layer (or nested object) config as ``cls`` takes it."""
        return config

    def inbound_nodes(self, cls: type, nodes: list) -> list:
        """A kept layer's sanitized inbound nodes as Keras reads them for ``cls``."""
        return nodes

    def model(self, raw: dict, model: dict, depth: int) -> None:
        """Adapt sanitized ``model`` (in place), whose raw config is ``raw``."""


class _Unsafe(Exception):
    """A layer config holds something that is not Keras's own: use a stand-in."""


@dataclass
class Slot:
    """One stand-in layer."""

    names: list  # qualified name of the layer in each call of its enclosing model
    outputs: int  # how many outputs the config reads from it


def qualify(prefix: str, name: str) -> str:
    return f"{prefix}/{name}" if prefix else name


def is_activation_key(key) -> bool:
    return isinstance(key, str) and (key == "activation" or key.endswith("_activation"))


def default_for(key) -> Any:
    """The harmless value for a slot holding a foreign object, or _Unsafe."""
    if is_activation_key(key):
        return "linear"
    if isinstance(key, str) and (key.endswith(("_initializer", "_regularizer", "_constraint"))
                                 or key in ("dtype", "quantization_config")):
        return None
    raise _Unsafe(key)


def keras_module(module) -> bool:
    return isinstance(module, str) and (module == "keras" or module.startswith("keras."))


def _names_a_path(class_name: Any, config: Any) -> bool:
    return class_name in PATH_LAYERS and isinstance(config, dict) and any(
        isinstance(config.get(k), str) for k in PATH_KEYS)


class Sanitizer:
    """Makes the copy of a model config that Keras gets to see.

    After :meth:`top`, ``slots`` holds one :class:`Slot` per stand-in (the stand-in's
    config carries its slot number) and ``replaced`` the qualified names of the layers
    stood in for.
    """

    def __init__(self, allowed: AllowList, adaptation: Optional[Adaptation] = None):
        self.allowed = allowed
        self.adapt = adaptation or Adaptation()
        self.slots: list = []
        self.replaced: list = []

    # -- models ---------------------------------------------------------------------------
    def top(self, entry: Any) -> dict:
        if not isinstance(entry, dict) or self._model_class(entry) is None:
            name = entry.get("class_name") if isinstance(entry, dict) else type(entry).__name__
            raise ValueError(f"top-level class {name!r} is not a built-in Keras model")
        return self.model(entry, [""], 0)

    def _model_class(self, entry: dict) -> Optional[tuple]:
        name = entry.get("class_name")
        if not is_model_class(name) or entry.get("registered_name") not in (None, name):
            return None
        if "module" in entry and not keras_module(entry["module"]):
            return None
        return self.allowed.models.get(name)

    def model(self, entry: dict, prefixes: list, depth: int) -> dict:
        """A sanitized model entry; ``prefixes``: the qualified prefix of each of its calls."""
        if depth > MAX_NESTING:
            raise ValueError(f"models nested more than {MAX_NESTING} deep")
        _, module = self.allowed.models[entry["class_name"]]
        config = entry.get("config")
        if isinstance(config, list):  # very old Sequential: a bare list of layers
            config = {"name": entry.get("name") or "sequential", "layers": config}
        if not isinstance(config, dict) or not isinstance(config.get("layers"), list):
            raise ValueError(f"model {entry.get('name')!r} has no 'layers' list")
        kept = {k: config[k] for k in MODEL_KEYS if k in config}
        out = {"class_name": entry["class_name"], "module": module, "config": kept}
        if "name" in entry:
            out["name"] = entry["name"]
        if entry.get("inbound_nodes") is not None:
            out["inbound_nodes"] = self.data(entry["inbound_nodes"])
        sequential = entry["class_name"] == "Sequential"
        outputs = {} if sequential else self._outputs_read(config)
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
        self.adapt.model(config, out, depth)
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
                inner = [qualify(p, nested_call_name(name, k)) for p in prefixes
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
        if "module" in entry and not keras_module(entry["module"]):
            return None
        class_name = self.adapt.class_name(class_name)
        module = cls = None
        if "module" in entry and entry["module"].startswith(OPS_MODULE_PREFIX):
            if (entry["module"], class_name) not in self.allowed.ops:
                return None
            module = entry["module"]
        elif self._layer_class(class_name) is None:
            return None
        else:
            cls = self._layer_class(class_name)
            if "module" in entry:
                module = LAYERS_MODULE
        if not isinstance(entry.get("config"), dict):
            return None
        config = self.scrub(entry["config"])
        if cls is not None:
            config = self.adapt.layer_config(cls, config)
        if _names_a_path(class_name, config):
            return None
        out = {"class_name": class_name, "config": config}
        if module is not None:
            out["module"] = module
        for key in ("name", "inbound_nodes", "shared_object_id"):
            if key in entry:
                out[key] = self.data(entry[key]) if key == "inbound_nodes" else entry[key]
        if cls is not None and isinstance(out.get("inbound_nodes"), list):
            out["inbound_nodes"] = self.adapt.inbound_nodes(cls, out["inbound_nodes"])
        return out

    def stand_in(self, entry: dict, name: str, prefixes: list, outputs: int) -> dict:
        slot = len(self.slots)
        names = [qualify(p, name) for p in prefixes]
        self.slots.append(Slot(names, outputs))
        self.replaced.extend(n for n in names if n not in self.replaced)
        nodes = self.data(entry.get("inbound_nodes") or [])
        if entry.get("class_name") in TF_OP_CLASSES and isinstance(nodes, list):
            nodes = [_tensors_node(n) if isinstance(n, list) else n for n in nodes]
        out = {"class_name": STAND_IN, "config": {"name": name, "slot": slot}, "name": name,
               "inbound_nodes": nodes}
        if "module" in entry:
            out["module"] = None
        return out

    def _layer_class(self, class_name: str) -> Optional[type]:
        if class_name.startswith("_") or class_name in DENIED_LAYERS:
            return None
        return self.allowed.layers.get(class_name)

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
            if is_activation_key(key) and value not in self.allowed.activations:
                return "linear"
        return value

    def scrub_object(self, obj: dict, key: Any) -> Any:
        class_name = obj["class_name"]
        if class_name in DATA_OBJECTS:
            return {k: self.scrub(v, k) for k, v in obj.items()}
        if obj.get("registered_name") not in (None, class_name) or (
                "module" in obj and not keras_module(obj["module"]) and not (
                class_name == "function" and obj["module"] == "builtins")):
            return default_for(key)
        if class_name == "function":
            fn = obj.get("config")
            if is_activation_key(key) and isinstance(fn, str) and fn in self.allowed.activations:
                return fn
            return default_for(key)
        if is_model_class(class_name):  # a model inside a wrapper layer
            if self._model_class(obj) is None:
                return default_for(key)
            cls, module = self.allowed.models[class_name]
            always_module = True  # a model is a layer: see below
        else:
            class_name = self.adapt.class_name(class_name)
            cls, module, always_module = self._nested_class(class_name)
            if cls is None:
                return default_for(key)
        if _names_a_path(class_name, obj.get("config")):
            raise _Unsafe(class_name)
        out = {k: self.scrub(v, k) for k, v in obj.items()
               if k not in ("module", "registered_name", "build_config", "compile_config")}
        out["class_name"] = class_name
        if not is_model_class(class_name) and isinstance(out.get("config"), dict):
            out["config"] = self.adapt.layer_config(cls, out["config"])
        if "module" in obj or always_module:
            out["module"] = module  # wrappers load their layer without the legacy loader
        return out

    def _nested_class(self, class_name: str) -> tuple:
        """(class, module, whether the output names its module) of a nested object's
        class: a layer (always named with its module), or another built-in object."""
        if class_name.startswith("_"):
            return None, None, False
        layer = self._layer_class(class_name)
        if layer is not None:
            return layer, LAYERS_MODULE, True
        cls, module = self.allowed.objects.get(class_name, (None, None))
        return cls, module, False

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


def _tensors_node(node: list) -> list:
    """A tf.keras 2 op node (TFOpLambda: a bare ``[layer, node, index, kwargs]`` entry, or
    its first argument's nesting, with tensors among the kwargs and constants as
    ``_CONSTANT_VALUE`` entries) as a plain tf.keras 2 node of its tensors only: all a
    stand-in needs, in the form Keras 3 reads."""
    refs: list = []

    def visit(value):
        if isinstance(value, (list, tuple)):
            if (len(value) in (3, 4) and isinstance(value[0], str) and value[0] != KERAS2_CONSTANT
                    and all(isinstance(v, int) and not isinstance(v, bool) for v in value[1:3])):
                refs.append([value[0], value[1], value[2], {}])
                if len(value) == 4:
                    visit(value[3])
                return
            for v in value:
                visit(v)
        elif isinstance(value, dict):
            for v in value.values():
                visit(v)

    visit(node)
    return refs
