"""Turn a Keras model config (Keras 3 or tf.keras 2 format) into a :class:`ModelSpec`.

Handles Sequential (with or without an explicit input), Functional, models nested in
models (each call of a nested model is expanded with qualified names) and shared
layers. Everything is read as data; a malformed config raises ``UnreadableModel``
with one line naming what is wrong.
"""

from __future__ import annotations

from typing import Any, Optional

from shapelint.errors import UnreadableModel
from shapelint.loading.keys import (
    MAX_NESTING, MODEL_CLASSES, declared_shape, is_model_class, is_shape, nested_call_name)
from shapelint.loading.spec import Call, ModelSpec, TensorArg, TensorRef

MAX_OUTPUTS = 1024  # outputs one layer call may have
# layers that stand for a TF op applied to Keras tensors (tf.keras 2)
TF_OP_CLASSES = frozenset({"TFOpLambda", "SlicingOpLambda", "TensorFlowOpLayer"})
OPS_MODULES = ("keras.src.ops.", "keras.ops.")  # the "module" of a Keras 3 op node


def is_op_entry(entry: dict) -> bool:
    """Whether a layer entry is an op applied to tensors, not a layer."""
    module = entry.get("module")
    return entry.get("class_name") in TF_OP_CLASSES or (
        isinstance(module, str) and module.startswith(OPS_MODULES))


def build_spec(model: dict) -> ModelSpec:
    """The ModelSpec of a ``{"class_name": ..., "config": ...}`` model config."""
    builder = _Builder()
    class_name = model.get("class_name")
    config = model.get("config")
    if not isinstance(class_name, str):
        raise UnreadableModel(f"the model's class_name {class_name!r:.60} is not a string")
    if class_name not in MODEL_CLASSES and not _looks_like_model(config):
        raise UnreadableModel(f"top-level class {class_name!r} is not a Keras model "
                              "(Sequential, Functional or Model)")
    name = layer_name(model, default="model")
    inputs, outputs = builder.expand(model, prefix="", input_refs=None, depth=0)
    return ModelSpec(name=name, class_name=str(class_name), calls=builder.calls,
                     inputs=inputs, outputs=outputs, recorded=builder.recorded,
                     format="keras1" if model.get("format") == "keras1" else builder.format)


def _looks_like_model(config: Any) -> bool:
    return isinstance(config, dict) and isinstance(config.get("layers"), list)


def layer_name(entry: dict, default: str) -> str:
    config = entry.get("config") if isinstance(entry.get("config"), dict) else {}
    name = entry.get("name") or config.get("name") or default
    if not isinstance(name, str):
        raise UnreadableModel(f"layer name {name!r} is not a string")
    return name


def _qualify(prefix: str, name: str) -> str:
    return f"{prefix}/{name}" if prefix else name


def is_model_entry(entry: dict) -> bool:
    class_name = entry.get("class_name")
    return is_model_class(class_name) or _looks_like_model(entry.get("config"))


def _history_triple(value: Any) -> Optional[tuple]:
    """``(layer_name, node, index)`` if ``value`` is a tf.keras 2 tensor reference."""
    if (isinstance(value, (list, tuple)) and len(value) in (3, 4) and isinstance(value[0], str)
            and all(isinstance(v, int) and not isinstance(v, bool) for v in value[1:3])):
        if not (0 <= value[1] and 0 <= value[2] < MAX_OUTPUTS):
            raise UnreadableModel(f"tensor reference {list(value[:3])!r:.80} has a node or "
                                  f"output index out of range (0..{MAX_OUTPUTS - 1})")
        return value[0], value[1], value[2]
    return None


def _keras_tensor(value: Any) -> Optional[dict]:
    if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
        config = value.get("config")
        if not isinstance(config, dict):
            raise UnreadableModel("a __keras_tensor__ entry has no config")
        return config
    return None


class _Node:
    """One inbound node of a layer, as written in the config (unresolved names)."""

    def __init__(self, args: list, kw_tensors: dict, kwargs: dict, recorded: list,
                 op_args: Optional[list] = None):
        self.op_args = op_args  # positional arguments, tensors as TensorArg (ops only)
        self.args = args  # [(layer, node, index)]
        self.kw_tensors = kw_tensors  # name -> (layer, node, index)
        self.kwargs = kwargs
        self.recorded = recorded  # [((layer, node, index), shape)]

    def dependencies(self) -> list:
        return [t[:2] for t in self.args] + [t[:2] for t in self.kw_tensors.values()]

    def shift(self, shifts: dict) -> None:
        """Renumber references to nested models (see :func:`_nested_model_shifts`)."""
        if shifts:
            self.args = [_shifted(t, shifts) for t in self.args]
            self.kw_tensors = {k: _shifted(t, shifts) for k, t in self.kw_tensors.items()}
            self.recorded = [(_shifted(t, shifts), s) for t, s in self.recorded]


