"""make_expected.py lets no code near a library: Lambda, foreign modules and op layers
naming anything but a pure tensor op are refused before Keras or tf_keras sees them."""

from __future__ import annotations

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_expected  # noqa: E402


def op(function: str) -> dict:
    return {"class_name": "TFOpLambda", "config": {"name": "tf.op", "function": function},
            "inbound_nodes": [["input_1", 0, 0, {}]]}


def graph_op(name: str) -> dict:
    return {"class_name": "TensorFlowOpLayer",
            "config": {"name": name, "node_def": {"name": name, "op": name}, "constants": {}}}


def model(*layers) -> dict:
    return {"class_name": "Functional", "config": {"layers": list(layers)}}


@pytest.mark.parametrize("layer", [op("math.truediv"), op("__operators__.getitem"),
                                   op("nn.bias_add"), op("image.resize"),
                                   graph_op("DepthToSpace"), graph_op("AddV2")])
def test_tf_keras_may_rebuild_pure_ops_and_keras3_refuses_them(layer):
    make_expected.check_no_code(model(layer), ops=True)
    with pytest.raises(make_expected.Refused, match="Keras 3 does not have"):
        make_expected.check_no_code(model(layer))


@pytest.mark.parametrize("layer", [op("io.write_file"), op("py_function"), op("print"),
                                   op("random.normal"), op("Variable"), graph_op("ReadFile"),
                                   graph_op("PyFunc"), {"class_name": "TFOpLambda",
                                                        "config": {"function": None}}])
def test_other_ops_are_refused_for_every_library(layer):
    for ops in (True, False):
        with pytest.raises(make_expected.Refused):
            make_expected.check_no_code(model(layer), ops=ops)


def test_lambda_and_foreign_modules_stay_refused_for_tf_keras_too():
    lam = {"class_name": "Lambda", "config": {"function": ["4wEAAAAA", None, None]}}
    foreign = {"class_name": "Dense", "module": "mypackage.layers", "config": {}}
    for layer in (lam, foreign):
        with pytest.raises(make_expected.Refused):
            make_expected.check_no_code(model(layer), ops=True)
