"""Convolution shape rules against the real Keras layers run by TF.

Every case is run eagerly on zeros (``reference.assert_agrees``). When TF on this
CPU cannot *run* a valid layer (a few kernels lack channels_first or dilation
support when oneDNN is off), the case is compared with Keras's symbolic shape
instead (the layer called on a ``keras.KerasTensor``): see ``check``.
A config Keras refuses in the constructor must give SL003.
"""

import re

import pytest

keras = pytest.importorskip("keras")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from reference import (  # noqa: E402
    assert_agrees, image_shape, keras_call, predict, run_tf,
)

from shapelint.shapes.registry import LayerCall  # noqa: E402

FORMATS = ("channels_last", "channels_first")
MAX_N = {1: 12, 2: 8, 3: 5}  # spatial length bound per rank: 3D convs are slow
# TF kernels missing on some CPUs (oneDNN off): not a shape error, compare symbolically.
CPU_LIMIT = re.compile(r"only supports N[DH]*WC on the CPU|Current CPU implementations? do(es)? "
                       r"not yet support|does not support channels_first|NCHW.*not supported")


def settings_(n):
    return settings(max_examples=n, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def symbolic(cls, kwargs, shape):
    """Keras's symbolic verdict on ``shape`` (None dims allowed), fresh layer."""
    try:
        out = cls(**kwargs)(keras.KerasTensor(shape))
    except Exception as e:  # noqa: BLE001
        return "error", str(e)
    return "ok", (tuple(out.shape),)


def refused_config(cls, kwargs):
    """The config shapelint sees for a layer Keras will not even construct."""
    base = {"kernel_size": 1} if "Depthwise" in cls.__name__ else {"filters": 1, "kernel_size": 1}
    config = cls(**base).get_config()
    config.update(kwargs)
    return config


def check(cls, kwargs, shape):
    """shapelint agrees with Keras/TF on ``cls(**kwargs)`` called on ``shape``.

    Returns "refused" when Keras refuses the config (shapelint must say SL003).
    """
    try:
        layer = cls(**kwargs)
    except (ValueError, TypeError) as e:
        config = refused_config(cls, kwargs)
        ours = predict(LayerCall(cls.__name__, "x", config, (tuple(shape),)))
        assert ours == ("error", "SL003"), f"Keras refuses {kwargs} ({e}), shapelint {ours}"
        return "refused"
    try:
        assert_agrees(layer, [shape])
    except AssertionError as e:
        if "TF fails (" not in str(e) or not CPU_LIMIT.search(str(e)):
            raise
        verdict, value = symbolic(cls, kwargs, shape)  # this CPU cannot run it: ask Keras
        if verdict == "ok" and all(d > 0 for d in value[0]):
            assert predict(keras_call(layer, [shape])) == ("ok", value), (kwargs, shape)
    return "ran"


def assert_invalid(cls, kwargs, shape):
    """Keras refuses the config or TF fails on the input; shapelint says SL003."""
    if check(cls, kwargs, shape) == "ran":
        assert run_tf(cls(**kwargs), [shape])[0] == "error"
    ours = predict(LayerCall(cls.__name__, "x", refused_config(cls, kwargs), (shape,)))
    assert ours == ("error", "SL003")


def per_axis(draw, values, n):
    """An int or a tuple of ``n`` ints drawn from ``values``."""
    if draw(st.booleans()):
        return draw(values)
    return tuple(draw(st.lists(values, min_size=n, max_size=n)))


def axis_values(value, n):
    return (value,) * n if isinstance(value, int) else value


DILATION = st.sampled_from([1, 1, 1, 2, 3])
PADDINGS = ("valid", "same") * 4 + ("causal",)  # "causal": Conv1D only, else refused


@st.composite
def window_kwargs(draw, rank, paddings=("valid", "same")):
    """Kernel, strides, dilation, padding, data_format. Mostly strides or dilation
    (Conv refuses both > 1), sometimes both to exercise that check."""
    strides = per_axis(draw, st.integers(1, 3), rank)
    dilation = per_axis(draw, DILATION, rank)
    if draw(st.integers(0, 9)):
        dilation = 1 if max(axis_values(strides, rank)) > 1 else dilation
    return dict(
        kernel_size=per_axis(draw, st.integers(1, 4), rank),
        strides=strides,
        dilation_rate=dilation,
        padding=draw(st.sampled_from(paddings)),
        data_format=draw(st.sampled_from(FORMATS)),
    )


@st.composite
def input_shape(draw, rank, fmt, channels=None):
    spatial = draw(st.lists(st.integers(1, MAX_N[rank]), min_size=rank, max_size=rank))
    if channels is None:
        channels = draw(st.integers(1, 4))
    return image_shape(draw(st.integers(1, 2)), spatial, channels, fmt)


# --- Conv1D / Conv2D / Conv3D ----------------------------------------------------------

@st.composite
def conv_cases(draw, rank):
    kw = draw(window_kwargs(rank, ("valid", "same", "causal") if rank == 1 else PADDINGS))
    groups = kw["groups"] = draw(st.sampled_from([1, 1, 1, 2, 3]))
    # filters and channels: multiples of groups, or (sometimes) not
    kw["filters"] = draw(st.integers(1, 6)) if draw(st.integers(0, 5)) == 0 else groups * draw(
        st.integers(1, 3))
    channels = None if groups == 1 else draw(st.integers(1, 6)) if draw(
        st.integers(0, 5)) == 0 else groups * draw(st.integers(1, 2))
    return kw, draw(input_shape(rank, kw["data_format"], channels))


@pytest.mark.parametrize("rank,examples", [(1, 150), (2, 120), (3, 60)])
def test_conv_matches_keras(rank, examples):
    cls = getattr(keras.layers, f"Conv{rank}D")

    @settings_(examples)
    @given(conv_cases(rank))
    def run(case):
        check(cls, *case)

    run()


@pytest.mark.parametrize("cls_name,kwargs,shape,expected", [
    ("Conv1D", dict(filters=4, kernel_size=3, padding="causal", dilation_rate=2), (2, 10, 3),
     (2, 10, 4)),
    ("Conv1D", dict(filters=4, kernel_size=3, strides=2, padding="causal"), (2, 10, 3), (2, 5, 4)),
    ("Conv2D", dict(filters=8, kernel_size=3, strides=2, padding="same"), (1, 7, 8, 3),
     (1, 4, 4, 8)),
    ("Conv2D", dict(filters=8, kernel_size=3, data_format="channels_first"), (1, 3, 7, 8),
     (1, 8, 5, 6)),
    ("Conv2D", dict(filters=6, kernel_size=3, groups=3), (1, 5, 5, 6), (1, 3, 3, 6)),
    ("Conv3D", dict(filters=2, kernel_size=(1, 2, 3)), (1, 3, 3, 3, 1), (1, 3, 2, 1, 2)),
])
def test_conv_examples(cls_name, kwargs, shape, expected):
    cls = getattr(keras.layers, cls_name)
    assert_agrees(cls(**kwargs), [shape])
    assert predict(keras_call(cls(**kwargs), [shape])) == ("ok", (expected,))


@pytest.mark.parametrize("cls_name,kwargs,shape", [
    ("Conv2D", dict(filters=4, kernel_size=3), (1, 2, 9, 3)),  # input shorter than kernel
    ("Conv1D", dict(filters=4, kernel_size=3, dilation_rate=3), (1, 6, 3)),  # span 7 > 6
    ("Conv3D", dict(filters=4, kernel_size=2, data_format="channels_first"), (1, 3, 1, 4, 4)),
])
def test_conv_too_small_input(cls_name, kwargs, shape):
    cls = getattr(keras.layers, cls_name)
    assert run_tf(cls(**kwargs), [shape])[0] == "error"
    assert predict(keras_call(cls(**kwargs), [shape])) == ("error", "SL001")


@pytest.mark.parametrize("cls_name,kwargs,shape", [
    ("Conv2D", dict(filters=4, kernel_size=3, groups=2), (1, 9, 9, 3)),  # 3 channels, 2 groups
    ("Conv1D", dict(filters=3, kernel_size=3, groups=2), (1, 9, 4)),  # filters % groups
    ("Conv2D", dict(filters=4, kernel_size=3, strides=2, dilation_rate=2), (1, 9, 9, 3)),
    ("Conv2D", dict(filters=4, kernel_size=3, padding="causal"), (1, 9, 9, 3)),
    ("Conv2D", dict(filters=4, kernel_size=3), (1, 9, 9, 9, 3)),  # wrong ranks
    ("Conv2D", dict(filters=4, kernel_size=3), (9, 9, 3)),
    ("Conv1D", dict(filters=4, kernel_size=3), (1, 9, 9, 3)),
    ("Conv3D", dict(filters=4, kernel_size=3), (1, 9, 9, 3)),
])
def test_conv_invalid(cls_name, kwargs, shape):
    assert_invalid(getattr(keras.layers, cls_name), kwargs, shape)


# --- SeparableConv1D/2D, DepthwiseConv1D/2D ---------------------------------------------

@st.composite
def separable_cases(draw, rank, depthwise):
    kw = draw(window_kwargs(rank, PADDINGS))
    kw["depth_multiplier"] = draw(st.integers(1, 3))
    if not depthwise:
        kw["filters"] = draw(st.integers(1, 5))
    return kw, draw(input_shape(rank, kw["data_format"]))


@pytest.mark.parametrize("name,rank,examples", [
    ("SeparableConv1D", 1, 80), ("SeparableConv2D", 2, 80),
    ("DepthwiseConv1D", 1, 80), ("DepthwiseConv2D", 2, 80),
])
def test_separable_depthwise_match_keras(name, rank, examples):
    cls = getattr(keras.layers, name)

    @settings_(examples)
    @given(separable_cases(rank, name.startswith("Depthwise")))
    def run(case):
        check(cls, *case)

    run()


@pytest.mark.parametrize("name,kwargs,shape,expected", [
    # Keras 3 runs stride > 1 with dilation > 1 for these (dilated conv, then subsampling).
    ("DepthwiseConv2D", dict(kernel_size=3, strides=2, dilation_rate=2), (1, 11, 11, 2),
     (1, 4, 4, 2)),
    ("DepthwiseConv1D", dict(kernel_size=3, strides=2, dilation_rate=2, depth_multiplier=3),
     (1, 11, 2), (1, 4, 6)),
    ("SeparableConv2D", dict(filters=4, kernel_size=3, strides=2, dilation_rate=2, padding="same"),
     (1, 11, 11, 2), (1, 6, 6, 4)),
    ("SeparableConv1D", dict(filters=4, kernel_size=3, strides=2, dilation_rate=2,
                             data_format="channels_first"), (1, 2, 11), (1, 4, 4)),
    ("DepthwiseConv2D", dict(kernel_size=3, depth_multiplier=2, data_format="channels_first"),
     (1, 3, 6, 5), (1, 6, 4, 3)),
])
def test_separable_depthwise_examples(name, kwargs, shape, expected):
    cls = getattr(keras.layers, name)
    assert_agrees(cls(**kwargs), [shape])
    assert predict(keras_call(cls(**kwargs), [shape])) == ("ok", (expected,))


@pytest.mark.parametrize("name,kwargs,shape", [
    ("DepthwiseConv1D", dict(kernel_size=3, padding="causal"), (1, 9, 2)),  # Conv1D only
    ("SeparableConv1D", dict(filters=2, kernel_size=3, padding="causal"), (1, 9, 2)),
    ("DepthwiseConv2D", dict(kernel_size=3), (1, 9, 9, 9, 2)),
    ("DepthwiseConv1D", dict(kernel_size=3), (1, 9, 9, 2)),
    ("SeparableConv2D", dict(filters=2, kernel_size=3), (1, 9, 2)),
    ("DepthwiseConv2D", dict(kernel_size=3, depth_multiplier=0), (1, 9, 9, 2)),
])
def test_separable_depthwise_invalid(name, kwargs, shape):
    assert_invalid(getattr(keras.layers, name), kwargs, shape)


# --- Conv1DTranspose / Conv2DTranspose / Conv3DTranspose -----------------------------------

@st.composite
def transpose_cases(draw, rank):
    kw = draw(window_kwargs(rank))
    kw["filters"] = draw(st.integers(1, 4))
    if draw(st.booleans()):
        top = max(axis_values(kw["strides"], rank)) - (draw(st.integers(0, 4)) > 0)
        kw["output_padding"] = per_axis(draw, st.integers(0, top), rank)  # mostly < strides
    return kw, draw(input_shape(rank, kw["data_format"]))


@pytest.mark.parametrize("rank,examples", [(1, 150), (2, 120), (3, 60)])
def test_conv_transpose_matches_keras(rank, examples):
    cls = getattr(keras.layers, f"Conv{rank}DTranspose")

    @settings_(examples)
    @given(transpose_cases(rank))
    def run(case):
        check(cls, *case)

    run()


@pytest.mark.parametrize("name,kwargs,shape,expected", [
    ("Conv2DTranspose", dict(filters=4, kernel_size=3, strides=2), (1, 5, 5, 2), (1, 11, 11, 4)),
    ("Conv2DTranspose", dict(filters=4, kernel_size=2, strides=3), (1, 5, 5, 2), (1, 15, 15, 4)),
    ("Conv2DTranspose", dict(filters=4, kernel_size=3, strides=2, padding="same"), (1, 5, 5, 2),
     (1, 10, 10, 4)),
    ("Conv1DTranspose", dict(filters=4, kernel_size=3, strides=2, padding="same",
                             output_padding=0), (1, 5, 2), (1, 9, 4)),
    ("Conv1DTranspose", dict(filters=4, kernel_size=3, strides=3, output_padding=2), (1, 5, 2),
     (1, 17, 4)),
    ("Conv3DTranspose", dict(filters=2, kernel_size=2, strides=2, data_format="channels_first"),
     (1, 3, 2, 2, 2), (1, 2, 4, 4, 4)),
])
def test_conv_transpose_examples(name, kwargs, shape, expected):
    cls = getattr(keras.layers, name)
    assert_agrees(cls(**kwargs), [shape])
    assert predict(keras_call(cls(**kwargs), [shape])) == ("ok", (expected,))


@pytest.mark.parametrize("name,kwargs,shape", [
    ("Conv2DTranspose", dict(filters=4, kernel_size=3, strides=2, output_padding=2),
     (1, 5, 5, 2)),
    ("Conv1DTranspose", dict(filters=4, kernel_size=3, output_padding=1), (1, 5, 2)),  # op ≥ s=1
    ("Conv2DTranspose", dict(filters=4, kernel_size=3, strides=2, dilation_rate=2), (1, 5, 5, 2)),
    # 'same' + even kernel + output_padding=0 asks TF for (n-1)*s rows: TF refuses to run.
    ("Conv2DTranspose", dict(filters=4, kernel_size=2, padding="same", output_padding=0),
     (1, 5, 5, 2)),
    ("Conv1DTranspose", dict(filters=4, kernel_size=2, strides=2, padding="same",
                             output_padding=(0,)), (1, 5, 2)),
    ("Conv3DTranspose", dict(filters=4, kernel_size=(3, 2, 3), padding="same", output_padding=0),
     (1, 3, 3, 3, 2)),
    ("Conv2DTranspose", dict(filters=4, kernel_size=3), (1, 5, 2)),  # wrong ranks
    ("Conv2DTranspose", dict(filters=4, kernel_size=3), (1, 5, 5, 5, 2)),
])
def test_conv_transpose_invalid(name, kwargs, shape):
    assert_invalid(getattr(keras.layers, name), kwargs, shape)


# --- Unknown (None) dimensions -----------------------------------------------------------

FAMILIES = [
    ("Conv1D", conv_cases(1)), ("Conv2D", conv_cases(2)), ("Conv3D", conv_cases(3)),
    ("SeparableConv2D", separable_cases(2, False)), ("DepthwiseConv1D", separable_cases(1, True)),
    ("Conv1DTranspose", transpose_cases(1)), ("Conv2DTranspose", transpose_cases(2)),
]


@st.composite
def none_cases(draw):
    name, cases = draw(st.sampled_from(FAMILIES))
    kwargs, shape = draw(cases)
    fmt = kwargs["data_format"]
    channel = len(shape) - 1 if fmt == "channels_last" else 1
    masked = tuple(None if i != channel and draw(st.booleans()) else d
                   for i, d in enumerate(shape))  # Keras cannot build on unknown channels
    return getattr(keras.layers, name), kwargs, shape, masked


@settings_(150)
@given(none_cases())
def test_unknown_dims_propagate(case):
    """Unknown dims flow through: Keras's symbolic shape, and TF's on a concrete input."""
    cls, kwargs, shape, masked = case
    try:
        layer = cls(**kwargs)
    except ValueError:
        return
    concrete = run_tf(layer, [shape])
    if concrete[0] != "ok":
        return
    ours = predict(keras_call(layer, [masked]))
    assert ours == symbolic(cls, kwargs, masked), (kwargs, masked)
    assert ours[0] == "ok", (kwargs, masked, ours)
    for got, real in zip(ours[1][0], concrete[1][0]):
        assert got is None or got == real, (kwargs, masked, ours, concrete)


@pytest.mark.parametrize("name,kwargs,shape,expected", [
    ("Conv2D", dict(filters=4, kernel_size=3), (None, None, 9, 3), (None, None, 7, 4)),
    ("Conv1D", dict(filters=4, kernel_size=3, padding="causal", data_format="channels_first"),
     (None, 3, None), (None, 4, None)),
    ("DepthwiseConv2D", dict(kernel_size=3, depth_multiplier=2), (2, 9, None, 3),
     (2, 7, None, 6)),
    ("Conv3DTranspose", dict(filters=4, kernel_size=3, strides=2), (None, 2, None, 3, 1),
     (None, 5, None, 7, 4)),
])
def test_unknown_dims_examples(name, kwargs, shape, expected):
    cls = getattr(keras.layers, name)
    assert symbolic(cls, kwargs, shape) == ("ok", (expected,))
    assert predict(keras_call(cls(**kwargs), [shape])) == ("ok", (expected,))


def test_unknown_rank():
    call = LayerCall("Conv2D", "c", refused_config(keras.layers.Conv2D, dict(filters=4)), (None,))
    verdict, outs = predict(call)
    assert verdict == "ok" and outs == (None,)
