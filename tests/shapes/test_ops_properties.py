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
