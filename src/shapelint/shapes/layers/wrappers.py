"""Wrappers whose shape is the wrapped layer's: SpectralNormalization.

(TimeDistributed and Bidirectional, which also add or merge axes, are with the recurrent
layers in rnn.py.)
"""

from __future__ import annotations

from shapelint.shapes.registry import LayerCall, ShapeError, ShapeResult, lookup, shape_rule


@shape_rule("SpectralNormalization")
def spectral_normalization(call: LayerCall) -> ShapeResult:
    """The wrapped layer's own shape rule decides."""
    inner = call.config.get("layer")
    if not isinstance(inner, dict) or "class_name" not in inner:
        raise ShapeError("SL003", "SpectralNormalization has no wrapped layer in its config",
                         "wrap a Dense, Conv or Embedding layer")
    fn = lookup(inner["class_name"])
    if fn is None:
        return ShapeResult((None,) * max(len(call.inputs), 1))
    config = inner.get("config") or {}
    return fn(LayerCall(class_name=inner["class_name"], name=config.get("name", call.name),
                        config=config, inputs=call.inputs, kw_inputs=call.kw_inputs,
                        kwargs=call.kwargs))
