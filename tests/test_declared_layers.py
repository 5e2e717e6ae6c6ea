"""Custom layers declared in the configuration (``layers:``), against real Keras custom layers.

Each test defines its custom layer classes, builds a model, saves it as Keras does
(``.keras`` or ``to_json``), lints the saved file with a declaration, and compares
shapelint's shapes with the ones Keras computed for the same layers.
"""

from __future__ import annotations

import json

import pytest

from optional import require
from shapelint import check
from shapelint.config import ConfigError

keras = require("keras")
ops = keras.ops


@keras.saving.register_keras_serializable(package="demo")
class MyScale(keras.layers.Layer):
    """Output shaped like the input."""

    def call(self, x):
        return x * 2.0


@keras.saving.register_keras_serializable(package="demo")
class MyPool(keras.layers.Layer):
    """A max pooling with MaxPooling2D's arguments."""

    def __init__(self, pool_size=2, strides=None, padding="valid", **kwargs):
        super().__init__(**kwargs)
        self.pool_size, self.strides, self.padding = pool_size, strides, padding

    def call(self, x):
        return ops.max_pool(x, self.pool_size, self.strides or self.pool_size, self.padding)

    def get_config(self):
        return {**super().get_config(), "pool_size": self.pool_size, "strides": self.strides,
                "padding": self.padding}


@keras.saving.register_keras_serializable(package="demo")
class MyProj(keras.layers.Layer):
    """Average pools by ``pool`` (floor), then projects to ``filters`` channels."""

    def __init__(self, pool=2, filters=8, **kwargs):
        super().__init__(**kwargs)
        self.pool, self.filters = pool, filters

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.filters))

    def call(self, x):
        return ops.matmul(ops.average_pool(x, self.pool, self.pool, "valid"), self.kernel)

    def get_config(self):
        return {**super().get_config(), "pool": self.pool, "filters": self.filters}


@keras.saving.register_keras_serializable(package="demo")
class MySplit(keras.layers.Layer):
    """Two outputs: the first ``keep`` channels, and the rest flattened per row."""

    def __init__(self, keep=1, **kwargs):
        super().__init__(**kwargs)
        self.keep = keep

    def call(self, x):
        rest = x[..., self.keep:]
        return x[..., :self.keep], ops.reshape(rest, (-1, x.shape[1], x.shape[2] * rest.shape[3]))

    def get_config(self):
        return {**super().get_config(), "keep": self.keep}


LAYERS = {
    "demo>MyScale": "same",
    "MyPool": {"like": "MaxPooling2D"},
    "MyProj": {"output": ["batch", "input_shape[1] // config['pool']",
                          "input_shape[2] // config['pool']", "config['filters']"]},
    "demo>MySplit": {"outputs": [
        ["batch", "input_shape[1]", "input_shape[2]", "config['keep']"],
        ["batch", "input_shape[1]", "input_shape[2] * (input_shape[3] - config['keep'])"]]},
}
DECLARED = {"my_scale": "MyScale", "my_pool": "MyPool", "my_proj": "MyProj", "my_split": "MySplit"}


def build(size, pool_size=3, strides=2, padding="valid", pool=2, filters=5, keep=2):
    inp = keras.Input((size, size, 4), name="image")
    x = MyScale(name="my_scale")(inp)
    x = MyPool(pool_size=pool_size, strides=strides, padding=padding, name="my_pool")(x)
    x = keras.layers.Conv2D(6, 3, padding="same", name="conv")(x)
    x = MyProj(pool=pool, filters=filters, name="my_proj")(x)
    first, second = MySplit(keep=keep, name="my_split")(x)
    return keras.Model(inp, [keras.layers.Flatten(name="flat")(first), second])


def keras_shapes(model) -> dict:
    """Layer name -> the output shapes Keras computed."""
    out = {}
    for layer in model.layers:
        outputs = layer.output if isinstance(layer.output, (list, tuple)) else [layer.output]
        out[layer.name] = [tuple(t.shape) for t in outputs]
    return out


def shapelint_shapes(report) -> dict:
    return {t.name: [tuple(s) if s is not None else None for s in t.output_shapes]
            for t in report.layers}


ARGS = [dict(size=32), dict(size=41, pool_size=2, strides=3, padding="same", pool=3),
        dict(size=64, pool_size=5, strides=1, pool=4, filters=7, keep=1),
        dict(size=17, pool_size=2, strides=None, padding="same", pool=2, filters=3, keep=2)]