class _Builder:
    def __init__(self):
        self.calls: list = []
        self.recorded: dict = {}
        self.format = "keras3"

    # -- entry point for any model config ----------------------------------------------
    def expand(self, model: dict, prefix: str, input_refs: Optional[list], depth: int):
        if depth > MAX_NESTING:
            raise UnreadableModel(f"models nested more than {MAX_NESTING} deep")
        config = model.get("config")
        if model.get("class_name") == "Sequential" or isinstance(config, list):
            return self._expand_sequential(model, prefix, input_refs, depth)
        if not isinstance(config, dict) or not isinstance(config.get("layers"), list):
            raise UnreadableModel(f"model {layer_name(model, '?')!r} has no 'layers' list")
        return self._expand_functional(config, prefix, input_refs, depth)

    def _new_call(self, entry: dict, name: str, node: int, **fields) -> Call:
        config = entry.get("config")
        call = Call(id=len(self.calls), name=name, class_name=str(entry.get("class_name")),
                    config=config if isinstance(config, dict) else {}, node=node,
                    module=entry.get("module") if isinstance(entry.get("module"), str) else None,
                    registered_name=entry.get("registered_name")
                    if isinstance(entry.get("registered_name"), str) else None,
                    built_input=_built_input(entry), **fields)
        self.calls.append(call)
        for i, shape in enumerate(declared_outputs(entry)):
            self.recorded[TensorRef(call.id, i)] = shape
        return call

    # -- Sequential ---------------------------------------------------------------------
    def _expand_sequential(self, model: dict, prefix: str, input_refs: Optional[list], depth: int):
        config = model.get("config")
        layers = config.get("layers") if isinstance(config, dict) else config
        if not isinstance(layers, list):
            raise UnreadableModel("Sequential config has no 'layers' list")
        entries = [_check_entry(e, i) for i, e in enumerate(layers)]
        seq_name = layer_name(model, "sequential") if isinstance(config, dict) else "sequential"
        current: Optional[TensorRef] = input_refs[0] if input_refs else None
        model_inputs = []
        if entries and entries[0].get("class_name") == "InputLayer":
            first = entries.pop(0)
            current = self._input_call(first, _qualify(prefix, layer_name(first, "input_layer")),
                                       current)
            model_inputs.append(current)
        elif current is None:
            shape = _sequential_input_shape(config, entries)
            stub = {"class_name": "InputLayer", "config": {"batch_shape": shape}}
            first_name = layer_name(entries[0], "layer") if entries else seq_name
            current = self._input_call(stub, _qualify(prefix, f"{first_name}_input"), None)
            model_inputs.append(current)
        else:
            model_inputs.append(current)
        seen = set()
        for entry in entries:
            name = layer_name(entry, "layer")
            if name in seen:
                raise UnreadableModel(f"duplicate layer name {name!r} in Sequential {seq_name!r}")
            seen.add(name)
            qualified = _qualify(prefix, name)
            if is_model_entry(entry):
                current = self._nested_call(entry, qualified, 0, [current], depth)[0]
            else:
                current = TensorRef(self._new_call(entry, qualified, 0, args=[current]).id)
        return model_inputs, [current]

    def _input_call(self, entry: dict, name: str, bound: Optional[TensorRef]) -> TensorRef:
        call = self._new_call(entry, name, 0, args=[bound] if bound is not None else [],
                              declared_shape=declared_shape(_mapping(entry.get("config"))))
        return TensorRef(call.id)

    def _nested_call(self, entry: dict, qualified: str, node: int, args: list, depth: int) -> list:
        """Expand one call of a nested model; returns the refs of its outputs."""
        prefix = nested_call_name(qualified, node)
        _, inner_outputs = self.expand(entry, prefix, args, depth + 1)
        call = self._new_call(entry, qualified, node, args=list(args), aliases=inner_outputs)
        return [TensorRef(call.id, i) for i in range(len(inner_outputs))]

    # -- Functional ---------------------------------------------------------------------
    def _expand_functional(self, config: dict, prefix: str, input_refs: Optional[list], depth: int):
        entries = {}
        order = []
        for i, raw in enumerate(config["layers"]):
            entry = _check_entry(raw, i)
            name = layer_name(entry, f"layer_{i}")
            if name in entries:
                raise UnreadableModel(f"duplicate layer name {name!r} in model "
                                      f"{config.get('name', '?')!r}")
            entries[name] = entry
            order.append(name)
        nodes = {name: self._parse_nodes(entries[name], name) for name in order}

        declared_inputs = _ref_list(config.get("input_layers"), "input_layers")
        declared_outputs = _ref_list(config.get("output_layers"), "output_layers")
        node_shift, ref_shift = _nested_model_shifts(entries, nodes, declared_outputs)
        for node in (n for name in order for n in nodes[name]):
            node.shift(node_shift)
        declared_inputs = [_shifted(r, ref_shift) for r in declared_inputs]
        declared_outputs = [_shifted(r, ref_shift) for r in declared_outputs]
        for ref in declared_inputs + declared_outputs:
            if ref[0] not in entries:
                raise UnreadableModel(f"model {config.get('name', '?')!r} lists unknown layer "
                                      f"{ref[0]!r} as an input or output")
        if input_refs is not None and len(input_refs) != len(declared_inputs):
            raise UnreadableModel(
                f"nested model {config.get('name', '?')!r} has {len(declared_inputs)} inputs "
                f"but is called on {len(input_refs)} tensors")

        produced: dict = {}  # (layer name, node) -> list of TensorRef of its outputs
        bound_inputs = dict(zip((r[0] for r in declared_inputs), input_refs or []))
        for name in order:
            if entries[name].get("class_name") == "InputLayer":
                ref = self._input_call(entries[name], _qualify(prefix, name), bound_inputs.get(name))
                produced[(name, 0)] = [ref]

        for name, node_index in _topological(order, nodes, produced, entries):
            entry = entries[name]
            node = nodes[name][node_index]
            args = [self._resolve(produced, t, name) for t in node.args]
            kw = {k: self._resolve(produced, t, name) for k, t in node.kw_tensors.items()}
            for triple, shape in node.recorded:
                ref = self._resolve(produced, triple, name)
                self.recorded.setdefault(ref, shape)
            qualified = _qualify(prefix, name)
            if is_model_entry(entry):
                produced[(name, node_index)] = self._nested_call(
                    entry, qualified, node_index, args + list(kw.values()), depth)
            else:
                call = self._new_call(entry, qualified, node_index, args=args, kw_tensors=kw,
                                      kwargs=node.kwargs,
                                      op_args=node.op_args if is_op_entry(entry) else None)
                produced[(name, node_index)] = _OutputsOf(call.id)

        inputs = [self._resolve(produced, r, "input_layers") for r in declared_inputs]
        outputs = [self._resolve(produced, r, "output_layers") for r in declared_outputs]
        return inputs, outputs

    def _resolve(self, produced: dict, triple: tuple, where: str) -> TensorRef:
        layer, node, index = triple
        outs = produced.get((layer, node))
        if outs is None:
            raise UnreadableModel(f"layer {where!r} refers to node {node} of layer {layer!r}, "
                                  "which does not exist")
        if isinstance(outs, _OutputsOf):
            return TensorRef(outs.call, index)
        if not 0 <= index < len(outs):
            raise UnreadableModel(f"layer {where!r} refers to output {index} of {layer!r}, "
                                  f"which has {len(outs)} outputs")
        return outs[index]

    def _parse_nodes(self, entry: dict, name: str) -> list:
        raw_nodes = entry.get("inbound_nodes", [])
        if raw_nodes is None:
            return []
        if not isinstance(raw_nodes, list):
            raise UnreadableModel(f"layer {name!r}: inbound_nodes is not a list")
        parsed = []
        op = is_op_entry(entry)
        for raw in raw_nodes:
            if isinstance(raw, dict) and ("args" in raw or "kwargs" in raw):
                parsed.append(_parse_keras3_node(raw, name, op))
            elif isinstance(raw, list):
                self.format = "keras2"
                parsed.append(_parse_keras2_node(raw, name, op))
            else:
                raise UnreadableModel(f"layer {name!r}: an inbound node is neither a Keras 3 "
                                      "{args, kwargs} dict nor a tf.keras list")
        return parsed


