"""Model, data and loss must agree: SL201, SL202, SL203 on live Keras models.

Every case runs Keras itself for the ground truth (it refuses the data, or trains and
what it then computes), and has a healthy twin (the same model with the right data or
loss) that gets no SL2xx.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")
layers = keras.layers

import shapelint  # noqa: E402
from shapelint import ShapeLintCallback, ShapeLintError  # noqa: E402


def sl2(report) -> list:
    return sorted((f.rule, f.severity, f.layer) for f in report.findings if f.rule.startswith("SL2"))


def keras_error(model, x, y) -> str:
    """What Keras says when it trains one step on the data ("" when it trains)."""
    try:
        model.train_on_batch(x, y)
    except Exception as e:  # noqa: BLE001 - any refusal is the ground truth here
        return f"{type(e).__name__}: {e}"
    return ""


def classifier(shape=(32, 32, 3), classes=10, loss="sparse_categorical_crossentropy",
               activation="softmax"):
    inputs = keras.Input(shape, name="image")
    x = layers.Conv2D(4, 3, name="conv")(inputs)
    x = layers.Flatten(name="flatten")(x)
    outputs = layers.Dense(classes, activation=activation, name="probs")(x)
    model = keras.Model(inputs, outputs)
    model.compile("adam", loss)
    return model


def dense_head(units, activation, loss, features=4):
    inputs = keras.Input((features,), name="features")
    outputs = layers.Dense(units, activation=activation, name="out")(inputs)
    model = keras.Model(inputs, outputs)
    model.compile("adam", loss)
    return model


# --- SL201: x cannot feed the inputs -------------------------------------------------

def test_fixed_size_model_fed_smaller_images():
    model = classifier()
    x, y = np.zeros((2, 28, 28, 3), "float32"), np.zeros((2,), "int64")
    said = keras_error(model, x, y)
    assert "expected shape=(None, 32, 32, 3), found shape=(2, 28, 28, 3)" in said
    report = shapelint.check(model, x=x, y=y)
    assert sl2(report) == [("SL201", "error", "image")]
    message = report.findings[0].message
    assert "(None, 28, 28, 3)" in message and "(None, 32, 32, 3)" in message
    twin = shapelint.check(model, x=np.zeros((2, 32, 32, 3), "float32"), y=y)
    assert sl2(twin) == [] and twin.ok


def test_rgb_images_into_a_grayscale_model():
    model = classifier(shape=(32, 32, 1))
    x, y = np.zeros((2, 32, 32, 3), "float32"), np.zeros((2,), "int64")
    assert "expected axis -1 of input shape to have value 1" in keras_error(model, x, y)
    report = shapelint.check(model, data=(x, y))
    assert sl2(report) == [("SL201", "error", "image")]
    assert "3 channels where the input takes 1" in report.findings[0].message
    assert sl2(shapelint.check(model, data=(np.zeros((2, 32, 32, 1)), y))) == []


def test_frames_fed_to_an_lstm_that_reads_sequences():
    inputs = keras.Input((None, 39), name="frames")
    outputs = layers.Dense(5, activation="softmax", name="out")(layers.LSTM(8)(inputs))
    model = keras.Model(inputs, outputs)
    model.compile("adam", "sparse_categorical_crossentropy")
    y = np.zeros((2,), "int64")
    assert keras_error(model, np.zeros((2, 39), "float32"), y)
    assert sl2(shapelint.check(model, x=np.zeros((2, 39)), y=y)) == [("SL201", "error", "frames")]
    assert sl2(shapelint.check(model, x=np.zeros((2, 7, 39)), y=y)) == []


def test_missing_channel_axis_is_info_because_keras_3_adds_it():
    model = classifier(shape=(32, 32, 1))
    x, y = np.zeros((2, 32, 32), "float32"), np.zeros((2,), "int64")
    assert keras_error(model, x, y) == ""  # Keras 3 expands x to (2, 32, 32, 1) itself
    assert sl2(shapelint.check(model, x=x, y=y)) == [("SL201", "info", "image")]


def test_a_layer_that_fails_at_the_data_size_says_so():
    """The model takes any size; at the data's 30×30 a convolution gets nothing."""
    model = needs_36(input_name="image")
    with pytest.raises(ValueError):  # Keras's own shape check refuses 30×30
        model.compute_output_shape((2, 30, 30, 3))
    y = np.zeros((2,), "int64")
    report = shapelint.check(model, x=np.zeros((2, 30, 30, 3)), y=y)
    errors = [(f.rule, f.layer) for f in report.errors]
    assert errors == [("SL001", "last_conv")]
    assert "at your data's 30×30" in report.errors[0].message
    assert shapelint.check(model, x=np.zeros((2, 40, 40, 3)), y=y).ok


