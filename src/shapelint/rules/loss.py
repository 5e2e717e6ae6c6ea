"""SL203: the compiled loss does not fit the output layer (static: no data needed).

The loss comes from the model's ``compile_config`` (a ``.keras`` file, ``to_json()``) or a
live model's ``model.loss`` (:mod:`shapelint.loading.compile`); the check sees it as
``trace.model.losses``, one entry per model output. What Keras 3 does with each pairing
was measured (tests/test_data_loss.py): a softmax or sigmoid output keeps its
pre-activation logits, and Keras's crossentropies use them, so some of these pairings
train normally in ``fit`` while ``predict()`` stays wrong.
"""

from __future__ import annotations

from typing import Optional

from shapelint.formatting import format_shape

# layers whose config's `activation` is applied to their own output
ACTIVATED = frozenset({
    "Dense", "EinsumDense", "Conv1D", "Conv2D", "Conv3D", "Conv1DTranspose",
    "Conv2DTranspose", "Conv3DTranspose", "SeparableConv1D", "SeparableConv2D",
    "DepthwiseConv1D", "DepthwiseConv2D", "Activation",
})


def activation_of(t) -> Optional[str]:
    """The activation a layer call applies last (``"linear"`` for none), or None when
    the layer is not one whose activation is known."""
    if t.class_name == "Softmax":
        return "softmax"
    if t.class_name not in ACTIVATED:
        return None
    value = t.call.config.get("activation")
    if isinstance(value, dict):  # a serialized function
        value = value.get("config") if isinstance(value.get("config"), str) \
            else value.get("class_name")
    if value is None:
        return "linear"
    return str(value).lower() if isinstance(value, str) else None


def model_outputs(graph) -> list:
    """``(LayerTrace, output shape, Loss or None)`` for each model output."""
    trace = graph.trace
    losses = getattr(trace.model, "losses", None) or [None] * len(trace.model.outputs)
    return [(trace.layers[ref.call], shape, loss)
            for ref, shape, loss in zip(trace.model.outputs, trace.outputs, losses)]


def loss_output_mismatch(graph, params: dict):
    for t, shape, loss in model_outputs(graph):
        if not shape:  # a Dense's units stay known after a broken layer upstream
            continue
        found = _mismatch(activation_of(t), shape[-1], loss)
        if found is not None:
            severity, problem, remedy = found
            yield t, {"severity": severity, "problem": problem, "remedy": remedy,
                      "output_shape": format_shape(shape)}


def _mismatch(activation: Optional[str], units, loss):
    """(severity, problem, remedy) of one output, or None."""
    name = loss.text if loss is not None else None
    if activation == "softmax" and units == 1:
        if loss is None:
            happens = ""
        elif loss.family in ("binary", "categorical", "sparse"):
            happens = (f"; under {name} Keras 3 trains on the layer's pre-activation "
                       "logit, so fit's loss may fall as if nothing were wrong")
        else:
            happens = f"; its gradient is 0, so {name} trains nothing through it"
        return ("error", f"softmax over 1 unit always outputs 1.0: predict() returns 1.0 "
                         f"for every input{happens}",
                "activation='sigmoid' for one yes/no output (with binary_crossentropy), "
                "Dense(C, activation='softmax') for C classes, no activation for regression")
    if loss is None:
        return None
    if loss.family in ("categorical", "sparse") and units == 1:
        happens = ("the crossentropy over a single class is 0 for every sample, so nothing "
                   "is learned" if loss.family == "categorical" else
                   "the only valid label is 0: Keras fails at the first label ≥ 1 "
                   "('Received a label value of 1 which is outside the valid range of [0, 1)')")
        return ("error", f"{name} on a 1-unit output: {happens}",
                "one sigmoid unit with binary_crossentropy for two classes, Dense(C, "
                "activation='softmax') for C classes, or a linear unit with "
                "mean_squared_error for a number")
    if loss.family == "binary" and activation == "softmax" and isinstance(units, int) \
            and units > 1:
        return ("warning", f"{name} on a {units}-unit softmax: binary crossentropy scores "
                           f"each unit as its own yes/no while softmax makes the {units} "
                           "compete (they sum to 1), and the 'accuracy' metric becomes "
                           "binary accuracy over units",
                "one class per sample: categorical_crossentropy (one-hot y) or "
                "sparse_categorical_crossentropy (integer y); several labels per sample: "
                "activation='sigmoid'")
    if loss.family in ("binary", "categorical", "sparse") and loss.from_logits \
            and activation in ("softmax", "sigmoid"):
        return ("warning", f"{name} after a {activation}: the output is already "
                           f"probabilities; Keras 3 warns and uses the layer's pre-activation "
                           f"logits instead, so fit trains normally, but a custom training "
                           f"loop or an export applies the {activation} twice",
                f"drop from_logits=True, or remove the {activation} and keep "
                "from_logits=True (apply it at prediction time)")
    if loss.family in ("binary", "categorical", "sparse") and not loss.from_logits \
            and activation == "linear":
        return ("warning", f"{name} expects probabilities (from_logits=False) but the "
                           "output is linear: values outside [0, 1] are clipped to "
                           "[1e-7, 1 − 1e-7], where they give no gradient, so training "
                           "stalls or learns the wrong thing",
                "pass from_logits=True to the loss (keras.losses."
                f"{_class_name(loss.name)}(from_logits=True)), or give the layer a "
                f"{'sigmoid' if loss.family == 'binary' else 'softmax'} activation")
    return None


def _class_name(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


__all__ = ["activation_of", "loss_output_mismatch", "model_outputs"]