class _OutputsOf:
    """Every output of a plain layer call (how many is known only after propagation)."""

    def __init__(self, call: int):
        self.call = call


def _mapping(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _check_entry(entry: Any, index: int) -> dict:
    if not isinstance(entry, dict) or not isinstance(entry.get("class_name"), str):
        raise UnreadableModel(f"layer #{index} is not a {{'class_name', 'config'}} mapping")
    if entry.get("config") is not None and not isinstance(entry.get("config"), (dict, list)):
        raise UnreadableModel(f"layer #{index} ({entry['class_name']}): config is not a mapping")
    return entry


def _topological(order: list, nodes: dict, produced: dict, entries: dict) -> list:
    """(layer, node) pairs so that every call comes after the calls it reads from.

    Ordered by depth (1 + the deepest call read from; a layer's node k also comes after
    its node k-1), then by position in the config: Kahn's algorithm, linear in the size
    of the graph.
    """
    position = {name: i for i, name in enumerate(order)}
    pending = [(name, k) for name in order for k in range(len(nodes[name]))
               if (name, k) not in produced]
    depth = dict.fromkeys(produced, 0)
    waiting: dict = {}  # key -> number of its dependencies not yet placed
    readers: dict = {}  # key -> keys that depend on it
    ready = []
    for key in pending:
        name, k = key
        deps = set()
        for dep in nodes[name][k].dependencies():
            if dep[0] not in entries:
                raise UnreadableModel(f"layer {name!r} refers to unknown layer {dep[0]!r}")
            deps.add(dep)
        if k > 0:
            deps.add((name, k - 1))
        deps.difference_update(produced)
        for dep in deps:
            readers.setdefault(dep, []).append(key)
        waiting[key] = len(deps)
        if not deps:
            ready.append(key)
    placed = []
    while ready:
        key = ready.pop()
        name, k = key
        depth[key] = 1 + max((depth.get(d, 0) for d in nodes[name][k].dependencies()),
                             default=0)
        if k > 0:
            depth[key] = max(depth[key], depth[(name, k - 1)] + 1)
        placed.append(key)
        for reader in readers.get(key, ()):
            waiting[reader] -= 1
            if waiting[reader] == 0:
                ready.append(reader)
    if len(placed) < len(pending):
        remaining = [key for key in pending if key not in depth]
        stuck, left = remaining[0], set(remaining)
        missing = next((d for d in nodes[stuck[0]][stuck[1]].dependencies()
                        if d not in depth and d not in left), None)
        if missing is not None:
            raise UnreadableModel(f"layer {stuck[0]!r} refers to node {missing[1]} of layer "
                                  f"{missing[0]!r}, which does not exist")
        raise UnreadableModel(f"cyclic inbound_nodes: layer {stuck[0]!r} depends on itself")
    placed.sort(key=lambda key: (depth[key], position[key[0]], key[1]))
    return placed


def _nested_model_shifts(entries: dict, nodes: dict, outputs: list) -> tuple:
    """What to subtract from node indices that refer to nested models, as two
    ``{model name: 1}``: for references in inbound nodes, for ``output_layers``.

    A model's node 0 is its own input-to-output link, which configs leave out, so
    references count its calls from 1: in tf.keras 2 and Keras 1 everywhere, for every
    nested model but a tf.keras 2 Sequential without an InputLayer (Keras 2.2-2.3 counted
    those from 1 too: seen when a reference goes one past its calls); in Keras 3 only in
    ``output_layers``, and only for Functional models (not Sequential).
    """
    list_nodes = any(isinstance(n, list) for e in entries.values()
                     if isinstance(e.get("inbound_nodes"), list) for n in e["inbound_nodes"])
    highest: dict = {}
    for triple in [d for ns in nodes.values() for n in ns for d in n.dependencies()] + outputs:
        highest[triple[0]] = max(highest.get(triple[0], 0), triple[1])
    node_shift, ref_shift = {}, {}
    for name, entry in entries.items():
        if not is_model_entry(entry):
            continue
        config = entry.get("config")
        sequential = entry.get("class_name") == "Sequential" or isinstance(config, list)
        if not list_nodes:
            if not sequential:
                ref_shift[name] = 1
            continue
        layers = config if isinstance(config, list) else _mapping(config).get("layers") or []
        first = layers[0] if layers and isinstance(layers[0], dict) else {}
        if (not sequential or isinstance(config, list) or first.get("class_name") == "InputLayer"
                or highest.get(name, 0) == len(nodes[name]) > 0):
            node_shift[name] = ref_shift[name] = 1
    return node_shift, ref_shift


def nested_call_shifts(config: dict) -> tuple:
    """:func:`_nested_model_shifts` of a Functional config, read on its own (the TF
    cross-check renumbers references as Keras 3 reads them); ``({}, {})`` when it nests
    no model."""
    entries = {layer_name(e, f"layer_{i}"): e for i, e in enumerate(config["layers"])}
    if not any(is_model_entry(e) for e in entries.values()):
        return {}, {}
    builder = _Builder()
    nodes = {name: builder._parse_nodes(e, name) for name, e in entries.items()}
    outputs = _ref_list(config.get("output_layers"), "output_layers")
    return _nested_model_shifts(entries, nodes, outputs)


def _shifted(triple: tuple, shifts: dict) -> tuple:
    if shifts.get(triple[0]) and triple[1] > 0:
        return (triple[0], triple[1] - shifts[triple[0]], *triple[2:])
    return triple


def _parse_keras3_node(raw: dict, layer: str, op: bool = False) -> _Node:
    args, recorded = [], []
    for value in _leaves(raw.get("args", [])):
        kt = _keras_tensor(value)
        if kt is not None:
            triple = _kt_history(kt, layer)
            args.append(triple)
            if is_shape(kt.get("shape")):
                recorded.append((triple, tuple(kt["shape"])))
    kw_tensors, kwargs = {}, {}
    raw_kwargs = raw.get("kwargs") or {}
    if not isinstance(raw_kwargs, dict):
        raise UnreadableModel(f"layer {layer!r}: inbound node kwargs is not a mapping")
    for key, value in raw_kwargs.items():
        tensors = [v for v in _leaves(value) if _keras_tensor(v) is not None]
        if not tensors:
            kwargs[key] = value
            continue
        for i, t in enumerate(tensors):
            kt = _keras_tensor(t)
            triple = _kt_history(kt, layer)
            kw_tensors[key if len(tensors) == 1 else f"{key}.{i}"] = triple
            if is_shape(kt.get("shape")):
                recorded.append((triple, tuple(kt["shape"])))
    op_args = None
    if op and isinstance(raw.get("args"), list):
        op_args = _placeheld(raw["args"], iter(range(len(args))))
    return _Node(args, kw_tensors, kwargs, recorded, op_args)


def _placeheld(value: Any, count) -> Any:
    """A Keras 3 node's ``args``, each tensor replaced by its :class:`TensorArg` (in the
    order :func:`_leaves` reads them)."""
    if _keras_tensor(value) is not None:
        return TensorArg(next(count))
    if isinstance(value, (list, tuple)):
        return [_placeheld(v, count) for v in value]
    if isinstance(value, dict) and "class_name" not in value:
        return {k: _placeheld(v, count) for k, v in value.items()}
    return value


def _kt_history(kt: dict, layer: str) -> tuple:
    history = kt.get("keras_history")
    triple = _history_triple(history)
    if triple is None:
        raise UnreadableModel(f"layer {layer!r}: a tensor argument has no valid keras_history")
    return triple


KERAS2_CONSTANT = "_CONSTANT_VALUE"


def _parse_keras2_node(raw: list, layer: str, op: bool = False) -> _Node:
    """A tf.keras 2 / Keras 1 node: a list of ``[layer, node, index(, kwargs)]`` entries.

    tf.keras 2 also writes a node as one bare entry (TFOpLambda, SlicingOpLambda), the
    entries nested as the call's first argument was (``tf.concat([a, b])``), and constants
    in that argument as ``["_CONSTANT_VALUE", -1, value, kwargs]``.
    """
    args, kw_tensors, kwargs = [], {}, {}
    for item in _keras2_entries(raw, layer):
        if item[0] == KERAS2_CONSTANT and len(item) >= 3:
            extra = item[3] if len(item) == 4 else {}
        else:
            triple = _history_triple(item)
            if triple is None:
                raise UnreadableModel(f"layer {layer!r}: inbound node entry {item!r:.80} is not "
                                      "[layer_name, node_index, tensor_index, kwargs]")
            args.append(triple)
            extra = item[3] if len(item) == 4 else {}
        if isinstance(extra, dict):
            for key, value in extra.items():
                ref = _history_triple(value)
                if ref is not None:
                    kw_tensors[key] = ref
                else:
                    kwargs[key] = value
    op_args = [_keras2_placeheld(raw, iter(range(len(args))))] if op else None
    return _Node(args, kw_tensors, kwargs, [], op_args)


def _keras2_placeheld(value: Any, count) -> Any:
    """The first argument of a tf.keras 2 op call (a node is that argument, its tensors
    written as entries, nested as it was), each tensor a :class:`TensorArg` and each
    ``_CONSTANT_VALUE`` its value."""
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], list):
        return _keras2_placeheld(value[0], count)  # the node around its one argument
    if isinstance(value, (list, tuple)) and value and isinstance(value[0], str):
        if value[0] == KERAS2_CONSTANT and len(value) >= 3:
            return value[2]
        return TensorArg(next(count))
    return [_keras2_placeheld(v, count) for v in value]


