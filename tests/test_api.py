"""shapelint.check() and ShapeLintCallback on live models, paths and config dicts."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

keras = pytest.importorskip("keras")
from keras import layers  # noqa: E402

import shapelint  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(ROOT, "examples")


def too_deep(size=None) -> "keras.Model":
    """An MNIST net one conv block too deep for 28×28 (fine at 64×64)."""
    inputs = keras.Input((size, size, 1), name="digits")
    x = inputs
    for block, filters in enumerate((4, 8, 16)):
        x = layers.Conv2D(filters, 3, activation="relu", name=f"b{block}_c1")(x)
        x = layers.Conv2D(filters, 3, activation="relu", name=f"b{block}_c2")(x)
        x = layers.MaxPooling2D(2, name=f"b{block}_pool")(x)
    return keras.Model(inputs, layers.Dense(10)(layers.GlobalMaxPooling2D()(x)))


def test_functional_model_at_a_given_input_shape():
    report = shapelint.check(too_deep(), input_shape=(28, 28, 1), cross_check="recorded")
    assert not report.ok
    assert [(f.rule, f.layer) for f in report.errors] == [("SL001", "b2_c2")]
    assert report.inputs == [(None, 28, 28, 1)]
    by_name = {layer.name: layer for layer in report.layers}
    assert by_name["b0_c1"].output_shapes == [(None, 26, 26, 4)]
    assert shapelint.check(too_deep(), input_shape=(64, 64, 1), cross_check="recorded").ok


def test_sequential_built_and_unbuilt():
    def seq(with_input):
        stack = [layers.Conv2D(4, 3, strides=3), layers.Conv2D(4, 3, strides=3), layers.Flatten()]
        return keras.Sequential(([keras.Input((32, 32, 3))] if with_input else []) + stack)

    built = shapelint.check(seq(True), cross_check="recorded")
    rules = {f.rule for f in built.findings}
    assert "SL101" in rules and "SL102" not in rules  # 10×10 → 3×3 goes into a Flatten
    unbuilt = seq(False)
    assert not unbuilt.built
    report = shapelint.check(unbuilt, cross_check="recorded")
    unknown = report.layers[-1].output_shapes  # nothing known without an input shape
    assert all(d is None for shape in unknown if shape is not None for d in shape)
    report = shapelint.check(unbuilt, input_shape=(32, 32, 3), cross_check="recorded")
    assert report.layers[-1].output_shapes == [(None, 3 * 3 * 4)]
    assert not unbuilt.built  # not built behind the user's back


def test_nested_model_and_lambda_layer():
    inner = keras.Sequential([layers.Conv2D(4, 3)], name="inner")
    inputs = keras.Input((16, 16, 3))
    x = layers.Lambda(lambda t: t * 2.0, name="double")(inputs)
    model = keras.Model(inputs, inner(x))
    report = shapelint.check(model, cross_check="recorded")
    assert [f.rule for f in report.findings if f.layer == "double"] == ["SL109"]
    names = {layer.name: layer.output_shapes for layer in report.layers}
    assert names["double"] == [(None, 16, 16, 3)]  # from the shapes Keras recorded
    assert names["inner/conv2d" if "inner/conv2d" in names else
                 next(n for n in names if n.startswith("inner/"))] is not None
    assert names["inner"] == [(None, 14, 14, 4)]


def test_model_is_not_mutated():
    model = too_deep(64)
    weights = [w.copy() for w in model.get_weights()]
    config = json.dumps(model.get_config(), sort_keys=True, default=str)
    shapelint.check(model, input_shape=(28, 28, 1), cross_check="recorded")
    assert json.dumps(model.get_config(), sort_keys=True, default=str) == config
    assert all(np.array_equal(a, b) for a, b in zip(weights, model.get_weights()))
    assert model.inputs[0].shape == (None, 64, 64, 1)


def test_a_model_tf_refuses_to_build_is_still_linted():
    report = shapelint.check(os.path.join(EXAMPLES, "unet_100.keras"), cross_check="tf")
    assert [(f.rule, f.layer) for f in report.errors] == [
        ("SL002", "dec3_concat"), ("SL002", "dec2_concat"), ("SL002", "dec1_concat")]
    assert any("could not build" in note and "Concatenate" in note for note in report.notes)
    by_name = {layer.name: layer for layer in report.layers}
    assert by_name["enc1_conv"].tf_output_shapes == by_name["enc1_conv"].output_shapes


def test_paths_and_config_dicts():
    report = shapelint.check(os.path.join(EXAMPLES, "unet_100.keras"), cross_check="recorded")
    assert [f.rule for f in report.errors] == ["SL002"] * 3
    with open(os.path.join(ROOT, "tests", "fixtures", "keras2_functional.json")) as f:
        data = json.load(f)
    assert shapelint.check(data, cross_check="off").ok
    strict = shapelint.check(os.path.join(EXAMPLES, "stride3_stack.keras"),
                             config={"ignore": ["SL1"]}, cross_check="off")
    assert strict.findings == []
    with pytest.raises(ValueError, match="not a zip"):
        shapelint.check(os.path.join(ROOT, "tests", "fixtures", "not_a_zip.keras"))
    with pytest.raises(TypeError):
        shapelint.check(42)


def test_report_outputs():
    report = shapelint.check(too_deep(), input_shape=(28, 28, 1), cross_check="recorded")
    with pytest.raises(shapelint.ShapeLintError) as info:
        report.raise_for_errors()
    assert info.value.findings == report.errors and "SL001" in str(info.value)
    data = json.loads(report.to_json())
    assert data["files"][0]["findings"][-1]["rule"] == "SL001"
    assert "b2_c2" in str(report) and "RF" in str(report)
    html = report._repr_html_()
    assert "<table " in html and "SL001 [error]</b>" in html
    assert '— <b style="color:#d93025">1 error, 1 warning' in html
    assert shapelint.check(too_deep(), input_shape=(64, 64, 1)).raise_for_errors().ok


def test_report_figures_repr_and_dir():
    model = keras.Sequential([keras.Input((28, 28, 1)), layers.Conv2D(8, 3, name="c1"),
                              layers.BatchNormalization(name="bn"), layers.Flatten(name="f"),
                              layers.Dense(4, name="d")])
    report = shapelint.check(model, cross_check="off")
    trainable = sum(int(w.shape.num_elements()) for w in model.trainable_weights)
    assert report.params == {"total": model.count_params(), "trainable": trainable,
                             "non_trainable": model.count_params() - trainable}
    by_name = {layer.name: layer for layer in report.layers}
    assert by_name["c1"].params == model.get_layer("c1").count_params() == 3 * 3 * 1 * 8 + 8
    assert by_name["bn"].trainable_params == 2 * 8
    assert by_name["c1"].macs == 26 * 26 * 8 * 3 * 3 * 1
    assert by_name["d"].output_bytes == 4 * 4
    assert report.macs == 26 * 26 * 8 * 9 + 26 * 26 * 8 + 26 * 26 * 8 * 4
    stack = shapelint.check(os.path.join(EXAMPLES, "stride3_stack.keras"), cross_check="off")
    assert repr(stack) == "<Report model='stride3_stack': 0 errors, 3 warnings, 6 layer calls>"
    names = dir(shapelint)
    assert {"check", "Report", "LayerShapes", "Finding", "ShapeLintError",
            "ShapeLintCallback"} <= set(names)
    assert set(shapelint.__all__) <= set(names)


def test_subclassed_model_says_what_it_cannot_see():
    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.conv = layers.Conv2D(4, 3)

        def call(self, x):
            return self.conv(x)

    with pytest.raises(ValueError, match="subclassed model"):
        shapelint.check(Net())


class StepCounter(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.steps = 0

    def on_train_batch_end(self, batch, logs=None):
        self.steps += 1


def test_callback_raises_before_the_first_step_of_a_broken_model():
    model = too_deep()  # declared with a dynamic size: only the real batch shows the bug
    model.compile("sgd", "sparse_categorical_crossentropy")
    counter = StepCounter()
    with pytest.raises(shapelint.ShapeLintError, match="SL001"):
        model.fit(np.zeros((4, 28, 28, 1)), np.zeros((4,)), batch_size=2, epochs=1, verbose=0,
                  callbacks=[shapelint.ShapeLintCallback(verbose=False), counter])
    assert counter.steps == 0
    assert int(model.optimizer.iterations.numpy()) == 0
    assert "train_step" not in vars(model)  # restored


def test_callback_is_silent_on_a_healthy_model(capsys):
    model = too_deep()
    # a linear output: its logits go to the loss as logits (SL203 warns otherwise)
    model.compile("sgd", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    counter = StepCounter()
    callback = shapelint.ShapeLintCallback()
    model.fit(np.zeros((4, 64, 64, 1)), np.zeros((4,)), batch_size=2, epochs=1, verbose=0,
              callbacks=[callback, counter])
    assert counter.steps == 2
    assert callback.report is not None and callback.report.inputs == [(None, 64, 64, 1)]
    assert "train_step" not in vars(model)
    assert "shapelint" not in capsys.readouterr().out


def test_checking_a_large_live_model_copies_no_weights():
    """Peak memory of check() on VGG16 (138M weights, 528 MiB): well below one copy."""
    code = (
        "import os, resource; os.environ['TF_CPP_MIN_LOG_LEVEL'] = '3'\n"
        "import keras, shapelint\n"
        "model = keras.applications.VGG16(weights=None)\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "report = shapelint.check(model, cross_check='recorded')\n"
        "after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "print((after - before) // 1024, len(report.layers))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=300)
    growth_mib, layers_seen = map(int, out.stdout.split())
    assert layers_seen == 23
    assert growth_mib < 50, f"check() grew the peak RSS by {growth_mib} MiB"
