"""Shape-preserving layers (activations, normalization, dropout, augmentation, ...) against TF.

``test_every_class_on_a_few_shapes`` runs every class registered in
``shapelint.shapes.layers.preserving`` on a spread of ranks/channel counts, both data
formats where the layer has one; the property tests then vary the parameters that can
make TF refuse the input (axes, groups, noise_shape, crop sizes, ...).
"""

import functools
import inspect

import pytest

keras = pytest.importorskip("keras")

from hypothesis import HealthCheck, assume, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from reference import assert_agrees, keras_call, predict, run_tf  # noqa: E402

from shapelint.shapes import registry  # noqa: E402
from shapelint.shapes.registry import LayerCall  # noqa: E402

L = keras.layers
TRAIN = {"training": True}
INFER = {"training": False}

# class name -> constructor kwargs; the layer's own call defaults apply unless a case says so.
CASES = {
    "Activation": {"activation": "relu"}, "ELU": {}, "LeakyReLU": {}, "PReLU": {}, "ReLU": {},
    "Softmax": {}, "BatchNormalization": {}, "LayerNormalization": {},
    "GroupNormalization": {"groups": 2}, "UnitNormalization": {}, "RMSNormalization": {},
    "Dropout": {"rate": 0.5}, "AlphaDropout": {"rate": 0.5}, "GaussianDropout": {"rate": 0.5},
    "GaussianNoise": {"stddev": 0.1}, "ActivityRegularization": {"l1": 0.1},
    "SpatialDropout1D": {"rate": 0.5}, "SpatialDropout2D": {"rate": 0.5},
    "SpatialDropout3D": {"rate": 0.5}, "Rescaling": {"scale": 1 / 255},
    "Normalization": {"mean": 0.0, "variance": 1.0},
    "AugMix": {}, "AutoContrast": {}, "CutMix": {}, "Equalization": {},
    "ContrastLimitedAdaptiveHistogramEqualization": {"value_range": (0, 255)},
    "MaxNumBoundingBoxes": {"max_number": 3}, "MixUp": {}, "RandAugment": {},
    "RandomBrightness": {"factor": 0.2}, "RandomColorDegeneration": {"factor": 0.5},
    "RandomColorJitter": {"brightness_factor": 0.2, "hue_factor": 0.2},
    "RandomContrast": {"factor": 0.2}, "RandomCrop": {"height": 3, "width": 2},
    "RandomElasticTransform": {}, "RandomErasing": {}, "RandomFlip": {},
    "RandomGaussianBlur": {}, "RandomGrayscale": {}, "RandomHue": {"factor": 0.2},
    "RandomInvert": {}, "RandomPerspective": {}, "RandomPosterization": {"factor": (1, 4)},
    "RandomRotation": {"factor": 0.2}, "RandomSaturation": {"factor": 0.2},
    "RandomSharpness": {"factor": 0.2}, "RandomShear": {"x_factor": 0.2},
    "RandomTranslation": {"height_factor": 0.2, "width_factor": 0.2},
    "RandomZoom": {"height_factor": 0.2}, "Solarization": {"threshold_factor": 0.5},
    "Discretization": {"bin_boundaries": [0.0, 1.0]}, "Hashing": {"num_bins": 4},
    "CategoryEncoding": {"num_tokens": 5},
    "SpectralNormalization": {"layer": "Dense(3)"},
}
SHAPES = [(2,), (2, 5), (2, 5, 4), (2, 6, 5, 3), (2, 6, 5, 1), (2, 6, 5, 4), (2, 3, 6, 5),
          (2, 4, 4, 4, 2)]


