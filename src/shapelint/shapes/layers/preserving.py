"""Layers whose output has the shape of their input.

Activations, normalization, regularization, shape-keeping preprocessing and image
augmentation. Some of them reject inputs at run time (wrong rank, channel count, an
axis out of range): those are SL003 findings. The preprocessing layers that change
the shape are in preprocessing.py, SpectralNormalization in wrappers.py.
"""

from __future__ import annotations

from shapelint.shapes.layers._common import (
    CHANNELS_LAST, RANK_BY_SUFFIX, broadcast_shapes, format_shape, image_input, in_training,
    require_rank, same, single_input,
)
from shapelint.shapes.registry import LayerCall, ShapeError, ShapeResult, shape_rule


def _axes(call: LayerCall, shape: tuple, key: str, default=-1, unique: bool = True) -> list:
    """Config ``key`` (an int, a list of ints or None) as axes checked against ``shape``.

    TF's reductions refuse an axis named twice (``[1, -1]`` on a 2D input) when ``unique``.
    """
    value = call.config.get(key, default)
    values = [] if value is None else [value] if isinstance(value, int) else list(value)
    rank = len(shape)
    if rank == 0:
        return []
    for v in values:
        if isinstance(v, bool) or not isinstance(v, int):
            raise ShapeError("SL003", f"{call.class_name} {key}={value!r} holds a non-integer",
                             f"set {key} to integers")
        if not -rank <= v < rank:
            raise ShapeError(
                "SL003",
                f"{call.class_name} {key}={value!r} is out of range for the {rank}D input "
                f"{format_shape(shape)}",
                f"use {key} in [-{rank}, {rank}), e.g. -1 for the last axis")
    axes = [v % rank for v in values]
    if unique and len(set(axes)) < len(axes):
        raise ShapeError("SL003", f"{call.class_name} {key}={value!r} names the same axis twice "
                                  f"for the {rank}D input {format_shape(shape)}",
                         f"list each axis of {key} once")
    return axes


def _shape_of(value) -> tuple:
    """Shape of a nested list of numbers (a config value), like ``np.shape``."""
    dims = []
    while isinstance(value, (list, tuple)):
        dims.append(len(value))
        value = value[0] if value else None
    return tuple(dims)


def _broadcast(call: LayerCall, shape: tuple, other: tuple, what: str, fix: str = "") -> tuple:
    """NumPy broadcasting of the input ``shape`` with a config tensor shape ``other``."""
    out = broadcast_shapes(shape, other)
    if out is None:
        raise ShapeError("SL003", f"{call.class_name}: {what} of shape {format_shape(other)} "
                                  f"does not broadcast with the input {format_shape(shape)}",
                         fix or f"give {what} a shape that broadcasts with the input "
                         "(e.g. one value per channel)")
    return out


# ------------------------------------------------------------------ elementwise

@shape_rule("Activation", "ELU", "LeakyReLU", "ReLU", "GaussianDropout", "GaussianNoise",
            "ActivityRegularization")
def elementwise(call: LayerCall) -> ShapeResult:
    return same(single_input(call))


@shape_rule("Softmax")
def softmax(call: LayerCall) -> ShapeResult:
    shape = single_input(call)
    if shape is not None:
        _axes(call, shape, "axis")
    return same(shape)


@shape_rule("PReLU")
def prelu(call: LayerCall) -> ShapeResult:
    shape = single_input(call)
    if shape is not None:
        shared = call.config.get("shared_axes")
        shared = [] if shared is None else [shared] if isinstance(shared, int) else list(shared)
        rank = len(shape)
        for i in shared:  # Keras sets alpha_shape[i - 1] = 1, alpha_shape = input_shape[1:]
            if isinstance(i, bool) or not isinstance(i, int) or not -(rank - 1) <= i - 1 < rank - 1:
                raise ShapeError("SL003", f"PReLU shared_axes={shared!r} is out of range for the "
                                          f"{rank}D input {format_shape(shape)}",
                                 f"use shared axes in [1, {rank - 1}]")
    return same(shape)


@shape_rule("Rescaling")
def rescaling(call: LayerCall) -> ShapeResult:
    shape = single_input(call)
    if shape is None:
        return same(shape)
    out = tuple(shape)
    for key in ("scale", "offset"):
        value = call.config.get(key)
        if isinstance(value, (list, tuple)):
            out = _broadcast(call, out, _shape_of(value), key)
    return same(out)


# ---------------------------------------------------------------- normalization

@shape_rule("BatchNormalization", "UnitNormalization")
def normalization(call: LayerCall) -> ShapeResult:
    shape = single_input(call)
    if shape is not None:
        _axes(call, shape, "axis")
    return same(shape)


def _weight_shape(call: LayerCall, shape: tuple) -> tuple:
    """Shape of a per-axis weight as Keras builds it: ``input_shape[a]`` for ``a`` in
    ``sorted(axis)``, sorted as given (so ``[0, -1]`` becomes ``[-1, 0]``)."""
    _axes(call, shape, "axis")
    raw = call.config.get("axis", -1)
    raw = [raw] if isinstance(raw, int) else list(raw)
    return tuple(shape[a] for a in sorted(raw))