def test_multi_input_dict_matched_by_name():
    a, b = keras.Input((4,), name="a"), keras.Input((3,), name="b")
    outputs = layers.Dense(1, name="out")(layers.Concatenate()([a, b]))
    model = keras.Model([a, b], outputs)
    model.compile("adam", "mse")
    y = np.zeros((2, 1), "float32")
    good = {"a": np.zeros((2, 4)), "b": np.zeros((2, 3))}
    assert keras_error(model, good, y) == ""
    assert sl2(shapelint.check(model, x=good, y=y)) == []
    swapped = {"a": np.zeros((2, 3)), "b": np.zeros((2, 4))}
    assert keras_error(model, swapped, y) == ""  # Keras 3 runs it: 7 features either way
    assert sl2(shapelint.check(model, x=swapped, y=y)) == [("SL201", "error", "a"),
                                                           ("SL201", "error", "b")]


# --- SL202: y cannot meet the output under the loss ----------------------------------

def test_integer_labels_under_categorical_crossentropy():
    model = dense_head(10, "softmax", "categorical_crossentropy")
    x, y = np.zeros((2, 4), "float32"), np.array([3, 7])
    assert "must have the same rank" in keras_error(model, x, y)
    report = shapelint.check(model, x=x, y=y)
    assert sl2(report) == [("SL202", "error", "out")]
    assert "(None,)" in report.findings[0].message
    assert "to_categorical(y, 10)" in report.findings[0].fix
    assert sl2(shapelint.check(model, x=x, y=keras.utils.to_categorical(y, 10))) == []
    twin = dense_head(10, "softmax", "sparse_categorical_crossentropy")
    assert keras_error(twin, x, y) == ""
    assert sl2(shapelint.check(twin, x=x, y=y)) == []


def test_sparse_labels_beyond_the_units():
    model = dense_head(3, "softmax", "sparse_categorical_crossentropy")
    x = np.zeros((2, 4), "float32")
    assert "outside the valid range" in keras_error(model, x, np.array([0, 5]))
    report = shapelint.check(model, x=x, y=np.array([0, 5]))
    assert sl2(report) == [("SL202", "error", "out")]
    assert "up to 5" in report.findings[0].message
    assert sl2(shapelint.check(model, x=x, y=np.array([0, 2]))) == []


def test_one_hot_targets_under_sparse_crossentropy():
    model = dense_head(3, "softmax", "sparse_categorical_crossentropy")
    x, y = np.zeros((2, 4), "float32"), np.eye(3, dtype="float32")[[0, 2]]
    assert keras_error(model, x, y)
    assert sl2(shapelint.check(model, x=x, y=y)) == [("SL202", "error", "out")]


def test_mse_broadcasts_a_narrow_target_silently():
    """Keras trains a (b, 3) output against (b, 1) targets without an error: the loss
    is the mean over the broadcast (b, 3) difference."""
    model = dense_head(3, None, "mse")
    x = np.random.default_rng(0).normal(size=(4, 4)).astype("float32")
    y = np.arange(4, dtype="float32")[:, None]
    assert keras_error(model, x, y) == ""
    out = model.predict(x, verbose=0)
    assert float(model.evaluate(x, y, verbose=0)) == pytest.approx(float(np.mean((out - y) ** 2)),
                                                                  rel=1e-4)
    report = shapelint.check(model, x=x, y=y)
    assert sl2(report) == [("SL202", "error", "out")]
    assert "without an error" in report.findings[0].message
    assert sl2(shapelint.check(model, x=x, y=np.zeros((4, 3)))) == []
    flat = dense_head(1, None, "mse")
    assert sl2(shapelint.check(flat, x=x, y=np.zeros((4,)))) == []  # (b,) meets (b, 1)


