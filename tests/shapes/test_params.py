"""Parameter counts against Keras's count_params, MACs against hand computation.

Parameters: every keras.applications model against the counts Keras gave when the truth
was written (tests/applications/truth/PARAMS.json: total, trainable, non-trainable), and
live Keras models for the split on a few of them built and frozen, shared layers, nested
models, frozen layers, BatchNormalization and Normalization. MACs: each layer family against the arithmetic
written out by hand below (bias not counted).
"""

from __future__ import annotations

import json
import os

import pytest

from shapelint.loading import load_config
from shapelint.shapes.params import model_cost
from shapelint.shapes.propagate import propagate

TRUTH = os.path.join(os.path.dirname(__file__), "..", "applications", "truth")
with open(os.path.join(TRUTH, "PARAMS.json"), encoding="utf-8") as f:
    KERAS_PARAMS = json.load(f)  # app -> {total, trainable, non_trainable}


def _read_app(app: str) -> dict:
    import gzip

    with gzip.open(os.path.join(TRUTH, f"{app}.json.gz"), "rt", encoding="utf-8") as f:
        return json.load(f)


def test_the_split_covers_every_application_of_the_truth():
    with open(os.path.join(TRUTH, "INDEX.json"), encoding="utf-8") as f:
        totals = json.load(f)  # written with each app's shapes
    assert {app: split["total"] for app, split in KERAS_PARAMS.items()} == totals


@pytest.mark.parametrize("app", sorted(KERAS_PARAMS))
def test_params_and_trainable_split_equal_keras_on_every_application(app):
    cost = model_cost(propagate(load_config(_read_app(app)["default"]["config"])))
    assert cost.unknown == []
    assert cost.params_dict() == KERAS_PARAMS[app]


def _cost_of(model):
    return model_cost(propagate(load_config(json.loads(model.to_json()))))


def _assert_like_keras(model, cost) -> None:
    trainable = sum(int(w.shape.num_elements()) for w in model.trainable_weights)
    non_trainable = sum(int(w.shape.num_elements()) for w in model.non_trainable_weights)
    assert cost.params_dict() == {"total": model.count_params(), "trainable": trainable,
                                  "non_trainable": non_trainable}


@pytest.mark.parametrize("app", ["MobileNetV3Small", "EfficientNetB0", "DenseNet121"])
def test_trainable_split_equals_keras_on_applications(keras, app):
    """BatchNormalization's moving statistics (all three), Normalization's mean, variance
    and count (EfficientNet), a model built frozen."""
    model = getattr(keras.applications, app)(weights=None)
    _assert_like_keras(model, _cost_of(model))
    model.trainable = False
    _assert_like_keras(model, _cost_of(model))


def test_shared_nested_frozen_and_batchnorm_equal_keras(keras):
    layers = keras.layers
    inner_in = keras.Input((8, 8, 3))
    x = layers.Conv2D(4, 3, padding="same")(inner_in)
    x = layers.BatchNormalization()(x)
    inner = keras.Model(inner_in, layers.GlobalAveragePooling2D()(x), name="tower")
    frozen_in = keras.Input((8, 8, 3))
    frozen = keras.Model(frozen_in, layers.DepthwiseConv2D(3, depth_multiplier=2)(frozen_in),
                         name="frozen_tower")
    frozen.trainable = False
    a, b = keras.Input((8, 8, 3), name="a"), keras.Input((8, 8, 3), name="b")
    shared = layers.Dense(5, name="shared")
    fa, fb = inner(a), inner(b)  # the nested model called twice
    ha, hb = shared(fa), shared(fb)  # a shared layer called twice
    frozen_dense = layers.Dense(3, name="frozen_dense", trainable=False)
    norm = layers.LayerNormalization(name="ln")
    sep = layers.SeparableConv2D(6, 3, depth_multiplier=2, name="sep")(frozen(a))
    t = layers.Conv2DTranspose(2, 3, strides=2, name="up")(sep)
    out = layers.Concatenate()([frozen_dense(norm(layers.Add()([ha, hb]))),
                                layers.Flatten()(t)])
    model = keras.Model([a, b], out)
    cost = _cost_of(model)
    _assert_like_keras(model, cost)
    trace = propagate(load_config(json.loads(model.to_json())))
    per_call = {(t.name, t.call.node): c for t, c in zip(trace.layers, cost.calls)}
    for layer in model.layers:
        calls = [c for (name, _), c in per_call.items() if name == layer.name]
        assert calls, layer.name
        assert {c.params for c in calls} == {layer.count_params()}, layer.name
    assert per_call[("shared", 1)].params == 5 * 4 + 5
    assert per_call[("frozen_dense", 0)].trainable_params == 0
    assert per_call[("frozen_tower", 0)].trainable_params == 0


