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


def sanitized(config: dict) -> dict:
    """What tf_output_shapes gives Keras to build for ``config``."""
    from shapelint.crosscheck.adapt import Keras3, set_inputs
    from shapelint.crosscheck.sanitize import Sanitizer, allow_list

    clean = Sanitizer(allow_list(keras), Keras3(keras)).top(config)
    set_inputs(clean, None)
    return clean


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
    dense = layers.Dense(4, activation="gelu", kernel_initializer=keras.initializers.Constant(3.0),
                         kernel_regularizer=keras.regularizers.L2(0.1),
                         kernel_constraint=keras.constraints.MaxNorm(2.0), name="d")
    rnn = layers.Bidirectional(layers.LSTM(3, recurrent_activation="hard_sigmoid"), name="bi")
    inputs = keras.Input((5, 6), name="x")
    config = config_of(keras.Model(inputs, dense(rnn(inputs))))
    clean = sanitized(copy.deepcopy(config))
    kept = find_layer(clean, "d")["config"]
    assert kept["activation"] == "gelu"
    assert (kept["kernel_initializer"]["class_name"], kept["kernel_initializer"]["config"]) == (
        "Constant", {"value": 3.0})
    assert kept["kernel_regularizer"]["class_name"] == "L2"
    assert kept["kernel_constraint"]["class_name"] == "MaxNorm"
    lstm = find_layer(clean, "bi")["config"]["layer"]
    assert lstm["class_name"] == "LSTM" and lstm["config"]["recurrent_activation"] == "hard_sigmoid"


# -- configs Keras 3 reads differently: one minimal config per cause ------------------------------

def entry(class_name: str, name: str, nodes=None, module: bool = False, **config) -> dict:
    """A layer entry as tf.keras 2 writes it (with ``module`` as tf.keras 2.13+ does)."""
    out = {"class_name": class_name, "config": {"name": name, **config}}
    if module:
        out.update(module="keras.layers", registered_name=None)
    if nodes is not None:
        out.update(name=name, inbound_nodes=nodes)
    return out


def sequential(*layers, name="s") -> dict:
    return {"class_name": "Sequential", "config": {"name": name, "layers": list(layers)}}


def model(layers, inputs, outputs, name="m") -> dict:
    return {"class_name": "Model", "config": {"name": name, "layers": layers,
                                              "input_layers": inputs, "output_layers": outputs}}


def call(*refs) -> list:
    """One tf.keras 2 inbound node reading ``(layer, node)`` output 0 of each ref."""
    return [[[name, node, 0, {}] for name, node in refs]]


SEQ2SEQ = model(
    [entry("InputLayer", "seq", [], batch_input_shape=[None, 7, 3]),
     entry("InputLayer", "h", [], batch_input_shape=[None, 5]),
     entry("InputLayer", "c", [], batch_input_shape=[None, 5]),
     # tf.keras 2.0-2.2 wrote lstm(seq, initial_state=[h, c]) as one node of three inputs
     entry("LSTM", "lstm", call(("seq", 0), ("h", 0), ("c", 0)), units=5)],
    [["seq", 0, 0], ["h", 0, 0], ["c", 0, 0]], [["lstm", 0, 0]])

NESTED_SEQUENTIAL = model(
    [entry("InputLayer", "x", [], batch_input_shape=[None, 6]),
     entry("Dense", "d", call(("x", 0)), units=4),
     {"class_name": "Sequential", "name": "head", "inbound_nodes": call(("d", 0)),
      "config": {"name": "head", "layers": [
          entry("Dense", "h", units=2, batch_input_shape=[None, 4])]}}],
    # the first call of the nested Sequential is its node 1 (node 0: its own input)
    [["x", 0, 0]], [["head", 1, 0]])

NESTED_MODEL = model(
    [entry("InputLayer", "x", [], batch_input_shape=[None, 6]),
     {"class_name": "Model", "name": "enc", "inbound_nodes": call(("x", 0)),
      "config": {"name": "enc", "layers": [
          entry("InputLayer", "ei", [], batch_input_shape=[None, 6]),
          entry("Dense", "ed", call(("ei", 0)), units=3)],
          "input_layers": [["ei", 0, 0]], "output_layers": [["ed", 0, 0]]}},
     entry("Dense", "out", call(("enc", 1)), units=2)],
    [["x", 0, 0]], [["out", 0, 0]])

