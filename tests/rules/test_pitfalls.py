"""The classic pitfalls, each built as a real Keras model that TF builds or runs in the
test to prove the situation is real, then linted from its saved config."""

from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")
from keras import layers  # noqa: E402

from shapelint.loading import load_config  # noqa: E402
from shapelint.rules.engine import apply_rules, default_ruleset  # noqa: E402
from shapelint.shapes.propagate import propagate  # noqa: E402

RULES = default_ruleset()


def lint(model, input_shapes=None) -> dict:
    trace = propagate(load_config(keras.saving.serialize_keras_object(model)), input_shapes)
    found: dict = {}
    for f in apply_rules(trace, RULES):
        found.setdefault(f.rule, []).append(f)
    return found


def run(model, shape):
    return model(np.zeros((1, *shape), dtype="float32"))


def test_stride3_unpadded_stack_on_32x32():
    inputs = keras.Input((32, 32, 3))
    x = inputs
    for _ in range(3):
        x = layers.Conv2D(4, 3, strides=3)(x)
    model = keras.Model(inputs, x)
    assert tuple(run(model, (32, 32, 3)).shape) == (1, 1, 1, 4)  # TF: a 1×1 map
    found = lint(model)
    assert "SL101" in found and "SL102" in found
    assert "2 rows and 2 cols never read" in found["SL101"][0].message


def test_mnist_net_one_block_too_deep_at_28():
    def net(size):
        inputs = keras.Input((size, size, 1))
        x = inputs
        for filters in (4, 8, 16):
            x = layers.Conv2D(filters, 3, activation="relu")(x)
            x = layers.Conv2D(filters, 3, activation="relu")(x)
            x = layers.MaxPooling2D(2)(x)
        return keras.Model(inputs, layers.Dense(10)(layers.GlobalMaxPooling2D()(x)))

    with pytest.raises(ValueError):
        net(28)  # Keras refuses to build it: negative output size
    dynamic = net(None)  # (eager TF on CPU may even run it, returning a wrong-sized map)
    found = lint(dynamic, [(28, 28, 1)])
    assert [f.layer for f in found["SL001"]][:1] == [dynamic.layers[8].name]  # block 3, conv 2


def test_unet_at_100x100_breaks_at_every_concatenate_below_the_top():
    """TF stops at the first failing Concatenate; shapelint goes on with the branch it
    would take and reports each of the three, and TF confirms that each is an error of
    its own: cropping the skips of the ones reported before still fails at the next."""
    crops = {2: 1, 1: 2, 0: 4}  # rows the skip has too many at 100×100, per level

    def unet(size, cropped=()):
        inputs = keras.Input((size, size, 1))
        x, skips = inputs, []
        for level in range(4):
            x = layers.Conv2D(4, 3, padding="same")(x)
            skips.append(x)
            x = layers.MaxPooling2D(2)(x)
        for level in reversed(range(4)):
            x = layers.Conv2DTranspose(4, 2, strides=2)(x)
            skip = skips[level]
            if level in cropped:
                skip = layers.Cropping2D(((0, crops[level]), (0, crops[level])))(skip)
            x = layers.Concatenate(name=f"concat{level}")([x, skip])
        return keras.Model(inputs, x)

    dynamic = unet(None)
    assert tuple(run(dynamic, (96, 96, 1)).shape) == (1, 96, 96, 8)
    found = lint(dynamic, [(100, 100, 1)])
    assert [f.layer for f in found["SL002"]] == ["concat2", "concat1", "concat0"]
    assert "SL002" not in lint(dynamic, [(96, 96, 1)])
    for cropped, failing in (((), "concat2"), ((2,), "concat1"), ((2, 1), "concat0")):
        model = unet(None, cropped)
        with pytest.raises(Exception):
            run(model, (100, 100, 1))  # TF fails at the next mismatch ...
        assert [f.layer for f in lint(model, [(100, 100, 1)])["SL002"]][0] == failing
    assert tuple(run(unet(None, (2, 1, 0)), (100, 100, 1)).shape) == (1, 96, 96, 8)
    assert "SL002" not in lint(unet(None, (2, 1, 0)), [(100, 100, 1)])


def test_transposed_conv_kernel_3_stride_2_checkerboard():
    inputs = keras.Input((8, 8, 4))
    model = keras.Model(inputs, layers.Conv2DTranspose(4, 3, strides=2, padding="same")(inputs))
    out = run(model, (8, 8, 4))
    assert tuple(out.shape) == (1, 16, 16, 4)
    found = lint(model)
    assert "SL105" in found
    good = keras.Model(inputs, layers.Conv2DTranspose(4, 4, strides=2, padding="same")(inputs))
    assert "SL105" not in lint(good)


def test_alexnet_stem_11x11_stride_4_at_224():
    inputs = keras.Input((224, 224, 3))
    model = keras.Model(inputs, layers.Conv2D(8, 11, strides=4)(inputs))
    # prove the dropped row is real: changing the last row/col does not change the output
    x = np.random.default_rng(0).normal(size=(1, 224, 224, 3)).astype("float32")
    y = x.copy()
    y[:, -1, :, :] += 100.0
    y[:, :, -1, :] += 100.0
    assert np.allclose(model(x), model(y))
    found = lint(model)
    # 1 row of 224 is left unread: true, and said, but not a likely mistake (SL101 needs
    # 2% of the axis)
    assert "SL104" in found and "SL101" not in found
    assert "1 row and 1 col at the end never read" in found["SL104"][0].message
    assert found["SL104"][0].severity == "info"


def test_stride_3_stem_drops_six_percent_of_32():
    inputs = keras.Input((32, 32, 3))
    model = keras.Model(inputs, layers.Conv2D(8, 3, strides=3)(inputs))
    x = np.random.default_rng(0).normal(size=(1, 32, 32, 3)).astype("float32")
    y = x.copy()
    y[:, -2:, :, :] += 100.0  # the last 2 rows and cols are never read
    y[:, :, -2:, :] += 100.0
    assert np.allclose(model(x), model(y))
    found = lint(model)
    assert "SL101" in found and "SL104" not in found  # one finding for one cause
    assert "2 rows and 2 cols never read" in found["SL101"][0].message


def test_1x1_stride_2_projection():
    inputs = keras.Input((56, 56, 8))
    model = keras.Model(inputs, layers.Conv2D(16, 1, strides=2)(inputs))
    x = np.zeros((1, 56, 56, 8), dtype="float32")
    y = x.copy()
    y[:, 1::2, :, :] = 50.0  # odd rows are never read by a 1×1 stride-2 kernel
    assert np.allclose(model(x), model(y))
    assert "SL103" in lint(model)


def test_flatten_of_224x224_map_into_dense():
    inputs = keras.Input((224, 224, 1))
    x = layers.Conv2D(2, 3, padding="same")(inputs)
    model = keras.Model(inputs, layers.Dense(2)(layers.Flatten()(x)))
    assert model.layers[-1].kernel.shape == (224 * 224 * 2, 2)
    found = lint(model)
    assert "SL108" in found
    assert "100,352 inputs" in found["SL108"][0].message
