"""Keras building a sanitized config, and every layer call's output shapes read off it.

The stand-in layer returns shapelint's predicted shape for each layer the sanitizer
replaced (or passes its input shape on, as a guess, when there is no prediction). The
model is built symbolically; the graph is then walked call by call, nested models on
their actual inputs, with shapelint's qualified names. Every use of Keras's private
API goes through :mod:`shapelint.crosscheck.keras_internals`.
"""

from __future__ import annotations

from typing import Any, Optional

from shapelint.crosscheck import keras_internals as internals
from shapelint.crosscheck.adapt import shapelint_name
from shapelint.crosscheck.sanitize import STAND_IN, qualify
from shapelint.loading.keys import is_shape, nested_call_name


class Build:
    """One model built by Keras from a sanitized config.

    ``guessed_names``: the stand-ins that had no predicted shape; shapes of the calls
    that depend on them are left out.
    """

    def __init__(self, keras, slots: list, predicted: dict):
        self.keras = keras
        self.slots = slots  # the sanitizer's: one per stand-in
        self.predicted = predicted
        self.guessed: dict = {}  # id -> tensor of every tensor derived from a guess
        self.guessed_names: list = []
        self.stand_in = _stand_in_class(keras, self)

    def model(self, config: dict) -> Any:
        """The model, built symbolically in safe mode; its variables are never allocated."""
        return internals.deserialize(self.keras, config, {STAND_IN: self.stand_in})

    def walker(self, out: dict) -> "_Walker":
        return _Walker(self.keras, self.stand_in, self.guessed, out)

    def shapes(self, model, out: dict) -> None:
        """Every call's output shapes into ``out``."""
        self.walker(out).walk(model, "", None)

    def partial(self, tb, out: dict) -> None:
        """Shapes of the calls the top Functional model made before Keras gave up on it."""
        layers = internals.created_layers(tb)
        if layers is None:
            return
        walker = self.walker(out)
        calls = [((shapelint_name(name), k), call) for name, op in layers.items()
                 for k, call in enumerate(internals.calls_of(op))]
        inputs = {id(call): walker.tensors(call.arguments()) for _, call in calls}
        fresh = (walker.stand_in, self.keras.Model)  # their outputs do not follow a guessed input
        for _ in range(len(calls)):  # taint flows in config order, which may not be topological
            before = len(walker.guessed)
            for _key, call in calls:
                if not isinstance(call.operation, fresh) and walker.tainted(inputs[id(call)]):
                    walker.guessed.update((id(t), t) for t in call.outputs)
            if len(walker.guessed) == before:
                break
        for key, call in calls:
            if isinstance(call.operation, self.keras.Model):
                walker.record(key, [], walker.walk(call.operation, nested_call_name(*key),
                                                   inputs[id(call)]))
            else:
                walker.record(key, [] if isinstance(call.operation, fresh) else inputs[id(call)],
                              list(call.outputs))


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


def _stand_in_class(keras, build: Build):
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
            slot = build.slots[self.slot]
            key = StandIn.current or (slot.names[0], internals.call_count(self))
            tensors = [t for t in keras.tree.flatten((args, kwargs))
                       if isinstance(t, keras.KerasTensor)]
            shapes = _lookup(build.predicted, key) or []
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
                    build.guessed[id(specs[-1])] = specs[-1]
                    if key[0] not in build.guessed_names:
                        build.guessed_names.append(key[0])
            return specs[0] if count == 1 else specs

    return StandIn


# -- walking the built graph -----------------------------------------------------------------

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
        graph = internals.functional_graph(model)
        tensors = {} if inputs is None else {id(x): y for x, y in zip(graph.inputs, inputs)}
        for call, index in internals.graph_calls(graph):
            op = call.operation
            key = (qualify(prefix, shapelint_name(op.name)), index)
            if inputs is None:  # the top model: Keras computed these when building it
                args = self.tensors(call.arguments())
                outputs = list(call.outputs)
                if isinstance(op, keras.Model):
                    outputs = self.walk(op, nested_call_name(*key), args)
                    if self.tainted(outputs):
                        self.guessed.update((id(t), t) for t in call.outputs)
            elif call.is_input:
                args = outputs = [tensors[id(call.outputs[0])]]
            else:
                call_args, call_kwargs = call.fill_in(tensors)
                args = self.tensors((call_args, call_kwargs))
                if isinstance(op, keras.Model):
                    outputs = self.walk(op, nested_call_name(*key), args)
                else:
                    outputs = keras.tree.flatten(self._spec(op, key, call_args, call_kwargs))
                for x, y in zip(call.outputs, outputs):
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

    def tensors(self, structure) -> list:
        return [t for t in self.keras.tree.flatten(structure) if isinstance(t, self.keras.KerasTensor)]

    def _spec(self, op, key: tuple, args, kwargs):
        if not isinstance(op, self.stand_in):
            return op.compute_output_spec(*args, **kwargs)
        self.stand_in.current = key
        try:
            return op.compute_output_spec(*args, **kwargs)
        finally:
            self.stand_in.current = None


def _shape(t) -> tuple:
    return tuple(None if d is None else int(d) for d in t.shape)
