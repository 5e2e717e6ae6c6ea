"""Merge layer shape rules against the merge layers as TF runs them.

A merge layer is called on a *list* of tensors; ``as_list_call`` wraps a layer so that
``reference.assert_agrees`` (which calls ``layer(*tensors)``) calls it that way.
"""

import pytest

keras = pytest.importorskip("keras")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from reference import assert_agrees, predict, run_tf  # noqa: E402

from shapelint.shapes.registry import LayerCall, ShapeError, lookup  # noqa: E402

L = keras.layers
ELEMENTWISE = [L.Add, L.Subtract, L.Multiply, L.Average, L.Maximum, L.Minimum]


def settings_(n):
    return settings(max_examples=n, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def as_list_call(layer):
    """``layer`` seen by reference.py under its own class name, but called on a list."""
    proxy = type(type(layer).__name__, (), {
        "name": layer.name,
        "get_config": lambda self: layer.get_config(),
        "__call__": lambda self, *tensors, **kw: layer(list(tensors), **kw),
    })
    return proxy()


def ours(cls, *shapes, **config):
    base = cls(**({"axes": 1} if cls is L.Dot else {})).get_config()
    return predict(LayerCall(cls.__name__, "x", {**base, **config}, tuple(shapes)))


def message(cls, *shapes, **config):
    base = cls(**({"axes": 1} if cls is L.Dot else {})).get_config()
    try:
        lookup(cls.__name__)(LayerCall(cls.__name__, "x", {**base, **config}, tuple(shapes)))
    except ShapeError as e:
        return e.code, e.message, e.fix
    return None


# ------------------------------------------------------------ element-wise

@st.composite
def broadcast_lists(draw):
    """2–4 shapes around a common base: leading dims dropped, dims set to 1 or changed."""
    base = draw(st.lists(st.integers(2, 4), min_size=0, max_size=3))
    shapes = []
    for _ in range(draw(st.integers(2, 4))):
        dims = list(base[draw(st.integers(0, len(base))):]) if draw(st.booleans()) else list(base)
        for i in range(len(dims)):
            kind = draw(st.integers(0, 9))
            if kind == 0:
                dims[i] = 1
            elif kind == 1:
                dims[i] += 1
        # batch 1 is avoided: Keras's TF `ops.add` treats (1, 1, 3) + (1, 3, 1) as a bias_add
        # and returns (1, 3, 1) instead of broadcasting to (1, 3, 3).
        batch = 2 if draw(st.integers(0, 14)) else 3
        shapes.append((batch, *dims))
    return shapes


@settings_(120)
@given(cls=st.sampled_from(ELEMENTWISE), shapes=broadcast_lists())
def test_elementwise_matches_tf(cls, shapes):
    assert_agrees(as_list_call(cls()), shapes)


@pytest.mark.parametrize("cls", ELEMENTWISE)
def test_elementwise_examples(cls):
    assert ours(cls, (None, 4, 1), (None, 1, 5)) == ("ok", ((None, 4, 5),))
    assert ours(cls, (None, 4, 5), (None, 5)) == ("ok", ((None, 4, 5),))
    assert ours(cls, (None, None, 5), (None, 3, 5)) == ("ok", ((None, 3, 5),))
    assert ours(cls, (None, None, 5), (None, 1, 5)) == ("ok", ((None, None, 5),))
    assert ours(cls, (None, 4, 5), None) == ("ok", (None,))
    assert ours(cls, (None, 4, 5), (None, 4, 6)) == ("error", "SL002")
    assert ours(cls, (2, 4), (3, 4)) == ("error", "SL002")


def test_subtract_needs_two_inputs():
    assert ours(L.Subtract, (None, 3), (None, 3), (None, 3)) == ("error", "SL003")
    assert run_tf(as_list_call(L.Subtract()), [(2, 3)] * 3)[0] == "error"


def test_elementwise_message_names_both_shapes_and_axis():
    code, text, fix = message(L.Add, (None, 24, 24, 64), (None, 25, 25, 64))
    assert code == "SL002"
    assert "(None, 24, 24, 64)" in text and "(None, 25, 25, 64)" in text and "axis 1" in text
    assert "24 vs 25" in text and fix


# ------------------------------------------------------------- Concatenate

@st.composite
def concat_cases(draw):
    rank = draw(st.integers(2, 4))
    base = [2] + draw(st.lists(st.integers(1, 4), min_size=rank - 1, max_size=rank - 1))
    axis = draw(st.integers(-rank - 1, rank))
    a = axis % rank if -rank <= axis < rank else None
    shapes = []
    for _ in range(draw(st.integers(2, 3))):
        dims = list(base)
        if a is not None:
            dims[a] = draw(st.integers(1, 4))
        kind = draw(st.integers(0, 9))
        if kind == 0:
            i = draw(st.integers(0, rank - 1))
            dims[i] += 1
        elif kind == 1:
            dims = dims + [2] if draw(st.booleans()) else dims[:-1]
        shapes.append(tuple(dims))
    return axis, shapes


@settings_(120)
@given(case=concat_cases())
def test_concatenate_matches_tf(case):
    axis, shapes = case
    assert_agrees(as_list_call(L.Concatenate(axis=axis)), shapes)


def test_concatenate_examples():
    assert ours(L.Concatenate, (None, 8, 8, 3), (None, 8, 8, 5)) == ("ok", ((None, 8, 8, 8),))
    assert ours(L.Concatenate, (None, None, 8, 3), (None, 8, None, 5)) == ("ok", ((None, 8, 8, 8),))
    assert ours(L.Concatenate, (None, 4, 3), (None, 4, None)) == ("ok", ((None, 4, None),))
    assert ours(L.Concatenate, (None, 4, 3), None) == ("ok", ((None, 4, None),))
    assert ours(L.Concatenate, (None, 2), (None, 3), axis=1) == ("ok", ((None, 5),))
    assert ours(L.Concatenate, (None, 4, 3), (None, 5, 3), axis=1) == ("ok", ((None, 9, 3),))
    assert ours(L.Concatenate, (None, 4, 3), (None, 5, 3)) == ("error", "SL002")
    assert ours(L.Concatenate, (None, 4, 3), (None, 4, 3, 1)) == ("error", "SL002")
    assert ours(L.Concatenate, (None, 4, 3), (None, 4, 3), axis=3) == ("error", "SL003")


def test_concatenate_message():
    code, text, fix = message(L.Concatenate, (None, 24, 24, 64), (None, 25, 25, 64))
    assert code == "SL002"
    assert text == ("Concatenate on axis -1: (None, 24, 24, 64) and (None, 25, 25, 64) differ on "
                    "axis 1 (24 vs 25)")
    assert "Cropping2D" in fix


def test_concatenate_off_by_one_fails_in_tf():
    """The U-Net bug: 24x24 and 25x25 maps; TF refuses to run it."""
    layer = as_list_call(L.Concatenate())
    assert run_tf(layer, [(1, 24, 24, 4), (1, 25, 25, 4)])[0] == "error"
    assert ours(L.Concatenate, (None, 24, 24, 4), (None, 25, 25, 4)) == ("error", "SL002")


# --------------------------------------------------------------------- Dot

@st.composite
def dot_cases(draw):
    x = [2] + draw(st.lists(st.integers(1, 4), min_size=1, max_size=3))
    y = [2] + draw(st.lists(st.integers(1, 4), min_size=1, max_size=3))
    if draw(st.booleans()):
        axes = draw(st.integers(-5, 4))
        pair = (axes % len(x), axes % len(y)) if axes < 0 else (axes, axes)
    else:
        axes = (draw(st.integers(-len(x) - 1, len(x))), draw(st.integers(-len(y) - 1, len(y))))
        pair = axes
    if draw(st.integers(0, 3)) and -len(x) <= pair[0] < len(x) and -len(y) <= pair[1] < len(y):
        y[pair[1]] = x[pair[0]]  # usually a valid dot
    if draw(st.integers(0, 14)) == 0:
        y[0] = 3  # batch mismatch
    return axes, tuple(x), tuple(y)


@settings_(150)
@given(case=dot_cases(), normalize=st.booleans())
def test_dot_matches_tf(case, normalize):
    axes, x, y = case
    assert_agrees(as_list_call(L.Dot(axes=axes, normalize=normalize)), [x, y])


def test_dot_examples():
    assert ours(L.Dot, (None, 3, 5), (None, 10, 3), axes=(1, 2)) == ("ok", ((None, 5, 10),))
    assert ours(L.Dot, (None, 8), (None, 8), axes=1) == ("ok", ((None, 1),))
    assert ours(L.Dot, (None, None, 5), (None, 7, 5), axes=2) == ("ok", ((None, None, 7),))
    assert ours(L.Dot, (None, 3, 5), (None, 4, 5), axes=-1) == ("ok", ((None, 3, 4),))
    assert ours(L.Dot, (None, 3, 5), (None, 4, 6), axes=-1) == ("error", "SL002")
    assert ours(L.Dot, (None, 3, 5), (None, 4, 5), axes=0) == ("error", "SL003")
    assert ours(L.Dot, (None, 3, 5), (None, 3, 5), (None, 3, 5), axes=1) == ("error", "SL003")
    assert ours(L.Dot, (None, 3, 5), None, axes=1) == ("ok", (None,))


maybe_shapes = st.one_of(st.none(), st.lists(st.one_of(st.none(), st.integers(1, 4)), min_size=1,
                                             max_size=4).map(tuple))


@settings_(150)
@given(cls=st.sampled_from([*ELEMENTWISE, L.Concatenate, L.Dot]),
       shapes=st.lists(maybe_shapes, min_size=0, max_size=3), axis=st.integers(-4, 3))
def test_never_crashes_on_unknown_dims(cls, shapes, axis):
    config = {"axes": axis} if cls is L.Dot else {"axis": axis} if cls is L.Concatenate else {}
    verdict, value = ours(cls, *shapes, **config)
    assert verdict == "ok" or value in ("SL002", "SL003"), (cls.__name__, shapes, value)
