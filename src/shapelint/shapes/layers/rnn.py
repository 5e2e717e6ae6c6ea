"""Recurrent layers and wrappers: SimpleRNN, LSTM, GRU, RNN, ConvLSTM, Bidirectional,
TimeDistributed."""

from __future__ import annotations

import dataclasses
from typing import Optional

from shapelint.shapes import arithmetic as ar
from shapelint.shapes.layers._common import (
    CHANNELS_LAST, broadcast_shapes, data_format, format_shape, padding, positive_int,
    require_rank,
)
from shapelint.shapes.layers.conv import conv_window
from shapelint.shapes.registry import (
    LayerCall, ShapeError, ShapeResult, Window, lookup, shape_rule,
)

# Number of state tensors of each recurrent layer / cell (each of size ``units``).
_LAYER_STATES = {"SimpleRNN": 1, "GRU": 1, "LSTM": 2, "CuDNNGRU": 1, "CuDNNLSTM": 2}
_CELL_STATES = {"SimpleRNNCell": 1, "GRUCell": 1, "LSTMCell": 2, "PeepholeLSTMCell": 2}
_CONV_LSTM_RANK = {"ConvLSTM1D": 4, "ConvLSTM2D": 5, "ConvLSTM3D": 6}


def _flag(call: LayerCall, key: str) -> bool:
    return bool(call.config.get(key, False))


def _sequences(call: LayerCall, rank: int = 3) -> tuple:
    """The input sequence (first positional input; the others are initial states)."""
    shape = require_rank(call, call.input, rank)
    return (None,) * rank if shape is None else shape


def _rnn_result(call: LayerCall, shape: tuple, out_dim, state_dims) -> ShapeResult:
    batch, steps = shape[0], shape[1]
    output = (batch, steps, out_dim) if _flag(call, "return_sequences") else (batch, out_dim)
    states = tuple((batch, d) for d in state_dims) if _flag(call, "return_state") else ()
    return ShapeResult((output,) + states, spatial="drop")


@shape_rule(*_LAYER_STATES)
def recurrent(call: LayerCall) -> ShapeResult:
    units = positive_int(call, "units")
    shape = _sequences(call)
    return _rnn_result(call, shape, units, [units] * _LAYER_STATES[call.class_name])


def _cell_sizes(call: LayerCall, cell) -> Optional[tuple]:
    """(output size, flat list of state sizes) of a serialized cell; None if unknown."""
    if isinstance(cell, list):  # a plain list of cells is stacked
        cell = {"class_name": "StackedRNNCells", "config": {"cells": cell}}
    if not isinstance(cell, dict):
        return None
    name, config = cell.get("class_name"), cell.get("config") or {}
    if name in _CELL_STATES:
        units = positive_int(call, "units", config=config, owner=name)
        return units, [units] * _CELL_STATES[name]
    if name == "StackedRNNCells":
        sizes = [_cell_sizes(call, c) for c in config.get("cells") or []]
        if not sizes or any(s is None for s in sizes):
            return None
        return sizes[-1][0], [d for _, states in sizes for d in states]
    return None


@shape_rule("RNN")
def rnn(call: LayerCall) -> ShapeResult:
    sizes = _cell_sizes(call, call.config.get("cell"))
    if sizes is None:
        return ShapeResult((None,))
    shape = _sequences(call)
    return _rnn_result(call, shape, sizes[0], sizes[1])


@shape_rule(*_CONV_LSTM_RANK)
def conv_lstm(call: LayerCall) -> ShapeResult:
    """Input ``(batch, time, *spatial, channels)``; each step is a convolution.

    The Window describes the input convolution of one step; the recurrent
    convolution (``same`` padding, stride 1) widens the receptive field further
    over time.
    """
    rank = _CONV_LSTM_RANK[call.class_name]
    shape = _sequences(call, rank)
    fmt = data_format(call)
    pad = padding(call)
    filters = positive_int(call, "filters")
    step = (shape[0],) + shape[2:]
    kernel, stride, dilation, window = conv_window(call, step, fmt, pad)
    out = [ar.conv_output_length(step[a], k, s, pad, d)
           for a, k, s, d in zip(window.axes, kernel, stride, dilation)]
    step_out = (shape[0], *out, filters) if fmt == CHANNELS_LAST else (shape[0], filters, *out)
    if _flag(call, "return_sequences"):
        output = (shape[0], shape[1]) + step_out[1:]
        spatial = dataclasses.replace(window, axes=tuple(a + 1 for a in window.axes))
    else:
        output, spatial = step_out, "drop"
    states = (step_out, step_out) if _flag(call, "return_state") else ()
    return ShapeResult((output,) + states, spatial=spatial)


