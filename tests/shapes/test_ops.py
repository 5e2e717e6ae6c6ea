"""TF ops and keras.ops in functional models: shapelint's shapes against TF's.

Each case builds a functional model with real tf.keras 2 (tf_keras: TFOpLambda,
SlicingOpLambda) or Keras 3 (op nodes), saves its config, and compares every output
shape shapelint reads from the config with the shape the framework computed.
"""

import json
import os

import pytest

from shapelint.loading.graph import build_spec
from shapelint.shapes.propagate import propagate

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def _shapes(config_json: str, input_shapes=None):
    trace = propagate(build_spec(json.loads(config_json)), input_shapes)
    return trace, [None if s is None else tuple(s) for s in trace.outputs]


def _codes(trace):
    return sorted(f.rule for f in trace.findings)


# one builder per op family: (inputs (batch excluded), fn(tf, inputs) -> list of outputs)
TF2_CASES = {
    "unary": ([(8, 8, 3)], lambda tf, a: [tf.nn.relu(a[0]), tf.math.sigmoid(a[0]),
                                           tf.cast(a[0], "float16"),
                                           tf.clip_by_value(a[0], 0.0, 1.0),
                                           tf.math.l2_normalize(a[0], axis=-1),
                                           tf.nn.softmax(a[0]), -a[0], tf.math.exp(a[0])]),
    "binary": ([(8, 8, 3), (1, 8, 1), (3,)], lambda tf, a: [
        a[0] + a[1], a[0] * a[2], a[0] - 1.0, 2.0 * a[1], tf.maximum(a[0], a[1]),
        a[0] / a[2], tf.math.squared_difference(a[1], a[2]), 1.0 - a[2],
        tf.where(a[1] > 0, a[0], a[2]), tf.where(a[2] > 0, 1.0, a[1])]),
    "concat_stack": ([(8, 8, 3), (8, 8, 5), (5,)], lambda tf, a: [
        tf.concat([a[0], a[1]], axis=-1), tf.concat([a[0], a[0]], 1),
        tf.stack([a[2], a[2], a[2]], axis=1), tf.stack([a[0], a[0]], axis=-1)]),
    "reshape": ([(8, 8, 3), (6,)], lambda tf, a: [
        tf.reshape(a[0], (-1, 64, 3)), tf.reshape(a[0], [-1, 192]),
        tf.reshape(a[1], (-1, 2, 3)), tf.reshape(a[0], (-1, 4, 4, 4, 3))]),
    "transpose_dims": ([(8, 6, 3), (5,)], lambda tf, a: [
        tf.transpose(a[0], [0, 3, 1, 2]), tf.expand_dims(a[1], 1), tf.expand_dims(a[1], -1),
        tf.squeeze(tf.expand_dims(a[1], 1), axis=1), tf.squeeze(a[0][:, :1], 1)]),
    "reduce": ([(8, 6, 3)], lambda tf, a: [
        tf.reduce_mean(a[0], axis=[1, 2]), tf.reduce_sum(a[0], -1, keepdims=True),
        tf.reduce_max(a[0], axis=1), tf.math.reduce_min(a[0], axis=[1, 2], keepdims=True),
        tf.argmax(a[0], axis=-1)]),
    "getitem": ([(8, 6, 3)], lambda tf, a: [
        a[0][:, 1:5], a[0][..., 0], a[0][:, ::2, 1:-1], a[0][:, None, 2], a[0][..., tf.newaxis],
        a[0][:, -3:, :, 1:2], a[0][:, 7:2:-2]]),
    "resize_pad": ([(8, 6, 3)], lambda tf, a: [
        tf.image.resize(a[0], (16, 12)), tf.image.resize(a[0], [5, 5], method="nearest"),
        tf.pad(a[0], [[0, 0], [1, 2], [3, 0], [0, 0]])]),
    "matmul": ([(8, 6), (6, 4), (8, 4)], lambda tf, a: [
        tf.matmul(a[0], a[1]), tf.matmul(a[0], a[2], transpose_a=True),
        tf.linalg.matmul(a[2], a[1], transpose_b=True), a[0] @ a[1]]),
    "tile_split": ([(8, 6)], lambda tf, a: [
        tf.tile(a[0], [1, 2, 3]), *tf.split(a[0], 2, axis=1), *tf.split(a[0], [1, 2, -1], 2)]),
    "depth_space": ([(3, 5, 8), (8, 6, 3)], lambda tf, a: [
        tf.nn.depth_to_space(a[0], 2), tf.nn.space_to_depth(a[1], 2),
        tf.nn.depth_to_space(a[0], block_size=2), tf.compat.v1.space_to_depth(a[1], 2),
        tf.nn.depth_to_space(tf.nn.space_to_depth(a[1], 2), 2)]),
    "shape_valued": ([(8, 6, 3), (16, 12, 5)], lambda tf, a: [
        tf.image.resize(a[0], tf.shape(a[1])[1:3]), tf.shape(a[1]),
        tf.reshape(a[0], tf.shape(a[0])), tf.image.resize(a[1], tf.shape(a[0])[1:-1])]),
}