@pytest.mark.parametrize("args", ARGS, ids=lambda a: f"{a['size']}px")
def test_declared_shapes_equal_keras_in_a_keras_file(tmp_path, args):
    model = build(**args)
    path = str(tmp_path / "custom.keras")
    model.save(path)
    report = check(path, config={"layers": LAYERS}, cross_check="off")
    got, want = shapelint_shapes(report), keras_shapes(model)
    for name in [*DECLARED, "conv", "flat"]:
        assert got[name] == want[name], name
    assert not [f for f in report.findings if f.rule in ("SL109", "SL004")]


@pytest.mark.parametrize("size", [23, 50])
def test_declared_shapes_at_another_input_size_equal_keras(tmp_path, size):
    """Linted at a size other than the one saved: nothing recorded can stand in."""
    (tmp_path / "model.json").write_text(build(32).to_json())
    report = check(str(tmp_path / "model.json"), input_shape=(size, size, 4),
                   config={"layers": LAYERS}, cross_check="off")
    got, want = shapelint_shapes(report), keras_shapes(build(size))
    assert {n: got[n] for n in DECLARED} == {n: want[n] for n in DECLARED}
    assert got["flat"] == want["flat"]


def test_undeclared_layers_are_unknown_and_declared_ones_are_not(tmp_path):
    path = str(tmp_path / "model.json")
    with open(path, "w") as f:
        f.write(build(32).to_json())
    plain = check(path, input_shape=(50, 50, 4), cross_check="off")
    unknown = sorted(f.layer for f in plain.findings if f.rule == "SL109")
    assert unknown == sorted(DECLARED)
    at_50 = keras_shapes(build(50))["flat"]
    # without a rule, the shapes after the layers are the ones recorded at 32 px: wrong at 50
    assert shapelint_shapes(plain)["flat"] == keras_shapes(build(32))["flat"] != at_50
    declared = check(path, input_shape=(50, 50, 4), config={"layers": LAYERS}, cross_check="off")
    assert not [f for f in declared.findings if f.rule == "SL109"]
    assert shapelint_shapes(declared)["flat"] == at_50


def test_a_registered_name_matches_and_the_class_name_too(tmp_path):
    """``demo>MyScale`` names the registered class; ``MyPool`` its class name (both in
    the file: ``class_name`` and ``registered_name``)."""
    config = json.loads(build(32).to_json())
    entries = {e["name"]: e for e in config["config"]["layers"]}
    assert entries["my_scale"]["registered_name"] == "demo>MyScale"
    assert entries["my_pool"]["class_name"] == "MyPool"
    other = {"layers": {"other>MyScale": "same"}}  # another package's MyScale: not this one
    report = check(config, input_shape=(32, 32, 4), config=other, cross_check="off")
    assert "my_scale" in {f.layer for f in report.findings if f.rule == "SL109"}


def test_a_rule_fires_through_a_declared_layer(tmp_path):
    """MyPool (like MaxPooling2D, pool 8) leaves 2×2 at 16 px: the valid 3×3 Conv2D after it
    cannot run (SL001), as Keras says when it builds the model at 16 px."""
    def model(size):
        inp = keras.Input((size, size, 3))
        x = MyPool(pool_size=8, name="my_pool")(inp)
        return keras.Model(inp, keras.layers.Conv2D(4, 3, name="conv")(x))

    with pytest.raises(ValueError):
        model(16)
    path = str(tmp_path / "model.keras")
    model(None).save(path)
    layers = {"MyPool": {"like": "MaxPooling2D"}}
    report = check(path, input_shape=(16, 16, 3), config={"layers": layers}, cross_check="off")
    assert [(f.rule, f.layer) for f in report.findings if f.severity == "error"] \
        == [("SL001", "conv")]
    plain = check(path, input_shape=(16, 16, 3), cross_check="off")
    assert not [f for f in plain.findings if f.severity == "error"]
    fine = check(path, input_shape=(24, 24, 3), config={"layers": layers}, cross_check="off")
    assert not [f for f in fine.findings if f.severity == "error"]
    assert shapelint_shapes(fine)["conv"] == keras_shapes(model(24))["conv"]