@shape_rule("LayerNormalization")
def layer_normalization(call: LayerCall) -> ShapeResult:
    """gamma/beta are reshaped for broadcasting unless they have the input's rank (every
    axis normalized): then they are used as built, in sorted-axis order."""
    shape = single_input(call)
    if shape is None:
        return same(shape)
    weight = _weight_shape(call, tuple(shape))
    if len(weight) == len(shape) and (call.config.get("scale", True)
                                      or call.config.get("center", True)):
        return same(_broadcast(call, tuple(shape), weight, "gamma/beta",
                               "normalize over fewer axes, or list the axes in increasing order "
                               "with non-negative values"))
    return same(shape)


@shape_rule("RMSNormalization")
def rms_normalization(call: LayerCall) -> ShapeResult:
    """The scale (shaped like the normalized axes) is multiplied in right-aligned: for axes
    other than the trailing ones it broadcasts against the wrong axes."""
    shape = single_input(call)
    if shape is None:
        return same(shape)
    weight = _weight_shape(call, tuple(shape))
    return same(_broadcast(call, tuple(shape), weight, "the scale",
                           "normalize over the trailing axes (e.g. axis=-1)"))


@shape_rule("GroupNormalization")
def group_normalization(call: LayerCall) -> ShapeResult:
    shape = single_input(call)
    if shape is None:
        return same(shape)
    (axis,) = _axes(call, shape, "axis")
    raw = call.config.get("axis", -1)
    if (raw == -1 and len(shape) < 2) or (raw < -1 and raw == -len(shape)):
        # Keras drops axis (-2 if axis == -1 else axis - 1) from a list of rank entries
        raise ShapeError("SL003", f"GroupNormalization axis={raw} on the {len(shape)}D input "
                                  f"{format_shape(shape)}: Keras's group reshape fails "
                                  "(index out of range)",
                         "use axis=-1 with a channel axis, or a positive axis")
    groups = call.config.get("groups", 32)
    channels = shape[axis]
    if isinstance(groups, bool) or not isinstance(groups, int) or groups == 0 or groups < -1:
        raise ShapeError("SL003", f"GroupNormalization groups={groups!r} must be a positive "
                                  "integer or -1", "set groups to a divisor of the channel count")
    if channels is not None and groups != -1:
        if channels < groups or channels % groups:
            raise ShapeError(
                "SL003",
                f"GroupNormalization groups={groups} does not divide the {channels} channels on "
                f"axis {axis} of {format_shape(shape)}",
                f"use a groups value that divides {channels} (e.g. "
                f"{_largest_divisor(channels, groups)}), "
                "or -1 for one group per channel")
    return same(shape)


def _largest_divisor(n: int, limit: int) -> int:
    """The largest divisor of ``n`` up to ``limit``, looked for among the 10**5 numbers
    below it (1 past those: a count of 10**18 channels must not take 10**18 steps)."""
    top = min(limit, n)
    return next((g for g in range(top, max(top - 100_000, 1), -1) if n % g == 0), 1)


@shape_rule("Normalization")
def preprocessing_normalization(call: LayerCall) -> ShapeResult:
    shape = single_input(call)
    if shape is None:
        return same(shape)
    keep = sorted(_axes(call, shape, "axis", unique=False))
    mean = call.config.get("mean")
    if isinstance(mean, (list, tuple)):
        kept = tuple(shape[a] for a in keep)
        mshape = _shape_of(mean)
        if len(mshape) > len(kept):
            raise ShapeError("SL003", f"Normalization mean of shape {format_shape(mshape)} has "
                                      f"more dims than the axes {call.config.get('axis')!r}",
                             "give one mean/variance value per kept axis")
        for m, d in zip(reversed(mshape), reversed(kept)):
            if m != 1 and d is not None and m != d:
                raise ShapeError("SL003", f"Normalization mean/variance of shape "
                                          f"{format_shape(mshape)} do not match the input "
                                          f"{format_shape(shape)} on the axes "
                                          f"{call.config.get('axis')!r}",
                                 f"give {d} mean/variance values, or adapt() the layer")
    return same(shape)


# --------------------------------------------------------------- regularization

@shape_rule("Dropout", "AlphaDropout")
def dropout(call: LayerCall) -> ShapeResult:
    """In training, a mask of ``noise_shape`` (None: the input's dim) broadcasts with the input."""
    shape = single_input(call)
    noise = call.config.get("noise_shape")
    rate = call.config.get("rate")
    rate = rate if isinstance(rate, (int, float)) else 0
    active = rate > 0 and (rate < 1 or call.class_name == "AlphaDropout")
    if shape is None or noise is None or not active or not in_training(call):
        return same(shape)
    shape = tuple(shape)
    concrete = []
    for i, d in enumerate(noise):
        if d is None and i >= len(shape):
            raise ShapeError("SL003", f"{call.class_name} noise_shape={tuple(noise)} has a None "
                                      f"past the end of the input {format_shape(shape)}",
                             "give noise_shape the rank of the input")
        concrete.append(shape[i] if d is None else d)
    return same(_broadcast(call, shape, tuple(concrete), "noise_shape"))


