"""Older config formats: Keras 1 (rewritten by ``loading.legacy``), the tf.keras 2 node
forms, nested-model node numbering, TF.js ``model.json`` files.

Every Keras 1 fixture is compared layer by layer with the same model built by hand in
Keras 3 (Keras 3 layer names and arguments, channels_first where the file says ``th``).
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys

import pytest

from shapelint.errors import NotAModel, UnreadableModel
from shapelint.lint import analyse
from shapelint.loading import load_config, load_path, model_config_from
from shapelint.loading.legacy import (
    convert_layer, deconv_output_padding, is_legacy, normalize, ordering_from_shape,
)
from shapelint.shapes.propagate import propagate

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LEGACY = os.path.join(ROOT, "tests", "fixtures", "legacy")
KERAS1_FILES = sorted(f for f in os.listdir(LEGACY) if f.startswith("keras1"))
CF, CL = "channels_first", "channels_last"


def read(name: str) -> dict:
    with open(os.path.join(LEGACY, name)) as f:
        return json.load(f)


def shapes_by_call(spec) -> dict:
    return {(t.name, t.call.node): t.output_shapes for t in propagate(spec).layers}


def lint(data: dict) -> list:
    result = analyse(model_config_from(data), "model.json", cross_check="recorded")
    assert result.status == "ok", result.error
    return result.findings


# -- the argument mapping, layer by layer (expected configs written by hand) ---------------

MAPPINGS = [
    ("Convolution2D", {"name": "c", "trainable": True, "nb_filter": 8, "nb_row": 3, "nb_col": 5,
                       "border_mode": "same", "subsample": [2, 1], "dim_ordering": "th",
                       "init": "he_normal", "activation": "relu", "bias": False,
                       "W_regularizer": {"name": "WeightRegularizer", "l2": 0.01},
                       "b_constraint": None},
     "Conv2D", {"name": "c", "trainable": True, "filters": 8, "kernel_size": [3, 5],
                "padding": "same", "strides": [2, 1], "data_format": CF, "activation": "relu",
                "use_bias": False}),
    ("Convolution1D", {"name": "c1", "nb_filter": 4, "filter_length": 5, "border_mode": "valid",
                       "subsample_length": 2, "input_dim": 16, "input_length": 30},
     "Conv1D", {"name": "c1", "filters": 4, "kernel_size": 5, "padding": "valid", "strides": 2}),
    ("Convolution3D", {"name": "v", "nb_filter": 2, "kernel_dim1": 3, "kernel_dim2": 3,
                       "kernel_dim3": 1, "border_mode": "valid", "subsample": [1, 1, 2],
                       "dim_ordering": "tf"},
     "Conv3D", {"name": "v", "filters": 2, "kernel_size": [3, 3, 1], "padding": "valid",
                "strides": [1, 1, 2], "data_format": CL}),
    ("AtrousConvolution2D", {"name": "a", "nb_filter": 4, "nb_row": 3, "nb_col": 3,
                             "border_mode": "valid", "subsample": [1, 1], "dim_ordering": "tf",
                             "atrous_rate": [2, 3]},
     "Conv2D", {"name": "a", "filters": 4, "kernel_size": [3, 3], "padding": "valid",
                "strides": [1, 1], "data_format": CL, "dilation_rate": [2, 3]}),
    ("AtrousConvolution1D", {"name": "a1", "nb_filter": 4, "filter_length": 3,
                             "border_mode": "same", "subsample_length": 1, "atrous_rate": 4},
     "Conv1D", {"name": "a1", "filters": 4, "kernel_size": 3, "padding": "same", "strides": 1,
                "dilation_rate": 4}),
    ("SeparableConvolution2D", {"name": "s", "nb_filter": 6, "nb_row": 3, "nb_col": 3,
                                "border_mode": "same", "subsample": [2, 2], "depth_multiplier": 2,
                                "dim_ordering": "th", "depthwise_regularizer": None,
                                "pointwise_constraint": None},
     "SeparableConv2D", {"name": "s", "filters": 6, "kernel_size": [3, 3], "padding": "same",
                         "strides": [2, 2], "depth_multiplier": 2, "data_format": CF}),
    ("LocallyConnected2D", {"name": "lc", "nb_filter": 3, "nb_row": 2, "nb_col": 2,
                            "border_mode": "valid", "subsample": [2, 2], "dim_ordering": "tf"},
     "Conv2D", {"name": "lc", "filters": 3, "kernel_size": [2, 2], "padding": "valid",
                "strides": [2, 2], "data_format": CL}),
    ("ConvLSTM2D", {"name": "cl", "nb_filter": 4, "nb_row": 3, "nb_col": 3, "border_mode": "same",
                    "dim_ordering": "th", "return_sequences": True, "inner_init": "orthogonal",
                    "forget_bias_init": "one", "inner_activation": "hard_sigmoid"},
     "ConvLSTM2D", {"name": "cl", "filters": 4, "kernel_size": [3, 3], "padding": "same",
                    "data_format": CF, "return_sequences": True,
                    "recurrent_activation": "hard_sigmoid"}),
    ("MaxPooling1D", {"name": "p", "pool_length": 3, "stride": 1, "border_mode": "same"},
     "MaxPooling1D", {"name": "p", "pool_size": 3, "strides": 1, "padding": "same"}),
    ("AveragePooling2D", {"name": "p2", "pool_size": [2, 2], "strides": [2, 2],
                          "border_mode": "valid", "dim_ordering": "default"},
     "AveragePooling2D", {"name": "p2", "pool_size": [2, 2], "strides": [2, 2],
                          "padding": "valid", "data_format": CF}),  # the model's ordering
    ("GlobalMaxPooling2D", {"name": "g", "dim_ordering": "tf"},
     "GlobalMaxPooling2D", {"name": "g", "data_format": CL}),
    ("UpSampling1D", {"name": "u", "length": 3}, "UpSampling1D", {"name": "u", "size": 3}),
    ("UpSampling2D", {"name": "u2", "size": [2, 3]},
     "UpSampling2D", {"name": "u2", "size": [2, 3], "data_format": CF}),
    ("ZeroPadding1D", {"name": "z", "padding": {"left_pad": 2}},
     "ZeroPadding1D", {"name": "z", "padding": [2, 0]}),
    ("ZeroPadding2D", {"name": "z2", "padding": [1, 2, 3, 4]},
     "ZeroPadding2D", {"name": "z2", "padding": [[1, 2], [3, 4]], "data_format": CF}),
    ("ZeroPadding2D", {"name": "z3", "padding": {"top_pad": 1, "right_pad": 2}},
     "ZeroPadding2D", {"name": "z3", "padding": [[1, 0], [0, 2]], "data_format": CF}),
    ("Cropping2D", {"name": "cr", "cropping": [[1, 1], [2, 0]]},
     "Cropping2D", {"name": "cr", "cropping": [[1, 1], [2, 0]], "data_format": CF}),
    ("Dense", {"name": "d", "output_dim": 10, "input_dim": 5, "init": "glorot_uniform",
               "activation": "softmax", "bias": True, "activity_regularizer": None},
     "Dense", {"name": "d", "units": 10, "activation": "softmax", "use_bias": True}),
    ("Embedding", {"name": "e", "input_dim": 1000, "output_dim": 8, "input_length": 20,
                   "mask_zero": True, "dropout": 0.1, "init": "uniform", "W_regularizer": None,
                   "batch_input_shape": [None, 20], "input_dtype": "int32"},
     "Embedding", {"name": "e", "input_dim": 1000, "output_dim": 8, "mask_zero": True,
                   "dtype": "int32"}),
    ("LSTM", {"name": "l", "output_dim": 32, "return_sequences": True, "go_backwards": False,
              "stateful": False, "unroll": False, "consume_less": "gpu", "input_dim": 8,
              "input_length": None, "init": "glorot_uniform", "inner_init": "orthogonal",
              "forget_bias_init": "one", "activation": "tanh", "inner_activation": "hard_sigmoid",
              "W_regularizer": None, "U_regularizer": None, "b_regularizer": None,
              "dropout_W": 0.1, "dropout_U": 0.2},
     "LSTM", {"name": "l", "units": 32, "return_sequences": True, "go_backwards": False,
              "stateful": False, "unroll": False, "activation": "tanh",
              "recurrent_activation": "hard_sigmoid", "dropout": 0.1, "recurrent_dropout": 0.2}),
    ("Dropout", {"name": "dr", "p": 0.5}, "Dropout", {"name": "dr", "rate": 0.5}),
    ("SpatialDropout2D", {"name": "sd", "p": 0.2},
     "SpatialDropout2D", {"name": "sd", "rate": 0.2, "data_format": CF}),
    ("GaussianNoise", {"name": "gn", "sigma": 0.3}, "GaussianNoise", {"name": "gn", "stddev": 0.3}),
    ("GaussianDropout", {"name": "gd", "p": 0.3}, "GaussianDropout", {"name": "gd", "rate": 0.3}),
    ("BatchNormalization", {"name": "bn", "epsilon": 0.001, "mode": 2, "axis": 1,
                            "gamma_regularizer": None, "beta_regularizer": None, "momentum": 0.9},
     "BatchNormalization", {"name": "bn", "epsilon": 0.001, "axis": 1, "momentum": 0.9}),
    ("LeakyReLU", {"name": "lr", "alpha": 0.1}, "LeakyReLU", {"name": "lr", "negative_slope": 0.1}),
    ("ThresholdedReLU", {"name": "t", "trainable": True, "theta": 0.5},
     "ReLU", {"name": "t", "trainable": True, "threshold": 0.5}),
    ("Highway", {"name": "h", "init": "glorot_uniform", "activation": "relu", "bias": True,
                 "input_dim": 16},
     "Identity", {"name": "h"}),
    ("MaxoutDense", {"name": "m", "output_dim": 4, "nb_feature": 3, "init": "glorot_uniform"},
     "Dense", {"name": "m", "units": 4}),
    ("TimeDistributedDense", {"name": "tdd", "output_dim": 7, "input_length": 5, "input_dim": 3},
     "Dense", {"name": "tdd", "units": 7}),
    ("TimeDistributed", {"name": "td", "layer": {"class_name": "Convolution2D", "config": {
        "name": "inner", "nb_filter": 2, "nb_row": 1, "nb_col": 1, "border_mode": "valid",
        "subsample": [1, 1], "dim_ordering": "tf"}}},
     "TimeDistributed", {"name": "td", "layer": {"class_name": "Conv2D", "config": {
         "name": "inner", "filters": 2, "kernel_size": [1, 1], "padding": "valid",
         "strides": [1, 1], "data_format": CL}}}),
    ("Convolution2D", {"name": "full", "nb_filter": 4, "nb_row": 3, "nb_col": 3,
                       "border_mode": "full", "subsample": [1, 1], "dim_ordering": "tf"},
     "Conv2DTranspose", {"name": "full", "filters": 4, "kernel_size": [3, 3], "padding": "valid",
                         "strides": [1, 1], "data_format": CL}),  # n + k - 1 rows
]


@pytest.mark.parametrize("class_name, config, new_class, new_config", MAPPINGS,
                         ids=[f"{m[0]}-{m[1]['name']}" for m in MAPPINGS])
def test_keras1_arguments_map_to_their_later_names(class_name, config, new_class, new_config):
    original = copy.deepcopy(config)
    assert convert_layer(class_name, config, CF) == (new_class, new_config, None)
    assert config == original  # the input is not modified


@pytest.mark.parametrize("mode, extra, new_class, new_extra", [
    ("sum", {}, "Add", {}),
    ("mul", {}, "Multiply", {}),
    ("ave", {}, "Average", {}),
    ("max", {}, "Maximum", {}),
    ("concat", {"concat_axis": 1}, "Concatenate", {"axis": 1}),
    ("dot", {"dot_axes": [1, 2]}, "Dot", {"axes": [1, 2], "normalize": False}),
    ("cos", {"dot_axes": [1, 1]}, "Dot", {"axes": [1, 1], "normalize": True}),
])
def test_merge_modes_become_merge_layers(mode, extra, new_class, new_extra):
    config = {"name": "m", "mode": mode, "mode_type": "raw", "concat_axis": -1, "dot_axes": -1,
              "output_shape": None, "output_shape_type": "raw", "output_mask": None,
              "output_mask_type": "raw", "arguments": {}, **extra}
    assert convert_layer("Merge", config) == (new_class, {"name": "m", **new_extra}, None)


def test_a_full_convolution_with_a_stride_has_no_equivalent_and_stays_unknown():
    config = {"name": "f", "nb_filter": 4, "nb_row": 3, "nb_col": 3, "border_mode": "full",
              "subsample": [2, 2], "dim_ordering": "tf"}
    assert convert_layer("Convolution2D", config) == ("Convolution2D", config, None)


DECONV_CASES = [  # stated output size, kernel, stride, padding -> output_padding
    ([20, 20], [3, 3], [2, 2], "same", None),  # n·s: Keras's default
    ([19, 19], [3, 3], [2, 2], "same", [0, 0]),
    ([7, 7], [2, 2], [2, 2], "same", [1, 1]),
    ([14, 14], [3, 3], [1, 1], "same", None),
    ([22, 22], [3, 3], [2, 2], "valid", [1, 1]),
    ([28, 28], [2, 2], [2, 2], "valid", [0, 0]),
    ([9, 10], [3, 3], [2, 2], "valid", [0, 1]),
    ([6, 6], [3, 3], [1, 1], "valid", [0, 0]),
    # no output_padding gives these (the stated shape then disagrees: SL004)
    ([2, 2], [3, 3], [1, 1], "valid", None),  # smaller than the kernel
    ([7, 8], [2, 2], [2, 2], "same", None),  # the second axis would need padding = stride
]
EXPRESSIBLE = DECONV_CASES[:-2]


@pytest.mark.parametrize("sizes, kernel, strides, padding, expected", DECONV_CASES)
def test_deconvolution_output_padding(sizes, kernel, strides, padding, expected):
    assert deconv_output_padding(sizes, kernel, strides, padding) == expected


def test_deconvolution2d_states_its_output_shape_as_a_declared_output():
    config = {"name": "dc", "nb_filter": 8, "nb_row": 3, "nb_col": 3, "border_mode": "same",
              "subsample": [2, 2], "dim_ordering": "th", "output_shape": [32, 8, 19, 21]}
    assert convert_layer("Deconvolution2D", config) == (
        "Conv2DTranspose",
        {"name": "dc", "filters": 8, "kernel_size": [3, 3], "padding": "same", "strides": [2, 2],
         "data_format": CF, "output_padding": [0, 0]},
        [[None, 8, 19, 21]])


# -- detection and the dim_ordering rule ------------------------------------------------------

def _seq(first: dict, *rest: dict, version="1.2.2") -> dict:
    out = {"class_name": "Sequential", "config": [first, *rest]}
    if version:
        out["keras_version"] = version
    return out


def _zero_padding(batch_input_shape) -> dict:
    return {"class_name": "ZeroPadding2D",
            "config": {"name": "zp", "padding": [1, 1], "batch_input_shape": batch_input_shape}}


def _data_format(model: dict) -> str:
    layers = normalize(model)["config"]["layers"]
    return next(e["config"]["data_format"] for e in layers if e["config"]["name"] == "zp")


@pytest.mark.parametrize("shape, expected", [
    ([None, 3, 32, 32], CF), ([None, 32, 32, 3], CL), ([None, None, None, 3], CL),
    ([None, 1, None, None], CF), ([None, 4, 16, 16, 16], CF), ([None, 64, 64, 64], None),
    ([None, 3, 3, 3], None), ([None, None, None, None], None), ([None, 10], None), (None, None),
])
def test_ordering_from_an_input_shape(shape, expected):
    assert ordering_from_shape(shape) == expected


def test_unstated_orderings_follow_the_model():
    conv = {"class_name": "Convolution2D", "config": {
        "name": "c", "nb_filter": 4, "nb_row": 3, "nb_col": 3, "border_mode": "valid",
        "subsample": [1, 1], "dim_ordering": "th"}}
    # (1) the orderings the other layers state, even against the look of the input
    assert _data_format(_seq(_zero_padding([None, 32, 32, 3]), conv)) == CF
    # (2) else the input's shape
    assert _data_format(_seq(_zero_padding([None, 3, 32, 32]))) == CF
    assert _data_format(_seq(_zero_padding([None, 32, 32, 3]))) == CL
    # (3) else the default of the Keras version that wrote the file
    assert _data_format(_seq(_zero_padding([None, 64, 64, 64]), version="1.0.7")) == CF
    assert _data_format(_seq(_zero_padding([None, 64, 64, 64]), version="1.1.0")) == CL
    assert _data_format(_seq(_zero_padding([None, 64, 64, 64]), version=None)) == CL


def test_keras1_is_recognised_by_version_or_by_names():
    assert all(is_legacy(read(name)) for name in KERAS1_FILES)
    no_version = read("keras110_resnet50.json")
    del no_version["keras_version"]  # as an .h5 model_config attribute holds it
    assert is_legacy(no_version)
    with open(os.path.join(ROOT, "tests", "fixtures", "keras2_functional.json")) as f:
        assert not is_legacy(json.load(f))
    assert not is_legacy(read("tfkeras2_tfop_nested.json"))
    keras2_merge = _seq({"class_name": "Merge", "config": {"name": "m", "mode": "sum", "layers": [
        {"class_name": "Sequential", "config": [
            {"class_name": "Dense", "config": {"name": "d", "units": 2,
                                               "batch_input_shape": [None, 3]}}]}]}},
        version="2.0.6")  # Keras 2.0-2.1 still wrote the Keras 1 Merge
    assert is_legacy(keras2_merge)


# -- whole files --------------------------------------------------------------------------------

def _names(entry) -> set:
    """Every layer name in a Keras 1 config, nested ones included (qualified)."""
    config = entry.get("config")
    layers = config if isinstance(config, list) else (config or {}).get("layers")
    if not isinstance(layers, list):
        return set()
    out = set()
    for layer in layers:
        if layer["class_name"] == "InputLayer":
            continue
        name = layer.get("name") or layer["config"].get("name")
        inner = _names(layer) if isinstance(layer.get("config"), list) else set()
        if layer["class_name"] == "Merge" and "layers" in layer["config"]:
            for branch in layer["config"]["layers"]:
                out |= _names(branch)
        out |= {name} | {f"{name}/{n}" for n in inner}
    return out


@pytest.mark.parametrize("name", KERAS1_FILES)
def test_keras1_files_keep_their_layer_names(name):
    spec = load_path(os.path.join(LEGACY, name))
    assert spec.format == "keras1"
    names = {c.name for c in spec.calls if c.class_name != "InputLayer"}
    assert names == _names(read(name)), name


def test_the_cli_reads_every_legacy_file_cleanly():
    paths = [os.path.join(LEGACY, f) for f in sorted(os.listdir(LEGACY)) if f.endswith(".json")]
    result = subprocess.run([sys.executable, "-m", "shapelint", "--format", "json", *paths],
                            capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
    files = json.loads(result.stdout)["files"]
    assert [f["status"] for f in files] == ["ok"] * len(paths)
    errors = [(f["path"], x["rule"]) for f in files for x in f["findings"]
              if x["severity"] == "error"]
    assert errors == []


def test_a_keras1_h5_file_reads_without_its_version(tmp_path, h5py):
    path = tmp_path / "model.h5"
    data = read("keras122_sequential_cnn_th.json")
    with h5py.File(path, "w") as f:
        f.attrs["model_config"] = json.dumps({k: data[k] for k in ("class_name", "config")})
        f.attrs["keras_version"] = b"1.2.2"
    assert shapes_by_call(load_path(str(path))) == shapes_by_call(load_config(data))
    assert shapes_by_call(load_config(data))[("flatten_1", 0)] == [(None, 200)]


def test_a_wrong_deconvolution_output_shape_is_a_mismatch():
    """Keras 1 took Deconvolution2D's output_shape on trust; TF refused a wrong one at run
    time. 21×21 is not what a stride-2 'same' deconvolution makes of a 10×10 map."""
    data = read("keras122_atrous_deconv.json")
    assert not [f for f in lint(data) if f.rule == "SL004"]
    layer = next(e for e in data["config"]["layers"] if e["name"] == "deconv_odd")
    layer["config"]["output_shape"] = [None, 21, 21, 8]
    sl004 = [f for f in lint(data) if f.rule == "SL004"]
    assert [f.layer for f in sl004] == ["deconv_odd"]
    assert "21×21×8" in sl004[0].message


def test_layers_without_an_equivalent_are_unknown_and_declared_shapes_flow_on():
    data = read("keras122_functional_merge.json")
    layers = data["config"]["layers"]
    merge = next(e for e in layers if e["name"] == "merge_concat")
    merge["config"].update(mode=["4wEAAAA", None, None], mode_type="lambda", output_shape=[5])
    spec = load_config(data)
    shapes = shapes_by_call(spec)
    assert shapes[("merge_concat", 0)] == [(None, 5)]  # its output_shape, batch added
    assert shapes[("sequential_1/dense_1", 0)] == [(None, 4)]
    codes = [(f.rule, f.layer) for f in lint(data)]
    assert ("SL109", "merge_concat") in codes

    strided = read("keras122_atrous_deconv.json")
    full = next(e for e in strided["config"]["layers"] if e["name"] == "conv_full")
    full["config"]["subsample"] = [2, 2]
    shapes = shapes_by_call(load_config(strided))
    assert shapes[("conv_full", 0)] == [None]
    assert shapes[("pool_out", 0)] == [(None, None, None, None)]
    assert ("SL109", "conv_full") in [(f.rule, f.layer) for f in lint(strided)]


@pytest.mark.parametrize("mutate", [
    lambda d: d["config"][0]["config"].update(layers="junk"),
    lambda d: d["config"][0]["config"]["layers"].append("junk"),
    lambda d: d["config"][0]["config"]["layers"][0].update(config=[]),
    lambda d: d["config"].append({"class_name": "Dense", "config": "junk"}),
    lambda d: d["config"][1]["config"].update(output_dim="many"),
    lambda d: d.update(config=[]),
])
def test_broken_keras1_configs_never_crash(mutate):
    data = read("keras122_sequential_merge.json")
    mutate(data)
    try:
        result = analyse(model_config_from(data), "model.json", cross_check="recorded")
    except (UnreadableModel, NotAModel):
        return
    assert result.status in ("ok", "error")


# -- documents that hold a model config in another way -------------------------------------------

def test_a_to_json_string_saved_with_json_dump_reads_like_the_config(tmp_path):
    data = read("keras122_text_lstm.json")
    path = tmp_path / "model.json"
    path.write_text(json.dumps(json.dumps(data)))  # json.dump(model.to_json(), f)
    assert json.loads(path.read_text()).startswith("{")
    assert shapes_by_call(load_path(str(path))) == shapes_by_call(load_config(data))


def test_a_get_config_dump_without_class_name_reads_as_its_model():
    functional = read("keras122_functional_merge.json")["config"]  # model.get_config()
    spec = load_config(functional)
    assert spec.class_name == "Functional" and spec.format == "keras1"
    assert shapes_by_call(spec)[("merge_out", 0)] == [(None, 30)]
    sequential = read("keras107_mnist_cnn.json")["config"]  # Keras 1: a bare list of layers
    spec = load_config(sequential)
    assert spec.class_name == "Sequential" and spec.format == "keras1"
    assert shapes_by_call(spec)[("dense_2", 0)] == [(None, 10)]


@pytest.mark.parametrize("document", [
    "{not json", "[1, 2]", json.dumps({"name": "x"}), [{"name": "no class"}], {"layers": []},
    {"layers": [{"class_name": "Dense"}, "junk"]},
])
def test_other_documents_are_not_models(document):
    with pytest.raises(NotAModel):
        model_config_from(document)


# -- tf.keras 2 node forms and nested models (tf_keras 2.21 output) --------------------------

def test_tfkeras2_op_layers_and_nested_models():
    spec = load_path(os.path.join(LEGACY, "tfkeras2_tfop_nested.json"))
    calls = {(c.name, c.node): c for c in spec.calls}
    name_of = {c.id: (c.name, c.node) for c in spec.calls}
    shapes = shapes_by_call(spec)
    # the encoder is called twice: references to it count its calls from 1
    assert shapes[("encoder", 0)] == shapes[("encoder", 1)] == [(None, 8, 8, 3)]
    assert name_of[calls[("encoder", 1)].args[0].call] == ("mix", 0)
    assert shapes[("head", 0)] == [(None, 6, 6, 4)] and shapes[("gap", 0)] == [(None, 4)]
    # a node saved as one bare entry; entries nested in a list; a constant; a keyword tensor
    assert [name_of[r.call] for r in calls[("tf.math.multiply", 0)].args] == [("encoder", 0)]
    assert [name_of[r.call] for r in calls[("tf.concat", 0)].args] == [("encoder", 0),
                                                                       ("encoder", 1)]
    add = calls[("tf.__operators__.add", 0)]
    assert add.args == [] and name_of[add.kw_tensors["y"].call] == ("tf.math.multiply", 0)
    assert name_of[calls[("tf.math.add", 0)].kw_tensors["y"].call] == ("aux", 0)
    assert [name_of[r.call] for r in spec.outputs] == [
        ("gap", 0), ("encoder", 0), ("tf.math.add", 0), ("tf.stack", 0)]


def test_tf20_tensorflow_op_layer_is_read_from_its_node_def():
    """TF 2.0-2.3 wrote raw TF ops as TensorFlowOpLayer, with the op as a NodeDef."""
    data = {"class_name": "Model", "keras_version": "2.3.0-tf", "config": {
        "name": "m", "input_layers": [["x", 0, 0]], "output_layers": [["dense", 0, 0]],
        "layers": [
            {"class_name": "InputLayer", "name": "x", "inbound_nodes": [],
             "config": {"batch_input_shape": [None, 6], "dtype": "float32", "name": "x"}},
            {"class_name": "TensorFlowOpLayer", "name": "tf_op_layer_Mul", "config": {
                "name": "tf_op_layer_Mul", "trainable": True, "dtype": "float32",
                "node_def": {"name": "Mul", "op": "Mul", "input": ["x", "Mul/y"],
                             "attr": {"T": {"type": "DT_FLOAT"}}},
                "constants": {"1": 2.0}},
             "inbound_nodes": [[["x", 0, 0, {}]]]},
            {"class_name": "Dense", "name": "dense", "config": {"name": "dense", "units": 3},
             "inbound_nodes": [[["tf_op_layer_Mul", 0, 0, {}]]]}]}}
    # read from its NodeDef: Mul of x by the constant 2.0 keeps x's shape
    shapes = shapes_by_call(load_config(data))
    assert shapes[("tf_op_layer_Mul", 0)] == [(None, 6)] and shapes[("dense", 0)] == [(None, 3)]
    assert [(f.rule, f.layer) for f in lint(data)] == []
    # an op without a shape rule stays unknown, and the note names the op
    data["config"]["layers"][1]["config"]["node_def"]["op"] = "Unique"
    shapes = shapes_by_call(load_config(data))
    assert shapes[("tf_op_layer_Mul", 0)] == [None] and shapes[("dense", 0)] == [None]
    notes = [f for f in lint(data)]
    assert [(f.rule, f.layer) for f in notes] == [("SL109", "tf_op_layer_Mul")]
    assert "'Unique'" in notes[0].message


# -- TF.js model.json ------------------------------------------------------------------------------

def test_tfjs_layers_model_with_a_keras1_topology():
    data = read("keras107_mnist_cnn.json")
    for wrapped in ({"format": "layers-model", "modelTopology": data, "weightsManifest": []},
                    {"format": "layers-model", "modelTopology": {"model_config": data}}):
        spec = load_config(wrapped)
        assert spec.format == "keras1"
        assert shapes_by_call(spec)[("dense_2", 0)] == [(None, 10)]


@pytest.mark.parametrize("document", [
    {"format": "graph-model", "modelTopology": {"node": [], "versions": {}}, "weightsManifest": []},
    {"modelTopology": {"node": [{"name": "x", "op": "Placeholder"}], "library": {}}},
])
def test_tfjs_graph_models_are_skipped_with_one_clear_line(document):
    message = "^unsupported: TF.js graph-model, not a Keras layers model$"
    with pytest.raises(NotAModel, match=message):
        model_config_from(document)


def test_tfjs_graph_model_on_the_command_line(tmp_path):
    graph = tmp_path / "model.json"
    graph.write_text(json.dumps({"format": "graph-model", "generatedBy": "2.15.0",
                                 "modelTopology": {"node": []}, "weightsManifest": []}))
    run = [sys.executable, "-m", "shapelint"]
    alone = subprocess.run([*run, str(graph)], capture_output=True, text=True, cwd=ROOT,
                           timeout=120)
    assert alone.returncode == 2 and "no Keras model" in alone.stderr
    assert "unsupported: TF.js graph-model" in alone.stdout
    beside = subprocess.run([*run, str(graph), os.path.join(LEGACY, "keras107_mnist_cnn.json"),
                             "--format", "json"], capture_output=True, text=True, cwd=ROOT,
                            timeout=120)
    assert beside.returncode == 0
    assert [f["status"] for f in json.loads(beside.stdout)["files"]] == ["skipped", "ok"]


# -- Keras 3 references, and every Keras 1 file against Keras 3 built by hand ---------------------

def _symbolic(model) -> dict:
    from keras_graph import symbolic_shapes

    return symbolic_shapes(model)


def test_keras3_output_taken_from_a_nested_functional_model(keras, tmp_path):
    """Keras 3 writes ``output_layers`` of a nested Functional model counting from 1."""
    inner_in = keras.Input((9, 9, 3), name="inner_in")
    inner = keras.Model(inner_in, keras.layers.Conv2D(4, 3, name="c")(inner_in), name="inner")
    img = keras.Input((9, 9, 3), name="img")
    model = keras.Model(img, [inner(img), keras.layers.Flatten(name="f")(inner(img))],
                        name="outer")
    path = tmp_path / "model.keras"
    model.save(path)
    assert json.loads(model.to_json())["config"]["output_layers"][0] == ["inner", 1, 0]
    for spec in (load_path(str(path)), load_config(json.loads(model.to_json()))):
        assert shapes_by_call(spec) == _symbolic(model)
        assert [(spec.calls[r.call].name, spec.calls[r.call].node) for r in spec.outputs] == [
            ("inner", 0), ("f", 0)]


@pytest.mark.parametrize("sizes, kernel, strides, padding, expected", EXPRESSIBLE)
def test_deconvolution_output_padding_against_keras(keras, sizes, kernel, strides, padding,
                                                    expected):
    """At the input size the stated output implies, Keras 3 makes exactly that output."""
    n = [(-(-m // s) if padding == "same" else (m - k) // s + 1)
         for m, k, s in zip(sizes, kernel, strides)]
    layer = keras.layers.Conv2DTranspose(1, kernel, strides=strides, padding=padding,
                                         output_padding=expected)
    assert list(layer.compute_output_shape((None, *n, 1))[1:3]) == sizes


def keras107_mnist_cnn(keras):
    L = keras.layers
    return keras.Sequential([
        keras.Input((28, 28, 1), name="convolution2d_1_input"),
        L.Conv2D(32, 3, name="convolution2d_1"), L.Activation("relu", name="activation_1"),
        L.Conv2D(32, 3, name="convolution2d_2"), L.Activation("relu", name="activation_2"),
        L.MaxPooling2D(2, name="maxpooling2d_1"), L.Dropout(0.25, name="dropout_1"),
        L.Flatten(name="flatten_1"), L.Dense(128, name="dense_1"),
        L.Activation("relu", name="activation_3"), L.Dropout(0.5, name="dropout_2"),
        L.Dense(10, name="dense_2"), L.Activation("softmax", name="activation_4"),
    ], name="sequential")


def keras110_imdb_bidirectional_lstm(keras):
    L = keras.layers
    return keras.Sequential([
        keras.Input((200,), dtype="int32", name="embedding_1_input"),
        L.Embedding(20000, 64, name="embedding_1"),
        L.Bidirectional(L.LSTM(32), merge_mode="concat", name="bidirectional_1"),
        L.Dropout(0.5, name="dropout_1"), L.Dense(1, activation="sigmoid", name="dense_1"),
    ], name="sequential")


def keras110_mnist_vae_decoder(keras):
    L = keras.layers
    z = keras.Input((2,), name="input_4")
    x = L.Dense(128, name="dense_10")(z)
    x = L.Dense(12544, name="dense_11")(x)
    x = L.Reshape((14, 14, 64), name="reshape_4")(x)
    x = L.Conv2DTranspose(64, 3, padding="same", name="deconvolution2d_10")(x)
    x = L.Conv2DTranspose(64, 3, padding="same", name="deconvolution2d_11")(x)
    x = L.Conv2DTranspose(64, 2, strides=2, padding="valid", name="deconvolution2d_12")(x)
    x = L.Conv2D(1, 2, name="convolution2d_8")(x)
    return keras.Model(z, x, name="model_5")


def keras110_resnet50(keras):
    """keras/applications/resnet50.py of Keras 1.1, with its automatic layer names."""
    L = keras.layers
    count: dict = {}

    def auto(prefix):
        count[prefix] = count.get(prefix, 0) + 1
        return f"{prefix}_{count[prefix]}"

    def block(x, filters, stage, name, strides):
        f1, f2, f3 = filters
        conv, bn = f"res{stage}{name}_branch", f"bn{stage}{name}_branch"
        y = L.Conv2D(f1, 1, strides=strides or 1, name=conv + "2a")(x)
        y = L.BatchNormalization(axis=3, name=bn + "2a")(y)
        y = L.Activation("relu", name=auto("activation"))(y)
        y = L.Conv2D(f2, 3, padding="same", name=conv + "2b")(y)
        y = L.BatchNormalization(axis=3, name=bn + "2b")(y)
        y = L.Activation("relu", name=auto("activation"))(y)
        y = L.Conv2D(f3, 1, name=conv + "2c")(y)
        y = L.BatchNormalization(axis=3, name=bn + "2c")(y)
        shortcut = x
        if strides is not None:  # conv_block
            shortcut = L.Conv2D(f3, 1, strides=strides, name=conv + "1")(x)
            shortcut = L.BatchNormalization(axis=3, name=bn + "1")(shortcut)
        y = L.Add(name=auto("merge"))([y, shortcut])
        return L.Activation("relu", name=auto("activation"))(y)

    img = keras.Input((224, 224, 3), name="input_1")
    x = L.ZeroPadding2D(3, name="zeropadding2d_1")(img)
    x = L.Conv2D(64, 7, strides=2, name="conv1")(x)
    x = L.BatchNormalization(axis=3, name="bn_conv1")(x)
    x = L.Activation("relu", name=auto("activation"))(x)
    x = L.MaxPooling2D(3, strides=2, name="maxpooling2d_1")(x)
    for stage, filters, blocks, strides in ((2, (64, 64, 256), "abc", 1),
                                            (3, (128, 128, 512), "abcd", 2),
                                            (4, (256, 256, 1024), "abcdef", 2),
                                            (5, (512, 512, 2048), "abc", 2)):
        for name in blocks:
            x = block(x, filters, stage, name, strides if name == "a" else None)
    x = L.AveragePooling2D(7, name="avg_pool")(x)
    x = L.Flatten(name="flatten_1")(x)
    return keras.Model(img, L.Dense(1000, activation="softmax", name="fc1000")(x))


def keras122_sequential_cnn_th(keras):
    L = keras.layers
    return keras.Sequential([
        keras.Input((3, 32, 32), name="conv1_input"),
        L.Conv2D(16, 3, padding="same", activation="relu", data_format=CF, name="conv1"),
        L.ZeroPadding2D((1, 2), data_format=CF, name="zeropadding2d_1"),
        L.Conv2D(32, 3, strides=2, data_format=CF, name="conv2"),
        L.BatchNormalization(axis=1, name="batchnormalization_1"),
        L.Activation("relu", name="activation_1"),
        L.MaxPooling2D(2, data_format=CF, name="maxpooling2d_1"),
        L.UpSampling2D(2, data_format=CF, name="upsampling2d_1"),
        L.Cropping2D(((1, 1), (2, 0)), data_format=CF, name="cropping2d_1"),
        L.Conv2D(8, 3, dilation_rate=2, data_format=CF, name="atrousconvolution2d_1"),
        L.SeparableConv2D(8, 3, strides=2, padding="same", depth_multiplier=2, data_format=CF,
                          name="separableconvolution2d_1"),
        L.SpatialDropout2D(0.1, data_format=CF, name="spatialdropout2d_1"),
        L.Flatten(name="flatten_1"), L.Dense(10, name="dense_1"), L.Dropout(0.5, name="dropout_1"),
        L.Activation("softmax", name="activation_2"),
    ], name="sequential")


def keras122_functional_merge(keras):
    L = keras.layers
    a, b = keras.Input((16,), name="input_1"), keras.Input((16,), name="input_2")
    shared = L.Dense(8, activation="tanh", name="shared_dense")
    sa, sb = shared(a), shared(b)
    concat = L.Concatenate(name="merge_concat")([sa, sb])
    total = L.Add(name="merge_sum")([sa, sb])
    product = L.Multiply(name="merge_mul")([sa, sb])
    mean = L.Average(name="merge_ave")([total, product])
    largest = L.Maximum(name="merge_max")([total, mean])
    dot = L.Dot(axes=(1, 1), name="merge_dot")([sa, sb])
    cos = L.Dot(axes=(1, 1), normalize=True, name="merge_cos")([total, largest])
    r1 = L.RepeatVector(3, name="repeatvector_1")(total)
    r2 = L.RepeatVector(5, name="repeatvector_2")(largest)
    time = L.Concatenate(axis=1, name="merge_time")([r1, r2])
    batch_dot = L.Dot(axes=(2, 2), name="merge_batch_dot")([r1, time])
    inner = keras.Sequential([keras.Input((16,), name="dense_1_input"), L.Dense(4, name="dense_1"),
                              L.Activation("relu", name="activation_1")], name="sequential_1")
    branch = inner(concat)
    flat = L.Flatten(name="flatten_1")(batch_dot)
    out = L.Concatenate(name="merge_out")([branch, dot, cos, flat])
    return keras.Model([a, b], [out, branch], name="model_1")


def keras122_text_lstm(keras):
    L = keras.layers
    return keras.Sequential([
        keras.Input((100,), dtype="int32", name="embedding_1_input"),
        L.Embedding(5000, 32, name="embedding_1"),
        L.Conv1D(64, 5, activation="relu", name="convolution1d_1"),
        L.MaxPooling1D(4, strides=2, name="maxpooling1d_1"),
        L.ZeroPadding1D((1, 2), name="zeropadding1d_1"),
        L.UpSampling1D(2, name="upsampling1d_1"),
        L.Cropping1D((1, 3), name="cropping1d_1"),
        L.Conv1D(32, 3, padding="same", dilation_rate=2, name="atrousconvolution1d_1"),
        L.LSTM(48, return_sequences=True, name="lstm_1"),
        L.TimeDistributed(L.Dense(16, name="dense_1"), name="timedistributed_1"),
        L.GRU(24, go_backwards=True, name="gru_1"),
        L.RepeatVector(3, name="repeatvector_1"),
        L.SimpleRNN(8, name="simplernn_1"),
        L.Dropout(0.2, name="dropout_1"), L.Dense(1, activation="sigmoid", name="dense_2"),
    ], name="sequential")


def keras122_atrous_deconv(keras):
    L = keras.layers
    img = keras.Input((20, 20, 3), name="input_1")
    x = L.Conv2D(16, 3, padding="same", dilation_rate=2, name="atrous_1")(img)
    x = L.Conv2D(16, 3, strides=2, padding="same", name="conv_s2")(x)
    same = L.Conv2DTranspose(8, 3, strides=2, padding="same", name="deconv_same")(x)
    odd = L.Conv2DTranspose(8, 3, strides=2, padding="same", output_padding=0,
                            name="deconv_odd")(x)
    valid = L.Conv2DTranspose(4, 3, strides=2, padding="valid", output_padding=1,
                              name="deconv_valid")(x)
    sides = L.ZeroPadding2D(((0, 0), (1, 1)), name="pad_sides")(same)
    four = L.ZeroPadding2D(((1, 0), (2, 1)), name="pad_four")(odd)
    merged = L.Concatenate(name="merge_1")([sides, four])
    out = L.Conv2D(4, 3, activation="sigmoid", name="conv_out")(merged)
    # border_mode='full': a stride-1 conv over the input zero-padded by k-1 on each side,
    # 22 + 3 - 1 = 24 rows: the shape of a 'valid' transposed conv
    full = L.Conv2DTranspose(4, 3, padding="valid", name="conv_full")(valid)
    pool = L.MaxPooling2D(2, name="pool_out")(full)
    return keras.Model(img, [out, pool], name="model_1")


def keras122_sequential_merge(keras):
    L = keras.layers
    seq = keras.Input((8, 16), name="lstm_1_input")
    vec = keras.Input((20,), name="dense_1_input")
    left = L.LSTM(32, name="lstm_1")(seq)
    right = L.Dropout(0.25, name="dropout_1")(L.Dense(12, activation="relu", name="dense_1")(vec))
    x = L.Concatenate(name="merge_1")([left, right])
    x = L.Dense(32, activation="relu", name="dense_2")(x)
    return keras.Model([seq, vec], L.Dense(10, activation="softmax", name="dense_3")(x),
                       name="sequential")


EQUIVALENTS = {f"{fn.__name__}.json": fn for fn in (
    keras107_mnist_cnn, keras110_imdb_bidirectional_lstm, keras110_mnist_vae_decoder,
    keras110_resnet50, keras122_sequential_cnn_th, keras122_functional_merge,
    keras122_text_lstm, keras122_atrous_deconv, keras122_sequential_merge)}


def test_every_keras1_fixture_has_a_keras3_equivalent():
    assert sorted(EQUIVALENTS) == KERAS1_FILES


@pytest.mark.parametrize("name", sorted(EQUIVALENTS))
def test_keras1_file_matches_keras3_layer_by_layer(keras, name):
    expected = _symbolic(EQUIVALENTS[name](keras))
    predicted = shapes_by_call(load_path(os.path.join(LEGACY, name)))
    assert sorted(predicted) == sorted(expected)
    for key, shapes in expected.items():
        assert predicted[key] == shapes, key
