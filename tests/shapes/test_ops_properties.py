"""Property tests: broadcasting, reshape and slicing of ops against NumPy, on random
shapes. The shape functions read a Keras 3 op node built here as data."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shapelint.loading.spec import TensorArg
from shapelint.shapes.registry import LayerCall, ShapeError, lookup

dims = st.integers(1, 5)
shapes = st.lists(dims, min_size=0, max_size=4).map(tuple)


def _op(class_name, inputs, op_args, **config):
    call = LayerCall(class_name=class_name, name="op", config=config, inputs=tuple(inputs),
                     op_args=op_args)
    return lookup("keras.ops")(call).outputs


@settings(max_examples=200, deadline=None)
@given(shapes, shapes, st.data())
def test_broadcast_like_numpy(a, b, data):
    # make some axes agree or be 1, so both outcomes are common
    b = tuple(data.draw(st.sampled_from([d, 1, x])) for d, x in zip(a[-len(b):] or (), b)) \
        + b[len(a):] if len(b) <= len(a) else b
    try:
        expected = np.broadcast_shapes(a, b)
    except ValueError:
        with pytest.raises(ShapeError) as e:
            _op("Add", [a, b], [TensorArg(0), TensorArg(1)])
        assert e.value.code == "SL002"
        return
    assert _op("Add", [a, b], [TensorArg(0), TensorArg(1)]) == (tuple(expected),)


@settings(max_examples=200, deadline=None)
@given(st.lists(dims, min_size=1, max_size=4), st.lists(dims, min_size=1, max_size=4),
       st.booleans(), st.data())
def test_reshape_like_numpy(shape, target, infer, data):
    shape = tuple(shape)
    if infer:
        target[data.draw(st.integers(0, len(target) - 1))] = -1
    x = np.zeros(shape)
    try:
        expected = x.reshape(target).shape
    except ValueError:
        with pytest.raises(ShapeError) as e:
            _op("Reshape", [shape], [TensorArg(0)], newshape=target)
        assert e.value.code == "SL003"
        return
    assert _op("Reshape", [shape], [TensorArg(0)], newshape=target) == (expected,)


index = st.one_of(st.none(), st.integers(-7, 7))
slices = st.builds(lambda a, b, c: {"class_name": "__slice__",
                                    "config": {"start": a, "stop": b, "step": c}},
                   index, index, st.one_of(st.none(), st.integers(-3, 3).filter(bool)))
items = st.one_of(slices, st.integers(-6, 6), st.just(None),
                  st.just({"class_name": "__ellipsis__"}))


def _python(item):
    if isinstance(item, dict):
        if item["class_name"] == "__ellipsis__":
            return Ellipsis
        return slice(*(item["config"][k] for k in ("start", "stop", "step")))
    return item


@settings(max_examples=300, deadline=None)
@given(st.lists(dims, min_size=1, max_size=4), st.lists(items, min_size=1, max_size=4))
def test_slicing_like_numpy(shape, key):
    shape = tuple(shape)
    x = np.zeros(shape)
    try:
        expected = x[tuple(_python(i) for i in key)].shape
    except IndexError:
        with pytest.raises(ShapeError) as e:
            _op("GetItem", [shape], [TensorArg(0), key])
        assert e.value.code == "SL003"
        return
    assert _op("GetItem", [shape], [TensorArg(0), key]) == (expected,)


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-9, 9), st.floats(allow_nan=False),
              st.text(max_size=4)),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.sampled_from(["start", "stop", "class_name",
                                                             "config", "step"]), inner,
                                            max_size=3)),
    max_leaves=8)
FUNCTIONS = ["reshape", "concat", "stack", "transpose", "expand_dims", "squeeze",
             "math.reduce_mean", "__operators__.getitem", "image.resize", "pad", "linalg.matmul",
             "einsum", "tile", "split", "compat.v1.shape", "math.add", "nn.relu", "argmax"]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(FUNCTIONS), st.dictionaries(
    st.sampled_from(["shape", "axis", "perm", "keepdims", "slice_spec", "size", "paddings",
                     "multiples", "num_or_size_splits", "y", "b", "transpose_a"]),
    json_values, max_size=3), st.one_of(st.none(), shapes))
def test_any_op_arguments_give_a_shape_or_a_finding(function, kwargs, shape):
    """Whatever a file holds as an op's arguments, the op is read, refused with a finding
    (SL001-SL003), or left unknown (SL109): never an exception."""
    from shapelint.loading.spec import Call
    from shapelint.shapes.evaluate import evaluate_call

    call = Call(id=1, name="op", class_name="TFOpLambda", config={"function": function},
                args=[None], kwargs=kwargs, op_args=[TensorArg(0)])
    done = evaluate_call(call, [shape])
    assert {f.rule for f in done.findings} <= {"SL001", "SL002", "SL003", "SL109"}
    assert done.known or [f.rule for f in done.findings] == ["SL109"]
    assert not [f for f in done.findings if "cannot read the TFOpLambda config" in f.message]
