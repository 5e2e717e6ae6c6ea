"""Loaders: every file format, Keras 2 and Keras 3 graphs, nested models, shared layers."""

from __future__ import annotations

import json
import os
import zipfile

import pytest
import yaml
from optional import require

from shapelint.errors import NotAModel, UnreadableModel
from shapelint.loading import load_config, load_path
from shapelint.shapes.propagate import propagate

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")


def shapes_by_call(trace) -> dict:
    return {(t.name, t.call.node): t.output_shapes for t in trace.layers}


# -- hand-written tf.keras 2 configs (expected shapes worked out by hand) ------------------

def test_keras2_functional_with_shared_layer_and_two_inputs():
    trace = propagate(load_path(os.path.join(FIXTURES, "keras2_functional.json")))
    assert trace.model.format == "keras2"
    assert shapes_by_call(trace) == {
        ("left", 0): [(None, 28, 28, 1)],
        ("right", 0): [(None, 28, 28, 1)],
        ("shared_conv", 0): [(None, 12, 12, 8)],  # floor((28 - 5) / 2) + 1
        ("shared_conv", 1): [(None, 12, 12, 8)],
        ("diff", 0): [(None, 12, 12, 8)],
        ("pool", 0): [(None, 4, 4, 8)],
        ("flat", 0): [(None, 128)],
        ("score", 0): [(None, 1)],
    }
    shared = [t for t in trace.layers if t.name == "shared_conv"]
    assert [t.dropped_border for t in shared] == [[1, 1], [1, 1]]  # (28 - 5) mod 2
    assert trace.findings == []


def test_keras2_sequential_without_input_layer_uses_batch_input_shape():
    trace = propagate(load_path(os.path.join(FIXTURES, "keras2_sequential.json")))
    assert [t.output_shapes[0] for t in trace.layers] == [
        (None, 100, 16), (None, 32, 32), (None, 16, 32), (None, 512), (None, 4)]
    assert trace.layers[1].receptive_field == [7] and trace.layers[1].jump == [3]
    assert trace.layers[2].receptive_field == [7 + 3] and trace.layers[2].jump == [6]


def test_input_shape_override_replaces_declared_shape():
    spec = load_path(os.path.join(FIXTURES, "keras2_sequential.json"))
    trace = propagate(spec, input_shapes=[(10, 16)])
    # conv: floor((10 - 7) / 3) + 1 = 2; pool 2 -> 1
    assert [t.output_shapes[0] for t in trace.layers][:3] == [(None, 10, 16), (None, 2, 32),
                                                             (None, 1, 32)]
    with pytest.raises(ValueError, match="1 input"):
        propagate(spec, input_shapes=[(10, 16), (3,)])


def test_yaml_config_reads_like_json(tmp_path):
    with open(os.path.join(FIXTURES, "keras2_functional.json")) as f:
        data = json.load(f)
    path = tmp_path / "model.yaml"
    path.write_text(yaml.safe_dump(data))
    assert shapes_by_call(propagate(load_path(str(path)))) == shapes_by_call(
        propagate(load_config(data)))


def test_tfjs_layers_model_topology_is_unwrapped():
    with open(os.path.join(FIXTURES, "keras2_sequential.json")) as f:
        data = json.load(f)
    for wrapped in ({"format": "layers-model", "modelTopology": data, "weightsManifest": []},
                    {"format": "layers-model", "modelTopology": {"model_config": data}}):
        trace = propagate(load_config(wrapped))
        assert trace.layers[-1].output_shapes == [(None, 4)]


# -- malformed input: one clear line, never a traceback ------------------------------------

@pytest.mark.parametrize("name, message", [
    ("not_a_zip.keras", "not a zip archive"),
    ("no_config.keras", "no config.json"),
    ("truncated.json", "not valid JSON"),
])
def test_unreadable_files_raise_one_line(name, message):
    with pytest.raises(UnreadableModel, match=message) as info:
        load_path(os.path.join(FIXTURES, name))
    assert "\n" not in str(info.value)


def test_non_model_json_is_not_a_model():
    with pytest.raises(NotAModel):
        load_path(os.path.join(FIXTURES, "not_a_model.json"))


@pytest.mark.parametrize("mutate, message", [
    (lambda c: c["config"]["layers"].append(dict(c["config"]["layers"][2])), "duplicate layer name"),
    (lambda c: c["config"]["layers"][3]["inbound_nodes"][0].append(["ghost", 0, 0, {}]),
     "unknown layer 'ghost'"),
    (lambda c: c["config"]["layers"][3]["inbound_nodes"][0].append(["pool", 0, 0, {}]),
     "cyclic"),
    (lambda c: c["config"]["layers"][3]["inbound_nodes"][0].append(["shared_conv", 5, 0, {}]),
     "node 5 of layer 'shared_conv'"),
    (lambda c: c["config"].update(output_layers=[["nowhere", 0, 0]]), "unknown layer 'nowhere'"),
    (lambda c: c["config"]["layers"].__setitem__(0, "junk"), "layer #0"),
])
def test_broken_graphs_are_unreadable_with_the_reason(mutate, message):
    with open(os.path.join(FIXTURES, "keras2_functional.json")) as f:
        data = json.load(f)
    mutate(data)
    with pytest.raises(UnreadableModel, match=message):
        load_config(data)


