"""Merge layers: Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, Dot.

Checked as TF *runs* them, which is stricter than Keras's symbolic build in places.
"""

from __future__ import annotations

from shapelint.shapes.layers._common import broadcast_shapes, format_shape
from shapelint.shapes.registry import LayerCall, ShapeError, ShapeResult, shape_rule

_ALIGN_FIX = ("make both branches the same size: crop or pad one branch (e.g. Cropping2D or "
              "ZeroPadding2D), or use input sizes that are multiples of the total stride so "
              "the branches come out equal")


def _need_inputs(call: LayerCall, count=None) -> tuple:
    shapes = tuple(call.inputs)
    if count is not None and len(shapes) != count:
        raise ShapeError("SL003",
                         f"{call.class_name} takes exactly {count} inputs, got {len(shapes)}",
                         f"call {call.class_name} on a list of {count} tensors")
    if not shapes:
        raise ShapeError("SL003", f"{call.class_name} takes a list of inputs, got none",
                         f"call {call.class_name} on a list of tensors")
    return shapes


def _check_batch(call: LayerCall, shapes) -> None:
    known = [s for s in shapes if s and s[0] is not None]
    for s in known[1:]:
        if s[0] != known[0][0]:
            raise ShapeError("SL002", f"{call.class_name}: {format_shape(known[0])} and "
                                      f"{format_shape(s)} have different batch sizes "
                                      f"({known[0][0]} vs {s[0]})",
                             "feed the branches batches of the same size")


def broadcast(call: LayerCall, a: tuple, b: tuple) -> tuple:
    """Keras's ``_compute_elemwise_op_output_shape`` on two full shapes (batch included)."""
    out = broadcast_shapes(a[1:], b[1:])
    if out is None:
        rank = max(len(a), len(b)) - 1
        dims = zip((1,) * (rank + 1 - len(a)) + a[1:], (1,) * (rank + 1 - len(b)) + b[1:])
        axis, i, j = next((axis, i, j) for axis, (i, j) in enumerate(dims, 1)
                          if None not in (i, j) and 1 not in (i, j) and i != j)
        raise ShapeError(
            "SL002",
            f"{call.class_name}: {format_shape(a)} and {format_shape(b)} differ on axis "
            f"{axis} ({i} vs {j}) and neither is 1, so they cannot be broadcast together",
            _ALIGN_FIX)
    return (a[0] if a[0] is not None else b[0], *out)


@shape_rule("Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum")
def elementwise(call: LayerCall) -> ShapeResult:
    shapes = _need_inputs(call, 2 if call.class_name == "Subtract" else None)
    if any(s is None for s in shapes):
        return ShapeResult((None,), spatial="keep")
    shapes = [tuple(s) for s in shapes]
    if any(len(s) == 0 for s in shapes):
        raise ShapeError("SL003", f"{call.class_name} inputs need a batch dim",
                         "merge tensors of rank ≥ 1")
    _check_batch(call, shapes)
    out = shapes[0]
    for s in shapes[1:]:
        out = broadcast(call, out, s)
    return ShapeResult((out,), spatial="keep")


def _fix_for_axis(rank: int, axis: int) -> str:
    if 1 <= axis < rank - 1:
        return _ALIGN_FIX
    return (f"make axis {axis} equal in every input (e.g. project the branches with a Dense/Conv "
            "to the same size), or concatenate on that axis instead")