def test_recurrent_attention_embedding_equal_keras(keras):
    layers = keras.layers
    tokens = keras.Input((12,), dtype="int32")
    x = layers.Embedding(100, 16)(tokens)
    x = layers.LSTM(8, return_sequences=True)(x)
    x = layers.GRU(6, return_sequences=True)(x)
    x = layers.GRU(6, return_sequences=True, reset_after=False)(x)
    x = layers.Bidirectional(layers.SimpleRNN(5, return_sequences=True))(x)
    x = layers.MultiHeadAttention(num_heads=2, key_dim=3, value_dim=4)(x, x)
    x = layers.PReLU(shared_axes=[1])(x)
    x = layers.AdditiveAttention()([x, x])
    x = layers.Attention(use_scale=True, score_mode="concat")([x, x])
    x = layers.TimeDistributed(layers.Dense(4))(x)
    model = keras.Model(tokens, layers.Conv1D(3, 2, groups=1)(x))
    cost = _cost_of(model)
    _assert_like_keras(model, cost)
    trace = propagate(load_config(json.loads(model.to_json())))
    for t, c in zip(trace.layers, cost.calls):
        assert c.params == model.get_layer(t.name).count_params(), t.name


def _macs(config: dict) -> dict:
    """MACs per layer name of a one-input Sequential model config."""
    trace = propagate(load_config(config))
    return {t.name: c.macs for t, c in zip(trace.layers, model_cost(trace).calls)}


def _sequential(shape, *layers) -> dict:
    entries = [{"class_name": "InputLayer", "config": {"batch_shape": [None, *shape],
                                                       "name": "in"}}]
    for i, (cls, config) in enumerate(layers):
        entries.append({"class_name": cls, "config": {"name": f"l{i}", **config}})
    return {"class_name": "Sequential", "config": {"name": "m", "layers": entries}}


