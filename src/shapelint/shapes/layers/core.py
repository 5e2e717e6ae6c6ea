"""Core layers: Dense, EinsumDense, Embedding, ReversibleEmbedding, Identity, Masking.

``InputLayer`` is handled by the engine itself.
"""

from __future__ import annotations

import re

from shapelint.shapes.layers._common import format_shape, positive_int, same, single_input
from shapelint.shapes.registry import LayerCall, ShapeError, ShapeResult, shape_rule


@shape_rule("Dense")
def dense(call: LayerCall) -> ShapeResult:
    shape = single_input(call)
    units = positive_int(call, "units")
    if shape is None:
        return ShapeResult((None,))
    if len(shape) < 2:
        raise ShapeError("SL003", f"Dense expects an input of at least 2 dims (batch included), "
                                  f"got {format_shape(shape)}",
                         "add a feature axis before the Dense layer (e.g. Reshape((1,)))")
    return ShapeResult(((*shape[:-1], units),), spatial="keep")


# ---------------------------------------------------------------- EinsumDense

_EINSUM_FORMS = (  # (regex on the equation with "..." replaced by "0", where the ellipsis is)
    (r"([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)", None),
    (r"0([a-zA-Z]+),([a-zA-Z]+)->0([a-zA-Z]+)", "left"),
    (r"([a-zA-Z]{2,})0,([a-zA-Z]+)->([a-zA-Z]+)0", "right"),
)


def _einsum_error(message: str, fix: str = "check the equation against the input rank and "
                                            "output_shape") -> ShapeError:
    return ShapeError("SL003", f"EinsumDense: {message}", fix)


def _parse_einsum(equation):
    if not isinstance(equation, str):
        raise _einsum_error(f"equation={equation!r} is not a string", "set equation")
    replaced = equation.replace("...", "0")
    for pattern, ellipsis in _EINSUM_FORMS:
        match = re.match(pattern, replaced)
        if match:
            return match.group(1), match.group(2), match.group(3), ellipsis
    raise _einsum_error(f"equation {equation!r} is not of the form X,Y->Z, ...X,Y->...Z or "
                        "X...,Y->Z...", "write the equation as 'ab,bc->ac' or '...b,bc->...c'")


@shape_rule("EinsumDense")
def einsum_dense(call: LayerCall) -> ShapeResult:
    """Kernel shape as Keras's ``_analyze_einsum_string`` derives it, then the einsum itself.

    The output is what ``einsum(equation, input, kernel)`` gives, which differs from
    Keras's own ``compute_output_shape`` where ``output_shape`` has ``None`` entries.
    """
    shape = single_input(call)
    in_spec, w_spec, out_spec, ellipsis = _parse_einsum(call.config.get("equation"))
    partial = call.config.get("output_shape")
    if partial is None:
        raise _einsum_error("output_shape is missing", "set output_shape")
    partial = [partial] if isinstance(partial, int) else list(partial)
    if shape is None:
        return ShapeResult((None,))
    shape = tuple(shape)
    rank = len(shape)
    elided = rank - len(in_spec)
    if elided < 0 or (elided > 0 and ellipsis is None):
        raise _einsum_error(
            f"the input {format_shape(shape)} has {rank} dims but the equation's input "
            f"'{in_spec}' names {len(in_spec)}",
            f"feed a {len(in_spec)}D input or use '...' in the equation")
    # Keras's "full output shape": batch dim, then output_shape (elided dims inserted).
    full = [shape[0], *partial]
    if ellipsis == "left":
        in_map = {c: i + elided for i, c in enumerate(in_spec)}
        out_map = {c: i + elided for i, c in enumerate(out_spec)}
        full[1:1] = shape[1:elided]
    else:
        in_map = {c: i for i, c in enumerate(in_spec)}
        out_map = {c: i for i, c in enumerate(out_spec)}
        if ellipsis == "right":
            full.extend(shape[rank - elided:])

    def full_at(c):
        if out_map[c] >= len(full):
            raise _einsum_error(
                f"output_shape={tuple(partial)} is too short for the output '{out_spec}' "
                f"of equation {call.config.get('equation')!r}",
                f"give output_shape {len(out_spec) - 1} entries (the batch dim excluded)")
        return full[out_map[c]]

    for c in in_spec:
        if c in out_map:
            want, have = full_at(c), shape[in_map[c]]
            if want is not None and have is not None and want != have:
                raise _einsum_error(
                    f"output_shape puts {want} on '{c}', but the input {format_shape(shape)} "
                    f"has {have} there", f"set that output_shape entry to {have} or None")
    for c in out_spec:
        if c not in in_spec and c not in w_spec:
            raise _einsum_error(f"output dim '{c}' appears in neither the input nor the kernel",
                                "every output letter must be in the input or kernel spec")
    kernel = {}
    for c in w_spec:
        if c in out_map:
            kernel[c] = full_at(c)
            if kernel[c] is None:
                raise _einsum_error(f"the kernel dim '{c}' has no size: output_shape leaves it "
                                    "None",
                                    f"give output_shape a size for '{c}'")
        elif c in in_map:
            kernel[c] = shape[in_map[c]]
        else:
            raise _einsum_error(f"kernel dim '{c}' is in neither the input nor the output",
                                "every kernel letter must be in the input or output spec")
    out = [shape[in_map[c]] if c in in_map else kernel[c] for c in out_spec]
    if ellipsis == "left":
        out = [*shape[:elided], *out]
    elif ellipsis == "right":
        out = [*out, *shape[rank - elided:]]
    return ShapeResult((tuple(out),))


# ------------------------------------------------------------------ Embedding

@shape_rule("Embedding")
def embedding(call: LayerCall) -> ShapeResult:
    shape = single_input(call)
    positive_int(call, "input_dim")
    dim = positive_int(call, "output_dim")
    if shape is None:
        return ShapeResult((None,))
    return ShapeResult(((*shape, dim),))


@shape_rule("ReversibleEmbedding")
def reversible_embedding(call: LayerCall) -> ShapeResult:
    """Forward like Embedding; ``reverse=True`` projects ``(..., output_dim)`` to ``input_dim``."""
    if not call.kwargs.get("reverse"):
        return embedding(call)
    shape = single_input(call)
    vocab = positive_int(call, "input_dim")
    dim = positive_int(call, "output_dim")
    if shape is None:
        return ShapeResult((None,))
    if len(shape) < 2:
        raise ShapeError("SL003", f"ReversibleEmbedding(reverse=True) expects at least 2 dims, got "
                                  f"{format_shape(shape)}", "feed (batch, ..., output_dim)")
    if shape[-1] is not None and shape[-1] != dim:
        raise ShapeError("SL003", f"ReversibleEmbedding(reverse=True) needs a last dim of "
                                  f"output_dim={dim}, got {format_shape(shape)}",
                         f"project the input to {dim} features before the reverse call")
    return ShapeResult(((*shape[:-1], vocab),), spatial="keep")


# ----------------------------------------------------------- Identity, Masking

@shape_rule("Identity")
def identity(call: LayerCall) -> ShapeResult:
    return ShapeResult(tuple(call.inputs), spatial="keep")


@shape_rule("Masking")
def masking(call: LayerCall) -> ShapeResult:
    return same(single_input(call))
