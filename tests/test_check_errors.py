"""What check(), the CLI and the callback do with input shapelint cannot analyse: one
error type with the CLI's one-line reason, and a fit that is never ended by shapelint's
own failure. Also the input shape given with its batch dim, and archives that hold two
config.json members."""

from __future__ import annotations

import copy
import json
import os
import zipfile

import pytest

import shapelint
from shapelint import cli

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "tests", "fixtures")
EXAMPLES = os.path.join(ROOT, "examples")
FUNCTIONAL = os.path.join(FIXTURES, "keras2_functional.json")


def functional() -> dict:
    with open(FUNCTIONAL) as f:
        return json.load(f)


def with_duplicate_name() -> dict:
    data = functional()
    layers = data["config"]["layers"]
    layers[2]["name"] = layers[1]["name"]
    return data


def cli_reason(capsys, path: str) -> str:
    assert cli.main([path]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    return err[0].removeprefix("shapelint: error: ")


@pytest.mark.parametrize("path", [
    "missing.keras",
    os.path.join(FIXTURES, "not_a_zip.keras"),
    os.path.join(FIXTURES, "no_config.keras"),
    os.path.join(FIXTURES, "truncated.json"),
])
def test_check_raises_shapelinterror_with_the_cli_reason(capsys, path):
    with pytest.raises(shapelint.ShapeLintError) as info:
        shapelint.check(path)
    assert isinstance(info.value, ValueError)
    assert info.value.findings == []
    assert str(info.value) == cli_reason(capsys, path)
    assert "\n" not in str(info.value)


def test_a_missing_file_says_no_such_file():
    with pytest.raises(shapelint.ShapeLintError, match=r"^missing\.keras: no such file$"):
        shapelint.check("missing.keras")


def test_malformed_configs_raise_the_same_reason_as_the_cli(tmp_path, capsys):
    path = tmp_path / "dup.json"
    path.write_text(json.dumps(with_duplicate_name()))
    with pytest.raises(shapelint.ShapeLintError) as from_file:
        shapelint.check(str(path))
    assert str(from_file.value) == cli_reason(capsys, str(path))
    assert "duplicate layer name 'right'" in str(from_file.value)
    with pytest.raises(shapelint.ShapeLintError, match="duplicate layer name 'right'"):
        shapelint.check(with_duplicate_name())
    with pytest.raises(shapelint.ShapeLintError, match="not a Keras model config"):
        shapelint.check({"hello": "world"})


def test_error_findings_still_raise_with_their_findings():
    report = shapelint.check(os.path.join(EXAMPLES, "mnist_too_deep.keras"), cross_check="off")
    with pytest.raises(shapelint.ShapeLintError) as info:
        report.raise_for_errors()
    assert [f.rule for f in info.value.findings] == ["SL001"]
    assert isinstance(info.value, ValueError)


# -- the batch dim given by mistake ---------------------------------------------------

def unet_at(*shape):
    return shapelint.check(os.path.join(EXAMPLES, "unet_96.keras"), input_shape=shape,
                           cross_check="off")


def test_a_shape_with_the_batch_dim_is_read_without_it():
    plain = unet_at(100, 100, 3)
    for given in ((None, 100, 100, 3), (8, 100, 100, 3)):
        report = unet_at(*given)
        assert [f.rule for f in report.findings] == [f.rule for f in plain.findings]
        assert report.inputs == plain.inputs == [(None, 100, 100, 3)]
        assert any("read as the batch and dropped" in note for note in report.notes)
    assert not any("batch" in note for note in plain.notes)
    assert "SL002" in [f.rule for f in plain.findings]


@pytest.mark.parametrize("text", ["100,100,3", "(100, 100, 3)", "[100,100,3]", " 100x100x3 ",
                                  "(None, 100, 100, 3)", "None,100,100,3"])
def test_input_shape_spellings_on_the_command_line(capsys, text):
    path = os.path.join(EXAMPLES, "unet_96.keras")
    assert cli.main([path, "--input-shape", text, "--format", "json"]) == 1
    entry = json.loads(capsys.readouterr().out)["files"][0]
    assert entry["inputs"] == [[None, 100, 100, 3]]
    assert [f["rule"] for f in entry["findings"] if f["severity"] == "error"] == ["SL002"] * 3
    assert ("None" in text) == any("dropped" in note for note in entry["notes"])


def test_a_one_dim_tuple_parses():
    assert cli.parse_input_shape("(7,)") == (7,)


# -- two config.json members -------------------------------------------------------

def test_an_archive_with_two_config_members_gets_the_one_keras_loads(tmp_path):
    import keras

    model = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Conv2D(2, 3, name="c")],
                             name="first")
    path = tmp_path / "m.keras"
    model.save(path)
    with zipfile.ZipFile(path) as zf:
        config = json.loads(zf.read("config.json"))
    second = copy.deepcopy(config)
    second["config"]["name"] = "second"
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns of the duplicate name
        with zipfile.ZipFile(path, "a") as zf:
            zf.writestr("config.json", json.dumps(second))
    loaded = keras.saving.load_model(path)
    report = shapelint.check(str(path), cross_check="off")
    assert report.model == loaded.name == "second"
    assert any("2 members named config.json" in note for note in report.notes)
    single = tmp_path / "single.keras"
    model.save(single)
    assert not shapelint.check(str(single), cross_check="off").notes


# -- the callback: shapelint's own failure never ends a fit -------------------------

def test_the_callback_warns_and_training_goes_on_when_shapelint_cannot_check(monkeypatch):
    import keras
    import numpy as np

    from shapelint import callback as callback_module

    class Net(keras.Model):  # subclassed: shapelint cannot see how its layers connect
        def __init__(self):
            super().__init__()
            self.dense = keras.layers.Dense(1)

        def call(self, x):
            return self.dense(x)

    def fit(model, cb):
        model.compile("sgd", "mse")
        model.fit(np.zeros((4, 3)), np.zeros((4, 1)), batch_size=2, epochs=1, verbose=0,
                  callbacks=[cb])
        return int(model.optimizer.iterations.numpy())

    with pytest.warns(RuntimeWarning, match="subclassed model"):
        assert fit(Net(), shapelint.ShapeLintCallback()) == 2

    def internal_bug(*args, **kwargs):
        raise AttributeError("'NoneType' object has no attribute 'model'")

    monkeypatch.setattr(callback_module, "check", internal_bug)  # without data
    monkeypatch.setattr(callback_module, "_check", internal_bug)  # with the batch's data
    sequential = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    with pytest.warns(RuntimeWarning, match="training goes on: 'NoneType'"):
        assert fit(sequential, shapelint.ShapeLintCallback()) == 2


def test_the_notebook_view_counts_warnings_not_only_errors():
    """A model with warnings only is not headed "no shape errors"."""
    warned = shapelint.check(os.path.join(EXAMPLES, "stride3_stack.keras"), cross_check="off")
    html = warned._repr_html_()
    assert '— <b style="color:#b06000">3 warnings</b>' in html
    assert html.count("[warning]</b>") == 3
    clean = shapelint.check(os.path.join(EXAMPLES, "healthy_cnn.keras"), cross_check="off")
    assert '— <b style="color:#188038">no findings</b>' in clean._repr_html_()
    hostile = shapelint.check(renamed_pool("a\x1b[2Jb"), cross_check="off")
    assert "a\\x1b[2Jb" in hostile._repr_html_() and "\x1b" not in hostile._repr_html_()


def renamed_pool(name: str) -> dict:
    """The functional fixture with one layer renamed (references updated)."""
    text = json.dumps(functional()).replace('"pool"', json.dumps(name))
    return json.loads(text)