def test_keras_zip_with_lying_header_is_capped(tmp_path, monkeypatch):
    from shapelint.loading import files

    monkeypatch.setattr(files, "MAX_CONFIG_BYTES", 1000)
    path = tmp_path / "big.keras"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("config.json", " " * 5000 + "{}")
    with pytest.raises(UnreadableModel, match="limit"):
        load_path(str(path))


# -- real Keras 3 files: round trips compared with Keras's own shapes ----------------------

@pytest.fixture(scope="session")
def nested_shared_model(keras):
    from keras import layers

    inner = keras.Sequential([layers.Conv2D(4, 3, name="c"), layers.ReLU(name="r")], name="inner")
    encoder_in = keras.Input((None, None, 3), name="enc_in")
    encoder = keras.Model(encoder_in, layers.MaxPooling2D(2, name="p")(encoder_in), name="encoder")
    inp = keras.Input((17, 17, 3), name="img")
    shared = layers.Conv2D(3, 1, name="shared")
    a = shared(inp)
    b = shared(a)
    c = inner(encoder(b))
    d = encoder(a)  # the nested model called a second time
    out = layers.Concatenate(name="cat")([layers.Flatten(name="f1")(c), layers.Flatten(name="f2")(d)])
    return keras.Model(inp, out, name="outer")


def _expected_shapes(model) -> dict:
    """TF running the model on one 17×17 image: every call, nested ones included."""
    from keras_graph import eager_shapes

    verdict, shapes = eager_shapes(model, [(17, 17, 3)])
    assert verdict == "ok", shapes
    return {key: [(None, *s[1:]) for s in v] for key, v in shapes.items()}


@pytest.mark.parametrize("suffix", [".keras", ".h5", ".json"])
def test_round_trip_nested_and_shared_matches_keras(nested_shared_model, tmp_path, suffix):
    path = str(tmp_path / f"model{suffix}")
    if suffix == ".json":
        with open(path, "w") as f:
            f.write(nested_shared_model.to_json())
    else:
        nested_shared_model.save(path)
    trace = propagate(load_path(path))
    predicted = shapes_by_call(trace)
    expected = _expected_shapes(nested_shared_model)
    assert set(predicted) == set(expected)
    for key, shapes in expected.items():
        assert predicted[key] == shapes, key
    # inner layers are expanded per call with qualified names, at the outer tensor's size
    assert predicted[("encoder/p", 0)] == [(None, 8, 8, 3)]  # 17 -> 8
    assert predicted[("encoder:1/p", 0)] == [(None, 8, 8, 3)]
    assert predicted[("inner/c", 0)] == [(None, 6, 6, 4)]  # 8 - 2
    assert predicted[("encoder", 1)] == [(None, 8, 8, 3)]
    assert trace.findings == []


@pytest.mark.parametrize("suffix", [".keras", ".h5", ".json", ".yaml"])
def test_every_file_format_reads_a_keras2_config(tmp_path, suffix):
    """The hand-written tf.keras 2 config, stored the way each format stores it."""
    with open(os.path.join(FIXTURES, "keras2_functional.json")) as f:
        data = json.load(f)
    path = tmp_path / f"model{suffix}"
    if suffix == ".keras":
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("config.json", json.dumps(data))
            z.writestr("metadata.json", "{}")
    elif suffix == ".h5":
        h5py = require("h5py")
        with h5py.File(path, "w") as f:
            f.attrs["model_config"] = json.dumps(data).encode("utf-8")
    elif suffix == ".json":
        path.write_text(json.dumps(data))
    else:
        path.write_text(yaml.safe_dump(data))
    trace = propagate(load_path(str(path)))
    assert trace.model.format == "keras2"
    assert shapes_by_call(trace)[("shared_conv", 1)] == [(None, 12, 12, 8)]
    assert trace.layers[-1].output_shapes == [(None, 1)]


def test_an_edited_recorded_shape_is_a_shape_mismatch(tmp_path):
    """config.json says conv1 outputs 99×99: the cross-check with recorded shapes (SL004)."""
    from shapelint.lint import lint_path

    source = os.path.join(os.path.dirname(FIXTURES), "..", "examples", "stride3_stack.keras")
    edited = tmp_path / "edited.keras"
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(edited, "w") as dst:
        for item in src.infolist():
            payload = src.read(item.filename)
            if item.filename == "config.json":
                config = json.loads(payload)
                conv2 = next(l for l in config["config"]["layers"] if l["name"] == "conv2")
                conv2["inbound_nodes"][0]["args"][0]["config"]["shape"] = [None, 99, 99, 16]
                payload = json.dumps(config).encode()
            dst.writestr(item, payload)
    findings = lint_path(str(edited)).findings
    sl004 = [f for f in findings if f.rule == "SL004"]
    assert [f.layer for f in sl004] == ["conv1"]
    assert "10×10×16" in sl004[0].message and "99×99×16" in sl004[0].message
    assert not [f for f in lint_path(source).findings if f.rule == "SL004"]
    assert not [f for f in lint_path(str(edited), cross_check="off").findings if f.rule == "SL004"]


@pytest.mark.parametrize("class_name", [["Conv2D"], {"a": 1}, 3, None])
def test_layer_class_name_that_is_not_a_string_is_unreadable(class_name):
    """Found by the fuzzer: a list as class_name crashed the Keras 1 detection."""
    config = {"class_name": "Sequential", "config": {"name": "s", "layers": [
        {"class_name": class_name, "config": {"name": "c", "filters": 2, "kernel_size": 3}}]}}
    with pytest.raises(UnreadableModel, match="layer #0 is not a"):
        load_config(config)