KERAS3_READS_DIFFERENTLY = {
    # RNN state variables cannot be created without allocating weights: stateful is dropped
    "stateful_rnn": (sequential(
        entry("LSTM", "lstm", units=8, stateful=True, return_sequences=True,
              batch_input_shape=[4, 10, 3]),
        entry("Dense", "d", units=2)),
        {("lstm_input", 0): [(4, 10, 3)], ("lstm", 0): [(4, 10, 8)], ("d", 0): [(4, 10, 2)]}),
    # Keras 3 loads a wrapper's layer with its new loader, which needs a 'module'
    "wrapped_layer_without_module": (sequential(
        entry("Embedding", "emb", input_dim=100, output_dim=8, batch_input_shape=[None, 20]),
        entry("Bidirectional", "bi", merge_mode="concat", layer={
            "class_name": "LSTM", "config": {"name": "fw", "units": 5, "return_sequences": True}}),
        entry("TimeDistributed", "td", layer={"class_name": "Dense",
                                              "config": {"name": "x", "units": 3}})),
        {("emb", 0): [(None, 20, 8)], ("bi", 0): [(None, 20, 10)], ("td", 0): [(None, 20, 3)]}),
    # arguments tf.keras 2 / TF.js wrote that Keras 3 refuses
    "rnn_time_major_false": (sequential(
        entry("LSTM", "lstm", module=True, units=4, time_major=False,
              batch_input_shape=[None, 6, 2])),
        {("lstm", 0): [(None, 4)]}),
    "conv_transpose_groups": (sequential(
        entry("Conv2DTranspose", "up", module=True, filters=2, kernel_size=[3, 3],
              strides=[2, 2], padding="same", groups=1, batch_input_shape=[None, 5, 5, 1])),
        {("up", 0): [(None, 10, 10, 2)]}),
    "spatial_dropout_trainable": (sequential(
        entry("SpatialDropout2D", "sd", module=True, rate=0.2, trainable=True,
              batch_input_shape=[None, 8, 8, 3])),
        {("sd", 0): [(None, 8, 8, 3)]}),
    "stale_batch_input_shape": (model(
        [entry("InputLayer", "ids", [], module=True, batch_input_shape=[None, 50]),
         entry("Embedding", "emb", call(("ids", 0)), module=True, input_dim=500, output_dim=4,
               batch_input_shape=[None, 50])],
        [["ids", 0, 0]], [["emb", 0, 0]]),
        {("emb", 0): [(None, 50, 4)]}),
    "initializer_dtype": (sequential(  # TF.js writes dtype into initializer configs
        entry("Dense", "d", units=3, batch_input_shape=[None, 5], kernel_initializer={
            "class_name": "GlorotUniform", "config": {"seed": None, "dtype": "float32"}},
              bias_initializer={"class_name": "Zeros", "config": {"dtype": "float32"}})),
        {("d", 0): [(None, 3)]}),
    # values Keras 3 reads differently
    "batchnorm_axis_list": (sequential(
        entry("BatchNormalization", "bn", module=True, axis=[3],
              batch_input_shape=[None, 4, 4, 2])),
        {("bn", 0): [(None, 4, 4, 2)]}),
    "dropout_rate_string": (sequential(  # Keras 1 wrote Dropout(p="0.5")
        entry("Dense", "d", units=3, batch_input_shape=[None, 5]),
        entry("Dropout", "drop", rate="0.5")),
        {("drop", 0): [(None, 3)]}),
    "rnn_initial_state_inputs": (SEQ2SEQ, {("lstm", 0): [(None, 5)]}),
    "cudnn_layers": (sequential(  # tf.keras 1.x-2.0 classes Keras 3 calls LSTM and GRU
        entry("Bidirectional", "bi", batch_input_shape=[None, 9, 4], layer={
            "class_name": "CuDNNLSTM", "config": {"name": "fw", "units": 6,
                                                  "return_sequences": True}}),
        entry("CuDNNGRU", "gru", units=3)),
        {("bi", 0): [(None, 9, 12)], ("gru", 0): [(None, 3)]}),
    # tf.keras 2 counts a nested model's calls from 1, Keras 3 from 0
    "nested_sequential_node_1": (NESTED_SEQUENTIAL,
                                 {("head/h", 0): [(None, 2)], ("head", 0): [(None, 2)]}),
    "nested_model_node_1": (NESTED_MODEL,
                            {("enc/ed", 0): [(None, 3)], ("enc", 0): [(None, 3)],
                             ("out", 0): [(None, 2)]}),
}


