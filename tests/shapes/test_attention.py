"""Attention layers against the real Keras layers."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

keras = pytest.importorskip("keras")
L = keras.layers
pytestmark = pytest.mark.filterwarnings("ignore:You are using a softmax over axis")

from reference import assert_agrees, keras_call, predict  # noqa: E402

from shapelint.shapes.registry import LayerCall  # noqa: E402


def symbolic_fails(layer_factory, input_shapes, kw_input_shapes=None, kwargs=None) -> bool:
    """Whether Keras refuses to build the call on symbolic inputs (as when a model is made)."""
    args = [keras.Input(batch_shape=s) for s in input_shapes]
    kw = {k: keras.Input(batch_shape=s) for k, s in (kw_input_shapes or {}).items()}
    try:
        layer_factory()(*args, **kw, **(kwargs or {}))
    except Exception:  # noqa: BLE001
        return True
    return False


def assert_list_agrees(layer, input_shapes, kwargs=None):
    """assert_agrees for layers called on a list of tensors: layer([q, v, k], ...)."""
    try:
        out = layer([np.zeros(s, "float32") for s in input_shapes], **(kwargs or {}))
        outs = out if isinstance(out, (list, tuple)) else [out]
        tf = tuple(tuple(int(d) for d in o.shape) for o in outs)
        tf_ok = all(d > 0 for s in tf for d in s)
    except Exception:  # noqa: BLE001
        tf_ok = False
    ours, value = predict(keras_call(layer, input_shapes, kwargs=kwargs))
    where = f"{type(layer).__name__} {kwargs} on {input_shapes}"
    if tf_ok:
        assert (ours, value) == ("ok", tf), f"{where}: TF {tf}, shapelint {value}"
    else:
        assert ours == "error", f"{where}: TF fails, shapelint predicts {value}"


def _mha_call(style, q, v, k):
    """(positional shapes, keyword shapes) for the ways MultiHeadAttention is called."""
    named = {"query": q, "value": v, **({"key": k} if k else {})}
    if style == "positional":
        return [q, v] + ([k] if k else []), {}
    if style == "keyword":
        return [], named
    return [q], {n: s for n, s in named.items() if n != "query"}  # mha(q, value=v, key=k)


# --- MultiHeadAttention -----------------------------------------------------------------

@settings(max_examples=150, deadline=None)
@given(heads=st.integers(1, 3), key_dim=st.integers(1, 4),
       value_dim=st.none() | st.integers(1, 4),
       out=st.sampled_from([None, 3, (2, 3)]),
       t=st.integers(1, 4), s=st.integers(1, 4), s_key=st.integers(1, 4),
       dims=st.tuples(st.integers(1, 5), st.integers(1, 5), st.integers(1, 5)),
       batches=st.sampled_from([(2, 2), (2, 2), (2, 3)]),
       with_key=st.booleans(), scores=st.booleans(), causal=st.booleans(),
       style=st.sampled_from(["positional", "keyword", "mixed"]))
def test_mha_matches_keras(heads, key_dim, value_dim, out, t, s, s_key, dims, batches, with_key,
                           scores, causal, style):
    layer = L.MultiHeadAttention(heads, key_dim, value_dim=value_dim, output_shape=out)
    q, v = (batches[0], t, dims[0]), (batches[1], s, dims[1])
    k = (batches[1], s_key, dims[2]) if with_key else None
    args, kw = _mha_call(style, q, v, k)
    assert_agrees(layer, args, kw, {"return_attention_scores": scores, "use_causal_mask": causal})


@pytest.mark.parametrize("axes", [None, (1,), (2,), (1, 2), -2, 2])
@pytest.mark.parametrize("q,v", [((2, 5, 3, 4), (2, 7, 2, 6)), ((2, 5, 3, 4), (2, 5, 2, 6)),
                                 ((2, 5, 3, 4), (2, 7, 3, 6)), ((2, 5, 3, 4), (2, 7, 6))])
@pytest.mark.parametrize("scores", [False, True])
def test_mha_attention_axes(axes, q, v, scores):
    layer = L.MultiHeadAttention(2, 3, attention_axes=axes)
    assert_agrees(layer, [q, v], kwargs={"return_attention_scores": scores})


# 5D queries with a single attention axis give rank-6 scores, which TF's oneDNN softmax
# kernel refuses ("Input dims must be <= 5"): a backend limit, not a shape rule.
@pytest.mark.parametrize("axes", [None, (1, 3), (2, 3), (1, 2, 3)])
@pytest.mark.parametrize("v", [(2, 2, 4, 2, 6), (2, 3, 4, 2, 6), (2, 2, 4, 6)])
def test_mha_attention_axes_5d(axes, v):
    layer = L.MultiHeadAttention(2, 3, attention_axes=axes)
    assert_agrees(layer, [(2, 2, 3, 2, 4), v], kwargs={"return_attention_scores": True})


@pytest.mark.parametrize("q,v", [((1, 5, 4), (2, 7, 6)), ((2, 5, 4), (1, 7, 6)),
                                 ((1, 1, 4), (2, 1, 6))])
def test_mha_batch_of_one_is_not_broadcast(q, v):
    # Keras's fused dot-product path refuses it; only the einsum path (taken when the
    # scores are returned) broadcasts a batch of 1, which is never intended.
    assert_agrees(L.MultiHeadAttention(2, 3), [q, v])
    assert predict(keras_call(L.MultiHeadAttention(2, 3), [q, v])) == ("error", "SL002")


@pytest.mark.parametrize("axes", [-1, 0, 3])
def test_mha_bad_attention_axes(axes):
    layer = L.MultiHeadAttention(2, 3, attention_axes=axes)
    assert_agrees(layer, [(2, 5, 4), (2, 7, 6)], kwargs={"return_attention_scores": True})
    assert predict(keras_call(layer, [(2, 5, 4), (2, 7, 6)])) == ("error", "SL003")


@pytest.mark.parametrize("mask", [(2, 5, 7), (2, 1, 7), (1, 5, 7), (5, 7), (2, 5, 1), (7,),
                                  (2, 7, 5), (3, 5, 7), (2, 2, 5, 7), (2, 1, 5, 7), (2, 5, 8)])
@pytest.mark.parametrize("scores", [False, True])
def test_mha_attention_mask(mask, scores):
    layer = L.MultiHeadAttention(2, 3)
    assert_agrees(layer, [(2, 5, 4), (2, 7, 6)], {"attention_mask": mask},
                  {"return_attention_scores": scores})


@pytest.mark.parametrize("q,v", [((2, 4), (2, 6)), ((2, 5, 4), (2, 7, 3, 6)),
                                 ((2, 5, 3, 4), (2, 7, 6))])
def test_mha_wrong_rank(q, v):
    layer = L.MultiHeadAttention(2, 3)
    assert_agrees(layer, [q, v])
    assert predict(keras_call(layer, [q, v]))[0] == "error"


def test_mha_unknown_dims_and_arguments():
    layer = L.MultiHeadAttention(4, 8, output_shape=(2, 5))
    call = keras_call(layer, [(None, None, 16)], {"value": (None, 9, 3)},
                      {"return_attention_scores": True})
    assert predict(call) == ("ok", ((None, None, 2, 5), (None, 4, None, 9)))
    call = keras_call(layer, [(None, 6, 16), (3, None, 3)],
                      kwargs={"return_attention_scores": True})
    assert predict(call) == ("ok", ((None, 6, 2, 5), (3, 4, 6, None)))
    unknown = LayerCall("MultiHeadAttention", "m", layer.get_config(), (None, None))
    assert predict(unknown) == ("ok", (None,))
    twice = keras_call(layer, [(2, 3, 4), (2, 3, 4)], {"query": (2, 3, 4)})
    assert predict(twice) == ("error", "SL003")
    no_value = keras_call(layer, [(2, 3, 4)])
    assert predict(no_value) == ("error", "SL003")
    with pytest.raises(TypeError):
        layer(np.zeros((2, 3, 4), "float32"))


def test_mha_keras2_config():
    config = {"name": "mha", "num_heads": 2, "key_dim": 3, "value_dim": None, "output_shape": 7,
              "attention_axes": None}
    layer = L.MultiHeadAttention(2, 3, output_shape=7)
    expected = tuple(layer(np.zeros((2, 4, 5), "float32"), np.zeros((2, 6, 3), "float32")).shape)
    call = LayerCall("MultiHeadAttention", "mha", config, ((2, 4, 5),), {"value": (2, 6, 3)})
    assert predict(call) == ("ok", (expected,))


@pytest.mark.parametrize("key", ["num_heads", "key_dim"])
def test_mha_bad_config(key):
    config = L.MultiHeadAttention(2, 3).get_config() | {key: 0}
    with pytest.raises((TypeError, ValueError)):
        L.MultiHeadAttention.from_config(config)
    call = LayerCall("MultiHeadAttention", "m", config, ((2, 3, 4), (2, 3, 4)))
    assert predict(call) == ("error", "SL003")


# --- GroupedQueryAttention --------------------------------------------------------------

@settings(max_examples=80, deadline=None)
@given(head_dim=st.integers(1, 4), kv_heads=st.integers(1, 3), repeats=st.integers(1, 2),
       t=st.integers(1, 4), s=st.integers(1, 4), s_key=st.integers(1, 4),
       dims=st.tuples(st.integers(2, 4), st.integers(2, 4), st.integers(2, 4)),
       batches=st.sampled_from([(2, 2), (2, 2), (2, 3)]), with_key=st.booleans(),
       scores=st.booleans(), style=st.sampled_from(["positional", "keyword", "mixed"]))
def test_gqa_matches_keras(head_dim, kv_heads, repeats, t, s, s_key, dims, batches, with_key,
                           scores, style):
    def make():
        return L.GroupQueryAttention(head_dim, kv_heads * repeats, kv_heads)

    q, v = (batches[0], t, dims[0]), (batches[1], s, dims[1])
    k = (batches[1], s_key, dims[2]) if with_key else None
    args, kw = _mha_call(style, q, v, k)
    kwargs = {"return_attention_scores": scores}
    if symbolic_fails(make, args, kw, kwargs):  # e.g. query/value feature dims differ
        assert predict(keras_call(make(), args, kw, kwargs))[0] == "error"
    else:
        assert_agrees(make(), args, kw, kwargs)


def test_gqa_errors():
    config = L.GroupQueryAttention(2, 4, 2).get_config() | {"num_key_value_heads": 3}
    with pytest.raises((TypeError, ValueError)):
        L.GroupQueryAttention.from_config(config)
    call = LayerCall("GroupedQueryAttention", "g", config, ((2, 3, 4), (2, 3, 4)))
    assert predict(call) == ("error", "SL003")
    layer = L.GroupQueryAttention(2, 4, 2)
    assert_agrees(layer, [(2, 3, 2, 4), (2, 3, 2, 4)])
    assert predict(keras_call(layer, [(2, 3, 2, 4), (2, 3, 2, 4)])) == ("error", "SL003")
    call = keras_call(layer, [(None, None, 4), (None, 5, 4)], kwargs={"return_attention_scores": 1})
    assert predict(call) == ("ok", ((None, None, 4), (None, 4, None, 5)))


@pytest.mark.parametrize("mask", [(2, 5, 7), (2, 1, 7), (5, 7), (2, 5, 6), (2, 4, 5, 7)])
def test_gqa_attention_mask(mask):
    layer = L.GroupQueryAttention(2, 4, 2)
    assert_agrees(layer, [(2, 5, 4), (2, 7, 4)], {"attention_mask": mask})


# --- Attention / AdditiveAttention ------------------------------------------------------

@settings(max_examples=200, deadline=None)
@given(cls=st.sampled_from(["dot", "concat", "additive", "additive-noscale"]),
       tq=st.integers(1, 4), tv=st.integers(1, 4), tk=st.integers(1, 4),
       dims=st.tuples(st.sampled_from([1, 3, 4]), st.sampled_from([1, 3, 4]),
                      st.sampled_from([1, 3, 4])),
       batches=st.sampled_from([(2, 2, 2), (2, 2, 2), (2, 1, 2), (1, 2, 2), (2, 3, 3)]),
       with_key=st.booleans(), scores=st.booleans(), causal=st.booleans())
def test_attention_matches_keras(cls, tq, tv, tk, dims, batches, with_key, scores, causal):
    if cls.startswith("additive"):
        layer = L.AdditiveAttention(use_scale=cls == "additive")
    else:
        layer = L.Attention(score_mode=cls)
    shapes = [(batches[0], tq, dims[0]), (batches[1], tv, dims[1])]
    if with_key:
        shapes.append((batches[2], tk, dims[2]))
    assert_list_agrees(layer, shapes, {"return_attention_scores": scores,
                                       "use_causal_mask": causal})


@pytest.mark.parametrize("cls", [L.Attention, L.AdditiveAttention])
@pytest.mark.parametrize("shapes", [[(2, 3, 4)], [(2, 3, 4)] * 4, [(2, 3, 4), (2, 4)],
                                    [(3, 4), (5, 4)], [(2, 2, 3, 4), (2, 2, 5, 4)],
                                    [(2, 2, 3, 4), (2, 5, 4)]])
def test_attention_input_lists(cls, shapes):
    assert_list_agrees(cls(), shapes, {"return_attention_scores": True})


def test_attention_unknown_dims():
    layer = L.Attention()
    call = keras_call(layer, [(None, None, 4), (None, 7, 4)], kwargs={"return_attention_scores": 1})
    assert predict(call) == ("ok", ((None, None, 4), (None, None, 7)))
    call = LayerCall("Attention", "a", layer.get_config(), ((None, 3, 4), None))
    assert predict(call) == ("ok", (None,))
    call = LayerCall("AdditiveAttention", "a", L.AdditiveAttention().get_config(),
                     ((2, 3, 4), (2, 5, 6), None))
    assert predict(call) == ("ok", ((2, 3, 6),))
    assert predict(keras_call(layer, [(2, 3, 4)])) == ("error", "SL003")