def test_macs_per_family_equal_hand_computation():
    macs = _macs(_sequential(
        (10, 10, 3),
        ("Conv2D", {"filters": 4, "kernel_size": [3, 3], "padding": "same"}),  # l0: 10×10×4
        ("DepthwiseConv2D", {"kernel_size": [3, 3], "depth_multiplier": 2}),  # l1: 8×8×8
        ("SeparableConv2D", {"filters": 5, "kernel_size": [3, 3]}),  # l2: 6×6×5
        ("Conv2DTranspose", {"filters": 2, "kernel_size": [3, 3], "strides": [2, 2]}),  # 13×13×2
        ("BatchNormalization", {}),  # l4
        ("MaxPooling2D", {"pool_size": [2, 2]}),  # l5: 6×6×2
        ("Conv2D", {"filters": 6, "kernel_size": [1, 1], "groups": 2}),  # l6: 6×6×6
        ("Flatten", {}),  # l7: 216
        ("Dense", {"units": 7}),  # l8
    ))
    assert macs["l0"] == 10 * 10 * 4 * (3 * 3) * 3 == 10_800  # the example
    assert macs["l1"] == 8 * 8 * 4 * 2 * (3 * 3)
    assert macs["l2"] == 6 * 6 * 8 * 3 * 3 + 6 * 6 * 8 * 5  # depthwise, then pointwise
    assert macs["l3"] == 6 * 6 * 5 * (3 * 3) * 2  # every input element × kernel × filters
    assert macs["l4"] == 13 * 13 * 2
    assert macs["l5"] == 0
    assert macs["l6"] == 6 * 6 * 6 * 1 * (2 // 2)
    assert macs["l7"] == 0
    assert macs["l8"] == 216 * 7


def test_macs_of_sequence_layers_equal_hand_computation():
    macs = _macs(_sequential(
        (20, 16),
        ("LSTM", {"units": 8, "return_sequences": True}),  # l0: 20×8
        ("GRU", {"units": 6, "return_sequences": True}),  # l1
        ("SimpleRNN", {"units": 5, "return_sequences": True}),  # l2
        ("Conv1D", {"filters": 4, "kernel_size": 3}),  # l3: 18×4
        ("LayerNormalization", {}),  # l4
    ))
    assert macs["l0"] == 20 * 4 * 8 * (16 + 8)
    assert macs["l1"] == 20 * 3 * 6 * (8 + 6)
    assert macs["l2"] == 20 * 1 * 5 * (6 + 5)
    assert macs["l3"] == 18 * 4 * 3 * 5
    assert macs["l4"] == 18 * 4


def test_attention_macs_equal_hand_computation():
    config = {"class_name": "Functional", "config": {
        "name": "att", "input_layers": [["q", 0, 0], ["v", 0, 0]], "output_layers": [["mha", 0, 0]],
        "layers": [
            {"class_name": "InputLayer", "name": "q", "config": {"batch_shape": [None, 7, 10], "name": "q"},
             "inbound_nodes": []},
            {"class_name": "InputLayer", "name": "v", "config": {"batch_shape": [None, 9, 6], "name": "v"},
             "inbound_nodes": []},
            {"class_name": "MultiHeadAttention", "name": "mha",
             "config": {"name": "mha", "num_heads": 2, "key_dim": 3, "value_dim": 4},
             "inbound_nodes": [[["q", 0, 0, {}], ["v", 0, 0, {}]]]}]}}
    trace = propagate(load_config(config))
    cost = model_cost(trace)
    macs = cost.calls[-1].macs
    assert trace.layers[-1].output_shapes == [(None, 7, 10)]
    query = 7 * 10 * 2 * 3
    key = 9 * 6 * 2 * 3
    value = 9 * 6 * 2 * 4
    scores = 7 * 9 * 2 * 3
    weighted = 7 * 9 * 2 * 4
    output = 7 * 2 * 4 * 10
    assert macs == query + key + value + scores + weighted + output
    # weights: q, k, v, output kernels and their biases
    assert cost.calls[-1].params == (10 * 6 + 6) + (6 * 6 + 6) + (6 * 8 + 8) + (8 * 10 + 10)


def test_time_distributed_dot_and_attention_macs_equal_hand_computation():
    macs = _macs(_sequential(
        (5, 8, 8, 3),
        ("TimeDistributed", {"layer": {"class_name": "Conv2D",
                                       "config": {"filters": 4, "kernel_size": [3, 3]}}}),
    ))
    assert macs["l0"] == 5 * (6 * 6 * 4 * 3 * 3 * 3)  # per step, times 5 steps
    config = {"class_name": "Functional", "config": {
        "name": "att", "input_layers": [["q", 0, 0], ["v", 0, 0]],
        "output_layers": [["att", 0, 0], ["dot", 0, 0]],
        "layers": [
            {"class_name": "InputLayer", "name": "q", "config": {"batch_shape": [None, 7, 10], "name": "q"},
             "inbound_nodes": []},
            {"class_name": "InputLayer", "name": "v", "config": {"batch_shape": [None, 9, 10], "name": "v"},
             "inbound_nodes": []},
            {"class_name": "Attention", "name": "att", "config": {"name": "att"},
             "inbound_nodes": [[["q", 0, 0, {}], ["v", 0, 0, {}]]]},
            {"class_name": "Dot", "name": "dot", "config": {"name": "dot", "axes": 2},
             "inbound_nodes": [[["q", 0, 0, {}], ["v", 0, 0, {}]]]}]}}
    trace = propagate(load_config(config))
    found = {t.name: c.macs for t, c in zip(trace.layers, model_cost(trace).calls)}
    assert found["att"] == 7 * 9 * 10 + 7 * 9 * 10  # scores, then the weighted sum of values
    assert found["dot"] == 7 * 9 * 10  # a (7, 9) output, each a sum over 10


def test_unknown_dims_and_classes_give_null():
    cost = model_cost(propagate(load_config(_sequential(
        (None, None, 3),
        ("Conv2D", {"filters": 4, "kernel_size": [3, 3]}),
        ("MyCustomLayer", {}),
    ))))
    conv, custom = cost.calls[1], cost.calls[2]
    assert conv.params == 3 * 3 * 3 * 4 + 4 and conv.macs is None and conv.output_bytes is None
    assert custom.params is None and custom.macs is None
    assert cost.params is None and cost.unknown == ["l1"]
    assert cost.macs is None and cost.activation_bytes is None


def test_output_bytes_at_batch_size():
    trace = propagate(load_config(_sequential((10, 10, 3),
                                              ("Conv2D", {"filters": 4, "kernel_size": [3, 3]}))))
    assert model_cost(trace).calls[1].output_bytes == 8 * 8 * 4 * 4
    assert model_cost(trace, batch_size=32).calls[1].output_bytes == 32 * 8 * 8 * 4 * 4
    assert model_cost(trace, batch_size=32).activation_bytes == 32 * 4 * (10 * 10 * 3 + 8 * 8 * 4)


def test_summary_and_json_say_what_is_unknown():
    from shapelint.lint import analyse
    from shapelint.report import RenderOptions, render

    config = _sequential((8, 8, 3), ("Conv2D", {"filters": 2, "kernel_size": [3, 3]}),
                         ("MyCustomLayer", {}))
    result = analyse(config, "m.json")
    text = render("text", [result], RenderOptions(summary=True))
    custom = next(line for line in text.splitlines() if line.strip().startswith("l1 "))
    assert custom.split()[:3] == ["l1", "MyCustomLayer", "?"] and " ? " in custom
    assert "params: ? (unknown for l1); MACs per sample: ?" in text
    entry = json.loads(render("json", [result]))["files"][0]
    assert entry["params"] == {"total": None, "trainable": None, "non_trainable": None}
    assert entry["layers"][1]["params"] == 3 * 3 * 3 * 2 + 2
    assert any("parameter counts unknown for 1 layer(s) (l1)" in n for n in entry["notes"])


def test_grouped_query_attention_as_saved_equals_keras(keras):
    """Keras saves GroupedQueryAttention as class_name 'GroupQueryAttention': that name
    has a shape rule and its parameters and MACs are counted."""
    layers = keras.layers
    query, value = keras.Input((6, 16)), keras.Input((9, 16))
    x = layers.GroupQueryAttention(head_dim=4, num_query_heads=6, num_key_value_heads=2)(
        query, value)
    y = layers.GroupQueryAttention(head_dim=3, num_query_heads=4, num_key_value_heads=4,
                                   use_bias=False)(x, x)
    model = keras.Model([query, value], y)
    saved = [layer["class_name"] for layer in json.loads(model.to_json())["config"]["layers"]]
    assert saved.count("GroupQueryAttention") == 2
    cost = _cost_of(model)
    _assert_like_keras(model, cost)
    trace = propagate(load_config(json.loads(model.to_json())))
    assert all(t.known for t in trace.layers)
    assert [t.output_shapes[0] for t in trace.layers[-2:]] == [(None, 6, 16), (None, 6, 16)]
    gqa = [c for t, c in zip(trace.layers, cost.calls) if t.class_name == "GroupQueryAttention"]
    # by hand: projections 6·16·6·4 + 9·16·2·4 + 9·16·2·4, scores and sum 2·6·9·6·4,
    # output 6·6·4·16
    assert gqa[0].macs == 2304 + 1152 + 1152 + 2592 + 2304
    # weights 16·6·4 + 16·2·4 + 16·2·4 + 6·4·16, biases 6·4 + 2·4 + 2·4 + 16
    assert gqa[0].params == model.layers[2].count_params() == 1024 + 56


def test_tf_op_layers_have_no_weights_like_tf_keras_counts():
    """A tf.keras 2 model with TF ops saved as layers (TFOpLambda): the ops hold no
    weights, so the model's counts are known and equal tf_keras's (a real TF.js
    DenseNet121 from the compat corpus)."""
    import sys

    from optional import require

    tf_keras = require("tf_keras")
    compat = os.path.join(os.path.dirname(__file__), "..", "compat")
    sys.path.insert(0, compat)
    try:
        from make_expected import keras_config
    finally:
        sys.path.remove(compat)
    config = keras_config(os.path.join(compat, "configs",
                                       "tfjs_densenet121_preprocess_ops_benjaminhenry.json"))
    model = tf_keras.models.model_from_json(json.dumps(config))
    trace = propagate(load_config(config))
    assert {t.class_name for t in trace.layers} >= {"TFOpLambda"}
    cost = model_cost(trace)
    assert cost.unknown == []
    _assert_like_keras(model, cost)
