"""What the readers and the TF cross-check agree on about a model config, in one place.

Which classes are models, how deep models may nest, what a layer config's declared input
shape is, and how the layers of a nested model's second call are named. Pure data and
functions: no Keras, no I/O.
"""

from __future__ import annotations

from typing import Any, Optional

from shapelint.errors import UnreadableModel

MODEL_CLASSES = frozenset({"Functional", "Model", "Sequential"})
MAX_NESTING = 64  # models nested deeper than this are refused (each level is a recursion)

# the keys a layer config may declare its input shape with, in the order they are read:
# full batch shapes first, then shapes without the batch dim (which then comes from
# ``batch_size``); tf.keras 2's Layer takes ``batch_input_shape`` over ``input_shape`` too
BATCH_SHAPE_KEYS = ("batch_shape", "batch_input_shape")
SHAPE_KEYS = ("shape", "input_shape")


def is_model_class(class_name: Any) -> bool:
    """Whether ``class_name`` names one of Keras's model classes (any value is accepted)."""
    return isinstance(class_name, str) and class_name in MODEL_CLASSES


def is_shape(value: Any) -> bool:
    """A list or tuple of ints and Nones (bools are not dimensions)."""
    return isinstance(value, (list, tuple)) and all(
        v is None or (isinstance(v, int) and not isinstance(v, bool)) for v in value)


def declared_shape(config: dict) -> Optional[tuple]:
    """The batch shape an InputLayer (or a Sequential's first layer) declares, if any.

    The first key of :data:`BATCH_SHAPE_KEYS` + :data:`SHAPE_KEYS` that is set (not
    null) decides; a value there that is not a shape raises ``UnreadableModel`` naming
    the key, rather than falling back to a later key Keras would not read.
    """
    for key in BATCH_SHAPE_KEYS + SHAPE_KEYS:
        value = config.get(key)
        if value is None:
            continue
        if not is_shape(value):
            raise UnreadableModel(f"layer {config.get('name', '?')!r}: {key}={value!r:.60} is "
                                  "not a list of integers and nulls")
        if key in SHAPE_KEYS:
            return (config.get("batch_size"),) + tuple(value)
        return tuple(value)
    return None


def nested_call_name(name: str, node: int) -> str:
    """The prefix of the layers inside call ``node`` of nested model ``name``:
    ``name`` for its first call, ``name:k`` for call k."""
    return name if node == 0 else f"{name}:{node}"
