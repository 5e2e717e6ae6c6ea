"""The layer registry: Keras class name -> pure shape function.

A shape function receives a read-only :class:`LayerCall` (one call of one layer:
its config and the shapes of the tensors it was called on) and returns a
:class:`ShapeResult` (the output shapes, plus the spatial window the layer slides
over its input, when it has one). It never raises anything but :class:`ShapeError`,
which the propagation turns into an error finding at that layer.

Shapes are tuples that include the batch dimension; each dimension is an ``int`` or
``None`` (unknown). A whole shape may be ``None`` when not even the rank is known.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Optional, Union

from shapelint.shapes import arithmetic

Dim = Optional[int]
Shape = tuple  # tuple[Dim, ...]
MaybeShape = Optional[Shape]


class ShapeError(Exception):
    """A layer call that Keras could not run: becomes an error finding.

    ``code`` is the rule code (SL001 non-positive dimension, SL002 incompatible
    merge, SL003 invalid layer config); ``fix`` says what to change.
    """

    def __init__(self, code: str, message: str, fix: str = ""):
        super().__init__(message)
        self.code = code
        self.message = message
        self.fix = fix


class UnknownOp(Exception):
    """An op (TFOpLambda, TensorFlowOpLayer, a Keras 3 op node) shapelint has no shape
    rule for, or whose arguments it cannot read: the call stays unknown (SL109)."""

    def __init__(self, op: str, why: str = ""):
        super().__init__(op)
        self.op = op
        self.why = why


@dataclass(frozen=True)
class Window:
    """How a sliding-window layer maps input positions to output positions.

    One entry per spatial axis. ``axes`` are the dimension indices of those axes
    in the input (and output) shape, batch included. ``kernel`` is the effective
    kernel ``d·(k−1)+1`` and ``dilation`` the step between its taps. ``transposed``
    marks a transposed conv or upsampling: the output is ``stride`` times *denser*.
    ``dropped`` is the number of trailing input rows/cols never read (``None``
    when the input length is unknown).
    """

    axes: tuple
    kernel: tuple
    stride: tuple
    padding: str = "valid"
    transposed: bool = False
    dropped: tuple = ()
    dilation: tuple = ()  # per axis; () = 1 (the kernel's taps are then contiguous)
    output_padding: tuple = ()  # per axis, of a transposed conv; () = None on every axis
    offset: tuple = ()  # per axis, rows before the first input row fixed by the config

    def pad_before(self, i: int, n: Dim) -> int:
        """On the ``i``-th of ``axes``, for an input of length ``n``: the zero rows before
        the first input row (forward), or the rows cropped before the first output row
        (transposed). ``kernel`` is already effective, so the dilation is not applied again.
        An ``offset`` gives it outright (negative: input rows removed before the first)."""
        if self.offset:
            return self.offset[i]
        if self.transposed:
            op = self.output_padding[i] if self.output_padding else None
            return arithmetic.transpose_padding_before(n, self.kernel[i], self.stride[i],
                                                       self.padding, op)
        return arithmetic.padding_before(n, self.kernel[i], self.stride[i], self.padding)


@dataclass(frozen=True)
class ShapeResult:
    """Output shapes of one layer call.

    ``spatial`` says what happens to the spatial geometry (receptive field, jump):
    a :class:`Window` for sliding-window layers, ``"keep"`` when every output
    position is an input position (element-wise layers; padding and cropping, whose
    shift is in ``reads``), ``"drop"`` when positions are mixed or lost (Flatten,
    Reshape, global pooling).
    ``None`` lets the engine decide: keep when ranks match, else drop.

    ``reads``, when given, is how output positions read input positions for the
    receptive field and jump only, where that differs from ``spatial`` (which is what
    rules see): a crop or zero padding is a one-tap window shifted by its ``offset``,
    a bilinear upsampling reads two rows. It covers every spatial axis.
    """

    outputs: tuple
    spatial: Union[Window, str, None] = None
    reads: Optional[Window] = None


@dataclass(frozen=True)
class LayerCall:
    """Read-only view of one layer call, as shape functions see it."""

    class_name: str
    name: str
    config: Mapping[str, Any]
    inputs: tuple  # shapes of the positional tensor arguments, flattened in order
    kw_inputs: Mapping[str, MaybeShape] = field(default_factory=dict)  # tensor kwargs
    kwargs: Mapping[str, Any] = field(default_factory=dict)  # non-tensor kwargs
    op_args: Optional[list] = None  # an op call: positional arguments, tensors as TensorArg

    @property
    def input(self) -> MaybeShape:
        """The single (first) input shape."""
        return self.inputs[0] if self.inputs else None


ShapeFn = Callable[[LayerCall], ShapeResult]

_REGISTRY: dict[str, ShapeFn] = {}


def shape_rule(*class_names: str) -> Callable[[ShapeFn], ShapeFn]:
    """Register ``fn`` as the shape function of each Keras class in ``class_names``."""

    def register(fn: ShapeFn) -> ShapeFn:
        for name in class_names:
            if name in _REGISTRY:
                raise ValueError(f"duplicate shape rule for layer class {name!r}")
            _REGISTRY[name] = fn
        return fn

    return register


def lookup(class_name: str) -> Optional[ShapeFn]:
    """The shape function of ``class_name``, or ``None`` for an unknown layer class."""
    if not _loaded:
        _load_layer_modules()
    return _REGISTRY.get(class_name)


def known_classes() -> list:
    """Every layer class name that has a shape rule, sorted."""
    _load_layer_modules()
    return sorted(_REGISTRY)


_loaded = False


def _load_layer_modules() -> None:
    global _loaded
    if not _loaded:
        _loaded = True
        from shapelint.shapes import layers  # noqa: F401  (registers on import)