@pytest.fixture(scope="module")
def tf2():
    pytest.importorskip("tf_keras")
    import tensorflow as tf
    import tf_keras

    return tf, tf_keras


@pytest.mark.parametrize("family", sorted(TF2_CASES))
def test_tf_keras2_ops(tf2, family):
    tf, tf_keras = tf2
    shapes, build = TF2_CASES[family]
    inputs = [tf_keras.Input(s) for s in shapes]
    outputs = build(tf, inputs)
    model = tf_keras.Model(inputs, outputs)
    trace, predicted = _shapes(model.to_json())
    expected = [tuple(o.shape) for o in outputs]
    assert predicted == expected
    assert not [f for f in trace.findings if f.rule == "SL109"]


K3_CASES = {
    "unary": ([(8, 8, 3)], lambda ops, a: [ops.relu(a[0]), ops.sigmoid(a[0]),
                                            ops.cast(a[0], "float16"), ops.clip(a[0], 0, 1),
                                            ops.softmax(a[0]), ops.exp(a[0]), -a[0],
                                            ops.normalize(a[0])]),
    "binary": ([(8, 8, 3), (1, 8, 1), (3,)], lambda ops, a: [
        a[0] + a[1], a[0] * a[2], a[0] - 1.0, ops.maximum(a[0], a[1]), a[0] / a[2],
        ops.where(a[1] > 0, a[0], a[2])]),
    "concat_stack": ([(8, 8, 3), (8, 8, 5), (5,)], lambda ops, a: [
        ops.concatenate([a[0], a[1]], axis=-1), ops.stack([a[2], a[2]], axis=1)]),
    "reshape": ([(8, 8, 3)], lambda ops, a: [ops.reshape(a[0], (-1, 64, 3)),
                                             ops.reshape(a[0], (-1, 192))]),
    "transpose_dims": ([(8, 6, 3), (5,)], lambda ops, a: [
        ops.transpose(a[0], (0, 3, 1, 2)), ops.expand_dims(a[1], 1),
        ops.squeeze(ops.expand_dims(a[1], 1), 1), ops.transpose(a[1])]),
    "reduce": ([(8, 6, 3)], lambda ops, a: [
        ops.mean(a[0], axis=(1, 2)), ops.sum(a[0], axis=-1, keepdims=True),
        ops.max(a[0], axis=1), ops.argmax(a[0], axis=-1)]),
    "getitem": ([(8, 6, 3)], lambda ops, a: [
        a[0][:, 1:5], a[0][..., 0], a[0][:, ::2, 1:-1], a[0][:, None, 2]]),
    "resize_pad": ([(8, 6, 3)], lambda ops, a: [
        ops.image.resize(a[0], (16, 12)), ops.pad(a[0], [[0, 0], [1, 2], [3, 0], [0, 0]])]),
    "matmul_einsum": ([(8, 6), (6, 4), (8, 6, 3)], lambda ops, a: [
        ops.matmul(a[0], a[1]), ops.einsum("bij,bjk->bik", a[0], a[1]),
        ops.einsum("bijc,bijd->bcd", a[2], a[2]), ops.einsum("...ij->...ji", a[0])]),
    "tile_split": ([(8, 6)], lambda ops, a: [
        ops.tile(a[0], (1, 2, 3)), *ops.split(a[0], 2, axis=1), *ops.split(a[0], [1, 4], 2)]),
}


@pytest.mark.parametrize("family", sorted(K3_CASES))
def test_keras3_op_nodes(family):
    keras = pytest.importorskip("keras")
    shapes, build = K3_CASES[family]
    inputs = [keras.Input(s) for s in shapes]
    outputs = build(keras.ops, inputs)
    model = keras.Model(inputs, outputs)
    trace, predicted = _shapes(model.to_json())
    assert predicted == [tuple(o.shape) for o in outputs]
    assert not [f for f in trace.findings if f.rule == "SL109"]


