"""Every public layer class of the installed Keras has a shape rule, or a reason not to.

Classes are compared by ``__name__``, the ``class_name`` a model config stores, so
aliases (``AvgPool2D`` for ``AveragePooling2D``, ...) collapse to one entry.
"""

import inspect

import pytest

keras = pytest.importorskip("keras")

from shapelint.shapes.registry import known_classes  # noqa: E402

# Layer classes deliberately left without a shape rule: the output shape cannot be read
# from the config alone. A model using one gets an "unknown layer" note, not a guess.
DELIBERATELY_UNKNOWN = {
    # Base classes, never in a model config by themselves.
    "Layer": "abstract base class: a subclass defines the computation",
    "Wrapper": "abstract base of wrapper layers",
    "InputLayer": "model inputs are handled by the propagation engine itself",
    # Arbitrary code.
    "Lambda": "runs an arbitrary Python function",
    "TFSMLayer": "wraps an external TensorFlow SavedModel",
    "JaxLayer": "wraps an arbitrary JAX function",
    "FlaxLayer": "wraps an arbitrary Flax module",
    "TorchModuleWrapper": "wraps an arbitrary PyTorch module",
    "Pipeline": "chains arbitrary preprocessing callables",
    # Vocabulary / string preprocessing: sizes come from adapt() state, inputs are strings.
    "StringLookup": "string input; output size comes from the adapted vocabulary",
    "IntegerLookup": "output size comes from the adapted vocabulary, not the config",
    "TextVectorization": "string input; output length and vocabulary come from adapt()",
    "HashedCrossing": "crosses a tuple of categorical features, an input-pipeline layer",
    # RNN cells: run inside an RNN/Bidirectional layer (whose rule reads the cell config),
    # never called on their own in a model graph.
    "SimpleRNNCell": "a cell, used inside RNN(cell=...)",
    "LSTMCell": "a cell, used inside RNN(cell=...)",
    "GRUCell": "a cell, used inside RNN(cell=...)",
    "StackedRNNCells": "a cell stack, used inside RNN(cell=...)",
    # Audio front-ends.
    "MelSpectrogram": "frame count follows STFT padding rules not modelled yet",
    "STFTSpectrogram": "frame count follows STFT padding rules not modelled yet",
}


def public_layer_classes() -> set:
    return {obj.__name__ for obj in vars(keras.layers).values()
            if inspect.isclass(obj) and issubclass(obj, keras.layers.Layer)}


def test_every_public_layer_has_a_rule_or_a_reason():
    missing = sorted(public_layer_classes() - set(known_classes()) - set(DELIBERATELY_UNKNOWN))
    assert not missing, f"Keras layer classes with no shape rule and no stated reason: {missing}"


def test_unknown_list_is_current():
    assert not set(DELIBERATELY_UNKNOWN) & set(known_classes()), "listed unknown but has a rule"
    assert set(DELIBERATELY_UNKNOWN) <= public_layer_classes(), "not a Keras layer class any more"