def _keras2_entries(value: Any, layer: str):
    """The ``[name, ...]`` entries of a tf.keras 2 node, however they are nested."""
    if isinstance(value, (list, tuple)) and value and isinstance(value[0], str):
        yield value
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _keras2_entries(v, layer)
    else:
        raise UnreadableModel(f"layer {layer!r}: inbound node entry {value!r:.80} is not "
                              "[layer_name, node_index, tensor_index, kwargs]")


def _leaves(value: Any):
    """Flatten lists/tuples (and dict values) into their leaves, in order."""
    if isinstance(value, (list, tuple)):
        for v in value:
            yield from _leaves(v)
    elif isinstance(value, dict) and _keras_tensor(value) is None and "class_name" not in value:
        for v in value.values():
            yield from _leaves(v)
    else:
        yield value


DECLARED_OUTPUTS = "declared_output_shapes"  # entry key: full output shapes a reader derived


def declared_outputs(entry: dict) -> list:
    """Output shapes (batch included) a layer entry declares, used like recorded shapes.

    A Lambda's (or a Keras 1 Merge's) ``output_shape`` given as data (batch excluded;
    one shape, or a list of shapes); never its function. Readers of older formats may set
    :data:`DECLARED_OUTPUTS` (e.g. the ``output_shape`` of a Keras 1 Deconvolution2D).
    """
    given = entry.get(DECLARED_OUTPUTS)
    if isinstance(given, list) and given and all(is_shape(s) for s in given):
        return [tuple(s) for s in given]
    if entry.get("class_name") not in ("Lambda", "Merge"):
        return []
    config = _mapping(entry.get("config"))
    if config.get("output_shape_type", "raw") != "raw":
        return []
    shape = _untuple(config.get("output_shape"))
    if is_shape(shape) and shape:
        return [(None, *shape)]
    if isinstance(shape, list) and shape and all(is_shape(_untuple(s)) for s in shape):
        return [(None, *_untuple(s)) for s in shape]
    return []


