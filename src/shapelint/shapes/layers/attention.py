"""Attention layers: MultiHeadAttention, GroupedQueryAttention, Attention,
AdditiveAttention."""

from __future__ import annotations

from shapelint.shapes.layers._common import broadcast_shapes, format_shape, positive_int
from shapelint.shapes.registry import LayerCall, ShapeError, ShapeResult, shape_rule

_MISSING = object()


def _bind(call: LayerCall) -> tuple:
    """(query, value, key) shapes from positional and keyword tensor arguments.

    ``key`` defaults to ``value``. A missing query or value is an SL003 finding.
    """
    bound = dict(zip(("query", "value", "key"), call.inputs))
    for name in ("query", "value", "key"):
        if name in call.kw_inputs:
            if name in bound:
                raise ShapeError("SL003", f"{call.class_name}: {name} is given twice",
                                 f"pass {name} either positionally or as a keyword")
            bound[name] = call.kw_inputs[name]
    for name in ("query", "value"):
        if name not in bound:
            raise ShapeError("SL003", f"{call.class_name} is called without {name}",
                             "call it as layer(query, value)")
    value = bound["value"]
    key = bound.get("key", _MISSING)
    return bound["query"], value, value if key is _MISSING or key is None else key


def _same(a, b) -> bool:
    return a is None or b is None or a == b


def _unify(a, b):
    return a if a is not None else b


def _clash(call: LayerCall, what: str, fix: str):
    return ShapeError("SL002", f"{call.class_name}: {what}", fix)


def _check_value_key(call: LayerCall, value, key) -> None:
    """Keras: all dims of value and key but the last must be equal."""
    if value is None or key is None:
        return
    if len(value) != len(key) or not all(_same(a, b) for a, b in zip(value[:-1], key[:-1])):
        raise _clash(call, f"value {format_shape(value)} and key {format_shape(key)} must be "
                     "equal in every dim except the last",
                     "give key the same batch and sequence dims as value")


def _attention_axes(call: LayerCall, q_rank: int) -> tuple:
    """Attention axes as query dim indices (Keras normalizes them on the projected rank)."""
    axes = call.config.get("attention_axes")
    if axes is None:
        return tuple(range(1, q_rank - 1))
    if isinstance(axes, int):
        axes = (axes,)
    out = tuple(a if a >= 0 else q_rank + a for a in axes)
    for a in out:
        if not 1 <= a <= q_rank - 2:
            raise ShapeError(
                "SL003",
                f"{call.class_name}: attention_axes={tuple(axes)} must name the non-batch, "
                f"non-feature axes of the {q_rank}D query (1 to {q_rank - 2})",
                "leave attention_axes=None to attend over every sequence axis")
    return out


def _output_dims(call: LayerCall, query) -> tuple:
    shape = call.config.get("output_shape")
    if not shape:
        return (query[-1],)
    if isinstance(shape, int):
        return (shape,)
    return tuple(shape)


def _check_mask(call: LayerCall, scores: tuple, n_axes: int) -> None:
    """``attention_mask`` must broadcast to the scores (heads axis inserted by Keras)."""
    mask = call.kw_inputs.get("attention_mask")
    if mask is None:
        return
    mask = list(mask)
    ok = 2 * n_axes <= len(mask) <= len(scores)
    while ok and len(mask) < len(scores):
        mask.insert(len(mask) - 2 * n_axes, 1)
    if not ok or not all(m is None or m == 1 or _same(m, s) for m, s in zip(mask, scores)):
        raise _clash(call, f"attention_mask {format_shape(call.kw_inputs['attention_mask'])} does "
                     f"not broadcast to the attention scores {format_shape(scores)}",
                     "shape the mask (batch, query length, value length)")


@shape_rule("MultiHeadAttention")
def multi_head_attention(call: LayerCall) -> ShapeResult:
    heads = positive_int(call, "num_heads")
    positive_int(call, "key_dim")
    query, value, key = _bind(call)
    _check_value_key(call, value, key)
    scores_wanted = bool(call.kwargs.get("return_attention_scores"))
    if query is None:
        return ShapeResult((None, None) if scores_wanted else (None,))
    if len(query) < 3:
        raise ShapeError("SL003", f"MultiHeadAttention needs a query of at least 3 dims (batch, "
                         f"sequence, features), got {format_shape(query)}",
                         "add a sequence axis to the query")
    axes = _attention_axes(call, len(query))
    output = tuple(query[:-1]) + _output_dims(call, query)
    if key is not None:
        kv = f"value {format_shape(value)}" + ("" if key is value else f" / key {format_shape(key)}")
        if len(key) != len(query):
            raise _clash(call, f"query {format_shape(query)} and {kv} must have the same rank",
                         "give query and value the same rank")
        others = [i for i in range(len(query) - 1) if i not in axes]
        for i in others:
            if not _same(query[i], key[i]) or (value is not None and not _same(query[i], value[i])):
                raise _clash(call, f"query {format_shape(query)} and {kv} differ on axis {i}, "
                             "which is not an attention axis",
                             "give query and value the same batch (and non-attention) dims")
        batch = [_unify(query[i], key[i]) for i in others]
        keys = tuple(key[a] for a in axes)
    else:
        batch = [query[i] for i in range(len(query) - 1) if i not in axes]
        keys = (None,) * len(axes)
    scores = tuple(batch) + (heads,) + tuple(query[a] for a in axes) + keys
    _check_mask(call, scores, len(axes))
    return ShapeResult((output, scores) if scores_wanted else (output,))


