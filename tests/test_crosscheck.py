"""shapelint.crosscheck: TF's shapes at every layer call, from a config stripped of foreign code."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys

import pytest

keras = pytest.importorskip("keras")

from keras import layers  # noqa: E402
from keras_graph import eager_shapes, symbolic_shapes  # noqa: E402

from shapelint.crosscheck import TFShapes, tf_output_shapes  # noqa: E402


def config_of(model) -> dict:
    return json.loads(model.to_json())


def no_batch(shapes: dict) -> dict:
    return {k: [(None,) + tuple(s[1:]) for s in v] for k, v in shapes.items()}


def find_layer(config: dict, name: str) -> dict:
    return next(entry for entry in config["config"]["layers"] if entry["name"] == name)


def small_unet(size) -> keras.Model:
    inputs = keras.Input((size, size, 1), name="image")
    x, skips = inputs, []
    for level in range(3):
        x = layers.Conv2D(4, 3, padding="same", name=f"enc{level + 1}_conv")(x)
        skips.append(x)
        x = layers.MaxPooling2D(2, name=f"enc{level + 1}_pool")(x)
    for level in reversed(range(3)):
        x = layers.Conv2DTranspose(4, 2, strides=2, name=f"dec{level + 1}_up")(x)
        x = layers.Concatenate(name=f"dec{level + 1}_concat")([x, skips[level]])
    outputs = layers.Conv2D(1, 1, name="mask")(x)
    return keras.Model(inputs, outputs, name="unet")


def payload_function(marker: str):
    """A lambda that writes ``marker`` when called: Keras stores it as marshalled bytecode."""
    return eval(f"lambda x: (open({marker!r}, 'w').write('pwned'), x)[1]", {})


# -- agreement with Keras on real models ---------------------------------------------------------

def test_sequential_matches_keras():
    model = keras.Sequential([
        keras.Input((28, 28, 1), name="digits"),
        layers.Conv2D(8, 3, name="conv"),
        layers.MaxPooling2D(2, name="pool"),
        layers.Flatten(name="flat"),
        layers.Dense(10, name="dense"),
    ], name="seq")
    expected = {("digits", 0): [(None, 28, 28, 1)]}
    expected.update({(layer.name, 0): [tuple(layer.output.shape)] for layer in model.layers})
    result = tf_output_shapes(config_of(model))
    assert result.error is None and result.replaced == []
    assert result.shapes == expected
    assert result.shapes[("flat", 0)] == [(None, 13 * 13 * 8)]


def test_tf_keras2_sequential_without_input_layer():
    config = {"class_name": "Sequential", "config": {"name": "s", "layers": [
        {"class_name": "Conv1D", "config": {"name": "c", "batch_input_shape": [None, 100, 16],
                                            "filters": 32, "kernel_size": [7], "strides": [3]}},
        {"class_name": "Dense", "config": {"name": "d", "units": 4, "activation": "softmax"}}]}}
    result = tf_output_shapes(config)
    assert result.error is None
    assert result.shapes == {("c_input", 0): [(None, 100, 16)], ("c", 0): [(None, 32, 32)],
                             ("d", 0): [(None, 32, 4)]}


def test_tf_keras2_functional_fixture():
    path = os.path.join(os.path.dirname(__file__), "fixtures", "keras2_functional.json")
    with open(path) as f:
        result = tf_output_shapes(json.load(f))
    assert result.error is None
    # 28 -> (28 - 5) // 2 + 1 = 12 for both calls of the shared conv; pool 3/3 -> 4
    assert result.shapes[("shared_conv", 0)] == result.shapes[("shared_conv", 1)] == [
        (None, 12, 12, 8)]
    assert result.shapes[("pool", 0)] == [(None, 4, 4, 8)]


def test_functional_with_shared_layer_and_nested_model_matches_keras():
    img = keras.Input((16, 16, 3), name="img")
    encoder = keras.Model(img, layers.Conv2D(4, 3, name="conv")(img), name="enc")
    a, b = keras.Input((16, 16, 3), name="a"), keras.Input((16, 16, 3), name="b")
    shared = layers.Conv2D(2, 1, name="shared")
    out = layers.Add(name="add")([shared(encoder(a)), shared(encoder(b))])
    model = keras.Model([a, b], layers.GlobalMaxPooling2D(name="gmp")(out), name="top")

    result = tf_output_shapes(config_of(model))
    expected = symbolic_shapes(model)
    assert {("shared", 1), ("enc", 1), ("enc:1/conv", 0), ("enc/img", 0)} <= set(expected)
    assert result.error is None and result.replaced == []
    assert result.shapes == expected


def test_nested_dynamic_model_gets_the_outer_shapes():
    inner_in = keras.Input((None, None, 3), name="x")
    inner = keras.Model(inner_in, layers.Conv2D(5, 3, strides=2, name="conv")(inner_in),
                        name="inner")
    outer_in = keras.Input((None, None, 3), name="image")
    model = keras.Model(outer_in, layers.Conv2D(2, 3, name="head")(inner(outer_in)), name="outer")

    result = tf_output_shapes(config_of(model), input_shapes=[(33, 21, 3)])
    status, expected = eager_shapes(model, [(33, 21, 3)])
    assert status == "ok" and result.error is None
    assert result.shapes == no_batch(expected)
    assert result.shapes[("inner/conv", 0)] == [(None, 16, 10, 5)]


def test_input_shapes_override():
    model = small_unet(None)
    config = config_of(model)
    result = tf_output_shapes(config, input_shapes=[(64, 64, 1)])
    assert result.error is None
    assert result.shapes == symbolic_shapes(small_unet(64))
    declared = tf_output_shapes(config)
    assert declared.shapes[("mask", 0)] == [(None, None, None, 1)]
    assert tf_output_shapes(config, input_shapes=[(8, 8, 1), (8, 8, 1)]).error.startswith(
        "ValueError: the model has 1 input(s)")


def test_resnet50_matches_keras():
    model = keras.applications.ResNet50(weights=None)
    result = tf_output_shapes(keras.saving.serialize_keras_object(model))
    assert result.error is None and result.replaced == []
    assert result.shapes == symbolic_shapes(model)


# -- Keras refusing the model ----------------------------------------------------------------------

def test_unet_at_100_is_refused_at_the_concatenate():
    config = config_of(small_unet(None))
    find_layer(config, "image")["config"]["batch_shape"] = [None, 100, 100, 1]
    result = tf_output_shapes(config)
    # enc convs see 100, 50, 25; the bottom is 12; back up, 12 -> 24 meets enc3's 25x25
    assert result.error.startswith("ValueError: ") and "Concatenate" in result.error
    assert "\n" not in result.error
    assert result.layer == "dec3_concat"
    assert result.shapes[("dec3_up", 0)] == [(None, 24, 24, 4)]  # what Keras built before
    assert result.shapes[("enc3_conv", 0)] == [(None, 25, 25, 4)]
    assert ("dec3_concat", 0) not in result.shapes


@pytest.mark.parametrize("config", [
    None, [], {"class_name": "Functional"}, {"class_name": "Functional", "config": {"layers": 3}},
    {"class_name": "MyModel", "module": "my.models", "config": {"layers": []}},
    {"class_name": "Sequential", "config": {"name": "s", "layers": [
        {"class_name": "Dense", "config": {"name": "d", "units": 2}}]}},  # no input shape
])
def test_never_raises(config):
    result = tf_output_shapes(config)
    assert isinstance(result, TFShapes) and result.error and "\n" not in result.error


def test_no_weights_are_allocated():
    """A 10^6 x 10^6 Dense would need 4 TB: the symbolic build never allocates it."""
    config = {"class_name": "Sequential", "config": {"name": "s", "layers": [
        {"class_name": "InputLayer", "config": {"name": "x", "batch_shape": [None, 10]}},
        {"class_name": "Dense", "config": {"name": "wide", "units": 1_000_000}},
        {"class_name": "Dense", "config": {"name": "huge", "units": 1_000_000}}]}}
    result = tf_output_shapes(config)
    assert result.error is None
    assert result.shapes[("huge", 0)] == [(None, 1_000_000)]


# -- security: nothing from the config is ever executed --------------------------------------------

def lambda_model(marker: str) -> keras.Model:
    inputs = keras.Input((8,), name="x")
    x = layers.Lambda(payload_function(marker), name="lam")(inputs)
    return keras.Model(inputs, layers.Dense(3, name="dense")(x), name="m")


def test_lambda_bytecode_is_never_run(tmp_path):
    marker = tmp_path / "pwned"
    config = config_of(lambda_model(str(marker)))
    marker.unlink()  # building the original model ran the payload once
    assert find_layer(config, "lam")["config"]["function"]["class_name"] == "__lambda__"

    result = tf_output_shapes(copy.deepcopy(config))
    assert result.error is None and result.replaced == ["lam"] and result.guessed == ["lam"]
    # no predicted shape for the stand-in: what follows it is a guess, left out
    assert result.shapes == {("x", 0): [(None, 8)]}
    assert not marker.exists()

    # even with unsafe deserialization switched on in the host process
    from keras.src.backend.common import global_state
    before = global_state.get_global_attribute("safe_mode_saving")
    keras.config.enable_unsafe_deserialization()
    try:
        assert tf_output_shapes(copy.deepcopy(config)).error is None
        assert not marker.exists()
        keras.models.model_from_json(json.dumps(config))  # control: the payload is live
        assert marker.exists()
    finally:
        global_state.set_global_attribute("safe_mode_saving", before)


def test_stand_in_returns_the_predicted_shape(tmp_path):
    marker = tmp_path / "pwned"
    inputs = keras.Input((8,), name="x")
    x = layers.Lambda(payload_function(str(marker)), name="lam")(inputs)
    x = layers.Reshape((2, 4), name="reshape")(x)
    model = keras.Model(inputs, layers.Dense(3, name="dense")(x))
    config = config_of(model)
    marker.unlink()
    predicted = {"lam": [(None, 2, 4)]}
    find_layer(config, "reshape")["config"]["target_shape"] = [4, 2]
    result = tf_output_shapes(config, predicted=predicted)
    assert result.error is None and not marker.exists()
    assert result.shapes[("lam", 0)] == [(None, 2, 4)]
    assert result.shapes[("dense", 0)] == [(None, 4, 3)]
    keyed_by_node = tf_output_shapes(config, predicted={("lam", 0): [[None, 4, 2]]})
    assert keyed_by_node.shapes[("lam", 0)] == [(None, 4, 2)]


def test_foreign_module_layer_is_replaced(tmp_path):
    marker = tmp_path / "pwned"
    config = config_of(keras.Sequential([keras.Input((4,), name="x"), layers.Dense(2, name="d")]))
    evil = {"module": "os", "class_name": "system", "registered_name": None, "name": "evil",
            "config": {"name": "evil", "command": f"touch {marker}"}, "build_config": None}
    config["config"]["layers"].insert(1, evil)
    nested = {"module": "subprocess", "class_name": "function", "config": "getoutput",
              "registered_name": None}
    dense = config["config"]["layers"][2]["config"]
    dense["activation"] = {"module": "os", "class_name": "function", "config": "system",
                           "registered_name": None}
    dense["kernel_initializer"] = {"module": "builtins", "class_name": "eval",
                                   "config": {"source": f"open({str(marker)!r}, 'w')"}}
    dense["bias_regularizer"] = nested
    result = tf_output_shapes(config, predicted={"evil": [(None, 4)]})
    assert result.error is None and result.replaced == ["evil"]
    assert result.shapes[("d", 0)] == [(None, 2)]
    assert not marker.exists()


@pytest.mark.parametrize("entry", [
    {"module": "keras.layers", "class_name": "TFSMLayer", "registered_name": None,
     "config": {"name": "smuggled", "filepath": "/nonexistent/saved_model",
                "call_endpoint": "serve"}},
    {"module": "keras.layers", "class_name": "Dense", "registered_name": "evil>Dense",
     "config": {"name": "smuggled", "units": 3}},
    {"module": "keras_hub.layers", "class_name": "Dense", "config": {"name": "smuggled", "units": 3}},
    {"module": "keras.layers", "class_name": "TimeDistributed", "registered_name": None,
     "config": {"name": "smuggled", "layer": {"module": "mypkg", "class_name": "Custom",
                                              "config": {}, "registered_name": "mypkg>Custom"}}},
    {"module": "keras.layers", "class_name": "StringLookup", "registered_name": None,
     "config": {"name": "smuggled", "vocabulary": "/etc/passwd"}},
])
def test_non_keras_layers_get_stand_ins(entry):
    config = config_of(keras.Sequential([keras.Input((4, 6), name="x"), layers.Dense(2, name="d")]))
    entry = dict(entry, name="smuggled")
    config["config"]["layers"].insert(1, entry)
    result = tf_output_shapes(config, predicted={"smuggled": [(None, 5, 3)]})
    assert result.error is None and result.replaced == ["smuggled"] and result.guessed == []
    assert result.shapes == {("x", 0): [(None, 4, 6)], ("smuggled", 0): [(None, 5, 3)],
                             ("d", 0): [(None, 5, 2)]}


def test_custom_layer_inside_nested_model_gets_qualified_name(tmp_path):
    marker = tmp_path / "pwned"
    inner_in = keras.Input((8,), name="x")
    inner = keras.Model(inner_in, layers.Lambda(payload_function(str(marker)), name="lam")(inner_in),
                        name="inner")
    outer_in = keras.Input((8,), name="inp")
    model = keras.Model(outer_in, layers.Dense(2, name="d")(inner(inner(outer_in))))
    config = config_of(model)
    marker.unlink()
    result = tf_output_shapes(config, predicted={"inner:1/lam": [(None, 6)]})
    assert result.error is None and not marker.exists()
    assert result.replaced == ["inner/lam", "inner:1/lam"] and result.guessed == ["inner/lam"]
    # the first call's stand-in guessed: everything up to the predicted second one is left out
    assert result.shapes == {("inp", 0): [(None, 8)], ("inner/x", 0): [(None, 8)],
                             ("inner:1/lam", 0): [(None, 6)], ("inner", 1): [(None, 6)],
                             ("d", 0): [(None, 2)]}


def test_import_needs_no_tensorflow_and_tf_stays_quiet(tmp_path):
    path = tmp_path / "unet.json"
    config = config_of(small_unet(None))
    find_layer(config, "image")["config"]["batch_shape"] = [None, 100, 100, 1]
    path.write_text(json.dumps(config))
    code = ("import json, sys\n"
            "import shapelint.crosscheck as c\n"
            "assert 'keras' not in sys.modules and 'tensorflow' not in sys.modules\n"
            f"r = c.tf_output_shapes(json.load(open({str(path)!r})))\n"
            "print(r.error)\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TF_CPP")}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Concatenate" in done.stdout
    assert done.stderr == ""


def test_multi_output_stand_in(tmp_path):
    marker = tmp_path / "pwned"
    inputs = keras.Input((8,), name="x")
    first, second = layers.Lambda(eval(  # noqa: S307 - the payload under test
        f"lambda t: [(open({str(marker)!r}, 'w'), t)[1], t[:, :4]]"), name="split")(inputs)
    model = keras.Model(inputs, layers.Dense(2, name="d")(second))
    config = config_of(model)
    marker.unlink()
    result = tf_output_shapes(config, predicted={"split": [(None, 8), (None, 4)]})
    assert result.error is None and not marker.exists()
    assert result.shapes[("split", 0)] == [(None, 8), (None, 4)]
    assert result.shapes[("d", 0)] == [(None, 2)]


def test_keras_objects_in_kept_layers_survive_scrubbing():
    from shapelint.crosscheck import _Sanitizer

    dense = layers.Dense(4, activation="gelu", kernel_initializer=keras.initializers.Constant(3.0),
                         kernel_regularizer=keras.regularizers.L2(0.1),
                         kernel_constraint=keras.constraints.MaxNorm(2.0), name="d")
    rnn = layers.Bidirectional(layers.LSTM(3, recurrent_activation="hard_sigmoid"), name="bi")
    inputs = keras.Input((5, 6), name="x")
    config = config_of(keras.Model(inputs, dense(rnn(inputs))))
    clean = _Sanitizer(keras, {}).top(copy.deepcopy(config), None)
    kept = find_layer(clean, "d")["config"]
    assert kept["activation"] == "gelu"
    assert (kept["kernel_initializer"]["class_name"], kept["kernel_initializer"]["config"]) == (
        "Constant", {"value": 3.0})
    assert kept["kernel_regularizer"]["class_name"] == "L2"
    assert kept["kernel_constraint"]["class_name"] == "MaxNorm"
    lstm = find_layer(clean, "bi")["config"]["layer"]
    assert lstm["class_name"] == "LSTM" and lstm["config"]["recurrent_activation"] == "hard_sigmoid"
