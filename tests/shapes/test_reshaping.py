"""Reshaping shape rules against the real Keras layers."""

import itertools
import math

import pytest

keras = pytest.importorskip("keras")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from reference import (  # noqa: E402
    assert_agrees, assert_symbolic_agrees, image_shape, keras_call, layer, predict, run_tf,
    symbolic, with_nones,
)

from shapelint.shapes.registry import LayerCall, Window, lookup  # noqa: E402

FORMATS = ("channels_last", "channels_first")
INTERPOLATIONS = ("nearest", "bilinear", "bicubic", "area", "lanczos3")
CHEAP = settings(max_examples=200, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
MINE = [f"{c}{n}D" for c in ("Cropping", "ZeroPadding", "UpSampling") for n in (1, 2, 3)] + [
    "Flatten", "Reshape", "Permute", "RepeatVector", "Resizing", "CenterCrop"]


def assert_rejected(cls, config, shape):
    """A config Keras refuses to build: shapelint must flag it too."""
    with pytest.raises(Exception):
        getattr(keras.layers, cls).from_config({"name": "x", **config})
    assert predict(LayerCall(cls, "x", config, (shape,))) == ("error", "SL003")


# --- Cropping, ZeroPadding ------------------------------------------------------------

@st.composite
def edge_cases(draw, kind):
    n = draw(st.integers(1, 3))
    cls = f"{kind}{n}D"
    fmt = "channels_last" if cls == "Cropping1D" else draw(st.sampled_from(FORMATS))
    top = 4 if kind == "Cropping" else 3
    pair = st.tuples(st.integers(0, top), st.integers(0, top))
    if n == 1:
        value = draw(st.one_of(st.integers(0, top), pair))
    else:
        value = draw(st.one_of(st.integers(0, top), st.tuples(*[st.integers(0, top)] * n),
                               st.tuples(*[pair] * n)))
    kwargs = {kind.lower() if kind == "Cropping" else "padding": value}
    if cls != "Cropping1D":
        kwargs["data_format"] = fmt
    shape = image_shape(draw(st.integers(1, 2)), [draw(st.integers(1, 7)) for _ in range(n)],
                        draw(st.integers(1, 2)), fmt)
    return cls, kwargs, shape


@CHEAP
@given(edge_cases("Cropping"), st.data())
def test_cropping(case, data):
    cls, kwargs, shape = case
    lay = layer(cls, **kwargs)
    assert_agrees(lay, [shape])
    assert_symbolic_agrees(lay, with_nones(data.draw, shape))


def test_cropping_everything_is_sl001():
    lay = layer("Cropping2D", cropping=((2, 2), (0, 0)))
    assert_agrees(lay, [(1, 4, 3, 1)])
    assert predict(keras_call(lay, [(1, 4, 3, 1)])) == ("error", "SL001")
    assert predict(keras_call(lay, [(1, None, 3, 1)])) == ("ok", ((1, None, 3, 1),))
    lay = layer("Cropping1D", cropping=(2, 1))
    assert predict(keras_call(lay, [(1, 4, 3)])) == ("ok", ((1, 1, 3),))
    lay = layer("Cropping3D", cropping=1, data_format="channels_first")
    assert_agrees(lay, [(1, 2, 3, 4, 5)])


@CHEAP
@given(edge_cases("ZeroPadding"), st.data())
def test_zero_padding(case, data):
    cls, kwargs, shape = case
    lay = layer(cls, **kwargs)
    assert_agrees(lay, [shape])
    assert_symbolic_agrees(lay, with_nones(data.draw, shape))
    assert lookup(cls)(keras_call(lay, [shape])).spatial == "keep"


def test_negative_edges_are_rejected():
    # ZeroPadding2D takes a negative int in its constructor; TF refuses to pad by it.
    assert_agrees(layer("ZeroPadding2D", padding=-1), [(1, 4, 4, 1)])
    assert predict(keras_call(layer("ZeroPadding2D", padding=-1), [(1, 4, 4, 1)]))[0] == "error"
    assert_rejected("ZeroPadding1D", {"padding": -1}, (1, 4, 2))
    assert_rejected("Cropping2D", {"cropping": -1}, (1, 4, 4, 1))
    assert_rejected("Cropping3D", {"cropping": ((1, 1), (1, -1), (0, 0))}, (1, 4, 4, 4, 1))
    assert_rejected("Cropping2D", {"cropping": (1, 1, 1)}, (1, 4, 4, 1))


# --- UpSampling ------------------------------------------------------------------------

@CHEAP
@given(st.integers(1, 3), st.sampled_from(FORMATS), st.sampled_from(INTERPOLATIONS), st.data())
def test_upsampling(n, fmt, interpolation, data):
    cls = f"UpSampling{n}D"
    if n == 1:
        kwargs, fmt = {"size": data.draw(st.integers(1, 3))}, "channels_last"
    else:
        size = st.one_of(st.integers(1, 3), st.tuples(*[st.integers(1, 3)] * n))
        kwargs = {"size": data.draw(size), "data_format": fmt}
        if n == 2:
            kwargs["interpolation"] = interpolation
    shape = image_shape(1, data.draw(st.tuples(*[st.integers(1, 4)] * n)), 2, fmt)
    lay = layer(cls, **kwargs)
    assert_agrees(lay, [shape])
    assert_symbolic_agrees(lay, with_nones(data.draw, shape))
    window = lookup(cls)(keras_call(lay, [shape])).spatial
    assert isinstance(window, Window) and window.transposed
    sizes = kwargs["size"] if isinstance(kwargs["size"], tuple) else (kwargs["size"],) * n
    assert window.stride == sizes and window.kernel == sizes  # output o reads input o // s


def test_upsampling_bad_interpolation_and_size():
    assert_agrees(layer("UpSampling2D", interpolation="cubic"), [(1, 3, 3, 1)])
    assert predict(keras_call(layer("UpSampling2D", interpolation="cubic"),
                              [(1, 3, 3, 1)])) == ("error", "SL003")
    assert_rejected("UpSampling1D", {"size": 0}, (1, 3, 2))
    assert_rejected("UpSampling1D", {"size": (2,)}, (1, 3, 2))
    assert_rejected("UpSampling3D", {"size": (2, 2)}, (1, 3, 3, 3, 1))


# --- Flatten ---------------------------------------------------------------------------

@CHEAP
@given(st.lists(st.integers(1, 4), min_size=1, max_size=5), st.sampled_from(FORMATS), st.data())
def test_flatten(shape, fmt, data):
    lay = layer("Flatten", data_format=fmt)
    assert_agrees(lay, [tuple(shape)])
    assert_symbolic_agrees(lay, with_nones(data.draw, tuple(shape)))


def test_flatten_channels_first_explicit():
    lay = layer("Flatten", data_format="channels_first")
    assert_agrees(lay, [(2, 3, 4, 5)])
    assert predict(keras_call(lay, [(None, 3, 4, 5)])) == ("ok", ((None, 60),))
    assert predict(keras_call(lay, [(None, 3, None, 5)])) == ("ok", ((None, None),))
    assert predict(keras_call(lay, [(7,)])) == ("ok", ((7, 1),))


# --- Reshape ---------------------------------------------------------------------------

def divisors(n):
    return [d for d in range(1, n + 1) if n % d == 0]


@st.composite
def reshape_cases(draw):
    rest = draw(st.lists(st.integers(1, 4), min_size=0, max_size=4))
    size = math.prod(rest)
    target, remaining = [], size
    for _ in range(draw(st.integers(0, 3))):
        d = draw(st.sampled_from(divisors(remaining)))
        target.append(d)
        remaining //= d
    if remaining > 1 or not target:
        target.append(remaining)
    if draw(st.booleans()):
        target[draw(st.integers(0, len(target) - 1))] = -1
    if draw(st.integers(0, 3)) == 0:  # break it: a wrong size, a 0
        i = draw(st.integers(0, len(target) - 1))
        target[i] = draw(st.sampled_from([0, target[i] + 1, max(target[i] - 1, 0)]))
    return tuple(target), (draw(st.integers(1, 2)), *rest)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(reshape_cases())
def test_reshape(case):
    target, shape = case
    assert_agrees(layer("Reshape", target_shape=target), [shape])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(reshape_cases(), st.data())
def test_reshape_unknown_dims(case, data):
    target, shape = case
    lay = layer("Reshape", target_shape=target)
    partial = with_nones(data.draw, shape)
    verdict, value = symbolic(lay, partial)
    ours, our_value = predict(keras_call(lay, [partial]))
    if verdict == "ok" and ours == "error":
        # Stricter than Keras's symbolic pass: then no length of the unknown dims may fit.
        unknown = [i for i, d in enumerate(partial) if d is None and i > 0]
        for values in itertools.product(range(1, 7), repeat=len(unknown)):
            concrete = list(partial)
            for i, v in zip(unknown, values):
                concrete[i] = v
            assert symbolic(lay, tuple(concrete))[0] == "error", (
                f"{target} on {partial}: shapelint says {our_value}, but {concrete} works")
    elif verdict == "ok":
        assert (ours, our_value) == ("ok", value), f"{target} on {partial}: Keras {value}"
    else:
        assert ours == "error", f"{target} on {partial}: Keras fails, shapelint {our_value}"


def test_reshape_explicit():
    lay = layer("Reshape", target_shape=(3, -1))
    assert predict(keras_call(lay, [(None, 4, 6)])) == ("ok", ((None, 3, 8),))
    assert predict(keras_call(lay, [(None, None, 6)])) == ("ok", ((None, 3, None),))
    assert_agrees(layer("Reshape", target_shape=(5, 5)), [(1, 4, 6)])
    assert predict(keras_call(layer("Reshape", target_shape=(5, 5)), [(1, 4, 6)])) == (
        "error", "SL003")
    # a fully given target that no batch of (None, 6)-samples can fill
    assert predict(keras_call(layer("Reshape", target_shape=(5,)), [(None, None, 6)])) == (
        "error", "SL003")
    assert predict(keras_call(layer("Reshape", target_shape=(12,)), [(None, None, 6)])) == (
        "ok", ((None, 12),))
    assert_rejected("Reshape", {"target_shape": (2, -1, -1)}, (1, 4))
    assert_rejected("Reshape", {"target_shape": (-2, 2)}, (1, 4))


def test_reshape_message_has_the_numbers():
    call = keras_call(layer("Reshape", target_shape=(5, 5)), [(1, 4, 6)])
    with pytest.raises(Exception) as info:
        lookup("Reshape")(call)
    assert "24" in info.value.message and "25" in info.value.message


# --- Permute, RepeatVector -------------------------------------------------------------

@CHEAP
@given(st.integers(1, 4), st.sampled_from([0, 0, 0, 1, -1]), st.data())
def test_permute(r, delta, data):
    dims = tuple(data.draw(st.permutations(range(1, r + 1))))
    shape = (1, *data.draw(st.lists(st.integers(1, 4), min_size=max(r + delta, 0),
                                    max_size=max(r + delta, 0))))
    lay = layer("Permute", dims=dims)
    assert_agrees(lay, [shape])
    if delta:
        assert predict(keras_call(lay, [shape])) == ("error", "SL003")
    else:
        assert_symbolic_agrees(lay, with_nones(data.draw, shape))


def test_permute_bad_dims():
    assert_rejected("Permute", {"dims": (1, 1)}, (1, 2, 3))
    assert_rejected("Permute", {"dims": (0, 1)}, (1, 2, 3))


@CHEAP
@given(st.integers(1, 4), st.lists(st.integers(1, 3), min_size=1, max_size=3))
def test_repeat_vector(n, shape):
    lay = layer("RepeatVector", n=n)
    assert_agrees(lay, [tuple(shape)])
    if len(shape) == 2:
        assert_symbolic_agrees(lay, (None, shape[1]))
    else:
        assert predict(keras_call(lay, [tuple(shape)])) == ("error", "SL003")


def test_repeat_vector_zero():
    assert_rejected("RepeatVector", {"n": 0}, (1, 3))


# --- Resizing, CenterCrop --------------------------------------------------------------

@st.composite
def image_cases(draw, cls):
    fmt = draw(st.sampled_from(FORMATS))
    kwargs = dict(height=draw(st.integers(1, 6)), width=draw(st.integers(1, 6)), data_format=fmt)
    if cls == "Resizing":
        kwargs["interpolation"] = draw(st.sampled_from(INTERPOLATIONS))
        kwargs["crop_to_aspect_ratio"] = draw(st.booleans())
        kwargs["pad_to_aspect_ratio"] = draw(st.booleans())
    rank = draw(st.sampled_from([4, 4, 4, 3, 2, 5]))
    shape = tuple(draw(st.integers(1, 6)) for _ in range(rank))
    return kwargs, shape


@CHEAP
@given(image_cases("Resizing"), st.data())
def test_resizing(case, data):
    kwargs, shape = case
    lay = layer("Resizing", **kwargs)
    assert_agrees(lay, [shape])
    # Keras's symbolic pass misses what fails when run (a 2D input, both aspect-ratio
    # flags): compare unknown dims only where TF runs
    if run_tf(lay, [shape])[0] == "ok":
        assert_symbolic_agrees(lay, with_nones(data.draw, shape))


@CHEAP
@given(image_cases("CenterCrop"), st.data())
def test_center_crop(case, data):
    kwargs, shape = case
    lay = layer("CenterCrop", **kwargs)
    assert_agrees(lay, [shape])
    assert_symbolic_agrees(lay, with_nones(data.draw, shape))


def test_image_layers_explicit():
    # CenterCrop on a smaller image resizes instead of failing
    lay = layer("CenterCrop", height=8, width=8)
    assert_agrees(lay, [(2, 4, 6, 3)])
    assert lookup("CenterCrop")(keras_call(lay, [(2, 4, 6, 3)])).spatial == "drop"
    assert lookup("CenterCrop")(keras_call(lay, [(2, 9, 9, 3)])).spatial == "keep"
    # a 3D input is one image without batch dim: Keras resizes dims 0 and 1
    assert_agrees(layer("Resizing", height=3, width=3), [(4, 6, 3)])
    assert predict(keras_call(layer("Resizing", height=3, width=3), [(None, None, None, 3)])) == (
        "ok", ((None, 3, 3, 3),))
    lay = layer("Resizing", height=2, width=3, crop_to_aspect_ratio=True, pad_to_aspect_ratio=True)
    assert predict(keras_call(lay, [(1, 4, 4, 1)])) == ("error", "SL003")
    assert_agrees(lay, [(1, 4, 4, 1)])
    for cls in ("Resizing", "CenterCrop"):
        assert_agrees(layer(cls, height=0, width=3), [(1, 4, 4, 1)])
        assert_agrees(layer(cls, height=0, width=3), [(1, 2, 2, 1)])


# --- wrong rank, unknown rank, aliases -------------------------------------------------

@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.parametrize("kind", ["Cropping", "ZeroPadding", "UpSampling"])
@pytest.mark.parametrize("delta", [-1, 1])
def test_wrong_rank_is_sl003(kind, n, delta):
    shape = (1,) + (4,) * (n + 1 + delta)
    lay = layer(f"{kind}{n}D")
    assert predict(keras_call(lay, [shape])) == ("error", "SL003")
    assert_agrees(lay, [shape])


@pytest.mark.parametrize("cls", MINE)
def test_unknown_rank_does_not_crash(cls):
    kwargs = {"Reshape": {"target_shape": (2, -1)}, "Permute": {"dims": (2, 1)},
              "RepeatVector": {"n": 2}, "Resizing": {"height": 2, "width": 2},
              "CenterCrop": {"height": 2, "width": 2}}.get(cls, {})
    lay = layer(cls, **kwargs)
    result = lookup(cls)(LayerCall(cls, lay.name, lay.get_config(), (None,)))
    assert len(result.outputs) == 1


def test_every_alias_is_registered_by_its_class_name():
    for name in dir(keras.layers):
        obj = getattr(keras.layers, name)
        if isinstance(obj, type) and obj.__name__ in MINE:
            assert lookup(obj.__name__) is not None