@shape_rule("SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D")
def spatial_dropout(call: LayerCall) -> ShapeResult:
    rank = RANK_BY_SUFFIX[call.class_name[-2:]]
    return same(require_rank(call, single_input(call), rank))


# ---------------------------------------------------------- image augmentation

_IMAGE_ANY_CHANNELS = (
    "AutoContrast", "CutMix", "Equalization", "MaxNumBoundingBoxes", "MixUp", "RandomBrightness",
    "RandomContrast", "RandomElasticTransform", "RandomErasing", "RandomFlip",
    "RandomGaussianBlur", "RandomInvert", "RandomPosterization",
    "RandomRotation", "RandomSharpness", "RandomShear", "RandomTranslation", "RandomZoom",
    "Solarization",
)
# Classes that refuse other channel counts when they actually transform (training).
_IMAGE_RGB_OR_GRAY = ("AugMix", "RandAugment", "RandomColorDegeneration", "RandomGrayscale")
_IMAGE_RGB = ("RandomHue", "RandomSaturation")


def _channels(call: LayerCall, shape, fmt, allowed: tuple) -> None:
    if shape is None or not in_training(call):
        return
    channels = shape[-1 if fmt == CHANNELS_LAST else -3]
    if channels is not None and channels not in allowed:
        names = " or ".join(str(c) for c in allowed)
        raise ShapeError("SL003", f"{call.class_name} needs {names} channels "
                                  f"(RGB{' or grayscale' if 1 in allowed else ''}), got {channels} "
                                  f"in {format_shape(shape)} ({fmt})",
                         "apply it to RGB images only, or check data_format")


def _passthrough(call: LayerCall):
    """Several tensors (images with labels/boxes): passed on unchanged."""
    return ShapeResult(tuple(call.inputs), spatial="keep")


@shape_rule(*_IMAGE_ANY_CHANNELS)
def image_augmentation(call: LayerCall) -> ShapeResult:
    if len(call.inputs) > 1:
        return _passthrough(call)
    shape, _ = image_input(call)
    return same(shape)


@shape_rule(*_IMAGE_RGB_OR_GRAY)
def image_rgb_or_gray(call: LayerCall) -> ShapeResult:
    if len(call.inputs) > 1:
        return _passthrough(call)
    shape, fmt = image_input(call)
    _channels(call, shape, fmt, (1, 3))
    return same(shape)


@shape_rule(*_IMAGE_RGB)
def image_rgb(call: LayerCall) -> ShapeResult:
    if len(call.inputs) > 1:
        return _passthrough(call)
    shape, fmt = image_input(call)
    _channels(call, shape, fmt, (3,))
    return same(shape)


@shape_rule("RandomColorJitter")
def random_color_jitter(call: LayerCall) -> ShapeResult:
    """Hue and saturation jitter go through RGB->HSV, which needs 3 channels. Keras builds
    those sub-layers without the layer's data_format: they read the last axis."""
    if len(call.inputs) > 1:
        return _passthrough(call)
    shape, _ = image_input(call)
    if any(call.config.get(k) is not None for k in ("hue_factor", "saturation_factor")):
        _channels(call, shape, CHANNELS_LAST, (3,))
    return same(shape)


@shape_rule("RandomPerspective")
def random_perspective(call: LayerCall) -> ShapeResult:
    """A 1-pixel side collapses the perspective corners: TF's matrix solve fails."""
    if len(call.inputs) > 1:
        return _passthrough(call)
    shape, fmt = image_input(call)
    if shape is not None and in_training(call):
        axes = (-3, -2) if fmt == CHANNELS_LAST else (-2, -1)
        if any(shape[a] == 1 for a in axes):
            raise ShapeError("SL003", f"RandomPerspective on {format_shape(shape)} ({fmt}): an "
                                      "image side of 1 pixel makes the perspective transform "
                                      "singular", "feed images at least 2 pixels high and wide")
    return same(shape)


@shape_rule("ContrastLimitedAdaptiveHistogramEqualization")
def clahe(call: LayerCall) -> ShapeResult:
    """Height/width are mirror-padded up to a multiple of ``tile_grid_size``; TF's symmetric
    padding cannot add more rows than the image has."""
    if len(call.inputs) > 1:
        return _passthrough(call)
    shape, fmt = image_input(call)
    if shape is None:
        return same(shape)
    grid = call.config.get("tile_grid_size", (8, 8))
    axes = (-3, -2) if fmt == CHANNELS_LAST else (-2, -1)
    for axis, g in zip(axes, grid):
        n = shape[axis]
        if n is None:
            continue
        pad = -(-n // g) * g - n
        if pad > n:
            raise ShapeError(
                "SL003",
                f"{call.class_name} tile_grid_size={tuple(grid)}: the {n}-pixel "
                f"{'height' if axis == axes[0] else 'width'} of {format_shape(shape)} would need "
                f"{pad} rows of mirror padding, more than it has",
                f"use images of at least {g // 2} pixels per side or a smaller tile_grid_size")
    return same(shape)
