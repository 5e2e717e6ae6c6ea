"""Preprocessing layers whose output shape is not their input's: RandomCrop (in training,
a crop to ``height × width``) and the categorical encoders Discretization, Hashing and
CategoryEncoding (one-hot, multi-hot and count outputs add or replace an axis)."""

from __future__ import annotations

from shapelint.shapes.layers._common import (
    CHANNELS_LAST, image_input, in_training, positive_int, same, single_input,
)
from shapelint.shapes.registry import LayerCall, ShapeError, ShapeResult, shape_rule


@shape_rule("RandomCrop")
def random_crop(call: LayerCall) -> ShapeResult:
    """(height, width) in training (cropped, or resized if too small); unchanged at inference."""
    if len(call.inputs) > 1:
        return ShapeResult((None,) * len(call.inputs))
    shape, fmt = image_input(call)
    size = [call.config.get("height"), call.config.get("width")]
    for key, v in zip(("height", "width"), size):
        if isinstance(v, bool) or not isinstance(v, int):
            raise ShapeError("SL003", f"RandomCrop {key}={v!r} is not an integer",
                             f"set {key} to an integer")
    if shape is None or not in_training(call):
        return same(shape)
    out = list(shape)
    axes = (-3, -2) if fmt == CHANNELS_LAST else (-2, -1)
    for axis, v in zip(axes, size):
        out[axis] = v
    return ShapeResult((tuple(out),), spatial="keep")


# ------------------------------------------------------- categorical encoders

def _encode(call: LayerCall, shape, depth, default: str = "int") -> ShapeResult:
    """The output of Keras's ``encode_categorical_inputs`` as TF runs it.

    ``int``: unchanged. ``one_hot``: a trailing 1 is replaced, else ``depth`` is appended.
    ``multi_hot``/``count``: axis 1 is reduced into ``depth`` (a 1D input gives ``(depth,)``).
    """
    mode = call.config.get("output_mode", default)
    if mode not in ("int", "one_hot", "multi_hot", "count"):
        raise ShapeError("SL003", f"{call.class_name} output_mode={mode!r} is not one of 'int', "
                                  "'one_hot', 'multi_hot', 'count'", "use output_mode='int'")
    if mode == "int":
        return same(shape)
    if shape is None:
        return ShapeResult((None,), spatial="drop")
    shape = tuple(shape)
    if mode == "one_hot":
        if len(shape) > 1 and shape[-1] is None:
            return ShapeResult((None,), spatial="drop")  # rank depends on whether it is 1
        base = shape[:-1] if len(shape) > 1 and shape[-1] == 1 else shape
        return ShapeResult(((*base, depth),), spatial="drop")
    if len(shape) <= 1:
        return ShapeResult(((depth,),), spatial="drop")
    return ShapeResult(((shape[0], *shape[2:], depth),), spatial="drop")


@shape_rule("Discretization")
def discretization(call: LayerCall) -> ShapeResult:
    shape = single_input(call)
    bins = call.config.get("bin_boundaries")
    depth = len(bins) + 1 if bins is not None else call.config.get("num_bins")
    return _encode(call, shape, depth)


@shape_rule("Hashing")
def hashing(call: LayerCall) -> ShapeResult:
    """For one_hot, Hashing squeezes a trailing 1 itself before the encoder squeezes again."""
    shape = single_input(call)
    depth = positive_int(call, "num_bins")
    if call.config.get("output_mode") == "one_hot" and shape and shape[-1] == 1:
        shape = tuple(shape[:-1]) or (1,)
    return _encode(call, shape, depth)


@shape_rule("CategoryEncoding")
def category_encoding(call: LayerCall) -> ShapeResult:
    return _encode(call, single_input(call), positive_int(call, "num_tokens"), default="multi_hot")