@shape_rule("Concatenate")
def concatenate(call: LayerCall) -> ShapeResult:
    shapes = _need_inputs(call)
    axis = call.config.get("axis", -1)
    if isinstance(axis, bool) or not isinstance(axis, int):
        raise ShapeError("SL003", f"Concatenate axis={axis!r} is not an integer",
                         "set axis to an integer")
    known = [tuple(s) for s in shapes if s is not None]
    if not known:
        return ShapeResult((None,), spatial="keep")
    rank = len(known[0])
    for s in known[1:]:
        if len(s) != rank:
            raise ShapeError("SL002", f"Concatenate on axis {axis}: {format_shape(known[0])} is "
                                      f"{rank}D but {format_shape(s)} is {len(s)}D",
                             "give every input the same rank (e.g. Reshape the smaller one)")
    a = axis + rank if axis < 0 else axis
    if not 0 <= a < rank:
        raise ShapeError("SL003", f"Concatenate axis={axis} is out of range for {rank}D inputs "
                                  f"{format_shape(known[0])}", f"use an axis in [-{rank}, {rank})")
    out = list(known[0])
    for s in known[1:]:
        for i in range(rank):
            if i == a:
                continue
            if out[i] is None:
                out[i] = s[i]
            elif s[i] is not None and s[i] != out[i]:
                first = next(k for k in known if k[i] is not None)
                raise ShapeError("SL002", f"Concatenate on axis {axis}: {format_shape(first)} and "
                                          f"{format_shape(s)} differ on axis {i} ({first[i]} vs "
                                          f"{s[i]})", _fix_for_axis(rank, i))
    dims = [s[a] for s in known]
    out[a] = None if len(known) < len(shapes) or None in dims else sum(dims)
    # Positions survive a concat along batch or channels (last, or axis 1 of a channels_first
    # image); along a spatial/time axis the second input's positions are shifted.
    keep = a in (0, rank - 1) or (a == 1 and rank >= 4)
    return ShapeResult((tuple(out),), spatial="keep" if keep else "drop")


def _dot_axes(call: LayerCall, x: tuple, y: tuple) -> tuple:
    axes = call.config.get("axes")
    if isinstance(axes, int) and not isinstance(axes, bool):
        if axes < 0:  # Keras takes negative int axes modulo the rank (-5 on 3D is axis 1)
            return axes % len(x), axes % len(y)
        pair = (axes, axes)
    elif (isinstance(axes, (list, tuple)) and len(axes) == 2
          and all(isinstance(v, int) and not isinstance(v, bool) for v in axes)):
        pair = tuple(axes)
    else:
        raise ShapeError("SL003", f"Dot axes={axes!r} must be an int or a pair of ints",
                         "set axes to an int or (axis_of_x, axis_of_y)")
    out = []
    for v, s in zip(pair, (x, y)):
        if not -len(s) <= v < len(s):
            raise ShapeError("SL003", f"Dot axes={axes!r}: axis {v} is out of range for "
                                      f"{format_shape(s)}", "use axes inside both input ranks")
        out.append(v % len(s))
    return tuple(out)


@shape_rule("Dot")
def dot(call: LayerCall) -> ShapeResult:
    x, y = _need_inputs(call, 2)
    if x is None or y is None:
        return ShapeResult((None,), spatial="drop")
    x, y = tuple(x), tuple(y)
    if len(x) < 2 or len(y) < 2:
        raise ShapeError("SL003", f"Dot needs inputs of at least 2 dims, got {format_shape(x)} and "
                                  f"{format_shape(y)}", "add a feature axis to the inputs")
    _check_batch(call, (x, y))
    ax, ay = _dot_axes(call, x, y)
    if ax == 0 or ay == 0:
        raise ShapeError("SL003", f"Dot axes={call.config.get('axes')!r} include the batch axis 0",
                         "take the dot product over non-batch axes")
    if x[ax] is not None and y[ay] is not None and x[ax] != y[ay]:
        raise ShapeError("SL002", f"Dot with axes={call.config.get('axes')!r}: {format_shape(x)} "
                                  f"has {x[ax]} on axis {ax} but {format_shape(y)} has {y[ay]} "
                                  f"on axis {ay}",
                         "make the two dot axes the same size (project one input with a Dense), "
                         "or pick other axes")
    out = [*x[:ax], *x[ax + 1:], *(d for i, d in enumerate(y) if i not in (0, ay))]
    if len(out) == 1:
        out.append(1)
    if out[0] is None:
        out[0] = y[0]
    return ShapeResult((tuple(out),), spatial="drop")