def test_a_merge_after_a_declared_layer_is_checked(tmp_path):
    """MyProj (pool 3) and MaxPooling2D(2) meet in a Concatenate: at 30 px 10×10 and 15×15
    (SL002), which Keras refuses too."""
    def model(size):
        inp = keras.Input((size, size, 3))
        a = MyProj(pool=3, filters=4, name="my_proj")(inp)
        b = keras.layers.MaxPooling2D(2, name="pool")(inp)
        return keras.Model(inp, keras.layers.Concatenate(name="cat")([a, b]))

    with pytest.raises(ValueError):
        model(30)
    path = str(tmp_path / "model.keras")
    model(None).save(path)
    report = check(path, input_shape=(30, 30, 3), config={"layers": LAYERS}, cross_check="off")
    assert [(f.rule, f.layer) for f in report.findings if f.severity == "error"] \
        == [("SL002", "cat")]


def test_the_size_sweep_goes_through_declared_layers(tmp_path):
    """The sizes a dynamic model with declared layers runs at: Keras builds it at each n."""
    def model(size):
        inp = keras.Input((size, size, 3))
        x = MyScale(name="my_scale")(inp)
        x = MyPool(pool_size=2, name="my_pool")(x)
        x = keras.layers.Conv2D(4, 3, name="conv")(x)
        x = MyProj(pool=2, filters=4, name="my_proj")(x)
        return keras.Model(inp, keras.layers.Conv2D(4, 3, name="conv_2")(x))

    truth = []
    for n in range(1, 41):
        try:
            model(n)
        except ValueError:
            continue
        truth.append(n)
    assert truth and truth[0] > 1  # some sizes fail, some run
    path = str(tmp_path / "model.keras")
    model(None).save(path)
    report = check(path, config={"layers": LAYERS}, cross_check="off", sizes=(1, 40))
    assert report.input_sizes.valid == truth
    assert report.input_sizes.unknown_layers == []
    plain = check(path, cross_check="off", sizes=(1, 40))
    assert plain.input_sizes.unknown_layers == ["my_scale", "my_pool", "my_proj"]


def test_the_tf_cross_check_builds_on_the_declared_shapes(tmp_path, tf):
    """TF builds the model with a stand-in for each declared layer that returns the declared
    shape: the layers after them get TF's shapes, equal to Keras's; no layer is executed."""
    model = build(40)
    path = str(tmp_path / "custom.keras")
    model.save(path)
    report = check(path, input_shape=(52, 52, 4), config={"layers": LAYERS}, cross_check="tf")
    by_name = {t.name: t for t in report.layers}
    want = keras_shapes(build(52))
    for name in ("conv", "flat"):
        assert [tuple(s) for s in by_name[name].tf_output_shapes] == want[name], name
    assert not [f for f in report.findings if f.rule == "SL004"]
    assert any("my_proj" in note and "my_scale" in note for note in report.notes)


def test_a_wrong_declaration_contradicts_the_recorded_shapes(tmp_path):
    """Declared 'same', MyPool halves the map: the shapes the file records say so (SL004)."""
    model = build(32)
    path = str(tmp_path / "custom.keras")
    model.save(path)
    wrong = {**LAYERS, "MyPool": "same"}
    report = check(path, config={"layers": wrong}, cross_check="recorded")
    assert "my_pool" in {f.layer for f in report.findings if f.rule == "SL004"}


def test_check_on_a_live_model_takes_the_same_layers_key():
    model = build(29, pool_size=2, strides=2, pool=2, filters=3)
    report = check(model, config={"layers": LAYERS}, cross_check="off")
    got, want = shapelint_shapes(report), keras_shapes(model)
    assert {n: got[n] for n in DECLARED} == {n: want[n] for n in DECLARED}


def test_a_failing_expression_is_a_config_error_naming_file_key_and_layer(tmp_path):
    config = tmp_path / ".shapelint.yaml"
    config.write_text("layers:\n  MyProj: {output: [batch, \"input_shape[1] // config['size']\","
                      " 4, 4]}\n")
    (tmp_path / "model.json").write_text(build(32).to_json())
    with pytest.raises(ConfigError) as e:
        check(str(tmp_path / "model.json"), cross_check="off")
    message = str(e.value)
    assert message.startswith(str(config) + ": layers.MyProj.output[1]: layer 'my_proj': ")
    assert "KeyError" in message and "\n" not in message
