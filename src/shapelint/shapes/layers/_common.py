"""Helpers shared by the layer shape functions: reading configs, checking ranks."""

from __future__ import annotations

from typing import Any, Optional

from shapelint.formatting import format_shape  # noqa: F401  (used by the layer modules)
from shapelint.shapes.registry import LayerCall, ShapeError, ShapeResult

CHANNELS_LAST = "channels_last"
CHANNELS_FIRST = "channels_first"
RANK_BY_SUFFIX = {"1D": 3, "2D": 4, "3D": 5}  # input rank (batch included) of a 1D/2D/3D layer


def int_tuple(call: LayerCall, key: str, n: int, default: Any = None, minimum: int = 1) -> tuple:
    """Config value ``key`` as a tuple of ``n`` ints (a single int is repeated).

    Anything else (wrong length, not an int, below ``minimum``) is an SL003 finding,
    since Keras would refuse the layer.
    """
    value = call.config.get(key, default)
    if value is None:
        raise ShapeError("SL003", f"{key} is missing", f"set {key}")
    if isinstance(value, bool):
        raise ShapeError("SL003", f"{key}={value!r} is not an integer", f"set {key} to an integer")
    if isinstance(value, int):
        value = (value,) * n
    if not isinstance(value, (list, tuple)) or len(value) != n:
        raise ShapeError("SL003", f"{key}={_show(value)} must be an int or a tuple of {n} ints",
                         f"set {key} to an int or {n} ints")
    out = []
    for v in value:
        if isinstance(v, bool) or not isinstance(v, int):
            raise ShapeError("SL003", f"{key}={_show(value)} holds a non-integer",
                             f"set {key} to integers")
        if v < minimum:
            raise ShapeError("SL003", f"{key}={_show(value)} must be ≥ {minimum}",
                             f"set {key} to values ≥ {minimum}")
        out.append(v)
    return tuple(out)


def positive_int(call: LayerCall, key: str, default: Any = None, config: Any = None,
                 owner: str = "") -> int:
    """Config value ``key`` (of ``config``, default the call's), which Keras requires to be
    a positive int; else SL003 naming ``owner`` (default the layer class)."""
    value = (call.config if config is None else config).get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ShapeError("SL003", f"{owner or call.class_name}: {key}={value!r} must be a "
                                  "positive integer", f"set {key} to a positive integer")
    return value


def data_format(call: LayerCall) -> str:
    """``channels_last`` (Keras's default) or ``channels_first``."""
    value = call.config.get("data_format") or CHANNELS_LAST
    if value not in (CHANNELS_LAST, CHANNELS_FIRST):
        raise ShapeError("SL003", f"data_format={value!r} is not 'channels_last' or 'channels_first'",
                         "use data_format='channels_last'")
    return value


def spatial_axes(rank: int, fmt: str) -> tuple:
    """Dimension indices of the spatial axes of a ``rank``-dim tensor (batch included)."""
    return tuple(range(1, rank - 1)) if fmt == CHANNELS_LAST else tuple(range(2, rank))


def channel_axis(rank: int, fmt: str) -> int:
    return rank - 1 if fmt == CHANNELS_LAST else 1


def require_rank(call: LayerCall, shape, rank: int) -> tuple:
    """``shape`` as a tuple, if it has exactly ``rank`` dims (batch included); else SL003."""
    if shape is None:
        return None
    if len(shape) != rank:
        raise ShapeError(
            "SL003",
            f"{call.class_name} expects a {rank}D input (batch included), got "
            f"{format_shape(shape)} ({len(shape)}D)",
            f"reshape the input to {rank} dims or use the {rank - 2}D variant of the layer"
            if rank >= 3 else f"reshape the input to {rank} dims",
        )
    return tuple(shape)


def single_input(call: LayerCall):
    if len(call.inputs) != 1:
        raise ShapeError("SL003", f"{call.class_name} takes one input, got {len(call.inputs)}",
                         "call the layer on a single tensor")
    return call.inputs[0]


def padding(call: LayerCall, allowed=("valid", "same")) -> str:
    value = call.config.get("padding", "valid")
    value = value.lower() if isinstance(value, str) else value
    if value not in allowed:
        raise ShapeError("SL003", f"padding={value!r} is not one of {', '.join(map(repr, allowed))}",
                         "use padding='same' or 'valid'")
    return value


def broadcast_shapes(a: tuple, b: tuple) -> Optional[tuple]:
    """NumPy broadcasting of two shapes; None when they clash. An unknown dim matches
    anything: it takes the other's size when that is > 1, else stays unknown."""
    rank = max(len(a), len(b))
    out = []
    for i, j in zip((1,) * (rank - len(a)) + tuple(a), (1,) * (rank - len(b)) + tuple(b)):
        if i is None or j is None:
            k = j if i is None else i
            out.append(None if k == 1 else k)
        elif i == 1 or j == 1 or i == j:
            out.append(j if i == 1 else i)
        else:
            return None
    return tuple(out)


def same(shape) -> ShapeResult:
    """Output shape equal to the input shape; positions kept."""
    return ShapeResult((shape,), spatial="keep")


def in_training(call: LayerCall) -> bool:
    """Whether the call runs in training mode: unless told ``training=False``, assume it can."""
    return call.kwargs.get("training") is not False


def image_input(call: LayerCall):
    """The image input (3D unbatched or 4D batched) and its data format."""
    shape = single_input(call)
    fmt = data_format(call)
    if shape is not None and len(shape) not in (3, 4):
        raise ShapeError("SL003", f"{call.class_name} expects images: a 4D (batch, height, width, "
                                  f"channels) input, got {format_shape(shape)} ({len(shape)}D)",
                         "feed 4D images (add a channel axis with Reshape if needed)")
    return shape, fmt


def _show(value) -> str:
    return repr(tuple(value)) if isinstance(value, list) else repr(value)
