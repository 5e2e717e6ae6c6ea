"""Core layer shape rules (Dense, EinsumDense, Embedding, ...) against Keras run by TF."""

import string

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from reference import assert_agrees, keras_call, predict, run_tf  # noqa: E402

from shapelint.shapes.registry import LayerCall  # noqa: E402

L = keras.layers
dims = st.integers(1, 5)


def settings_(n):
    return settings(max_examples=n, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def ours(class_name, config, *shapes, **kwargs):
    return predict(LayerCall(class_name, "x", config, tuple(shapes), kwargs=kwargs))


# ---------------------------------------------------------------------- Dense

@settings_(60)
@given(shape=st.lists(dims, min_size=1, max_size=5), units=st.integers(1, 6))
def test_dense_matches_tf(shape, units):
    assert_agrees(L.Dense(units), [(2, *shape[1:])])


def test_dense_unknown_dims_flow():
    config = L.Dense(7).get_config()
    assert ours("Dense", config, (None, None, None, 3)) == ("ok", ((None, None, None, 7),))
    assert ours("Dense", config, (None, 5, None)) == ("ok", ((None, 5, 7),))
    assert ours("Dense", config, None) == ("ok", (None,))


def test_dense_bad_config_and_rank():
    config = L.Dense(3).get_config()
    assert ours("Dense", {**config, "units": 0}, (None, 4)) == ("error", "SL003")
    assert ours("Dense", {**config, "units": 2.5}, (None, 4)) == ("error", "SL003")
    assert ours("Dense", config, (None,)) == ("error", "SL003")
    assert run_tf(L.Dense(3), [(4,)])[0] == "error"


# ---------------------------------------------------------------- EinsumDense

@st.composite
def einsum_cases(draw):
    """A random EinsumDense equation, input shape and output_shape, valid or slightly off."""
    letters = list(string.ascii_lowercase)
    form = draw(st.sampled_from(["plain", "left", "right"]))
    n_in = draw(st.integers(2 if form == "right" else 1, 3))
    in_spec = letters[:n_in]
    new = letters[n_in:n_in + draw(st.integers(0, 2))]  # output letters only the kernel has
    kept = [c for c in in_spec if draw(st.booleans())]
    if form != "left" and in_spec[0] not in kept:
        kept = [in_spec[0], *kept]  # the batch letter usually survives
    contracted = [c for c in in_spec if c not in kept]
    shared = [c for c in kept[1:] if draw(st.integers(0, 3)) == 0]  # in input, kernel and output
    w_spec = draw(st.permutations(contracted + shared + new))
    if not w_spec:
        w_spec = new = [letters[n_in]]
    out_spec = kept + [c for c in new if c not in kept]
    if not out_spec:
        out_spec = new = [letters[n_in + 2]]
        w_spec = list(w_spec) + new
    out_spec = draw(st.permutations(out_spec))
    if draw(st.integers(0, 9)) == 0:
        out_spec = [*out_spec, "z"]  # a letter from nowhere
    elided = draw(st.integers(0, 2)) if form != "plain" else 0
    if form == "plain" and draw(st.integers(0, 9)) == 0:
        elided = 1  # an input of the wrong rank
    # No 1s: TF's oneDNN einsum corrupts the heap and kills the process on size-1 dims, e.g.
    # einsum('ab...,c->cba...', zeros((4, 1, 5, 1)), zeros((4,))) or
    # einsum('...ab,bc->...acb', zeros((4, 5, 1)), zeros((5, 3))).
    size_of = st.integers(2, 5)
    size = {c: draw(size_of) for c in in_spec + list(new)}
    in_dims = [size[c] for c in in_spec]
    extra = [draw(size_of) for _ in range(elided)]
    ins, ws, outs = "".join(in_spec), "".join(w_spec), "".join(out_spec)
    if form == "plain":
        shape, equation = (*in_dims, *extra), f"{ins},{ws}->{outs}"
        true_out = [size.get(c, 1) for c in out_spec]
    elif form == "left":
        shape, equation = (*extra, *in_dims), f"...{ins},{ws}->...{outs}"
        true_out = [*extra, *(size.get(c, 1) for c in out_spec)]
    else:
        shape, equation = (*in_dims, *extra), f"{ins}...,{ws}->{outs}..."
        true_out = [size.get(c, 1) for c in out_spec] + extra
    if form == "left" and elided == 0:
        shape = (2, *shape)  # a leading batch dim
        true_out = [2, *true_out]
        equation = f"...{ins},{ws}->...{outs}"
    partial = list(true_out[1:]) if form != "right" else [size.get(c, 1) for c in out_spec[1:]]
    tweak = draw(st.integers(0, 6))
    if tweak == 0 and partial:
        partial[draw(st.integers(0, len(partial) - 1))] = None
    elif tweak == 1 and partial:
        i = draw(st.integers(0, len(partial) - 1))
        partial[i] = partial[i] + 1
    elif tweak == 2 and partial:
        partial = partial[:-1]
    elif tweak == 3:
        partial = [*partial, 3]
    if not partial:
        partial = [3]
    return equation, tuple(partial), tuple(shape)


@settings_(150)
@given(case=einsum_cases())
def test_einsum_dense_matches_tf(case):
    equation, output_shape, shape = case
    try:
        layer = L.EinsumDense(equation, output_shape=output_shape)
    except ValueError:
        return
    verdict, value = run_tf(layer, [shape])
    if verdict == "ok":
        # Keras's TF backend swaps a few equations ("ab,bc->ac", ...) for matmul, which also
        # runs on inputs of the wrong rank; einsum itself refuses those.
        try:
            np.einsum(equation, np.zeros(shape), np.zeros(tuple(layer.kernel.shape)))
        except ValueError:
            verdict = "error"
    ours = predict(keras_call(layer, [shape]))
    if verdict == "ok":
        assert ours == ("ok", value), (equation, output_shape, shape, value, ours)
    else:
        assert ours[0] == "error", (equation, output_shape, shape, ours)


EINSUM_EXAMPLES = [
    ("ab,bc->ac", (16,), (4, 8), (4, 16)),
    ("abc,cd->abd", (None, 16), (2, 5, 8), (2, 5, 16)),  # None: the input's length
    ("abc,cde->abde", (5, 4, 8), (2, 5, 32), (2, 5, 4, 8)),  # multi-head projection
    # Keras's own compute_output_shape reverses the elided dims here: (2, 6, 4, 3, 5)
    ("...b,bc->...c", (5,), (2, 3, 4, 6, 4), (2, 3, 4, 6, 5)),
    ("ab...,bc->ac...", (5,), (2, 3, 4, 6), (2, 5, 4, 6)),
]


@pytest.mark.parametrize("equation, output_shape, shape, expected", EINSUM_EXAMPLES)
def test_einsum_dense_examples(equation, output_shape, shape, expected):
    layer = L.EinsumDense(equation, output_shape=output_shape)
    assert run_tf(layer, [shape]) == ("ok", (expected,))
    assert predict(keras_call(layer, [shape])) == ("ok", (expected,))


def test_einsum_dense_unknown_dims_and_errors():
    config = L.EinsumDense("abc,cd->abd", output_shape=(None, 16)).get_config()
    assert ours("EinsumDense", config, (None, None, 8)) == ("ok", ((None, None, 16),))
    assert ours("EinsumDense", config, (None, None, None)) == ("ok", ((None, None, 16),))
    assert ours("EinsumDense", config, None) == ("ok", (None,))
    assert ours("EinsumDense", config, (None, 8)) == ("error", "SL003")  # rank 2 for 'abc'
    bad = {**config, "output_shape": (7, 16)}
    assert ours("EinsumDense", bad, (None, 5, 8)) == ("error", "SL003")  # 7 vs 5 on 'b'
    bad = {**config, "equation": "abc->ab"}
    assert ours("EinsumDense", bad, (None, 5, 8)) == ("error", "SL003")
    assert ours("EinsumDense", {**config, "output_shape": (5, None)}, (None, 5, 8)) == (
        "error", "SL003")  # kernel dim without a size


# ------------------------------------------------------------------ Embedding

@settings_(40)
@given(shape=st.lists(dims, min_size=1, max_size=4), input_dim=st.integers(1, 20),
       output_dim=st.integers(1, 8))
def test_embedding_matches_tf(shape, input_dim, output_dim):
    assert_agrees(L.Embedding(input_dim, output_dim), [tuple(shape)])


@settings_(40)
@given(shape=st.lists(dims, min_size=1, max_size=4), input_dim=st.integers(1, 20),
       output_dim=st.integers(1, 5), reverse=st.booleans())
def test_reversible_embedding_matches_tf(shape, input_dim, output_dim, reverse):
    if reverse and len(shape) < 2:
        shape = [*shape, output_dim]
    assert_agrees(L.ReversibleEmbedding(input_dim, output_dim), [tuple(shape)],
                  kwargs={"reverse": reverse})


def test_embedding_none_and_bad_config():
    config = L.Embedding(100, 16).get_config()
    assert ours("Embedding", config, (None, None)) == ("ok", ((None, None, 16),))
    assert ours("Embedding", {**config, "output_dim": 0}, (None, 3)) == ("error", "SL003")
    rev = L.ReversibleEmbedding(100, 16).get_config()
    assert ours("ReversibleEmbedding", rev, (None, None, 16), reverse=True) == (
        "ok", ((None, None, 100),))
    assert ours("ReversibleEmbedding", rev, (None, None, 8), reverse=True) == ("error", "SL003")


# ---------------------------------------------------------- Identity, Masking

@pytest.mark.parametrize("shape", [(2,), (2, 5), (2, 5, 3), (2, 4, 4, 3), (2, 3, 3, 3, 2)])
@pytest.mark.parametrize("cls", [L.Identity, L.Masking])
def test_identity_and_masking(cls, shape):
    assert_agrees(cls(), [shape])


def test_identity_passes_every_input():
    config = L.Identity().get_config()
    assert ours("Identity", config, (None, 3), (None, 4, 5)) == ("ok", ((None, 3), (None, 4, 5)))


@settings_(150)
@given(layer=st.sampled_from([L.Dense(4), L.EinsumDense("abc,cd->abd", output_shape=(None, 4)),
                              L.EinsumDense("...b,bc->...c", output_shape=4),
                              L.Embedding(10, 3), L.ReversibleEmbedding(10, 3), L.Masking()]),
       shape=st.one_of(st.none(), st.lists(st.one_of(st.none(), st.integers(1, 5)), min_size=1,
                                           max_size=5).map(tuple)),
       reverse=st.booleans())
def test_never_crashes_on_unknown_dims(layer, shape, reverse):
    verdict, value = ours(type(layer).__name__, layer.get_config(), shape, reverse=reverse)
    assert verdict == "ok" or value == "SL003", (layer.name, shape, value)
