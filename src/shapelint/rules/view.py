"""The read-only view of one layer call that rule conditions and messages see."""

from __future__ import annotations

from typing import Optional

from shapelint.shapes.propagate import LayerTrace, ShapeTrace

FAMILIES = {
    "conv": ("Conv1D", "Conv2D", "Conv3D", "SeparableConv1D", "SeparableConv2D",
             "DepthwiseConv1D", "DepthwiseConv2D", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D"),
    "transpose": ("Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose"),
    "pool": ("MaxPooling1D", "MaxPooling2D", "MaxPooling3D",
             "AveragePooling1D", "AveragePooling2D", "AveragePooling3D"),
    "global_pool": ("GlobalMaxPooling1D", "GlobalMaxPooling2D", "GlobalMaxPooling3D",
                    "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalAveragePooling3D"),
    "crop": ("Cropping1D", "Cropping2D", "Cropping3D"),
    "pad": ("ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D"),
    "upsample": ("UpSampling1D", "UpSampling2D", "UpSampling3D"),
    "merge": ("Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "Dot"),
    "flatten": ("Flatten",),
    "dense": ("Dense", "EinsumDense"),
}
FAMILY_OF = {cls: family for family, classes in FAMILIES.items() for cls in classes}

# Names a condition may use (besides rule params); the view fills each one.
VIEW_NAMES = frozenset({
    "layer", "class_name", "family", "padding", "kernel", "kernel_size", "strides", "dilation",
    "in_size", "out_size", "rf", "jump", "dropped", "transposed", "input_shape", "output_shape",
    "next_classes", "model_input_size", "known", "total_pad", "unread", "fit", "kernel_fix",
})


def _tuple(value, n: int) -> tuple:
    if isinstance(value, int) and not isinstance(value, bool):
        return (value,) * n
    if isinstance(value, (list, tuple)) and len(value) == n:
        return tuple(value)
    return (None,) * n


def _axes_text(values: tuple, noun: str) -> str:
    """``(2, 1)`` rows/cols never read -> "2 rows and 1 col"; 1D: "2 rows"."""
    names = ["row", "col", "slice"] if len(values) > 1 else ["position"]
    parts = []
    for v, name in zip(values, names):
        if v:
            parts.append(f"{v} {name}{'s' if v != 1 else ''}")
    return " and ".join(parts) if parts else f"no {noun}"


def layer_view(trace: LayerTrace, following: list, model_input_size: tuple) -> Optional[dict]:
    """The names a rule sees for one layer call (``None`` when the call failed)."""
    if not trace.output_shapes or trace.output_shapes[0] is None:
        return None
    window = trace.window
    config = trace.call.config
    input_shape = trace.input_shapes[0] if trace.input_shapes else None
    output_shape = trace.output_shapes[0]
    view = {
        "layer": trace.name, "class_name": trace.class_name,
        "family": FAMILY_OF.get(trace.class_name, "other"),
        "padding": config.get("padding") if isinstance(config.get("padding"), str) else None,
        "input_shape": input_shape, "output_shape": output_shape,
        "next_classes": tuple(following),
        "model_input_size": model_input_size,
        "rf": tuple(trace.receptive_field or ()), "jump": tuple(trace.jump or ()),
    }
    if window is not None:
        n = len(window.axes)
        in_size = tuple(input_shape[a] for a in window.axes) if input_shape else (None,) * n
        out_size = tuple(output_shape[a] for a in window.axes)
        kernel_size = _tuple(config.get("kernel_size", config.get("pool_size")), n)
        dropped = tuple(window.dropped) if window.dropped else (None,) * n
        total_pad = tuple(
            None if i is None or o is None else max((o - 1) * s + k - i, 0)
            for i, o, s, k in zip(in_size, out_size, window.stride, window.kernel))
        known = all(d is not None for d in dropped)
        view.update(kernel=window.kernel, kernel_size=kernel_size, strides=window.stride,
                    dilation=_tuple(config.get("dilation_rate", 1), n), in_size=in_size,
                    out_size=out_size, dropped=dropped, transposed=window.transposed,
                    padding=window.padding, total_pad=total_pad,
                    unread=_axes_text(dropped, "rows") if known
                    else "for most input sizes the last rows/cols are",
                    fit=_fit_text(in_size, dropped, window.kernel, window.stride),
                    kernel_fix=tuple(-(-k // s) * s for k, s in zip(window.kernel, window.stride)))
    else:
        view.update(kernel=(), kernel_size=(), strides=(), dilation=(), dropped=(),
                    transposed=False, total_pad=(), unread="", fit="", kernel_fix=(),
                    **_plain_sizes(input_shape, output_shape, config))
    view["known"] = all(v is not None for v in view["in_size"]) and bool(view["in_size"])
    return view


def _fit_text(in_size: tuple, dropped: tuple, kernel: tuple, stride: tuple) -> str:
    """How to make every row read: the nearest input sizes, or the rule when unknown."""
    if all(d is not None for d in dropped) and all(n is not None for n in in_size):
        lower = tuple(n - d for n, d in zip(in_size, dropped))
        upper = tuple(n - d + (s if d else 0) for n, d, s in zip(in_size, dropped, stride))
        return (f"feed this layer {'×'.join(map(str, lower))} or {'×'.join(map(str, upper))} "
                f"instead of {'×'.join(map(str, in_size))}, or use padding='same'")
    rules = sorted({f"n ≡ {k % s} (mod {s})" for k, s in zip(kernel, stride)})
    return f"use sizes with {' and '.join(rules)} at this layer, or padding='same'"


def _plain_sizes(input_shape, output_shape, config: dict) -> dict:
    """Spatial sizes of a layer without a window (cropping, padding, ...)."""
    if (input_shape is None or output_shape is None or len(input_shape) != len(output_shape)
            or len(input_shape) < 3):
        return {"in_size": (), "out_size": ()}
    spatial = slice(2, None) if config.get("data_format") == "channels_first" else slice(1, -1)
    return {"in_size": tuple(input_shape[spatial]), "out_size": tuple(output_shape[spatial])}


def model_input_size(trace: ShapeTrace) -> tuple:
    """Spatial sizes of the first model input: all dims but the batch and the channel axis
    (the last one, or the first when a reader of the input is channels_first)."""
    shapes = trace.inputs
    if not shapes or shapes[0] is None or len(shapes[0]) < 3:
        return ()
    if trace.model.channels_first_input(0):
        return tuple(shapes[0][2:])
    return tuple(shapes[0][1:-1])
