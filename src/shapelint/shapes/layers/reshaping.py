"""Reshaping: Cropping, ZeroPadding, UpSampling, Flatten, Reshape, Permute,
RepeatVector, and the image-size layers Resizing and CenterCrop."""

from __future__ import annotations

import functools
import math

from shapelint.shapes.layers._common import (
    CHANNELS_FIRST, CHANNELS_LAST, RANK_BY_SUFFIX, data_format, format_shape, int_tuple,
    positive_int, require_rank, single_input, spatial_axes,
)
from shapelint.shapes.registry import LayerCall, ShapeError, ShapeResult, Window, shape_rule

_NO_FORMAT = ("Cropping1D", "UpSampling1D")  # always axis 1: no data_format argument
# What keras.ops.image.resize accepts (Resizing; UpSampling2D unless "nearest").
_INTERPOLATIONS = ("bilinear", "nearest", "lanczos3", "lanczos5", "bicubic", "area")


def _rank(call: LayerCall) -> int:
    return RANK_BY_SUFFIX[call.class_name[-2:]]


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _pair(key: str, value) -> tuple:
    """``(before, after)`` from an int or two ints, all ≥ 0."""
    if _is_int(value):
        value = (value, value)
    if (not isinstance(value, (list, tuple)) or len(value) != 2
            or not all(_is_int(v) and v >= 0 for v in value)):
        raise ShapeError("SL003", f"{key}={value!r} must be an int ≥ 0 or two ints ≥ 0",
                         f"set {key} to (before, after) with non-negative ints")
    return tuple(value)


def _pairs(call: LayerCall, key: str, n: int, default) -> tuple:
    """One ``(before, after)`` pair per spatial axis, read as the Keras constructors do:
    an int, ``n`` ints (symmetric) or ``n`` pairs; for one axis, an int or a pair."""
    value = call.config.get(key, default)
    if n == 1:
        return (_pair(key, value),)
    if _is_int(value):
        return (_pair(key, value),) * n
    if not isinstance(value, (list, tuple)) or len(value) != n:
        raise ShapeError("SL003", f"{key}={value!r} must be an int or {n} (before, after) pairs",
                         f"give {key} one entry per spatial axis ({n})")
    return tuple(_pair(f"{key}[{i}]", v) for i, v in enumerate(value))


def _spatial_input(call: LayerCall):
    """Rank-checked input, its rank and its spatial axes."""
    rank = _rank(call)
    shape = require_rank(call, single_input(call), rank)
    fmt = CHANNELS_LAST if call.class_name in _NO_FORMAT else data_format(call)
    return shape, rank, spatial_axes(rank, fmt)


def _resize_axes(shape, axes, lengths) -> tuple:
    out = list(shape)
    for a, n in zip(axes, lengths):
        out[a] = n
    return tuple(out)


@shape_rule("Cropping1D", "Cropping2D", "Cropping3D")
def cropping(call: LayerCall) -> ShapeResult:
    """Removes ``before + after`` rows per axis; nothing left is an SL001 (length ≤ 0)."""
    shape, rank, axes = _spatial_input(call)
    default = {3: (1, 1), 4: ((0, 0), (0, 0)), 5: ((1, 1),) * 3}[rank]
    crops = _pairs(call, "cropping", rank - 2, default)
    reads = _shifted(axes, tuple(-c[0] for c in crops))
    if shape is None:
        return ShapeResult(((None,) * rank,), spatial="keep", reads=reads)
    lengths = [None if shape[a] is None else shape[a] - sum(c) for a, c in zip(axes, crops)]
    return ShapeResult((_resize_axes(shape, axes, lengths),), spatial="keep", reads=reads)


@shape_rule("ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D")
def zero_padding(call: LayerCall) -> ShapeResult:
    shape, rank, axes = _spatial_input(call)
    pads = _pairs(call, "padding", rank - 2, 1)
    reads = _shifted(axes, tuple(p[0] for p in pads))
    if shape is None:
        return ShapeResult(((None,) * rank,), spatial="keep", reads=reads)
    lengths = [None if shape[a] is None else shape[a] + sum(p) for a, p in zip(axes, pads)]
    return ShapeResult((_resize_axes(shape, axes, lengths),), spatial="keep", reads=reads)


@functools.lru_cache(maxsize=1024)  # the size sweep asks again at every input size
def _shifted(axes: tuple, before: tuple):
    """Output row o reads input row ``o − before`` (rows added before the first one, or
    removed when negative): a one-tap window with that offset, for the receptive field
    and jump. ``None`` when nothing moves: the field stays that of the input."""
    if not any(before):
        return None
    ones = (1,) * len(axes)
    return Window(axes=axes, kernel=ones, stride=ones, offset=before)