def test_tf_keras2_broadcast_mismatch_is_sl002(tf2):
    tf, tf_keras = tf2
    a, b = tf_keras.Input((8, 3)), tf_keras.Input((8, 1))
    config = json.loads(tf_keras.Model([a, b], a + b).to_json())
    config["config"]["layers"][1]["config"]["batch_input_shape"] = [None, 7, 1]
    trace, _ = _shapes(json.dumps(config))
    assert "SL002" in _codes(trace)
    with pytest.raises(Exception):  # TF refuses the same shapes
        a2, b2 = tf_keras.Input((8, 3)), tf_keras.Input((7, 1))
        _ = a2 + b2


def test_reshape_size_mismatch_is_sl003(tf2):
    tf, tf_keras = tf2
    a = tf_keras.Input((8, 8, 3))
    config = json.loads(tf_keras.Model(a, tf.reshape(a, (-1, 192))).to_json())
    config["config"]["layers"][1]["inbound_nodes"][0][3]["shape"] = [2, 7, 7]
    trace, _ = _shapes(json.dumps(config))
    assert "SL003" in _codes(trace)
    with pytest.raises(Exception):
        tf.reshape(tf.zeros((2, 8, 8, 3)), (2, 7, 7))


def test_depth_to_space_on_channels_that_fill_no_blocks_is_sl003(tf2):
    tf, tf_keras = tf2
    a = tf_keras.Input((3, 5, 8))
    config = json.loads(tf_keras.Model(a, tf.nn.depth_to_space(a, 2)).to_json())
    config["config"]["layers"][0]["config"]["batch_input_shape"] = [None, 3, 5, 6]
    trace, _ = _shapes(json.dumps(config))
    assert "SL003" in _codes(trace)
    with pytest.raises(Exception):  # TF refuses the same shape
        tf.nn.depth_to_space(tf_keras.Input((3, 5, 6)), 2)


def test_unknown_op_is_sl109_naming_the_op(tf2):
    tf, tf_keras = tf2
    a = tf_keras.Input((8,))
    model = tf_keras.Model(a, tf.math.cumulative_logsumexp(a, axis=1))
    trace, predicted = _shapes(model.to_json())
    notes = [f for f in trace.findings if f.rule == "SL109"]
    assert predicted == [None]
    assert len(notes) == 1 and "math.cumulative_logsumexp" in notes[0].message


def test_tensorflow_op_layer_from_a_real_config():
    """tests/compat's TF 2.0-2.3 config (TensorFlowOpLayer Softmax, Mul with a constant)."""
    from pathlib import Path

    path = Path(__file__).parents[1] / "compat" / "configs" / "k2_skull_inpainting_tfop_jcsyshc.json"
    trace, _ = _shapes(path.read_text())
    ops = [t for t in trace.layers if t.class_name == "TensorFlowOpLayer"]
    assert ops and all(t.known for t in ops)
    by_name = {t.name: t for t in trace.layers}
    mul = by_name["tf_op_layer_Mul_25"]
    assert mul.output_shapes == by_name["tf_op_layer_Mul_24"].output_shapes


def test_size_sweep_through_a_shape_tensor(tf2, tmp_path):
    """``tf.image.resize(c, tf.shape(a)[1:3])`` brings a strided map back to the input's
    size at every size: the sweep carries the shape tensor's values, and agrees with TF
    running the model."""
    import numpy as np

    import shapelint

    tf, tf_keras = tf2
    a = tf_keras.Input((None, None, 3))
    c = tf_keras.layers.Conv2D(4, 3, strides=2, padding="same")(a)
    x = tf.concat([tf.image.resize(c, tf.shape(a)[1:3]), a], axis=-1)
    model = tf_keras.Model(a, tf_keras.layers.Conv2D(2, 3)(x))
    path = tmp_path / "resize_back.json"
    path.write_text(model.to_json())
    valid = shapelint.check(str(path), cross_check="off", sizes=(1, 12)).input_sizes.valid

    def runs(n):
        try:
            model(np.zeros((1, n, n, 3), "float32"))
        except (tf.errors.InvalidArgumentError, ValueError):
            return False
        return True

    assert valid == [n for n in range(1, 13) if runs(n)] == list(range(3, 13))


