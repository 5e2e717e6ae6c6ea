"""The input sizes a model runs at: shapelint's sweep against TensorFlow running the model.

The ground truth of the seven keras.applications models is in tests/sizes/truth/
(written by make_truth.py, which runs TF at every size: too slow for CI). The U-Net, the
Conv1D text model, VGG16 on small sizes and random 1D models are run by TF here, live.
"""

from __future__ import annotations

import json
import os

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from shapelint.loading import build_spec
from shapelint.shapes.propagate import propagate
from shapelint.shapes.sizes import analyse_sizes

keras = pytest.importorskip("keras")

from make_truth import keras_builds, tf_runs  # noqa: E402
from size_models import MODELS, build  # noqa: E402

TRUTH = os.path.join(os.path.dirname(__file__), "truth")


def valid_sizes(model, lo: int, hi: int) -> list:
    """The sizes shapelint finds, for a live model, read through its config."""
    spec = build_spec(json.loads(model.to_json()))
    return analyse_sizes(spec, propagate(spec), [(lo, hi)]).sizes.valid


def tf_valid_sizes(model, lo: int, hi: int) -> list:
    """The sizes at which Keras builds the model and TF runs it (see make_truth.py)."""
    every_output = keras.Model(model.inputs, [layer.output for layer in model.layers[1:]])
    # Keras first: TF may crash the process on a pooling window larger than its input
    return [n for n in range(lo, hi + 1)
            if keras_builds(every_output, n) and tf_runs(every_output, n)]


@pytest.fixture(scope="session")
def models():
    cache: dict = {}

    def get(name):
        if name not in cache:
            cache[name] = build(name)
        return cache[name]

    return get


def test_truth_covers_every_model():
    files = {f[:-5] for f in os.listdir(TRUTH) if f.endswith(".json")}
    assert files == set(MODELS)


@pytest.mark.parametrize("name", MODELS)
def test_valid_sizes_equal_tensorflow(name, models):
    with open(os.path.join(TRUTH, f"{name}.json")) as f:
        truth = json.load(f)
    lo, hi = truth["sizes"]
    assert (lo, hi) == (1, 160)
    assert valid_sizes(models(name), lo, hi) == truth["valid"]


@pytest.mark.parametrize("name, hi", [("unet4", 96), ("text_conv1d", 160), ("VGG16", 40)])
def test_valid_sizes_equal_tensorflow_live(name, hi, models):
    model = models(name)
    expected = tf_valid_sizes(model, 1, hi)
    assert expected, "the range should hold some valid size"
    assert valid_sizes(model, 1, hi) == expected


# ---------------------------------------------------------------- random 1D models vs TF

def _layer(draw):
    kind = draw(st.sampled_from(["conv", "maxpool", "avgpool", "pad", "crop", "upsample",
                                 "transpose"]))
    padding = draw(st.sampled_from(["valid", "same"]))
    k, s = draw(st.integers(1, 5)), draw(st.integers(1, 3))
    L = keras.layers
    if kind == "conv":
        d = draw(st.integers(1, 2)) if s == 1 else 1
        return L.Conv1D(2, k, strides=s, padding=padding, dilation_rate=d)
    if kind == "maxpool":
        return L.MaxPooling1D(k, strides=s, padding=padding)
    if kind == "avgpool":
        return L.AveragePooling1D(k, strides=s, padding=padding)
    if kind == "pad":
        return L.ZeroPadding1D((draw(st.integers(0, 3)), draw(st.integers(0, 3))))
    if kind == "crop":
        return L.Cropping1D((draw(st.integers(0, 3)), draw(st.integers(0, 3))))
    if kind == "upsample":
        return L.UpSampling1D(draw(st.integers(1, 3)))
    return L.Conv1DTranspose(2, max(k, 2), strides=s, padding="valid")


@st.composite
def random_models(draw):
    """A chain of 1D window layers, and maybe a second chain from the same input joined
    to it by Concatenate (the merge must then see equal lengths)."""
    inputs = keras.Input((None, 2))
    x = inputs
    for _ in range(draw(st.integers(1, 4))):
        x = _layer(draw)(x)
    if draw(st.booleans()):
        y = inputs
        for _ in range(draw(st.integers(0, 2))):
            y = _layer(draw)(y)
        x = keras.layers.Concatenate()([x, y])
    return keras.Model(inputs, x)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_models())
def test_random_models_valid_sizes_equal_tensorflow(model):
    expected = tf_valid_sizes(model, 1, 30)
    event(f"{'some' if expected else 'no'} valid size")
    assert valid_sizes(model, 1, 30) == expected


README_ROWS = {"VGG16, EfficientNetB0": ("VGG16", "EfficientNetB0"), "ResNet50": ("ResNet50",),
               "MobileNetV2": ("MobileNetV2",), "InceptionV3": ("InceptionV3",),
               "Xception": ("Xception",), "DenseNet121": ("DenseNet121",),
               "4-level U-Net": ("unet4",), "Conv1D text model": ("text_conv1d",)}


def test_readme_sizes_table_is_what_shapelint_says(models):
    import re

    with open(os.path.join(os.path.dirname(__file__), "..", "..", "README.md")) as f:
        readme = f.read()
    rows = dict((m.group(1).split(" (")[0], (m.group(2), m.group(3))) for m in re.finditer(
        r"^\| ([^|]+?) \| ([^|]+?) \| ([^|]+?) \|$", readme, re.M))
    for row, names in README_ROWS.items():
        for name in names:
            spec = build_spec(json.loads(models(name).to_json()))
            sizes = analyse_sizes(spec, propagate(spec), [(1, 1024)]).sizes
            assert rows[row] == (sizes.rule, sizes.clean_rule), name


def test_dense_after_flatten_refuses_another_input_size():
    """Flatten -> Dense has weights for the declared size: its layers refuse another size
    in TF, and so does the lint at that size (SL003), and the sweep."""
    import numpy as np
    import shapelint

    inputs = keras.Input((8, 8, 2))
    x = keras.layers.MaxPooling2D(2)(inputs)
    model = keras.Model(inputs, keras.layers.Dense(3)(keras.layers.Flatten()(x)))

    def layers_run_at(n):  # the model's own layers (and weights) on an n×n input
        y = np.zeros((1, n, n, 2), "float32")
        try:
            for layer in model.layers[1:]:
                y = layer(y)
        except Exception:  # noqa: BLE001
            return False
        return True

    config = json.loads(model.to_json())
    report = shapelint.check(config, input_shape=(16, 16, 2), cross_check="off")
    assert [f.rule for f in report.errors] == ["SL003"]
    assert "weights for 32 input features" in report.errors[0].message
    assert shapelint.check(config, input_shape=(9, 9, 2), cross_check="off").ok
    expected = [n for n in range(2, 21) if layers_run_at(n)]  # a 2×2 pool on 1×1 may crash TF
    assert expected == [8, 9]  # pooling floors 9 to 4, as 8: 32 features
    spec = build_spec(config)
    assert analyse_sizes(spec, propagate(spec), [(2, 20)], force=True).sizes.valid == expected