def settings_(n):
    return settings(max_examples=n, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def make(name, **overrides):
    kwargs = {**CASES[name], **overrides}
    if name == "SpectralNormalization":
        kwargs["layer"] = L.Dense(3)
    return getattr(L, name)(**kwargs)


@functools.lru_cache(maxsize=None)  # RUNS asks once per case: build each class once
def has_data_format(name):
    return "data_format" in make(name).get_config()


def preserving_classes():
    modules = (".preserving", ".preprocessing", ".wrappers")  # the preserving.py of old
    return sorted(n for n in registry.known_classes()
                  if registry.lookup(n).__module__.endswith(modules))


def test_every_preserving_class_has_a_case():
    assert preserving_classes() == sorted(CASES)


def takes_training(name):
    return "training" in inspect.signature(getattr(L, name).call).parameters


RUNS = [(name, fmt, call_kwargs, shape)
        for name in sorted(CASES)
        for fmt in ("channels_last", "channels_first")
        for call_kwargs in (({}, TRAIN, INFER) if takes_training(name) else ({},))
        for shape in SHAPES
        if fmt == "channels_last" or has_data_format(name)]


@pytest.mark.parametrize("name, fmt, call_kwargs, shape", RUNS,
                         ids=[f"{n}-{f[9:]}-{'/'.join(map(str, k.values())) or 'default'}-"
                              f"{'x'.join(map(str, s))}" for n, f, k, s in RUNS])
def test_every_class_on_a_few_shapes(name, fmt, call_kwargs, shape):
    layer = make(name, **({"data_format": fmt} if fmt == "channels_first" else {}))
    if name in RANDOM_OPS:
        agrees_with_random_ops(layer, shape, call_kwargs)
    else:
        assert_agrees(layer, [shape], kwargs=call_kwargs)


# These pick random image ops per call; only some ops refuse a channel count, so TF fails
# on some calls only. shapelint reports what training will run into sooner or later.
RANDOM_OPS = ("AugMix", "RandAugment")


def agrees_with_random_ops(layer, shape, call_kwargs, tries=25):
    ours = predict(keras_call(layer, [shape], kwargs=call_kwargs))
    verdicts = []
    for _ in range(tries if ours[0] == "error" else 3):
        verdicts.append(run_tf(layer, [shape], kwargs=call_kwargs))
        if verdicts[-1][0] == "error":
            break
    if ours[0] == "error":
        assert verdicts[-1][0] == "error", f"{layer.name} {shape}: TF ran {tries} times"
    else:
        assert all(v == ("ok", ours[1]) for v in verdicts), (shape, ours, verdicts)


def test_unknown_dims_flow():
    for name in CASES:
        config = make(name).get_config()
        c = 4 if name == "GroupNormalization" else 3  # groups=2
        spatial = {"SpatialDropout1D": 1, "SpatialDropout3D": 3}.get(name, 2)
        for shape in [(None,) * (1 + spatial) + (c,), (None, 8) + (None,) * (spatial - 1) + (c,),
                      None]:
            verdict, value = predict(LayerCall(name, "x", config, (shape,)))
            assert verdict == "ok", (name, shape, value)
            if shape is not None and name not in ("RandomCrop", "CategoryEncoding"):
                assert value[0] == shape or name == "SpectralNormalization", (name, value)


# ------------------------------------------------------------ property tests

def check(cls, kwargs, shape, call_kwargs=None):
    """Agreement with TF; a config Keras refuses to construct must be SL003."""
    try:
        layer = cls(**kwargs)
    except (ValueError, TypeError) as e:
        # the config a file would hold: the class's own config with the refused values
        config = {**make(cls.__name__).get_config(), **kwargs}
        ours = predict(LayerCall(cls.__name__, "x", config, (shape,), kwargs=call_kwargs or {}))
        assert ours == ("error", "SL003"), f"Keras refuses {cls.__name__}({kwargs}): {e}; {ours}"
        return
    assert_agrees(layer, [shape], kwargs=call_kwargs)


shapes = st.lists(st.integers(1, 4), min_size=0, max_size=3).map(lambda s: (2, *s))
axis = st.integers(-5, 4)


@settings_(120)
@given(cls=st.sampled_from([L.Softmax, L.LayerNormalization, L.UnitNormalization,
                            L.RMSNormalization, L.BatchNormalization]),
       shape=shapes, axes=st.one_of(axis, st.lists(axis, min_size=1, max_size=2, unique=True)))
def test_axis_range(cls, shape, axes):
    if cls is L.BatchNormalization and isinstance(axes, list):
        axes = axes[0]
    check(cls, {"axis": axes}, shape)


@settings_(80)
@given(shape=shapes, groups=st.integers(-1, 6), axis=axis)
def test_group_normalization(shape, groups, axis):
    check(L.GroupNormalization, {"groups": groups, "axis": axis}, shape)


def test_group_normalization_message():
    config = L.GroupNormalization(groups=4).get_config()
    fn = registry.lookup("GroupNormalization")
    with pytest.raises(registry.ShapeError) as e:
        fn(LayerCall("GroupNormalization", "x", config, ((None, 8, 8, 6),)))
    assert e.value.code == "SL003" and "6" in e.value.message and "groups=4" in e.value.message


@settings_(80)
@given(cls=st.sampled_from([L.Dropout, L.AlphaDropout]), shape=shapes,
       noise=st.lists(st.one_of(st.none(), st.integers(1, 4)), min_size=1, max_size=4),
       rate=st.sampled_from([0.0, 0.5, 1.0]), training=st.booleans())
def test_dropout_noise_shape(cls, shape, noise, rate, training):
    if rate == 1.0 and cls is L.AlphaDropout:
        rate = 0.9
    check(cls, {"rate": rate, "noise_shape": tuple(noise)}, shape, {"training": training})


@settings_(40)
@given(shape=shapes, scale=st.one_of(st.floats(0.5, 2), st.lists(st.floats(0.5, 2), min_size=1,
                                                                   max_size=4)),
       offset=st.one_of(st.floats(0, 1), st.lists(st.floats(0, 1), min_size=1, max_size=3)))
def test_rescaling_broadcast(shape, scale, offset):
    check(L.Rescaling, {"scale": scale, "offset": offset}, shape)


@settings_(40)
@given(shape=shapes, n=st.integers(1, 4),
       axes=st.one_of(st.none(), axis, st.lists(st.integers(1, 3), min_size=1, max_size=2,
                                                unique=True)))
def test_normalization_mean(shape, n, axes):
    check(L.Normalization, {"axis": axes, "mean": [0.5] * n, "variance": [1.0] * n}, shape)


@settings_(40)
@given(shape=shapes, shared=st.lists(st.integers(-2, 4), min_size=1, max_size=2, unique=True))
def test_prelu_shared_axes(shape, shared):
    check(L.PReLU, {"shared_axes": shared}, shape)


image_dims = st.integers(1, 9)


@st.composite
def images(draw, channels=st.integers(1, 4)):
    fmt = draw(st.sampled_from(["channels_last", "channels_first"]))
    h, w, c = draw(image_dims), draw(image_dims), draw(channels)
    shape = (2, h, w, c) if fmt == "channels_last" else (2, c, h, w)
    if draw(st.integers(0, 5)) == 0:
        shape = shape[1:]  # one unbatched image
    return fmt, shape


GEOMETRIC = ["RandomFlip", "RandomRotation", "RandomZoom", "RandomTranslation", "RandomShear",
             "RandomPerspective", "RandomElasticTransform", "RandomErasing", "RandomGaussianBlur",
             "CutMix", "MixUp", "RandomSharpness", "Equalization", "AutoContrast"]


@settings_(80)
@given(name=st.sampled_from(GEOMETRIC), image=images(), training=st.sampled_from([None, False]))
def test_image_layers_on_any_size(name, image, training):
    fmt, shape = image
    check(getattr(L, name), {**CASES[name], "data_format": fmt}, shape,
          {} if training is None else {"training": training})


@settings_(60)
@given(image=images(), height=st.integers(1, 8), width=st.integers(1, 8),
       training=st.sampled_from([None, True, False]))
def test_random_crop(image, height, width, training):
    fmt, shape = image
    kwargs = {} if training is None else {"training": training}
    check(L.RandomCrop, {"height": height, "width": width, "data_format": fmt}, shape, kwargs)


def test_random_crop_examples():
    config = L.RandomCrop(24, 20).get_config()
    call = LayerCall("RandomCrop", "x", config, ((None, 32, 32, 3),))
    assert predict(call) == ("ok", ((None, 24, 20, 3),))
    call = LayerCall("RandomCrop", "x", config, ((None, 32, 32, 3),), kwargs=INFER)
    assert predict(call) == ("ok", ((None, 32, 32, 3),))


@settings_(40)
@given(image=images(), grid=st.tuples(st.integers(1, 9), st.integers(1, 9)))
def test_clahe_tile_grid(image, grid):
    fmt, shape = image
    check(L.ContrastLimitedAdaptiveHistogramEqualization,
          {"value_range": (0, 255), "tile_grid_size": grid, "data_format": fmt}, shape)


@settings_(60)
@given(name=st.sampled_from(["AugMix", "RandAugment", "RandomColorDegeneration",
                             "RandomGrayscale", "RandomHue", "RandomSaturation",
                             "RandomColorJitter"]),
       image=images(), training=st.sampled_from([None, False]),
       jitter=st.sampled_from([{"contrast_factor": 0.2}, {"saturation_factor": 0.2},
                               {"hue_factor": 0.1}]))
def test_color_layers_channels(name, image, training, jitter):
    fmt, shape = image
    extra = jitter if name == "RandomColorJitter" else {}
    kwargs = {} if training is None else {"training": training}
    layer = getattr(L, name)(**{**CASES[name], **extra}, data_format=fmt)
    if name in RANDOM_OPS:
        agrees_with_random_ops(layer, shape, kwargs)
    else:
        assert_agrees(layer, [shape], kwargs=kwargs)


@settings_(80)
@given(cls=st.sampled_from([L.Discretization, L.Hashing, L.CategoryEncoding]),
       mode=st.sampled_from(["int", "one_hot", "multi_hot", "count"]),
       shape=st.lists(st.integers(1, 4), min_size=0, max_size=3).map(lambda s: (3, *s)))
def test_categorical_encoders(cls, mode, shape):
    # CategoryEncoding has no "int" mode: Keras refuses it in the constructor, and shapelint
    # does not check output_mode names, so no SL003 can be asked for: not drawn.
    assume(not (cls is L.CategoryEncoding and mode == "int"))
    base = {L.Discretization: {"bin_boundaries": [0.5, 1.5]}, L.Hashing: {"num_bins": 6},
            L.CategoryEncoding: {"num_tokens": 7}}[cls]
    check(cls, {**base, "output_mode": mode}, shape)


@settings_(30)
@given(shape=st.lists(st.integers(1, 5), min_size=2, max_size=4).map(lambda s: (2, *s)),
       inner=st.sampled_from(["dense", "conv", "embedding"]))
def test_spectral_normalization_delegates(shape, inner):
    wrapped = {"dense": lambda: L.Dense(3), "conv": lambda: L.Conv2D(2, 3),
               "embedding": lambda: L.Embedding(10, 4)}[inner]()
    check(L.SpectralNormalization, {"layer": wrapped}, shape)


def test_spectral_normalization_passes_inner_errors():
    layer = L.SpectralNormalization(L.Conv2D(2, 3))
    assert run_tf(layer, [(2, 5, 5)])[0] == "error"
    assert predict(keras_call(layer, [(2, 5, 5)])) == ("error", "SL003")


@settings_(150)
@given(name=st.sampled_from(sorted(CASES)),
       shape=st.one_of(st.none(), st.lists(st.one_of(st.none(), st.integers(1, 6)), min_size=1,
                                           max_size=5).map(tuple)),
       training=st.sampled_from([None, True, False]))
def test_never_crashes_on_unknown_dims(name, shape, training):
    """Any rank, any None: a result or an SL003 finding, never an exception."""
    call = LayerCall(name, "x", make(name).get_config(), (shape,),
                     kwargs={} if training is None else {"training": training})
    verdict, value = predict(call)
    assert verdict == "ok" or value == "SL003", (name, shape, value)
