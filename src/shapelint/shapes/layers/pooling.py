"""Pooling: Max/Average (1D/2D/3D), their Global and Adaptive variants."""

from __future__ import annotations

from shapelint.shapes import arithmetic as ar
from shapelint.shapes.layers._common import (
    CHANNELS_LAST, RANK_BY_SUFFIX, channel_axis, data_format, int_tuple, padding, require_rank,
    single_input, spatial_axes,
)
from shapelint.shapes.registry import LayerCall, ShapeError, ShapeResult, Window, shape_rule


def _rank(call: LayerCall) -> int:
    return RANK_BY_SUFFIX[call.class_name[-2:]]


def _input(call: LayerCall):
    """The rank-checked input and the rank the layer expects."""
    rank = _rank(call)
    return require_rank(call, single_input(call), rank), rank


@shape_rule("MaxPooling1D", "MaxPooling2D", "MaxPooling3D",
            "AveragePooling1D", "AveragePooling2D", "AveragePooling3D")
def pooling(call: LayerCall) -> ShapeResult:
    """A ``pool_size`` window moved by ``strides`` (default: ``pool_size``)."""
    shape, rank = _input(call)
    fmt = data_format(call)
    pad = padding(call)
    n = rank - 2
    pool = int_tuple(call, "pool_size", n)
    stride = pool if call.config.get("strides") is None else int_tuple(call, "strides", n)
    if shape is None:
        return ShapeResult(((None,) * rank,))
    axes = spatial_axes(rank, fmt)
    window = Window(
        axes=axes, kernel=pool, stride=stride, padding=pad,
        dropped=tuple(ar.dropped_rows(shape[a], k, s, pad) for a, k, s in zip(axes, pool, stride)),
    )
    out = list(shape)
    for a, k, s in zip(axes, pool, stride):
        out[a] = ar.conv_output_length(shape[a], k, s, pad)
    return ShapeResult((tuple(out),), spatial=window)


@shape_rule("GlobalMaxPooling1D", "GlobalMaxPooling2D", "GlobalMaxPooling3D",
            "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalAveragePooling3D")
def global_pooling(call: LayerCall) -> ShapeResult:
    """All spatial axes reduced: removed, or kept with length 1 (``keepdims``)."""
    shape, rank = _input(call)
    fmt = data_format(call)
    shape = shape or (None,) * rank
    batch, channels = shape[0], shape[channel_axis(rank, fmt)]
    if not call.config.get("keepdims", False):
        return ShapeResult(((batch, channels),), spatial="drop")
    ones = (1,) * (rank - 2)
    out = (batch, *ones, channels) if fmt == CHANNELS_LAST else (batch, channels, *ones)
    return ShapeResult((out,), spatial="drop")


@shape_rule("AdaptiveAveragePooling1D", "AdaptiveAveragePooling2D", "AdaptiveAveragePooling3D",
            "AdaptiveMaxPooling1D", "AdaptiveMaxPooling2D", "AdaptiveMaxPooling3D")
def adaptive_pooling(call: LayerCall) -> ShapeResult:
    """Spatial axes set to ``output_size`` whatever their input length."""
    # Keras picks the pooling by the input's rank, so on a wrong rank the layer may
    # even run, but not with the shape it declares: treat it as the error it is.
    shape, rank = _input(call)
    fmt = data_format(call)
    size = int_tuple(call, "output_size", rank - 2)
    shape = shape or (None,) * rank
    if "Max" in call.class_name:
        _check_tf_adaptive_max(call, shape[spatial_axes(rank, fmt)[-1]], size[-1])
    batch, channels = shape[0], shape[channel_axis(rank, fmt)]
    out = (batch, *size, channels) if fmt == CHANNELS_LAST else (batch, channels, *size)
    return ShapeResult((out,), spatial="drop")


def _check_tf_adaptive_max(call: LayerCall, n, out: int) -> None:
    """The TensorFlow backend max-pools the last spatial axis with a window of
    ``ceil(n/out) + 1`` rows (VALID); when that exceeds ``n`` (``out == 1`` or
    ``n == 1``) the process dies with a floating point exception."""
    if out == 1 or n == 1:
        raise ShapeError(
            "SL003",
            f"{call.class_name}: pooling an input width of {'None' if n is None else n} to "
            f"{out} crashes the TensorFlow backend (floating point exception): it max-pools "
            f"the last spatial axis with a window of ceil(width/{out}) + 1 = "
            f"{'?' if n is None else -(-n // out) + 1} rows, wider than the input",
            "use GlobalMaxPooling with keepdims=True for an output size of 1, or "
            "AdaptiveAveragePooling; an input width of 1 must be padded or not pooled",
        )