@shape_rule("UpSampling1D", "UpSampling2D", "UpSampling3D")
def upsampling(call: LayerCall) -> ShapeResult:
    """Each row repeated ``size`` times (or resized by that factor: same shape)."""
    shape, rank, axes = _spatial_input(call)
    if rank == 3:
        size = (positive_int(call, "size"),)
    else:
        size = int_tuple(call, "size", rank - 2)
    interpolation = call.config.get("interpolation", "nearest")
    if rank == 4 and (not isinstance(interpolation, str)
                      or interpolation.lower() not in _INTERPOLATIONS):
        raise ShapeError("SL003", f"interpolation={interpolation!r} is not one of "
                         f"{', '.join(_INTERPOLATIONS)}", "use interpolation='nearest'")
    window = Window(axes=axes, kernel=size, stride=size, transposed=True)  # o reads o // s
    reads = None
    if rank == 4 and interpolation.lower() == "bilinear":
        # half-pixel centres: o reads floor and ceil of (o + ½)/s − ½, the rows a 'same'
        # transposed window of kernel 2s − (s mod 2) gives it
        reads = Window(axes=axes, kernel=tuple(2 * s - s % 2 for s in size), stride=size,
                       padding="same", transposed=True)
    if shape is None:
        return ShapeResult(((None,) * rank,), spatial=window, reads=reads)
    lengths = [None if shape[a] is None else shape[a] * s for a, s in zip(axes, size)]
    return ShapeResult((_resize_axes(shape, axes, lengths),), spatial=window, reads=reads)


@shape_rule("Flatten")
def flatten(call: LayerCall) -> ShapeResult:
    """``(batch, product of the other dims)``; channels_first only changes the order."""
    data_format(call)
    shape = single_input(call)
    if shape is None:
        return ShapeResult(((None, None),), spatial="drop")
    if len(shape) < 1:
        raise ShapeError("SL003", "Flatten needs at least the batch dim, got a scalar",
                         "feed a batched tensor")
    rest = shape[1:]
    size = None if None in rest else math.prod(rest)
    return ShapeResult(((shape[0], size),), spatial="drop")


def _target_shape(call: LayerCall) -> tuple:
    """``target_shape`` checked as Keras checks it; ``None`` entries count as ``-1``."""
    target = call.config.get("target_shape")
    if not isinstance(target, (list, tuple)) or not all(
            d is None or (_is_int(d) and d >= -1) for d in target):
        raise ShapeError("SL003", f"target_shape={target!r} must be a tuple of ints ≥ 0 "
                         "with at most one -1", "fix target_shape")
    target = tuple(-1 if d is None else d for d in target)
    if target.count(-1) > 1:
        raise ShapeError("SL003", f"target_shape={target} has {target.count(-1)} unknown (-1) "
                         "dims: at most one is allowed", "replace all but one -1 by its size")
    known = math.prod(d for d in target if d != -1)
    if -1 in target and known == 0:
        raise ShapeError("SL003", f"target_shape={target} holds a 0 next to a -1: the -1 cannot "
                         "be inferred", "remove the 0 from target_shape")
    return target