# TF 2.0-2.3 TensorFlowOpLayer: one NodeDef per case (written here, as MessageToDict writes
# them), rebuilt by tf_keras from the same config as the reference.
_F, _I = {"type": "DT_FLOAT"}, {"type": "DT_INT32"}
GRAPH_OPS = {
    "AddV2": (["a", "b"], {}, {"T": _F}),
    "ConcatV2": (["a", "a", "axis"], {"2": -1}, {"T": _F, "N": {"i": "2"}, "Tidx": _I}),
    "Reshape": (["a", "shape"], {"1": [-1, 4, 6]}, {"T": _F, "Tshape": _I}),
    "Mean": (["a", "axes"], {"1": [1, 2]}, {"T": _F, "Tidx": _I, "keep_dims": {"b": True}}),
    "Sum": (["a", "axes"], {"1": -1}, {"T": _F, "Tidx": _I, "keep_dims": {"b": False}}),
    "Transpose": (["a", "perm"], {"1": [0, 3, 1, 2]}, {"T": _F, "Tperm": _I}),
    "ExpandDims": (["a", "dim"], {"1": 1}, {"T": _F, "Tdim": _I}),
    "Squeeze": (["c"], {}, {"T": _F, "squeeze_dims": {"list": {"i": ["2"]}}}),
    "StridedSlice": (["a", "begin", "end", "strides"],
                     {"1": [0, 1, 0, 0], "2": [0, 3, 0, 1], "3": [1, 1, 2, 1]},
                     {"T": _F, "Index": _I, "begin_mask": {"i": "13"},
                      "end_mask": {"i": "5"}, "shrink_axis_mask": {"i": "8"}}),
    "Pack": (["a", "a"], {}, {"T": _F, "N": {"i": "2"}, "axis": {"i": "1"}}),
    "Tile": (["a", "multiples"], {"1": [1, 2, 1, 3]}, {"T": _F, "Tmultiples": _I}),
    "Pad": (["a", "paddings"], {"1": [[0, 0], [1, 2], [0, 3], [0, 0]]},
            {"T": _F, "Tpaddings": _I}),
    "ResizeBilinear": (["a", "size"], {"1": [7, 5]}, {"T": _F}),
    "BatchMatMulV2": (["a", "a"], {}, {"T": _F, "adj_y": {"b": True}}),
    "Softmax": (["a"], {}, {"T": _F}),
    "Split": (["dim", "a"], {"0": 2}, {"T": _F, "num_split": {"i": "2"}}),
    "DepthToSpace": (["d"], {}, {"T": _F, "block_size": {"i": "2"},
                                 "data_format": {"s": "TkhXQw=="}}),  # b"NHWC"
    "SpaceToDepth": (["a"], {}, {"T": _F, "block_size": {"i": "2"}}),
}


def _graph_model(op: str) -> dict:
    inputs, constants, attrs = GRAPH_OPS[op]
    shapes = {"a": [None, 4, 6, 3], "b": [None, 1, 6, 1], "c": [None, 4, 1, 3],
              "d": [None, 3, 5, 8]}
    used = [n for n in dict.fromkeys(inputs) if n in shapes]
    layers = [{"class_name": "InputLayer", "name": n, "inbound_nodes": [],
               "config": {"batch_input_shape": shapes[n], "dtype": "float32", "name": n}}
              for n in used]
    tensors = [n for i, n in enumerate(inputs) if str(i) not in constants]
    layers.append({"class_name": "TensorFlowOpLayer", "name": "tf_op_layer_" + op,
                   "config": {"name": op, "trainable": True, "dtype": "float32",
                              "node_def": {"name": op, "op": op, "input": inputs,
                                           "attr": attrs},
                              "constants": constants},
                   "inbound_nodes": [[[n, 0, 0, {}] for n in tensors]]})
    outputs = 2 if op == "Split" else 1
    return {"class_name": "Model", "keras_version": "2.3.0-tf", "config": {
        "name": "m", "layers": layers, "input_layers": [[n, 0, 0] for n in used],
        "output_layers": [["tf_op_layer_" + op, 0, i] for i in range(outputs)]}}


@pytest.mark.parametrize("op", sorted(GRAPH_OPS))
def test_tensorflow_op_layer(tf2, op):
    _, tf_keras = tf2
    config = json.dumps(_graph_model(op))
    model = tf_keras.models.model_from_json(config)
    trace, predicted = _shapes(config)
    assert predicted == [tuple(o.shape) for o in model.outputs]
    assert not trace.findings
