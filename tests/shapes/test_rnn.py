"""Recurrent layers and wrappers against the real Keras layers."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

keras = pytest.importorskip("keras")
L = keras.layers

from reference import assert_agrees, keras_call, predict  # noqa: E402

from shapelint.shapes.registry import LayerCall, Window, lookup  # noqa: E402

RNNS = [L.SimpleRNN, L.LSTM, L.GRU]


def _leaves(out):
    if isinstance(out, (list, tuple)):
        return [leaf for o in out for leaf in _leaves(o)]
    return [out]


def assert_agrees_flat(layer, input_shape):
    """Like assert_agrees, for layers whose outputs are nested (stacked cell states)."""
    try:
        out = layer(np.zeros(input_shape, dtype="float32"))
        tf = tuple(tuple(int(d) for d in o.shape) for o in _leaves(out))
        tf_ok = all(d > 0 for s in tf for d in s)
    except Exception:  # noqa: BLE001
        tf_ok = False
    ours, value = predict(keras_call(layer, [input_shape]))
    if tf_ok:
        assert (ours, value) == ("ok", tf), f"{layer.get_config()} on {input_shape}"
    else:
        assert ours == "error", f"TF fails, shapelint says {value}"


def from_config(class_name, config, inputs, kwargs=None):
    return predict(LayerCall(class_name, "layer", config, tuple(inputs), kwargs=kwargs or {}))


def rule_result(layer, inputs):
    return lookup(type(layer).__name__)(keras_call(layer, inputs))


# --- SimpleRNN / LSTM / GRU -------------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(cls=st.sampled_from(RNNS), units=st.integers(1, 4), seq=st.booleans(),
       state=st.booleans(), steps=st.integers(1, 4), features=st.integers(1, 4),
       batch=st.integers(1, 3))
def test_recurrent_matches_keras(cls, units, seq, state, steps, features, batch):
    layer = cls(units, return_sequences=seq, return_state=state)
    assert_agrees(layer, [(batch, steps, features)])


@pytest.mark.parametrize("cls", RNNS)
@pytest.mark.parametrize("shape", [(2, 5), (2, 3, 4, 5), (2, 3, 4, 5, 6)])
def test_recurrent_wrong_rank(cls, shape):
    layer = cls(3)
    assert_agrees(layer, [shape])
    assert predict(keras_call(layer, [shape])) == ("error", "SL003")


@pytest.mark.parametrize("cls,n_states", [(L.SimpleRNN, 1), (L.LSTM, 2), (L.GRU, 1)])
def test_recurrent_unknown_dims(cls, n_states):
    layer = cls(7, return_sequences=True, return_state=True)
    expected = ((None, None, 7),) + ((None, 7),) * n_states
    assert predict(keras_call(layer, [(None, None, 5)])) == ("ok", expected)
    # rank unknown: an RNN still yields (batch, time, units)
    call = LayerCall(type(layer).__name__, "r", layer.get_config(), (None,))
    assert predict(call) == ("ok", expected)


@pytest.mark.parametrize("units", [0, -1, "3"])
def test_recurrent_bad_units(units):
    config = L.LSTM(3).get_config() | {"units": units}
    assert from_config("LSTM", config, [(2, 3, 4)]) == ("error", "SL003")
    with pytest.raises(Exception):
        L.LSTM.from_config(config)(np.zeros((2, 3, 4), "float32"))


@pytest.mark.parametrize("name,cls", [("CuDNNLSTM", L.LSTM), ("CuDNNGRU", L.GRU)])
def test_keras2_cudnn_layers(name, cls):
    config = {"name": "rnn", "units": 3, "return_sequences": True, "return_state": True}
    out = cls(3, return_sequences=True, return_state=True)(np.zeros((2, 4, 5), "float32"))
    expected = tuple(tuple(o.shape) for o in out)
    assert from_config(name, config, [(2, 4, 5)]) == ("ok", expected)


def test_recurrent_spatial_is_dropped():
    assert rule_result(L.LSTM(3, return_sequences=True), [(2, 5, 4)]).spatial == "drop"


# --- RNN(cell) --------------------------------------------------------------------------

CELLS = {
    "simple": lambda: L.SimpleRNNCell(3),
    "lstm": lambda: L.LSTMCell(4),
    "gru": lambda: L.GRUCell(2),
    "stacked": lambda: L.StackedRNNCells([L.LSTMCell(3), L.GRUCell(2), L.SimpleRNNCell(5)]),
    "list": lambda: [L.GRUCell(4), L.LSTMCell(2)],
}


@pytest.mark.parametrize("cell", sorted(CELLS))
@pytest.mark.parametrize("seq,state", [(False, False), (True, False), (False, True), (True, True)])
def test_rnn_cells(cell, seq, state):
    layer = L.RNN(CELLS[cell](), return_sequences=seq, return_state=state)
    assert_agrees_flat(layer, (2, 3, 5))


def test_rnn_wrong_rank():
    layer = L.RNN(L.LSTMCell(3))
    assert_agrees(layer, [(2, 5)])
    assert predict(keras_call(layer, [(2, 5)])) == ("error", "SL003")


class MinimalCell(L.Layer):
    state_size = 4

    def call(self, inputs, states):
        return inputs[:, :4], [inputs[:, :4]]


def test_rnn_unknown_cell_is_unknown():
    layer = L.RNN(MinimalCell(), return_sequences=True)
    assert layer(np.zeros((2, 3, 6), "float32")).shape == (2, 3, 4)  # Keras runs it
    assert predict(keras_call(layer, [(2, 3, 6)])) == ("ok", (None,))
    stacked = L.RNN([L.LSTMCell(3), MinimalCell()])
    assert predict(keras_call(stacked, [(2, 3, 6)])) == ("ok", (None,))


# --- ConvLSTM ---------------------------------------------------------------------------

def _conv_lstm_case(cls, kwargs, shape):
    """assert_agrees, or for configs Keras refuses to build, an SL003 from the config."""
    try:
        layer = cls(**kwargs)
    except ValueError:
        base = cls(filters=kwargs["filters"], kernel_size=kwargs["kernel_size"]).get_config()
        config = base | {k: v for k, v in kwargs.items()}
        assert from_config(cls.__name__, config, [shape])[0] == "error"
        return
    assert_agrees(layer, [shape])


@settings(max_examples=150, deadline=None)
@given(kernel=st.tuples(st.integers(1, 4), st.integers(1, 4)),
       strides=st.tuples(st.integers(1, 3), st.integers(1, 3)),
       dilation=st.sampled_from([(1, 1), (2, 1), (1, 3)]),
       pad=st.sampled_from(["valid", "same"]),
       fmt=st.sampled_from(["channels_last", "channels_first"]),
       size=st.tuples(st.integers(1, 8), st.integers(1, 8)),
       steps=st.integers(1, 3), seq=st.booleans(), state=st.booleans())
def test_conv_lstm2d_matches_keras(kernel, strides, dilation, pad, fmt, size, steps, seq, state):
    shape = (2, steps, *size, 3) if fmt == "channels_last" else (2, steps, 3, *size)
    kwargs = dict(filters=2, kernel_size=kernel, strides=strides, dilation_rate=dilation,
                  padding=pad, data_format=fmt, return_sequences=seq, return_state=state)
    _conv_lstm_case(L.ConvLSTM2D, kwargs, shape)


@pytest.mark.parametrize("cls,kwargs,shape", [
    (L.ConvLSTM1D, dict(filters=3, kernel_size=3), (2, 3, 9, 2)),
    (L.ConvLSTM1D, dict(filters=3, kernel_size=4, strides=2, padding="same",
                        return_sequences=True, return_state=True), (2, 3, 9, 2)),
    (L.ConvLSTM1D, dict(filters=3, kernel_size=3, dilation_rate=4), (2, 3, 9, 2)),
    (L.ConvLSTM1D, dict(filters=3, kernel_size=3, dilation_rate=5), (2, 3, 9, 2)),
    (L.ConvLSTM1D, dict(filters=3, kernel_size=3, data_format="channels_first",
                        return_sequences=True), (2, 3, 2, 9)),
    (L.ConvLSTM3D, dict(filters=2, kernel_size=2, strides=(1, 2, 3), return_sequences=True),
     (2, 2, 4, 5, 7, 1)),
    (L.ConvLSTM3D, dict(filters=2, kernel_size=3, padding="same", return_state=True),
     (2, 2, 3, 4, 5, 1)),
    (L.ConvLSTM3D, dict(filters=2, kernel_size=(1, 5, 1)), (2, 2, 3, 4, 5, 1)),
    (L.ConvLSTM2D, dict(filters=2, kernel_size=3, strides=2, dilation_rate=2), (2, 2, 9, 9, 1)),
])
def test_conv_lstm_examples(cls, kwargs, shape):
    _conv_lstm_case(cls, kwargs, shape)


@pytest.mark.parametrize("cls,shape", [(L.ConvLSTM1D, (2, 3, 4)), (L.ConvLSTM2D, (2, 3, 4, 5)),
                                       (L.ConvLSTM2D, (2, 3, 4, 5, 6, 1)),
                                       (L.ConvLSTM3D, (2, 3, 4, 5, 6))])
def test_conv_lstm_wrong_rank(cls, shape):
    layer = cls(2, 1)
    assert_agrees(layer, [shape])
    assert predict(keras_call(layer, [shape])) == ("error", "SL003")


def test_conv_lstm_causal_padding_refused():
    config = L.ConvLSTM1D(2, 3).get_config() | {"padding": "causal"}
    with pytest.raises(ValueError):
        L.ConvLSTM1D.from_config(config)
    assert from_config("ConvLSTM1D", config, [(2, 3, 9, 2)]) == ("error", "SL003")


def test_conv_lstm_window_and_unknown_dims():
    layer = L.ConvLSTM2D(4, 3, strides=2, return_sequences=True, return_state=True)
    result = rule_result(layer, [(None, None, 9, None, 3)])
    assert result.outputs == ((None, None, 4, None, 4), (None, 4, None, 4), (None, 4, None, 4))
    assert isinstance(result.spatial, Window)
    assert (result.spatial.axes, result.spatial.kernel, result.spatial.stride) == \
        ((2, 3), (3, 3), (2, 2))
    first = L.ConvLSTM2D(4, 3, data_format="channels_first", return_sequences=True)
    assert rule_result(first, [(2, 3, 1, 9, 9)]).spatial.axes == (3, 4)
    last_only = rule_result(L.ConvLSTM2D(4, 3), [(2, 3, 9, 9, 1)])
    assert last_only.outputs == ((2, 7, 7, 4),) and last_only.spatial == "drop"


# --- Bidirectional ----------------------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(cls=st.sampled_from(RNNS), units=st.integers(1, 4),
       merge=st.sampled_from(["concat", "sum", "mul", "ave", None]),
       seq=st.booleans(), state=st.booleans(), steps=st.integers(1, 3))
def test_bidirectional_matches_keras(cls, units, merge, seq, state, steps):
    layer = L.Bidirectional(cls(units, return_sequences=seq, return_state=state), merge_mode=merge)
    assert_agrees(layer, [(2, steps, 5)])


@pytest.mark.parametrize("merge", ["concat", "sum", "mul", "ave", None])
@pytest.mark.parametrize("fwd,bwd", [(3, 5), (1, 4), (4, 1), (2, 2)])
def test_bidirectional_backward_layer(merge, fwd, bwd):
    layer = L.Bidirectional(L.GRU(fwd, return_sequences=True, return_state=True),
                            backward_layer=L.GRU(bwd, go_backwards=True, return_sequences=True,
                                                 return_state=True), merge_mode=merge)
    assert_agrees(layer, [(2, 3, 4)])


@pytest.mark.parametrize("merge", ["concat", "sum", None])
def test_bidirectional_conv_lstm(merge):
    layer = L.Bidirectional(L.ConvLSTM2D(3, 3, return_sequences=True), merge_mode=merge)
    assert_agrees(layer, [(2, 3, 6, 5, 2)])
    assert_agrees(layer, [(2, 3, 2, 5, 2)])  # kernel larger than the input: error


def test_bidirectional_wrong_rank_and_unknown():
    layer = L.Bidirectional(L.LSTM(3))
    assert_agrees(layer, [(2, 5)])
    assert predict(keras_call(layer, [(2, 5)])) == ("error", "SL003")
    assert predict(keras_call(layer, [(None, None, 4)])) == ("ok", ((None, 6),))
    config = layer.get_config()
    config["layer"] = {"class_name": "MyRNN", "config": {}}
    del config["backward_layer"]
    assert from_config("Bidirectional", config, [(2, 3, 4)]) == ("ok", (None,))


@pytest.mark.parametrize("change", [{"return_sequences": True}, {"return_state": True},
                                    {"go_backwards": False}])
def test_bidirectional_mismatched_layers_refused(change):
    config = L.Bidirectional(L.LSTM(3)).get_config()
    config["backward_layer"]["config"].update(change)
    with pytest.raises(ValueError):
        L.Bidirectional.from_config(config)
    assert from_config("Bidirectional", config, [(2, 3, 4)]) == ("error", "SL003")


def test_bidirectional_bad_merge_mode_and_keras2_config():
    layer = L.Bidirectional(L.LSTM(3, return_sequences=True))
    config = layer.get_config() | {"merge_mode": "max"}
    with pytest.raises(ValueError):
        L.Bidirectional.from_config(config)
    assert from_config("Bidirectional", config, [(2, 3, 4)]) == ("error", "SL003")
    # tf.keras 2 files: {"class_name", "config"} only, no backward_layer
    keras2 = {"name": "bidi", "merge_mode": "concat",
              "layer": {"class_name": "LSTM", "config": {"name": "lstm", "units": 3,
                                                         "return_sequences": True}}}
    expected = layer(np.zeros((2, 3, 4), "float32")).shape
    assert from_config("Bidirectional", keras2, [(2, 3, 4)]) == ("ok", (tuple(expected),))


# --- TimeDistributed --------------------------------------------------------------------

@settings(max_examples=80, deadline=None)
@given(kernel=st.integers(1, 4), strides=st.integers(1, 3), pad=st.sampled_from(["valid", "same"]),
       size=st.tuples(st.integers(1, 7), st.integers(1, 7)), steps=st.integers(1, 3),
       fmt=st.sampled_from(["channels_last", "channels_first"]))
def test_time_distributed_conv2d(kernel, strides, pad, size, steps, fmt):
    layer = L.TimeDistributed(L.Conv2D(3, kernel, strides=strides, padding=pad, data_format=fmt))
    shape = (2, steps, *size, 2) if fmt == "channels_last" else (2, steps, 2, *size)
    assert_agrees(layer, [shape])


@pytest.mark.parametrize("shape", [(2, 3, 4), (2, 3, 5, 4), (1, 1, 1), (2, 3, 1, 2, 4)])
def test_time_distributed_dense(shape):
    assert_agrees(L.TimeDistributed(L.Dense(6)), [shape])


@pytest.mark.parametrize("layer,shape", [
    (L.TimeDistributed(L.Dense(6)), (2, 5)),
    (L.TimeDistributed(L.Conv2D(3, 3)), (2, 3, 6, 6)),
    (L.TimeDistributed(L.Conv2D(3, 3)), (2, 3, 6, 6, 2, 1)),
])
def test_time_distributed_wrong_rank(layer, shape):
    assert_agrees(layer, [shape])
    assert predict(keras_call(layer, [shape])) == ("error", "SL003")


def test_time_distributed_window_and_unknowns():
    layer = L.TimeDistributed(L.Conv2D(3, 3, strides=2))
    result = rule_result(layer, [(None, None, 9, None, 2)])
    assert result.outputs == ((None, None, 4, None, 3),)
    assert result.spatial.axes == (2, 3) and result.spatial.stride == (2, 2)
    assert predict(keras_call(layer, [(2, 3, 9, 9, 2)])) == ("ok", ((2, 3, 4, 4, 3),))
    unknown = L.TimeDistributed(L.Dense(4)).get_config()
    unknown["layer"] = {"class_name": "MyLayer", "config": {}}
    assert from_config("TimeDistributed", unknown, [(2, 3, 4)]) == ("ok", (None,))
    assert from_config("TimeDistributed", unknown, [None]) == ("ok", (None,))


def test_time_distributed_lstm_inside():
    assert_agrees(L.TimeDistributed(L.LSTM(3, return_sequences=True)), [(2, 3, 4, 5)])
    assert_agrees(L.TimeDistributed(L.LSTM(3)), [(2, 3, 4, 5)])