def _inner_call(call: LayerCall, layer, shape) -> Optional[ShapeResult]:
    """Apply the shape rule of a serialized inner layer to ``shape``; None if it has none."""
    if not isinstance(layer, dict):
        return None
    fn = lookup(layer.get("class_name"))
    if fn is None:
        return None
    config = layer.get("config") or {}
    inner = LayerCall(class_name=layer["class_name"], name=config.get("name", call.name),
                      config=config, inputs=(shape,), kwargs=call.kwargs)
    try:
        return fn(inner)
    except ShapeError as e:
        raise ShapeError(e.code, f"{call.class_name}({layer['class_name']}) on "
                         f"{format_shape(shape)}: {e.message}", e.fix) from None


@shape_rule("TimeDistributed")
def time_distributed(call: LayerCall) -> ShapeResult:
    shape = call.input
    if shape is None:
        return ShapeResult((None,))
    if len(shape) < 3:
        raise ShapeError(
            "SL003",
            f"TimeDistributed needs an input of at least 3 dims (batch, time, ...), got "
            f"{format_shape(shape)}",
            "feed a (batch, time, ...) tensor, or drop the TimeDistributed wrapper")
    result = _inner_call(call, call.config.get("layer"), (shape[0],) + tuple(shape[2:]))
    if result is None:
        return ShapeResult((None,))
    outputs = tuple(None if o is None else (o[0], shape[1]) + tuple(o[1:])
                    for o in result.outputs)
    spatial, reads = result.spatial, result.reads
    if isinstance(spatial, Window):
        spatial = dataclasses.replace(spatial, axes=tuple(a + 1 for a in spatial.axes))
    if reads is not None:
        reads = dataclasses.replace(reads, axes=tuple(a + 1 for a in reads.axes))
    return ShapeResult(outputs, spatial=spatial, reads=reads)


_MERGE_MODES = ("concat", "sum", "mul", "ave", None)


def _check_pair(forward, backward) -> None:
    fc, bc = forward.get("config") or {}, backward.get("config") or {}
    for key in ("return_sequences", "return_state", "stateful"):
        if bool(fc.get(key, False)) != bool(bc.get(key, False)):
            raise ShapeError(
                "SL003",
                f"Bidirectional: forward layer has {key}={bool(fc.get(key, False))} but backward "
                f"layer has {key}={bool(bc.get(key, False))}",
                f"give both layers the same {key}")
    if bool(fc.get("go_backwards", False)) == bool(bc.get("go_backwards", False)):
        raise ShapeError("SL003",
                         "Bidirectional: forward and backward layers have the same go_backwards",
                         "set go_backwards=True on the backward layer only")


def _concat_last(a: tuple, b: tuple) -> tuple:
    if len(a) != len(b) or any(x is not None and y is not None and x != y
                               for x, y in zip(a[:-1], b[:-1])):
        raise ShapeError("SL002",
                         f"Bidirectional concat: forward output {format_shape(a)} and backward "
                         f"output {format_shape(b)} differ outside the last axis",
                         "make the backward layer produce the same shape as the forward one")
    merged = tuple(x if x is not None else y for x, y in zip(a[:-1], b[:-1]))
    last = None if a[-1] is None or b[-1] is None else a[-1] + b[-1]
    return merged + (last,)


@shape_rule("Bidirectional")
def bidirectional(call: LayerCall) -> ShapeResult:
    merge = call.config.get("merge_mode", "concat")
    if merge not in _MERGE_MODES:
        raise ShapeError("SL003", f"Bidirectional: merge_mode={merge!r} is not one of "
                         "'concat', 'sum', 'mul', 'ave', None", "use merge_mode='concat'")
    forward = call.config.get("layer")
    backward = call.config.get("backward_layer")
    if isinstance(forward, dict) and isinstance(backward, dict):
        _check_pair(forward, backward)
    fwd = _inner_call(call, forward, call.input)
    bwd = _inner_call(call, backward or forward, call.input)
    if fwd is None or bwd is None or len(fwd.outputs) != len(bwd.outputs):
        return ShapeResult((None,))
    (y, *fwd_states), (y_rev, *bwd_states) = fwd.outputs, bwd.outputs
    states = tuple(fwd_states) + tuple(bwd_states)
    if y is None or y_rev is None:
        outputs = (None,) if merge is not None else (y, y_rev)
    elif merge is None:
        outputs = (y, y_rev)
    elif merge == "concat":
        outputs = (_concat_last(y, y_rev),)
    else:
        merged = broadcast_shapes(y, y_rev)
        if merged is None:
            raise ShapeError("SL002",
                             f"Bidirectional merge_mode={merge!r}: forward output {format_shape(y)}"
                             f" and backward output {format_shape(y_rev)} do not broadcast",
                             "give the backward layer the same units as the forward layer")
        outputs = (merged,)
    spatial = fwd.spatial if fwd.spatial == bwd.spatial else "drop"
    return ShapeResult(outputs + states, spatial=spatial)
