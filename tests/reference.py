"""Run real Keras/TF layers to get the reference shapes shapelint must predict."""

from __future__ import annotations

import numpy as np

from shapelint.shapes.registry import LayerCall, ShapeError, lookup


def keras_call(layer, input_shapes, kw_input_shapes=None, kwargs=None) -> LayerCall:
    """The LayerCall shapelint sees for ``layer`` called on tensors of ``input_shapes``."""
    return LayerCall(
        class_name=type(layer).__name__,
        name=layer.name,
        config=layer.get_config(),
        inputs=tuple(tuple(s) for s in input_shapes),
        kw_inputs={k: tuple(v) for k, v in (kw_input_shapes or {}).items()},
        kwargs=dict(kwargs or {}),
    )


def predict(call: LayerCall):
    """shapelint's verdict: ("ok", output shapes) or ("error", code)."""
    fn = lookup(call.class_name)
    assert fn is not None, f"no shape rule for {call.class_name}"
    try:
        result = fn(call)
    except ShapeError as e:
        return "error", e.code
    outs = tuple(None if s is None else tuple(s) for s in result.outputs)
    if any(d is not None and d <= 0 for s in outs if s is not None for d in s):
        return "error", "SL001"
    return "ok", outs


def run_tf(layer, input_shapes, kw_input_shapes=None, kwargs=None):
    """TF's verdict on real zero tensors: ("ok", output shapes) or ("error", message).

    A zero-length output counts as an error, as in shapelint (a zero-size map is a
    broken model even when TF lets it flow on).
    """
    args = [np.zeros(s, dtype="float32") for s in input_shapes]
    kw = {k: np.zeros(s, dtype="float32") for k, s in (kw_input_shapes or {}).items()}
    try:
        out = layer(*args, **kw, **(kwargs or {}))
    except Exception as e:  # noqa: BLE001 - any TF refusal is the reference "error"
        return "error", f"{type(e).__name__}: {e}"
    outs = out if isinstance(out, (list, tuple)) else [out]
    shapes = tuple(tuple(int(d) for d in o.shape) for o in outs)
    if any(d <= 0 for s in shapes for d in s):
        return "error", f"zero-size output {shapes}"
    return "ok", shapes


def assert_agrees(layer, input_shapes, kw_input_shapes=None, kwargs=None):
    """shapelint and TF agree: same shapes when TF runs, an error finding when TF fails."""
    tf_verdict, tf_value = run_tf(layer, input_shapes, kw_input_shapes, kwargs)
    ours, our_value = predict(keras_call(layer, input_shapes, kw_input_shapes, kwargs))
    where = f"{type(layer).__name__} {layer.get_config()} on {input_shapes}"
    if tf_verdict == "ok":
        assert ours == "ok", f"{where}: TF gives {tf_value}, shapelint says {our_value}"
        assert our_value == tf_value, f"{where}: TF {tf_value} != shapelint {our_value}"
    else:
        assert ours == "error", f"{where}: TF fails ({tf_value}), shapelint predicts {our_value}"


def layer(cls: str, **kwargs):
    """A fresh ``keras.layers.<cls>(**kwargs)``."""
    import keras

    return getattr(keras.layers, cls)(**kwargs)


def image_shape(batch, spatial, channels, fmt):
    return (batch, *spatial, channels) if fmt == "channels_last" else (batch, channels, *spatial)


def symbolic(lay, shape):
    """Keras's symbolic verdict for ``shape`` (None dims allowed), on a fresh copy."""
    import keras

    fresh = type(lay).from_config(lay.get_config())
    try:
        out = fresh(keras.KerasTensor(shape))
    except Exception as e:  # noqa: BLE001
        return "error", str(e)
    return "ok", (tuple(out.shape),)


def assert_symbolic_agrees(lay, shape):
    """shapelint equals Keras's symbolic shape, or both refuse."""
    verdict, value = symbolic(lay, shape)
    ours, our_value = predict(keras_call(lay, [shape]))
    where = f"{type(lay).__name__} {lay.get_config()} on {shape}"
    if verdict == "ok":
        assert (ours, our_value) == ("ok", value), f"{where}: Keras {value}, shapelint {our_value}"
    else:
        assert ours == "error", f"{where}: Keras fails ({value}), shapelint {our_value}"


def with_nones(draw, shape):
    """``shape`` with a drawn subset of dims (batch included) made unknown."""
    from hypothesis import strategies as st

    mask = draw(st.lists(st.booleans(), min_size=len(shape), max_size=len(shape)))
    return tuple(None if m else d for d, m in zip(shape, mask))
