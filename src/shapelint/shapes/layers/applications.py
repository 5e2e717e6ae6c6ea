"""Layers that keras.applications models define for themselves."""

from __future__ import annotations

from shapelint.shapes.layers._common import same, single_input
from shapelint.shapes.layers.merging import broadcast
from shapelint.shapes.registry import LayerCall, ShapeError, ShapeResult, shape_rule


@shape_rule("LayerScale")
def layer_scale(call: LayerCall) -> ShapeResult:
    """ConvNeXt: ``x * gamma``, one gamma per channel."""
    return same(single_input(call))


@shape_rule("CustomScaleLayer")
def custom_scale(call: LayerCall) -> ShapeResult:
    """InceptionResNetV2: ``inputs[0] + inputs[1] * scale``."""
    if len(call.inputs) != 2:
        raise ShapeError("SL003", f"CustomScaleLayer takes 2 inputs, got {len(call.inputs)}",
                         "call it on [shortcut, residual]")
    a, b = call.inputs
    if a is None or b is None:
        return ShapeResult((None,), spatial="keep")
    return ShapeResult((broadcast(call, tuple(a), tuple(b)),), spatial="keep")
