"""SL201 (x cannot feed the inputs) and SL202 (y cannot meet the outputs under the loss).

The data are a :class:`shapelint.loading.data.DataSpec` (shapes with the batch dim
first), seen by the checks as ``trace.data``. Inputs and outputs are matched to x and y
as Keras does: a dict by layer name, a list by order, a single array to a single
input or output. Keras 3 lines up a missing or extra trailing axis of size 1 on both
sides (``_adjust_input_rank`` for inputs, ``squeeze_or_expand_to_same_rank`` in the
losses); anything else that differs is a finding.
"""

from __future__ import annotations

from typing import Optional

from shapelint.loading.data import Array
from shapelint.rules.loss import model_outputs


def _match(structure, names: list, what: str):
    """[(index, Array or None, problem or None)] pairing ``structure`` with ``names``."""
    if structure is None:
        return []
    if isinstance(structure, dict):
        unknown = sorted(set(structure) - set(names))
        pairs = []
        for i, name in enumerate(names):
            if name in structure:
                value = structure[name]
                pairs.append((i, value if isinstance(value, Array) else None, None))
            else:
                pairs.append((i, None, f"{what} has no entry for {name!r} (its keys: "
                                       f"{', '.join(map(repr, structure)) or 'none'}"
                                       f"{'; unknown: ' + ', '.join(unknown) if unknown else ''})"))
        return pairs
    items = structure if isinstance(structure, list) else [structure]
    if len(items) != len(names):
        return [(0, None, f"{what} holds {len(items)} array(s) for the model's "
                          f"{len(names)} ({', '.join(names)})")]
    return [(i, a if isinstance(a, Array) else None, None) for i, a in enumerate(items)]


def format_shape(shape) -> str:
    """``(None, 28, 28, 3)``; ``(None,)`` for one dim, as numpy and Keras print it."""
    text = ", ".join("None" if d is None else str(d) for d in shape)
    return f"({text},)" if len(shape) == 1 else f"({text})"


def _input_layers(trace) -> list:
    return [trace.layers[ref.call] for ref in trace.model.inputs]


def _declared(t) -> Optional[tuple]:
    shape = t.call.declared_shape
    return tuple(shape) if shape is not None else (t.output_shapes[0] if t.output_shapes else None)


def _aligned_input(data: tuple, declared: tuple):
    """(data shape as the input will see it, note) after Keras 3's rank adjustment, or
    (None, None) when the ranks cannot be lined up."""
    if len(data) == len(declared):
        return data, None
    if len(data) == len(declared) - 1 and declared[-1] == 1:
        return (*data, 1), "lacks the trailing axis of size 1"
    if len(data) == len(declared) + 1 and data[-1] == 1:
        return data[:-1], "has an extra trailing axis of size 1"
    return None, None


def _differ(a: tuple, b: tuple) -> list:
    """Axes (batch excluded) where both shapes know the size and it differs."""
    return [i for i in range(1, len(a)) if a[i] is not None and b[i] is not None and a[i] != b[i]]


def data_input_mismatch(graph, params: dict):
    data = getattr(graph.trace, "data", None)
    if data is None or data.x is None:
        return
    inputs = _input_layers(graph.trace)
    for index, array, problem in _match(data.x, [t.name for t in inputs], "x"):
        t = inputs[index]
        declared = _declared(t)
        if problem is not None:
            yield t, _fields("error", problem, "feed x as fit expects it: one array per "
                             "model input, in order, or a dict keyed by the input names",
                             None, declared)
        elif array is not None and declared is not None:
            found = _input_problem(array.shape, declared)
            if found is not None:
                yield t, _fields(*found, array.shape, declared)


def _input_problem(shape: tuple, declared: tuple):
    keras_says = (f"expected shape={format_shape(declared)}, found shape={format_shape(shape)}")
    aligned, note = _aligned_input(shape, declared)
    if aligned is None:
        return ("error", f"x has rank {len(shape)} where the input takes rank {len(declared)}: "
                         f"{keras_says}",
                f"reshape x to {format_shape(declared)} (e.g. add or drop an axis), or "
                "declare the input for the data's shape")
    axes = _differ(aligned, declared)
    if axes:
        last = len(declared) - 1
        parts = [(f"{aligned[a]} channels where the input takes {declared[a]}" if a == last
                  and len(declared) >= 3 else f"{aligned[a]} on axis {a} where the input "
                                              f"takes {declared[a]}") for a in axes]
        return ("error", f"{'; '.join(parts)}: {keras_says}",
                "resize, crop or convert the data to the input's shape, or declare the "
                "input with the data's sizes (None for sizes that vary)")
    if note is not None:
        return ("info", f"x {note} that the input declares ({keras_says}); Keras 3 adds or "
                        "drops that axis by itself, older Keras refused the data",
                f"reshape x to {format_shape(declared)} to match the input exactly")
    return None


def data_input_shapes(spec, data) -> Optional[list]:
    """The model's input shapes (batch excluded) with every size the declared shape
    leaves open taken from the data, where x can feed that input; None when the data
    fix no size the model leaves open."""
    if data is None or data.x is None:
        return None
    names = [spec.calls[ref.call].name for ref in spec.inputs]
    refined = False
    shapes = []
    pairs = {i: a for i, a, problem in _match(data.x, names, "x") if problem is None}
    for i, ref in enumerate(spec.inputs):
        declared = spec.calls[ref.call].declared_shape
        array = pairs.get(i)
        if declared is None:
            return None
        declared = tuple(declared)
        shape = declared
        if array is not None:
            aligned, _ = _aligned_input(array.shape, declared)
            if aligned is not None and not _differ(aligned, declared):
                shape = tuple(d if d is not None else a for d, a in zip(declared, aligned))
                refined |= shape != declared
        shapes.append(shape[1:])
    return shapes if refined else None