def _untuple(value: Any) -> Any:
    """A Keras 3 ``{"class_name": "__tuple__", "config": {"value": [...]}}`` as its list."""
    if isinstance(value, dict) and value.get("class_name") == "__tuple__":
        return _mapping(value.get("config")).get("value")
    return value


def _ref_list(value: Any, key: str) -> list:
    """``input_layers``/``output_layers`` in any nesting (single triple, list, dict)."""
    if value is None:
        return []
    triple = _history_triple(value)
    if triple is not None:
        return [triple]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        out = []
        for v in value:
            out.extend(_ref_list(v, key))
        return out
    raise UnreadableModel(f"{key} is not a list of [layer_name, node_index, tensor_index]")


def _sequential_input_shape(config: Any, entries: list) -> Optional[list]:
    if entries:
        declared = declared_shape(entries[0].get("config") or {})
        if declared is not None:
            return list(declared)
    if isinstance(config, dict) and is_shape(config.get("build_input_shape")):
        return config["build_input_shape"]
    return None


def _built_input(entry: dict) -> Optional[tuple]:
    """The input shape Keras 3 built the layer for (``build_config``), as data: a layer's
    weights are made for it. None when the file does not say, or says something else."""
    build = entry.get("build_config")
    shape = build.get("input_shape") if isinstance(build, dict) else None
    if isinstance(shape, list) and all(d is None or (isinstance(d, int) and not isinstance(d, bool))
                                       for d in shape):
        return tuple(shape)
    return None