@shape_rule("Reshape")
def reshape(call: LayerCall) -> ShapeResult:
    """``(batch, *target_shape)`` with the ``-1`` inferred when every input dim is known."""
    target = _target_shape(call)
    shape = single_input(call)
    if shape is None:
        return ShapeResult(((None, *(None if d == -1 else d for d in target)),), spatial="drop")
    if len(shape) < 1:
        raise ShapeError("SL003", "Reshape needs a batched input, got a scalar",
                         "feed a batched tensor")
    rest = shape[1:]
    known_in = math.prod(d for d in rest if d is not None)
    known_out = math.prod(d for d in target if d != -1)
    if None in rest:
        # Keras leaves -1 unknown. Only a fully given target can be checked: it must be
        # a multiple of the known part of the input, or no length of the unknown dims fits.
        if -1 not in target and known_in and known_out % known_in:
            raise ShapeError(
                "SL003",
                f"Reshape: each sample of {format_shape(shape)} holds a multiple of {known_in} "
                f"values, target_shape={target} needs {known_out}",
                f"use a target_shape whose size is a multiple of {known_in}, or put -1 in it")
        out = tuple(None if d == -1 else d for d in target)
        return ShapeResult(((shape[0], *out),), spatial="drop")
    size = math.prod(rest)
    if -1 in target:
        if size % known_out:
            raise ShapeError(
                "SL003",
                f"Reshape: each sample of {format_shape(shape)} holds {size} values, not divisible "
                f"by the {known_out} of target_shape={target} (without the -1)",
                f"use target_shape dims whose product divides {size}")
        target = tuple(size // known_out if d == -1 else d for d in target)
    elif known_out != size:
        raise ShapeError(
            "SL003",
            f"Reshape: each sample of {format_shape(shape)} holds {size} values, "
            f"target_shape={target} holds {known_out}",
            f"use a target_shape whose dims multiply to {size}, or put -1 in one of them")
    return ShapeResult(((shape[0], *target),), spatial="drop")


@shape_rule("Permute")
def permute(call: LayerCall) -> ShapeResult:
    """Non-batch axes reordered by ``dims`` (1-based)."""
    dims = call.config.get("dims")
    if (not isinstance(dims, (list, tuple)) or not all(_is_int(d) for d in dims)
            or sorted(dims) != list(range(1, len(dims) + 1))):
        raise ShapeError("SL003", f"dims={dims!r} must be a permutation of 1..{len(dims or ())}",
                         "list every non-batch axis once, counting from 1")
    shape = require_rank(call, single_input(call), len(dims) + 1)
    if shape is None:
        return ShapeResult(((None,) * (len(dims) + 1),), spatial="drop")
    return ShapeResult(((shape[0], *(shape[d] for d in dims)),), spatial="drop")


@shape_rule("RepeatVector")
def repeat_vector(call: LayerCall) -> ShapeResult:
    """``(batch, features)`` to ``(batch, n, features)``."""
    n = positive_int(call, "n")
    shape = require_rank(call, single_input(call), 2) or (None, None)
    return ShapeResult(((shape[0], n, shape[1]),), spatial="drop")


def _image_input(call: LayerCall):
    """Height, width, format and input of Resizing/CenterCrop (rank 4, or 3 = one image)."""
    height, width = positive_int(call, "height"), positive_int(call, "width")
    fmt = data_format(call)
    shape = single_input(call)
    if shape is not None and len(shape) not in (3, 4):
        raise ShapeError(
            "SL003",
            f"{call.class_name} expects a 4D batch of images (or one 3D image), got "
            f"{format_shape(shape)} ({len(shape)}D)",
            "feed (batch, height, width, channels) images")
    return height, width, fmt, shape


def _image_axes(shape, fmt) -> tuple:
    """Height and width axes: Keras reads a 3D input as one image without batch dim."""
    first = (1 if len(shape) == 4 else 0) + (fmt == CHANNELS_FIRST)
    return first, first + 1


@shape_rule("Resizing")
def resizing(call: LayerCall) -> ShapeResult:
    height, width, fmt, shape = _image_input(call)
    interpolation = call.config.get("interpolation", "bilinear")
    if interpolation not in _INTERPOLATIONS:
        raise ShapeError("SL003", f"interpolation={interpolation!r} is not one of "
                         f"{', '.join(_INTERPOLATIONS)}", "use interpolation='bilinear'")
    if call.config.get("crop_to_aspect_ratio") and call.config.get("pad_to_aspect_ratio"):
        raise ShapeError("SL003", "crop_to_aspect_ratio and pad_to_aspect_ratio are both True",
                         "set at most one of them")
    if shape is None:
        return ShapeResult((None,), spatial="drop")
    return ShapeResult((_resize_axes(shape, _image_axes(shape, fmt), (height, width)),),
                       spatial="drop")


@shape_rule("CenterCrop")
def center_crop(call: LayerCall) -> ShapeResult:
    """A centred ``height × width`` crop; a smaller input is resized up instead (no error)."""
    height, width, fmt, shape = _image_input(call)
    if shape is None:
        return ShapeResult((None,), spatial="drop")
    axes = _image_axes(shape, fmt)
    cropped = all(shape[a] is not None and shape[a] >= t for a, t in zip(axes, (height, width)))
    if not cropped:
        return ShapeResult((_resize_axes(shape, axes, (height, width)),), spatial="drop")
    reads = _shifted(axes, tuple(-((shape[a] - t) // 2) for a, t in zip(axes, (height, width))))
    return ShapeResult((_resize_axes(shape, axes, (height, width)),), spatial="keep",
                       reads=reads)