@pytest.fixture(scope="session")
def rebuilt() -> dict:
    return {name: tf_output_shapes(copy.deepcopy(config))
            for name, (config, _) in KERAS3_READS_DIFFERENTLY.items()}


@pytest.mark.parametrize("name", sorted(KERAS3_READS_DIFFERENTLY))
def test_configs_keras3_reads_differently_are_rebuilt(rebuilt, name):
    result, expected = rebuilt[name], KERAS3_READS_DIFFERENTLY[name][1]
    assert result.error is None
    assert {key: result.shapes.get(key) for key in expected} == expected


def test_a_stand_in_without_a_prediction_passes_its_input_on():
    """A Lambda whose output shape shapelint does not know is predicted as [None]: one
    unknown shape, not the shape (None,)."""
    config = sequential(entry("InputLayer", "img", batch_input_shape=[None, 8, 8, 3]),
                        entry("Lambda", "lam", function="never read"),
                        entry("Conv2D", "conv", filters=2, kernel_size=[3, 3]))
    result = tf_output_shapes(config, predicted={"lam": [None], "conv": [(None, 6, 6, 2)]})
    assert result.error is None and result.replaced == ["lam"] and result.guessed == ["lam"]
    assert result.shapes == {("img", 0): [(None, 8, 8, 3)]}


def test_a_malformed_declared_shape_in_a_nested_sequential_is_refused():
    """The static reader never reads it (the outer model gives the input), but Keras
    would be handed an input layer of that shape: refused, not skipped for a later key."""
    config = copy.deepcopy(NESTED_SEQUENTIAL)
    head = config["config"]["layers"][2]["config"]["layers"][0]["config"]
    head["batch_input_shape"], head["input_shape"] = [None, "4"], [4]
    result = tf_output_shapes(config)
    assert result.error == ("UnreadableModel: layer 'h': batch_input_shape=[None, '4'] is not a "
                            "list of integers and nulls")


def test_time_major_rnn_is_refused_in_plain_words():
    config = sequential(entry("LSTM", "lstm", units=4, time_major=True,
                              batch_input_shape=[None, 6, 2]))
    result = tf_output_shapes(config)
    assert result.error == ("ValueError: layer 'lstm' is time-major (time_major=True), "
                            "which Keras 3 RNN layers do not support")


@pytest.fixture(scope="session")
def embedding_int_dtype_model():
    """A Keras 1 Embedding with ``input_dtype='int32'`` (rewritten to ``dtype``), built by
    Keras from the sanitized config *with* its weights."""
    from keras.src.saving.serialization_lib import deserialize_keras_object

    config = sequential(entry("InputLayer", "ids", batch_input_shape=[None, 10]),
                        entry("Embedding", "emb", input_dim=30, output_dim=4, dtype="int32"))
    return deserialize_keras_object(sanitized(config), safe_mode=True)


def test_embedding_input_dtype_does_not_make_integer_weights(embedding_int_dtype_model):
    # as an integer layer Keras 3 fails to fill the weights ("Need minval < maxval")
    emb = embedding_int_dtype_model.get_layer("emb")
    assert emb.embeddings.dtype == "float32"
    assert tuple(emb.output.shape) == (None, 10, 4)


# -- the compatibility corpus ----------------------------------------------------------------------

CORPUS = os.path.join(os.path.dirname(__file__), "compat", "configs")
# corpus files Keras 3 could not rebuild (or not all of) before the causes above were handled
REBUILT_CORPUS_FILES = [
    "k1_char_lstm_stateful_kalraa.json",  # stateful LSTM, Dropout p="0.5"
    "k1_driving_crop_lambda_3llobo.json",  # Lambda without an output shape
    "k1_imdb_bilstm_kerasjs.json",  # Bidirectional(LSTM) without module
    "k1_nvidia_driving_lambda_andrewej.json",  # Lambda without an output shape
    "k2_dcgan_generator_saurabh262000.json",  # Conv2DTranspose(groups=1), BN axis=[3]
    "k2_sentiment_stacked_lstm_mohammadjaafar.json",  # LSTM(time_major=False)
    "k2_seq2seq_lstm_states_dl4j.json",  # initial_state as extra inputs
    "k2_siamese_shared_layers_lambda_saquibahmad.json",  # Bidirectional without module
    "k2_skull_inpainting_tfop_jcsyshc.json",  # TFOpLambda stand-ins without a prediction
    "k2_sound_cnn_json_string_alex9989286.json",  # BN axis=[3]
    "k2_text_bilstm_tf215_raffelravionaldo.json",  # Embedding batch_input_shape
    "k2_text_lstm_embedding_nari2002.json",  # SpatialDropout1D(trainable=...)
    "k2_time_distributed_dense_dl4j.json",  # TimeDistributed(Dense) without module
    "k2_trigger_word_conv1d_bilstm_menardai.json",  # Bidirectional without module
    "k2_two_input_cnn_lstm_gunashankar12.json",  # LSTM(time_major=False)
    "tfjs_name_gender_lstm_a1k28.json",  # LSTM(time_major=False)
    "tfjs_speech_commands_tm_nested_anaalbarracinc.json",  # nested Sequential, node 1
    "tfjs_unet_conv2dtranspose_zaidalyafeai.json",  # initializers with dtype
    "tfjs_tweet_bicudnnlstm_augustop.json",  # Bidirectional(CuDNNLSTM): was a stand-in
    # tf.keras 2.5 layer names with "/" (conv1/conv), which Keras 3 refuses
    "tfjs_densenet121_preprocess_ops_benjaminhenry.json",
]