def test_autoencoder_output_smaller_than_its_targets():
    inputs = keras.Input((28, 28, 1), name="image")
    x = layers.Conv2D(8, 3, name="enc")(inputs)
    x = layers.MaxPooling2D(2)(x)
    outputs = layers.Conv2DTranspose(1, 2, strides=2, activation="sigmoid", name="decoded")(x)
    model = keras.Model(inputs, outputs)
    model.compile("adam", "binary_crossentropy")
    images = np.zeros((2, 28, 28, 1), "float32")
    assert keras_error(model, images, images)  # (2, 26, 26, 1) output vs 28×28 targets
    assert sl2(shapelint.check(model, x=images, y=images)) == [("SL202", "error", "decoded")]
    assert sl2(shapelint.check(model, x=images, y=np.zeros((2, 26, 26, 1)))) == []


def test_three_classes_on_one_sigmoid_unit():
    model = dense_head(1, "sigmoid", "binary_crossentropy")
    x = np.zeros((3, 4), "float32")
    assert keras_error(model, x, np.array([0.0, 1.0, 2.0])) == ""  # trains on label 2
    report = shapelint.check(model, x=x, y=np.array([0.0, 1.0, 2.0]))
    assert sl2(report) == [("SL202", "error", "out")]
    assert sl2(shapelint.check(model, x=x, y=np.array([0.0, 1.0, 1.0]))) == []


def test_multi_output_targets_matched_by_name_and_by_order():
    inputs = keras.Input((5,), name="x")
    out1 = layers.Dense(2, name="out1")(inputs)
    out2 = layers.Dense(3, name="out2")(inputs)
    model = keras.Model(inputs, [out1, out2])
    model.compile("adam", "mse")
    x = np.zeros((2, 5), "float32")
    right = {"out1": np.zeros((2, 2)), "out2": np.zeros((2, 3))}
    assert keras_error(model, x, right) == ""
    assert sl2(shapelint.check(model, x=x, y=right)) == []
    assert sl2(shapelint.check(model, x=x, y=[np.zeros((2, 2)), np.zeros((2, 3))])) == []
    wrong = [np.zeros((2, 3)), np.zeros((2, 2))]
    assert keras_error(model, x, wrong)
    assert sl2(shapelint.check(model, x=x, y=wrong)) == [("SL202", "error", "out1"),
                                                         ("SL202", "error", "out2")]


# --- data sources: a tf.data spec (never iterated), a PyDataset (first batch only) ----

def test_dataset_spec_is_read_without_iterating():
    def never():
        raise AssertionError("the dataset was iterated")
        yield  # pragma: no cover

    dataset = tf.data.Dataset.from_generator(never, output_signature=(
        tf.TensorSpec((None, 4), tf.float32), tf.TensorSpec((None,), tf.int64)))
    report = shapelint.check(dense_head(10, "softmax", "categorical_crossentropy"),
                             data=dataset)
    assert sl2(report) == [("SL202", "error", "out")]
    assert sl2(shapelint.check(dense_head(10, "softmax", "sparse_categorical_crossentropy"),
                               data=dataset)) == []


def test_py_dataset_first_batch_only():
    class Batches(keras.utils.PyDataset):
        def __init__(self):
            super().__init__()
            self.read = []

        def __len__(self):
            return 100

        def __getitem__(self, i):
            self.read.append(i)
            return np.zeros((2, 4), "float32"), np.array([0, 9])

    batches = Batches()
    model = dense_head(3, "softmax", "sparse_categorical_crossentropy")
    assert sl2(shapelint.check(model, data=batches)) == [("SL202", "error", "out")]
    assert batches.read == [0]
    wide = dense_head(10, "softmax", "sparse_categorical_crossentropy")
    assert sl2(shapelint.check(wide, data=batches)) == []


def test_generators_are_refused_not_consumed():
    def batches():
        yield np.zeros((2, 4)), np.zeros((2,))

    with pytest.raises(TypeError, match="generator"):
        shapelint.check(dense_head(1, None, "mse"), data=batches())