def target_output_mismatch(graph, params: dict):
    data = getattr(graph.trace, "data", None)
    if data is None or data.y is None:
        return
    outputs = model_outputs(graph)
    if any(f.get("severity") == "error" for _, f in data_input_mismatch(graph, params)):
        return  # x cannot feed the model: the outputs' shapes say nothing about y
    for index, array, problem in _match(data.y, [t.name for t, _, _ in outputs], "y"):
        t, shape, loss = outputs[index]
        if t.call.id in graph.after_error:
            continue
        if problem is not None:
            yield t, _fields("error", problem, "pass one target per model output, in "
                             "order, or a dict keyed by the output layer names", None, shape)
        elif array is not None and loss is not None and shape is not None:
            found = _target_problem(array, shape, loss)
            if found is not None:
                yield t, _fields(*found, array.shape, shape)


def _target_problem(y: Array, out: tuple, loss):
    name = loss.text
    ys, units = y.shape, out[-1] if out else None
    if loss.family == "categorical":
        if (len(ys) == len(out) and not _differ(ys, out)) or units == 1:
            return None  # one unit: SL203 says what is wrong with the loss
        if len(ys) == len(out) - 1 or (len(ys) == len(out) and ys[-1] == 1 and units != 1):
            return ("error", f"y {format_shape(ys)} holds one class index per sample, but "
                             f"{name} needs one-hot rows like the output {format_shape(out)}",
                    f"loss='sparse_categorical_crossentropy' for integer labels, or y = "
                    f"keras.utils.to_categorical(y, {units})")
        if len(ys) == len(out) and _differ(ys, out) == [len(out) - 1]:
            return ("error", f"y has {ys[-1]} classes per row but the output has {units} "
                             f"units: {name} needs y {format_shape(out)}",
                    f"one output unit per class: Dense({ys[-1]}, activation='softmax')")
        return ("error", f"{name} needs y shaped like the output {format_shape(out)}, got y "
                         f"{format_shape(ys)}", _reshape_fix(out))
    if loss.family == "sparse":
        expected = out[:-1]
        if (len(ys) == len(expected) and not _differ(ys, expected)) or (
                len(ys) == len(out) and ys[-1] == 1 and not _differ(ys[:-1], expected)):
            high = y.max
            if high is not None and isinstance(units, int) and (high >= units or (y.min or 0) < 0):
                return ("error", f"labels go up to {_number(high)} but the output has "
                                 f"{units} unit(s), classes 0..{units - 1}: Keras fails with "
                                 "'Received a label value … outside the valid range'",
                        f"one output unit per class (Dense({int(high) + 1})) or labels "
                        f"0..{units - 1}; for numbers: a linear output with mean_squared_error")
            return None
        if len(ys) == len(out) and ys[-1] == units:
            return ("error", f"y {format_shape(ys)} looks one-hot ({units} columns), but "
                             f"{name} takes one class index per sample "
                             f"{format_shape((*expected, 1))}",
                    "loss='categorical_crossentropy' for one-hot y, or y = y.argmax(axis=-1)")
        return ("error", f"{name} needs y {format_shape(expected)} or "
                         f"{format_shape((*expected, 1))} (one class index per sample) for "
                         f"the output {format_shape(out)}, got y {format_shape(ys)}",
                "y of one integer class index per sample")
    a, b = _squeeze_or_expand(ys, out)
    if len(a) != len(b) or _differ(a, b):
        silent = _broadcasts(a, b)
        happens = ("Keras broadcasts them against each other without an error and trains "
                   "on the wrong numbers" if silent else "Keras fails when it compares them")
        return ("error", f"{name} compares y {format_shape(ys)} with the output "
                         f"{format_shape(out)} element by element: {happens}",
                _reshape_fix(out))
    if loss.family == "binary" and y.max is not None and (y.max > 1 or (y.min or 0) < 0):
        return ("error", f"labels go up to {_number(y.max)}, but {name} takes labels in "
                         "[0, 1]: one unit can only say yes or no",
                f"for {int(y.max) + 1} classes: Dense({int(y.max) + 1}, activation='softmax') "
                "with sparse_categorical_crossentropy")
    return None


def _reshape_fix(out: tuple) -> str:
    return (f"make y {format_shape(out)}, or change the output layer to give y's shape")


def _squeeze_or_expand(a: tuple, b: tuple) -> tuple:
    """Keras 3's ``squeeze_or_expand_to_same_rank`` on two shapes."""
    if len(a) == len(b) + 1 and a and a[-1] == 1:
        return (a, (*b, 1)) if len(b) == 1 else (a[:-1], b)
    if len(b) == len(a) + 1 and b and b[-1] == 1:
        return ((*a, 1), b) if len(a) == 1 else (a, b[:-1])
    return a, b


def _broadcasts(a: tuple, b: tuple) -> bool:
    for x, y in zip(reversed(a), reversed(b)):
        if x is not None and y is not None and x != y and 1 not in (x, y):
            return False
    return True


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _fields(severity: str, problem: str, remedy: str, data_shape, model_shape) -> dict:
    return {"severity": severity, "problem": problem, "remedy": remedy,
            "data_shape": format_shape(data_shape) if data_shape is not None else "?",
            "model_shape": format_shape(model_shape) if model_shape is not None else "?"}


def data_size_text(shapes: list) -> str:
    """The data's sizes in words for a message: ``28×28`` for images, else the shape."""
    texts = []
    for shape in shapes:
        dims = shape[:-1] if len(shape) >= 3 else shape
        texts.append("×".join("?" if d is None else str(d) for d in dims))
    return ", ".join(texts)


__all__ = ["data_input_mismatch", "data_input_shapes", "data_size_text",
           "target_output_mismatch"]
