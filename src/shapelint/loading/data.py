"""What the data fed to ``fit`` looks like: shapes, dtypes and, when at hand, label range.

Read from a ``tf.data.Dataset``'s ``element_spec`` (never iterated), numpy arrays and
tensors, a Keras ``PyDataset``/``Sequence`` (its first batch only), an ``(x, y)`` tuple,
or dicts and lists of named inputs/outputs. Nothing here imports TensorFlow or Keras:
objects are read by duck typing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

# label values are scanned (for their largest value) only in arrays up to this size
MAX_SCANNED_VALUES = 50_000_000


@dataclass(frozen=True)
class Array:
    """One array of a batch: its shape (batch dim first, ``None`` where unknown)."""

    shape: tuple
    dtype: Optional[str] = None
    max: Optional[float] = None  # the largest value, when the values were at hand
    min: Optional[float] = None


@dataclass(frozen=True)
class DataSpec:
    """The x and y of the data: an :class:`Array`, a list of them or a dict of them
    (``None`` when not given); ``source`` says what they were read from."""

    x: Any
    y: Any = None
    source: str = "arrays"


def read_data(data: Any = None, x: Any = None, y: Any = None) -> DataSpec:
    """The :class:`DataSpec` of ``data`` (what ``fit`` takes as its first argument) or
    of ``x`` and ``y``. Raises TypeError for data it cannot read without consuming it
    (a Python generator)."""
    if data is not None and (x is not None or y is not None):
        raise TypeError("give either data=... or x=... and y=..., not both")
    if data is None:
        return DataSpec(_structure(x, values=False) if x is not None else None,
                        _structure(y, values=True) if y is not None else None)
    if hasattr(data, "element_spec"):  # tf.data.Dataset
        spec = data.element_spec
        xs, ys = _split(spec)
        return DataSpec(_structure(xs, values=False),
                        _structure(ys, values=False) if ys is not None else None,
                        "tf.data.Dataset element_spec")
    if _is_py_dataset(data):
        batch = data[0]
        xs, ys = _split(batch)
        return DataSpec(_structure(xs, values=False),
                        _structure(ys, values=True) if ys is not None else None,
                        f"{type(data).__name__}[0]")
    if hasattr(data, "__next__") or type(data).__name__ == "generator":
        raise TypeError("a Python generator cannot be read without consuming it: pass a "
                        "tf.data.Dataset, a keras.utils.PyDataset or the arrays")
    xs, ys = _split(data)
    return DataSpec(_structure(xs, values=False),
                    _structure(ys, values=True) if ys is not None else None)


def _split(element: Any) -> tuple:
    """``(x, y)`` of a batch: a 2- or 3-tuple is ``(x, y[, sample_weight])``, as in fit."""
    if isinstance(element, tuple) and len(element) in (2, 3):
        return element[0], element[1]
    if isinstance(element, tuple) and len(element) == 1:
        return element[0], None
    return element, None


def _is_py_dataset(data: Any) -> bool:
    names = {c.__name__ for c in type(data).__mro__}
    return bool(names & {"PyDataset", "Sequence"}) and hasattr(data, "__getitem__") \
        and hasattr(data, "__len__")


def _structure(value: Any, values: bool) -> Any:
    if value is None:
        return None
    if isinstance(value, dict) or (hasattr(value, "items") and not hasattr(value, "shape")):
        return {str(k): _structure(v, values) for k, v in value.items()}
    if isinstance(value, (list, tuple)) and value and all(_is_arraylike(v) for v in value):
        return [_structure(v, values) for v in value]
    return _array(value, values)


def _is_arraylike(value: Any) -> bool:
    return hasattr(value, "shape") or isinstance(value, dict)


def _array(value: Any, values: bool) -> Array:
    if not hasattr(value, "shape"):  # a list of numbers: what fit would make of it
        import numpy as np

        value = np.asarray(value)
    shape = _dims(value.shape)
    dtype = _dtype_name(getattr(value, "dtype", None))
    low = high = None
    if values and shape and _concrete(value) and _size(shape) <= MAX_SCANNED_VALUES \
            and _size(shape) > 0:
        try:
            import numpy as np

            arr = np.asarray(value)
            if arr.dtype.kind in "iuf":
                low, high = float(arr.min()), float(arr.max())
        except Exception:  # noqa: BLE001 - values are a bonus; shapes are what counts
            low = high = None
    return Array((None, *shape[1:]) if shape else shape, dtype, high, low)


def _dims(shape: Any) -> tuple:
    if hasattr(shape, "as_list"):  # tf.TensorShape
        try:
            shape = shape.as_list()
        except ValueError:  # unknown rank
            return ()
    return tuple(None if d is None else int(d) for d in shape)


def _dtype_name(dtype: Any) -> Optional[str]:
    if dtype is None:
        return None
    name = getattr(dtype, "name", None)
    return str(name if isinstance(name, str) else dtype)


def _concrete(value: Any) -> bool:
    """Values at hand: a numpy array or an eager tensor (not a symbolic spec)."""
    module = type(value).__module__
    return module.startswith("numpy") or type(value).__name__ == "EagerTensor"


def _size(shape: tuple) -> int:
    n = 1
    for d in shape:
        n *= d if d is not None else 0
    return n


def flatten(structure: Any) -> list:
    """The arrays of an x or y structure, in order (dicts in key order)."""
    if structure is None:
        return []
    if isinstance(structure, dict):
        return [a for v in structure.values() for a in flatten(v)]
    if isinstance(structure, list):
        return [a for v in structure for a in flatten(v)]
    return [structure]


__all__ = ["Array", "DataSpec", "flatten", "read_data"]