# --- SL203: the loss does not fit the output (static) --------------------------------

def fit_history(model, x, y, epochs=20):
    keras.utils.set_random_seed(0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = model.fit(x, y, epochs=epochs, verbose=0)
    return history.history["loss"], [str(w.message) for w in caught]


XS = np.random.default_rng(0).normal(size=(64, 4)).astype("float32")
YS = (XS[:, 0] > 0).astype("float32")[:, None]


def test_one_unit_softmax_trains_under_bce_but_always_predicts_one():
    """Keras 3 trains the softmax's pre-activation logit as a sigmoid would: the loss
    falls exactly as the sigmoid twin's; predict() stays 1.0."""
    keras.utils.set_random_seed(0)
    model = dense_head(1, "softmax", "binary_crossentropy")
    keras.utils.set_random_seed(0)
    twin = dense_head(1, "sigmoid", "binary_crossentropy")
    losses, _ = fit_history(model, XS, YS)
    twin_losses, _ = fit_history(twin, XS, YS)
    assert losses[-1] < losses[0] and losses == pytest.approx(twin_losses, rel=1e-5)
    assert np.all(model.predict(XS, verbose=0) == 1.0)
    report = shapelint.check(model)
    assert sl2(report) == [("SL203", "error", "out")]
    assert "always outputs 1.0" in report.findings[0].message
    assert sl2(shapelint.check(twin)) == []


def test_categorical_crossentropy_on_one_unit_learns_nothing():
    model = dense_head(1, "sigmoid", "categorical_crossentropy")
    losses, said = fit_history(model, XS, YS, epochs=3)
    assert losses == [0.0, 0.0, 0.0]
    assert any("num_classes > 1" in w for w in said)
    assert sl2(shapelint.check(model)) == [("SL203", "error", "out")]
    assert sl2(shapelint.check(dense_head(1, "sigmoid", "binary_crossentropy"))) == []


def test_sparse_crossentropy_on_one_unit():
    model = dense_head(1, None, "sparse_categorical_crossentropy")
    assert "outside the valid range" in keras_error(model, XS[:2], np.array([0, 1]))
    assert sl2(shapelint.check(model)) == [("SL203", "error", "out")]


def test_binary_crossentropy_on_a_softmax_of_several_units():
    model = dense_head(3, "softmax", "binary_crossentropy")
    assert sl2(shapelint.check(model)) == [("SL203", "warning", "out")]
    assert sl2(shapelint.check(dense_head(3, "sigmoid", "binary_crossentropy"))) == []
    assert sl2(shapelint.check(dense_head(3, "softmax", "categorical_crossentropy"))) == []


def test_from_logits_after_a_sigmoid():
    """Keras 3 warns and trains on the logits: the loss is the twin's."""
    loss = keras.losses.BinaryCrossentropy(from_logits=True)
    keras.utils.set_random_seed(0)
    model = dense_head(1, "sigmoid", loss)
    keras.utils.set_random_seed(0)
    twin = dense_head(1, None, keras.losses.BinaryCrossentropy(from_logits=True))
    losses, said = fit_history(model, XS, YS, epochs=5)
    twin_losses, _ = fit_history(twin, XS, YS, epochs=5)
    assert any("from_logits=True" in w for w in said)
    assert losses == pytest.approx(twin_losses, rel=1e-5)
    report = shapelint.check(model)
    assert sl2(report) == [("SL203", "warning", "out")]
    assert sl2(shapelint.check(twin)) == []


def test_linear_output_read_as_probabilities():
    """BCE with from_logits=False clips a linear output: it trains on the wrong numbers
    (its loss is far above the logits twin's)."""
    keras.utils.set_random_seed(0)
    model = dense_head(1, None, "binary_crossentropy")
    keras.utils.set_random_seed(0)
    twin = dense_head(1, None, keras.losses.BinaryCrossentropy(from_logits=True))
    losses, _ = fit_history(model, XS, YS)
    twin_losses, _ = fit_history(twin, XS, YS)
    assert losses[-1] > 2 * twin_losses[-1]
    assert sl2(shapelint.check(model)) == [("SL203", "warning", "out")]
    assert sl2(shapelint.check(twin)) == []


def test_loss_per_output_from_a_dict():
    inputs = keras.Input((4,))
    a = layers.Dense(1, activation="softmax", name="a")(inputs)
    b = layers.Dense(3, activation="softmax", name="b")(inputs)
    model = keras.Model(inputs, [a, b])
    model.compile("adam", {"a": "mse", "b": "categorical_crossentropy"})
    assert sl2(shapelint.check(model)) == [("SL203", "error", "a")]


def test_cli_reports_sl203_from_a_keras_file(tmp_path):
    model = dense_head(1, "softmax", "binary_crossentropy")
    path = str(tmp_path / "head.keras")
    model.save(path)
    twin_path = str(tmp_path / "twin.keras")
    dense_head(1, "sigmoid", "binary_crossentropy").save(twin_path)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run([sys.executable, "-m", "shapelint", "--format", "json", path, twin_path],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 1, done.stderr
    files = json.loads(done.stdout)["files"]
    assert [(f["rule"], f["severity"], f["layer"]) for f in files[0]["findings"]] == \
        [("SL203", "error", "out")]
    assert files[1]["findings"] == []


# --- the callback --------------------------------------------------------------------

def test_callback_stops_on_integer_labels_before_any_step():
    model = dense_head(10, "softmax", "categorical_crossentropy")
    with pytest.raises(ShapeLintError) as raised:
        model.fit(XS, np.zeros((64,), "int64"), epochs=1, verbose=0,
                  callbacks=[ShapeLintCallback()])
    assert "SL202" in str(raised.value) and "(None,)" in str(raised.value)
    assert int(model.optimizer.iterations) == 0


def test_callback_names_the_data_shape_for_a_fixed_size_model():
    model = classifier()
    with pytest.raises(ShapeLintError) as raised:
        model.fit(np.zeros((4, 28, 28, 3)), np.zeros((4,)), verbose=0,
                  callbacks=[ShapeLintCallback()])
    text = str(raised.value)
    assert "SL201" in text and "found shape=(None, 28, 28, 3)" in text
    assert "expected shape=(None, 32, 32, 3)" in text
    assert "SL001" not in text  # no echo of the model analysed at a size it refuses
    assert int(model.optimizer.iterations) == 0


def test_callback_stops_on_a_static_loss_error():
    model = dense_head(1, "softmax", "binary_crossentropy")
    with pytest.raises(ShapeLintError, match="SL203"):
        model.fit(XS, YS, verbose=0, callbacks=[ShapeLintCallback()])
    assert int(model.optimizer.iterations) == 0


def sized_dataset(size, count=4):
    def images():
        for i in range(count):
            yield np.zeros((size, size, 3), "float32"), np.int64(i % 2)

    return tf.data.Dataset.from_generator(images, output_signature=(
        tf.TensorSpec((None, None, 3), tf.float32), tf.TensorSpec((), tf.int64))).batch(2)


def needs_36(input_name=None):
    """Any input size in the spec; runs at 36×36 and more, not at 30×30."""
    inputs = keras.Input((None, None, 3), name=input_name)
    x = inputs
    for filters in (8, 16):
        x = layers.Conv2D(filters, 3)(x)
        x = layers.Conv2D(filters, 3)(x)
        x = layers.MaxPooling2D(2)(x)
    x = layers.Conv2D(16, 3)(x)
    x = layers.Conv2D(16, 3, name="last_conv")(x)
    outputs = layers.Dense(2, activation="softmax")(layers.GlobalAveragePooling2D()(x))
    model = keras.Model(inputs, outputs)
    model.compile("adam", "sparse_categorical_crossentropy")
    return model


def test_callback_checks_unknown_sizes_at_run_time_before_any_step():
    model = needs_36()
    assert model.compute_output_shape((2, 36, 36, 3)) == (2, 2)
    with pytest.raises(ValueError):
        model.compute_output_shape((2, 30, 30, 3))
    with pytest.raises(ShapeLintError) as raised:
        model.fit(sized_dataset(30), epochs=1, verbose=0, callbacks=[ShapeLintCallback()])
    text = str(raised.value)
    assert "SL001" in text and "at your data's 30×30" in text
    tf_error = raised.value.__context__  # what TF raised (Keras hides it from the traceback)
    assert isinstance(tf_error, tf.errors.OpError) and "SL001" in str(tf_error)
    assert "30×30" in str(tf_error)
    assert int(model.optimizer.iterations) == 0
    assert "train_step" not in vars(model)


def test_callback_stays_silent_on_healthy_fits(capsys):
    model = needs_36()
    model.fit(sized_dataset(36), epochs=1, verbose=0, callbacks=[ShapeLintCallback()])
    assert int(model.optimizer.iterations) == 2
    head = dense_head(2, "softmax", "sparse_categorical_crossentropy")
    head.fit(XS, YS[:, 0].astype("int64"), epochs=1, verbose=0, callbacks=[ShapeLintCallback()])
    assert int(head.optimizer.iterations) == 2
    assert "shapelint" not in capsys.readouterr().out


def test_callback_checks_each_new_batch_size_not_only_the_first():
    """A good 40×40 batch trains; the 30×30 batch after it stops before its step."""
    def images():
        for size in (40, 40, 30, 30):
            yield np.zeros((size, size, 3), "float32"), np.int64(0)

    dataset = tf.data.Dataset.from_generator(images, output_signature=(
        tf.TensorSpec((None, None, 3), tf.float32), tf.TensorSpec((), tf.int64))).batch(2)
    model = needs_36()
    with pytest.raises(ShapeLintError, match="30×30"):
        model.fit(dataset, epochs=1, verbose=0, callbacks=[ShapeLintCallback(verbose=False)])
    assert int(model.optimizer.iterations) == 1


def test_a_configured_severity_wins_over_the_finding_s_own():
    """SL203 is an error or a warning by case; a severity set in the configuration
    applies to both."""
    error = dense_head(1, "softmax", "binary_crossentropy")
    warning = dense_head(3, "softmax", "binary_crossentropy")
    config = {"rules": {"SL203": {"severity": "info"}}}
    assert sl2(shapelint.check(error, config=config)) == [("SL203", "info", "out")]
    assert sl2(shapelint.check(warning, config=config)) == [("SL203", "info", "out")]
    assert sl2(shapelint.check(error, config={"ignore": ["SL203"]})) == []


def test_a_loss_mismatch_is_reported_even_downstream_of_a_shape_error():
    """SL203 reads no shape: a merge error upstream (written as data: Keras refuses to
    build it) does not hide it."""
    config = {"class_name": "Functional", "config": {
        "name": "m", "layers": [
            {"class_name": "InputLayer", "name": "a", "inbound_nodes": [],
             "config": {"name": "a", "batch_shape": [None, 4, 4, 2]}},
            {"class_name": "InputLayer", "name": "b", "inbound_nodes": [],
             "config": {"name": "b", "batch_shape": [None, 5, 5, 2]}},
            {"class_name": "Concatenate", "name": "join", "config": {"name": "join", "axis": -1},
             "inbound_nodes": [{"args": [[{"class_name": "__keras_tensor__",
                                           "config": {"keras_history": ["a", 0, 0]}},
                                          {"class_name": "__keras_tensor__",
                                           "config": {"keras_history": ["b", 0, 0]}}]],
                                "kwargs": {}}]},
            {"class_name": "Flatten", "name": "flat", "config": {"name": "flat"},
             "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__",
                                          "config": {"keras_history": ["join", 0, 0]}}],
                                "kwargs": {}}]},
            {"class_name": "Dense", "name": "out",
             "config": {"name": "out", "units": 1, "activation": "softmax"},
             "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__",
                                          "config": {"keras_history": ["flat", 0, 0]}}],
                                "kwargs": {}}]}],
        "input_layers": [["a", 0, 0], ["b", 0, 0]], "output_layers": [["out", 0, 0]]},
        "compile_config": {"loss": "binary_crossentropy"}}
    codes = [f.rule for f in shapelint.check(config, cross_check="off").findings]
    assert "SL002" in codes and "SL203" in codes
