"""Declared custom layers without Keras: the configuration's ``layers:`` key (strict, with
the file and key named in every error), one table per configuration file, and the
``shapelint.layers`` entry point group."""

from __future__ import annotations

import json
import os
import sys

import pytest

from shapelint import check
from shapelint.cli import main
from shapelint.config import ConfigError, ruleset_from_settings
from shapelint.shapes import declared

# A Sequential model with two custom layers, as Keras 3 writes one (the keys the shapes read)
MODEL = {"class_name": "Sequential", "config": {"name": "seq", "layers": [
    {"class_name": "InputLayer", "config": {"batch_shape": [None, 8, 8, 3], "name": "image"}},
    {"module": None, "class_name": "MyPool", "registered_name": "demo>MyPool",
     "config": {"name": "my_pool", "pool_size": 2, "strides": None, "padding": "valid"}},
    {"module": "keras.layers", "class_name": "Conv2D",
     "config": {"name": "conv", "filters": 4, "kernel_size": [3, 3], "strides": [1, 1],
                "padding": "valid", "dilation_rate": [1, 1], "data_format": "channels_last"}},
    {"module": None, "class_name": "MyHead", "registered_name": "demo>MyHead",
     "config": {"name": "head", "units": 10}},
]}}


def shapes(report) -> dict:
    return {t.name: t.output_shapes for t in report.layers}


def error(settings) -> str:
    with pytest.raises(ConfigError) as e:
        ruleset_from_settings(settings, "proj/.shapelint.yaml")
    message = str(e.value)
    assert "\n" not in message
    return message


@pytest.mark.parametrize("declaration, key, words", [
    ("similar", "layers.MyPool", "'similar' is not a declaration"),
    ({"like": "MaxPooling9D"}, "layers.MyPool.like", "'MaxPooling9D' is not a built-in layer"),
    ({"like": "MaxPooling2D", "pool_size": 3}, "layers.MyPool", "one key: like, output or outputs"),
    ({"output": []}, "layers.MyPool.output", "a list of dims"),
    ({"output": ["batch", "in[1] // 2"]}, "layers.MyPool.output[1]", "syntax error"),
    ({"output": ["batch", "inp[1] // 2"]}, "layers.MyPool.output[1]", "unknown name 'inp'"),
    ({"output": ["__import__('os').system('x')"]}, "layers.MyPool.output[0]", "only calls of"),
    ({"output": ["input_shape.count(1)"]}, "layers.MyPool.output[0]", "only calls of"),
    ({"output": ["config.items"]}, "layers.MyPool.output[0]", "Attribute is not allowed"),
    ({"output": ["config[input_shape[0]]"]}, "layers.MyPool.output[0]", "constant integer or"),
    ({"output": ["batch", 2.5]}, "layers.MyPool.output[1]", "2.5 is not an int"),
    ({"outputs": "input_shape"}, "layers.MyPool.outputs", "non-empty list"),
])
def test_a_declaration_that_cannot_be_used_names_the_file_and_key(declaration, key, words):
    message = error({"layers": {"MyPool": declaration}})
    assert message.startswith(f"proj/.shapelint.yaml: {key}: "), message
    assert words in message


def test_a_built_in_class_cannot_be_redeclared():
    message = error({"layers": {"Dense": "same"}})
    assert message.startswith("proj/.shapelint.yaml: layers.Dense: ")
    assert "built-in" in message
    ruleset_from_settings({"layers": {"mine>Dense": "same"}}, "x.yaml")  # a registered name


def test_layers_must_be_a_mapping():
    assert error({"layers": ["MyPool"]}).startswith("proj/.shapelint.yaml: layers: ")


def test_declared_shapes_through_every_form():
    layers = {"MyPool": {"like": "MaxPooling2D"},
              "demo>MyHead": {"output": ["batch", "config['units'] * input_shape[-1]"]}}
    report = check(MODEL, config={"layers": layers}, cross_check="off")
    assert shapes(report) == {"image": [(None, 8, 8, 3)], "my_pool": [(None, 4, 4, 3)],
                              "conv": [(None, 2, 2, 4)], "head": [(None, 40)]}
    assert not [f for f in report.findings if f.rule == "SL109"]


def test_unknown_dims_stay_unknown_through_expressions():
    layers = {"MyPool": "same", "MyHead": {"outputs": [
        ["batch", "input_shape[1] * 2", "max(input_shape[2], 1)", "-input_shape[3]"],
        "input_shapes[0]", ["batch", "config['units'] if input_shape[1] is None else 0"]]}}
    report = check(MODEL, input_shape=(None, None, 3), config={"layers": layers},
                   cross_check="off")
    assert shapes(report)["head"] == [(None, None, None, None), (None, None, None, 4),
                                      (None, 10)]


def test_an_expression_of_the_wrong_type_is_a_config_error_naming_the_layer():
    layers = {"MyPool": "same", "MyHead": {"output": ["batch", "input_shape[1] / 4"]}}
    with pytest.raises(ConfigError) as e:
        check(MODEL, config={"layers": layers}, cross_check="off")
    assert str(e.value) == ("check(config=...): layers.MyHead.output[1]: layer 'head': "
                            "'input_shape[1] / 4' gives 1.5, not an int "
                            "(use // for a whole-number division)")