@shape_rule("GroupedQueryAttention", "GroupQueryAttention")  # the class; what it saves as
def grouped_query_attention(call: LayerCall) -> ShapeResult:
    positive_int(call, "head_dim")
    q_heads = positive_int(call, "num_query_heads")
    kv_heads = positive_int(call, "num_key_value_heads")
    if q_heads % kv_heads:
        raise ShapeError("SL003", f"GroupedQueryAttention: num_query_heads={q_heads} is not "
                         f"divisible by num_key_value_heads={kv_heads}",
                         f"use a divisor of {q_heads} as num_key_value_heads")
    query, value, key = _bind(call)
    for name, shape in (("query", query), ("value", value), ("key", key)):
        if shape is not None and len(shape) != 3:
            raise ShapeError("SL003", f"GroupedQueryAttention needs a 3D {name} (batch, sequence, "
                             f"features), got {format_shape(shape)}",
                             f"reshape {name} to (batch, sequence, features)")
    _check_value_key(call, value, key)
    if query is not None and value is not None and not _same(query[-1], value[-1]):
        raise _clash(call, f"query {format_shape(query)} and value {format_shape(value)} must have "
                     "the same last dim", "project value to the query's feature size")
    scores_wanted = bool(call.kwargs.get("return_attention_scores"))
    if query is None:
        return ShapeResult((None, None) if scores_wanted else (None,))
    batch, length = query[0], None
    if key is not None:
        if not _same(query[0], key[0]) or (value is not None and not _same(query[0], value[0])):
            raise _clash(call, f"query {format_shape(query)} and value {format_shape(value)} have "
                         "different batch sizes", "feed query and value with the same batch size")
        batch, length = _unify(query[0], key[0]), key[1]
    scores = (batch, q_heads, query[1], length)
    _check_mask(call, scores, 1)
    return ShapeResult((query, scores) if scores_wanted else (query,))


def _matmul(call: LayerCall, a: tuple, b: tuple, what: str) -> tuple:
    """Numpy matmul of two shapes of rank >= 2."""
    if not _same(a[-1], b[-2]):
        raise _clash(call, f"{what}: {a[-1]} vs {b[-2]} in {format_shape(a)} @ {format_shape(b)}",
                     "make the query and key feature dims, and the key and value lengths, match")
    batch = broadcast_shapes(a[:-2], b[:-2])
    if batch is None:
        raise _clash(call, f"{what}: batch dims of {format_shape(a)} and {format_shape(b)} do not "
                     "broadcast", "feed query, value and key with the same batch size")
    return batch + (a[-2], b[-1])


@shape_rule("Attention", "AdditiveAttention")
def dot_attention(call: LayerCall) -> ShapeResult:
    inputs = call.inputs
    if not 2 <= len(inputs) <= 3:
        raise ShapeError("SL003", f"{call.class_name} takes a list [query, value] or [query, value,"
                         f" key], got {len(inputs)} tensor(s)", "call it on [query, value]")
    query, value = inputs[0], inputs[1]
    key = inputs[2] if len(inputs) == 3 else value
    for name, shape in (("query", query), ("value", value), ("key", key)):
        if shape is not None and len(shape) < 2:
            raise ShapeError("SL003", f"{call.class_name}: {name} {format_shape(shape)} needs at "
                             "least 2 dims", f"feed {name} as (batch, length, features)")
    scores_wanted = bool(call.kwargs.get("return_attention_scores"))
    if query is None or value is None or key is None:
        output = None
        if query is not None and value is not None:
            output = tuple(query[:-1]) + (value[-1],)
        return ShapeResult((output, None) if scores_wanted else (output,))
    scores = _scores(call, tuple(query), tuple(key))
    output = _matmul(call, scores, tuple(value), "scores @ value")
    return ShapeResult((output, scores) if scores_wanted else (output,))


def _scores(call: LayerCall, query: tuple, key: tuple) -> tuple:
    if call.class_name == "Attention" and call.config.get("score_mode", "dot") == "dot":
        return _matmul(call, query, key[:-2] + (key[-1], key[-2]), "query @ key^T")
    # concat / additive: tanh(query[..., :, None, :] + key[..., None, :, :]) summed over features
    summed = broadcast_shapes(query[:-1] + (1, query[-1]), key[:-2] + (1,) + key[-2:])
    if summed is not None and call.class_name == "AdditiveAttention" and call.config.get(
            "use_scale", True):
        summed = summed if broadcast_shapes(summed[-1:], query[-1:]) else None
    if summed is None:
        raise _clash(call, f"query {format_shape(query)} and key {format_shape(key)} do not "
                     "broadcast", "give query and key the same batch size and feature dim")
    return summed[:-1]
