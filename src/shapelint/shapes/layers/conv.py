"""Convolutions: Conv, SeparableConv, DepthwiseConv, ConvTranspose (1D/2D/3D)."""

from __future__ import annotations

import dataclasses

from shapelint.shapes import arithmetic as ar
from shapelint.shapes.layers._common import (
    RANK_BY_SUFFIX, channel_axis, data_format, int_tuple, padding, positive_int, require_rank,
    single_input, spatial_axes,
)
from shapelint.shapes.registry import LayerCall, ShapeError, ShapeResult, Window, shape_rule


def _rank(call: LayerCall) -> int:
    for suffix, rank in RANK_BY_SUFFIX.items():
        if suffix in call.class_name:
            return rank
    raise ShapeError("SL003", f"cannot tell the rank of {call.class_name}")


def conv_window(call: LayerCall, shape: tuple, fmt: str, pad: str, transposed: bool = False,
                strided_dilation: bool = False):
    """Kernel/stride/dilation of a conv-like layer, checked as Keras checks them.

    ``strided_dilation``: the layer accepts stride > 1 together with dilation > 1
    (depthwise and separable convs do; Conv and ConvTranspose refuse it).
    """
    n_spatial = len(shape) - 2
    kernel = int_tuple(call, "kernel_size", n_spatial)
    stride = int_tuple(call, "strides", n_spatial, default=1)
    dilation = int_tuple(call, "dilation_rate", n_spatial, default=1)
    if not strided_dilation and max(stride) > 1 and max(dilation) > 1:
        raise ShapeError(
            "SL003",
            f"strides={stride} together with dilation_rate={dilation}: Keras rejects stride > 1 "
            "with dilation > 1",
            "use strides=1 with the dilation, or dilation_rate=1 with the stride",
        )
    axes = spatial_axes(len(shape), fmt)
    eff = tuple(ar.effective_kernel(k, d) for k, d in zip(kernel, dilation))
    dropped = () if transposed else tuple(
        ar.dropped_rows(shape[a], k, s, pad, d) for a, k, s, d in zip(axes, kernel, stride, dilation))
    window = Window(axes=axes, kernel=eff, stride=stride, padding=pad, transposed=transposed,
                    dropped=dropped, dilation=dilation)
    return kernel, stride, dilation, window


def _spatial_out(shape, axes, kernel, stride, pad, dilation):
    return [ar.conv_output_length(shape[a], k, s, pad, d)
            for a, k, s, d in zip(axes, kernel, stride, dilation)]


def _assemble(shape, fmt, spatial_out, channels) -> tuple:
    if fmt == "channels_last":
        return (shape[0], *spatial_out, channels)
    return (shape[0], channels, *spatial_out)


def _in_channels(shape, fmt):
    return shape[channel_axis(len(shape), fmt)]


@shape_rule("Conv1D", "Conv2D", "Conv3D")
def conv(call: LayerCall) -> ShapeResult:
    rank = _rank(call)
    shape = require_rank(call, single_input(call), rank)
    fmt = data_format(call)
    pad = padding(call, ("valid", "same", "causal") if rank == 3 else ("valid", "same"))
    filters = positive_int(call, "filters")
    groups = 1 if call.config.get("groups") is None else positive_int(call, "groups")
    if filters % groups:
        raise ShapeError("SL003", f"filters={filters} is not divisible by groups={groups}",
                         f"use a multiple of {groups} filters")
    if shape is None:
        return ShapeResult((None,))
    kernel, stride, dilation, window = conv_window(call, shape, fmt, pad)
    channels_in = _in_channels(shape, fmt)
    if channels_in is not None and channels_in % groups:
        raise ShapeError("SL003", f"{channels_in} input channels are not divisible by groups={groups}",
                         f"feed a multiple of {groups} channels or change groups")
    out = _spatial_out(shape, window.axes, kernel, stride, pad, dilation)
    return ShapeResult((_assemble(shape, fmt, out, filters),), spatial=window)


@shape_rule("DepthwiseConv1D", "DepthwiseConv2D", "SeparableConv1D", "SeparableConv2D")
def depthwise_conv(call: LayerCall) -> ShapeResult:
    """Depthwise: ``depth_multiplier`` maps per input channel; separable: then a 1×1 conv
    to ``filters``. Keras allows "causal" padding for Conv1D only."""
    rank = _rank(call)
    shape = require_rank(call, single_input(call), rank)
    fmt = data_format(call)
    pad = padding(call)
    multiplier = positive_int(call, "depth_multiplier", 1)
    filters = positive_int(call, "filters") if call.class_name.startswith("Separable") else None
    if shape is None:
        return ShapeResult((None,))
    kernel, stride, dilation, window = conv_window(call, shape, fmt, pad, strided_dilation=True)
    channels_in = _in_channels(shape, fmt)
    channels = filters or (None if channels_in is None else channels_in * multiplier)
    out = _spatial_out(shape, window.axes, kernel, stride, pad, dilation)
    return ShapeResult((_assemble(shape, fmt, out, channels),), spatial=window)


@shape_rule("Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose")
def conv_transpose(call: LayerCall) -> ShapeResult:
    rank = _rank(call)
    shape = require_rank(call, single_input(call), rank)
    fmt = data_format(call)
    pad = padding(call)
    filters = positive_int(call, "filters")
    if shape is None:
        return ShapeResult((None,))
    kernel, stride, dilation, window = conv_window(call, shape, fmt, pad, transposed=True)
    output_padding = call.config.get("output_padding")
    if output_padding is not None:
        output_padding = int_tuple(call, "output_padding", len(kernel), minimum=0)
        for op, s in zip(output_padding, stride):
            if op >= s:
                raise ShapeError(
                    "SL003",
                    f"output_padding={output_padding} must be smaller than strides={stride} "
                    "on every axis",
                    "use output_padding < strides, or leave it None",
                )
        if pad == "same":
            for op, ke, s in zip(output_padding, window.kernel, stride):
                if op == 0 and ke % 2 == 0:
                    # Keras asks TF for (n-1)*s + ke%2 + op = (n-1)*s rows, which a
                    # 'same' conv of stride s cannot map back to n rows: TF refuses.
                    raise ShapeError(
                        "SL003",
                        f"padding='same' with output_padding={output_padding} and the even "
                        f"effective kernel {window.kernel}: Keras asks TF for (n-1)·{s} rows, "
                        "which TF cannot produce",
                        "use output_padding=None (n·stride rows)"
                        + (", output_padding=1" if s > 1 else "") + " or an odd kernel_size",
                    )
        window = dataclasses.replace(window, output_padding=output_padding)
    out = [
        ar.conv_transpose_output_length(shape[a], k, s, pad,
                                        None if output_padding is None else output_padding[i], d)
        for i, (a, k, s, d) in enumerate(zip(window.axes, kernel, stride, dilation))
    ]
    return ShapeResult((_assemble(shape, fmt, out, filters),), spatial=window)