def test_a_length_below_one_from_a_declaration_is_sl001():
    layers = {"MyPool": {"output": ["batch", "input_shape[1] - 8", 8, 3]}}
    report = check(MODEL, config={"layers": layers}, cross_check="off")
    assert ("SL001", "my_pool") in {(f.rule, f.layer) for f in report.findings}


def write_model(folder, config_text: str, config_name: str = ".shapelint.yaml"):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, config_name), "w") as f:
        f.write(config_text)
    path = os.path.join(folder, "model.json")
    with open(path, "w") as f:
        json.dump(MODEL, f)
    return path


def test_each_file_gets_the_layers_of_its_own_configuration(tmp_path, capsys):
    """One run, three folders: the nearest configuration's declarations, and no other's."""
    a = write_model(tmp_path / "a", "layers:\n  MyPool: {like: MaxPooling2D}\n")
    b = write_model(tmp_path / "b", "[tool.shapelint.layers]\nMyPool = 'same'\n"
                                    "'demo>MyHead' = {output = ['batch', 7]}\n",
                    "pyproject.toml")
    c = write_model(tmp_path / "c", "select: [SL0]\n")
    assert main([a, b, c, "--format", "json", "--fail-on", "error"]) == 0
    files = {os.path.basename(os.path.dirname(f["path"])): {
        layer["name"]: layer["output_shapes"] for layer in f["layers"]}
        for f in json.loads(capsys.readouterr().out)["files"]}
    assert files["a"]["my_pool"] == [[None, 4, 4, 3]] and files["a"]["head"] == [None]
    assert files["b"]["my_pool"] == [[None, 8, 8, 3]] and files["b"]["head"] == [[None, 7]]
    assert files["b"]["conv"] == [[None, 6, 6, 4]]
    assert files["c"]["my_pool"] == [None]


def test_a_failing_expression_ends_the_command_line_run_with_one_line(tmp_path, capsys):
    path = write_model(tmp_path, "layers:\n  MyPool: {output: [batch, \"config['size']\"]}\n")
    assert main([path]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (f"shapelint: error: {tmp_path / '.shapelint.yaml'}: layers.MyPool.output[1]: "
                   "layer 'my_pool': \"config['size']\" failed (KeyError: 'size')")


# -- the shapelint.layers entry point group --------------------------------------------------
PLUGIN = '''
def head(input_shapes, config):
    (batch, *_), = input_shapes
    return [(batch, config["units"] * 3)]

POOL = {"like": "MaxPooling2D"}

def broken(input_shapes, config):
    raise ValueError("units must be even")
'''


@pytest.fixture
def plugin(tmp_path, monkeypatch):
    """A package ``demo_shapes`` installed in a folder on sys.path, with its dist-info."""
    (tmp_path / "demo_shapes.py").write_text(PLUGIN)
    info = tmp_path / "demo_shapes-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: demo-shapes\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(
        "[shapelint.layers]\ndemo>MyHead = demo_shapes:head\nMyPool = demo_shapes:POOL\n"
        "Broken = demo_shapes:broken\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(declared, "_PLUGINS", {})
    yield
    sys.modules.pop("demo_shapes", None)


def test_an_installed_package_ships_shapes_for_its_layers(plugin):
    report = check(MODEL, cross_check="off")
    assert shapes(report) == {"image": [(None, 8, 8, 3)], "my_pool": [(None, 4, 4, 3)],
                              "conv": [(None, 2, 2, 4)], "head": [(None, 30)]}
    assert not [f for f in report.findings if f.rule == "SL109"]


def test_the_configuration_wins_over_an_entry_point(plugin):
    report = check(MODEL, config={"layers": {"MyPool": "same"}}, cross_check="off")
    assert shapes(report)["my_pool"] == [(None, 8, 8, 3)]
    assert shapes(report)["head"] == [(None, 30)]


def test_what_a_shape_function_raises_is_sl003(plugin):
    model = json.loads(json.dumps(MODEL))
    model["config"]["layers"][3]["class_name"] = "Broken"
    del model["config"]["layers"][3]["registered_name"]
    report = check(model, cross_check="off")
    found = [f for f in report.findings if f.layer == "head"]
    assert [f.rule for f in found] == ["SL003"]
    assert "units must be even" in found[0].message and "demo_shapes:broken" in found[0].message


def test_entry_points_are_not_read_for_a_model_of_built_in_layers(monkeypatch):
    asked = []
    monkeypatch.setattr(declared, "_load_plugin", lambda name: asked.append(name))
    monkeypatch.setattr(declared, "_PLUGINS", {})
    model = json.loads(json.dumps(MODEL))
    del model["config"]["layers"][1], model["config"]["layers"][-1]
    report = check(model, cross_check="off")
    assert shapes(report)["conv"] == [(None, 6, 6, 4)]
    assert asked == []
    check(MODEL, config={"layers": {"MyPool": "same"}}, cross_check="off")
    assert asked == ["demo>MyHead", "MyHead"]  # once per name, for the undeclared layer only