@pytest.fixture(scope="session")
def corpus_results() -> dict:
    from shapelint.lint import lint_path

    return {name: lint_path(os.path.join(CORPUS, name), cross_check="tf")
            for name in REBUILT_CORPUS_FILES}


@pytest.mark.parametrize("name", REBUILT_CORPUS_FILES)
def test_corpus_config_is_rebuilt_by_keras(corpus_results, name):
    result = corpus_results[name]
    assert result.status == "ok", result.error
    assert not [note for note in result.notes if "could not build" in note]
    assert not [f for f in result.findings if f.rule == "SL004"]  # TF agrees where it says
    prefix = "layers TensorFlow was not allowed to build (not built-in Keras layers): "
    replaced = {name for note in result.notes if note.startswith(prefix)
                for name in note[len(prefix):].split(", ")}
    classes = {t.name: t.class_name for t in result.trace.layers}
    # only code stands in for a layer; every built-in one (CuDNNLSTM too) is rebuilt
    assert {classes[name] for name in replaced} <= {"Lambda", "TFOpLambda", "TensorFlowOpLayer"}
    compared = [t for t in result.trace.layers if t.tf_output_shapes is not None]
    if not replaced:  # TF gives every layer call's shapes
        assert len(compared) == len(result.trace.layers)
    else:
        assert compared


# -- ops (TFOpLambda, SlicingOpLambda): stand-ins that return the predicted shapes -----------------

def test_tf_keras2_ops_are_cross_checked_through_stand_ins(tmp_path):
    pytest.importorskip("tf_keras")
    import tensorflow as tf
    import tf_keras

    from shapelint.lint import lint_path

    a, b = tf_keras.Input((8, 8, 3)), tf_keras.Input((16, 12, 3))
    x = tf.nn.relu(a + b[:, :8, :8])
    r = tf.image.resize(x, tf.shape(b)[1:3])
    flat = tf.reshape(tf.concat([r, b], axis=-1), (-1, 16 * 12, 6))
    parts = tf.split(flat, 2, axis=-1)
    out = tf_keras.layers.Dense(4)(tf.reduce_mean(parts[0] * parts[1], axis=1))
    path = tmp_path / "ops.json"
    path.write_text(tf_keras.Model([a, b], [out, parts[1]]).to_json())
    result = lint_path(str(path), cross_check="tf")
    assert result.status == "ok", result.error
    assert not [note for note in result.notes if "could not build" in note]
    assert not [f for f in result.findings if f.rule in ("SL004", "SL109")]
    ops = [t for t in result.trace.layers if t.class_name in ("TFOpLambda", "SlicingOpLambda")]
    assert len(ops) == 11  # getitem, add, relu, shape, getitem, resize, concat, reshape, split, *, mean
    # every op's TF shape is there, and agrees with the shape tf_keras built
    assert all(t.tf_output_shapes == t.output_shapes for t in ops)
    # (layer names depend on what tf_keras built before in this process)
    dense = next(t for t in result.trace.layers if t.class_name == "Dense")
    assert dense.tf_output_shapes == [(None, 4)] == [tuple(out.shape)]
    resize = next(t for t in ops if t.call.config.get("function") == "image.resize")
    assert resize.output_shapes == [tuple(r.shape)] == [(None, 16, 12, 3)]
