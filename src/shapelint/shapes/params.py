"""Parameters, multiply-accumulates and output sizes of every layer call, from the shapes.

Pure arithmetic on a :class:`~shapelint.shapes.propagate.ShapeTrace`; nothing is built.

* ``params``: what Keras's ``layer.count_params()`` returns for the layer (the same on
  every call of a shared layer; a nested model's is the sum over its layers);
  ``trainable``: the part of it Keras trains (0 for a layer, or a layer inside a model,
  whose config says ``trainable: false``; BatchNormalization's moving mean and variance
  and Normalization's statistics never).
* ``macs``: the multiply-accumulates of the call at batch 1, bias not counted (formulas
  per layer family in docs/DESIGN.md).
* ``output_bytes``: the call's outputs at batch 1, float32.

A figure that depends on a dim shapelint does not know, or on a layer class without a
formula, is ``None``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from math import prod
from typing import Optional

FLOAT_BYTES = 4

# Layer classes without weights whose call costs no multiply-accumulate.
WEIGHTLESS = frozenset("""
InputLayer Activation ReLU LeakyReLU ELU Softmax ThresholdedReLU Identity Masking
Add Subtract Multiply Average Maximum Minimum Concatenate
Dropout AlphaDropout GaussianDropout GaussianNoise ActivityRegularization
SpatialDropout1D SpatialDropout2D SpatialDropout3D
MaxPooling1D MaxPooling2D MaxPooling3D AveragePooling1D AveragePooling2D AveragePooling3D
GlobalMaxPooling1D GlobalMaxPooling2D GlobalMaxPooling3D
GlobalAveragePooling1D GlobalAveragePooling2D GlobalAveragePooling3D
Cropping1D Cropping2D Cropping3D ZeroPadding1D ZeroPadding2D ZeroPadding3D
UpSampling1D UpSampling2D UpSampling3D Flatten Reshape Permute RepeatVector
Resizing CenterCrop Rescaling RandomCrop RandomFlip RandomRotation RandomZoom
RandomTranslation RandomContrast RandomBrightness UnitNormalization CustomScaleLayer
""".split())
# A TF op that tf.keras 2 saved as a layer: no weights; its MACs depend on the op (a
# matmul's are not 0), so they stay unknown. (Keras 3 op nodes carry the class names of
# the layers they mirror, Add, Multiply, Reshape, and are counted as those.)
OP_LAYERS = frozenset({"TFOpLambda", "SlicingOpLambda", "TensorFlowOpLayer"})

CONV = {"Conv1D": 1, "Conv2D": 2, "Conv3D": 3}
TRANSPOSED = {"Conv1DTranspose": 1, "Conv2DTranspose": 2, "Conv3DTranspose": 3}
DEPTHWISE = {"DepthwiseConv1D": 1, "DepthwiseConv2D": 2}
SEPARABLE = {"SeparableConv1D": 1, "SeparableConv2D": 2}
RNN_GATES = {"SimpleRNN": 1, "GRU": 3, "LSTM": 4}
NORMALIZATION = ("BatchNormalization", "LayerNormalization", "GroupNormalization")


@dataclass(frozen=True)
class CallCost:
    """The figures of one layer call; ``None`` where they cannot be known."""

    params: Optional[int]
    trainable_params: Optional[int]
    macs: Optional[int]
    output_bytes: Optional[int]


@dataclass(frozen=True)
class ModelCost:
    calls: list  # CallCost per trace layer, in order
    params: Optional[int]  # every layer once; None when one layer's count is unknown
    trainable: Optional[int]
    macs: Optional[int]  # every call (a nested model's through its layers' calls)
    activation_bytes: Optional[int]  # every call's outputs (not a nested model's: its
    # outputs are its layers'), model inputs included
    unknown: list  # names of the layers whose parameters are unknown

    @property
    def non_trainable(self) -> Optional[int]:
        return None if self.params is None else self.params - self.trainable

    def params_dict(self) -> dict:
        return {"total": self.params, "trainable": self.trainable,
                "non_trainable": self.non_trainable}


_CALL_SUFFIX = re.compile(r":\d+$")


def layer_key(name: str) -> str:
    """The layer behind a qualified call name: the layers inside call k of a nested
    model ``sub`` are named ``sub:k/...``, and are the layers of ``sub``."""
    parts = name.split("/")
    return "/".join([_CALL_SUFFIX.sub("", p) for p in parts[:-1]] + parts[-1:])


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _known(shape) -> bool:
    return shape is not None and all(_is_int(d) for d in shape[1:])


def _elements(shape) -> Optional[int]:
    """Elements of one sample (batch excluded), None if a dim is unknown."""
    return prod(shape[1:]) if _known(shape) else None


def _tuple(value, rank: int) -> Optional[tuple]:
    if _is_int(value):
        return (value,) * rank
    if isinstance(value, (list, tuple)) and len(value) == rank and all(map(_is_int, value)):
        return tuple(value)
    return None


def _channels(shape, config: dict) -> Optional[int]:
    if shape is None:
        return None
    channels = shape[1] if config.get("data_format") == "channels_first" else shape[-1]
    return channels if _is_int(channels) else None


def _spatial(shape, rank: int, config: dict) -> Optional[int]:
    if shape is None or len(shape) != rank + 2:
        return None
    dims = shape[2:] if config.get("data_format") == "channels_first" else shape[1:-1]
    return prod(dims) if all(map(_is_int, dims)) else None


def _bias(config: dict) -> bool:
    return config.get("use_bias", True) is not False


def _affine(config: dict) -> int:
    """How many per-feature weights a normalization learns: beta (center), gamma (scale)."""
    return (config.get("center", True) is not False) + (config.get("scale", True) is not False)


def _mul(*values) -> Optional[int]:
    return None if any(v is None for v in values) else prod(values)


def _axis_size(shape, axis) -> Optional[int]:
    """Elements of the weight a normalization layer keeps over ``axis`` (int or list)."""
    if shape is None:
        return None
    axes = axis if isinstance(axis, (list, tuple)) else [axis]
    dims = []
    for a in axes:
        if not _is_int(a) or not -len(shape) <= a < len(shape):
            return None
        dims.append(shape[a])
    return prod(dims) if all(map(_is_int, dims)) else None


def layer_weights(class_name: str, config: dict, inputs: list, outputs: list) -> Optional[tuple]:
    """(params, of which non-trainable by nature) of a layer built on ``inputs``; None
    when unknown. ``inputs``/``outputs``: the shapes of its (first) call."""
    x = inputs[0] if inputs else None
    config = config if isinstance(config, dict) else {}
    if class_name in WEIGHTLESS or class_name in OP_LAYERS:
        return 0, 0
    if class_name == "Dense":
        units, features = config.get("units"), (x[-1] if x else None)
        if not (_is_int(units) and _is_int(features)):
            return None
        return units * features + units * _bias(config), 0
    if class_name in CONV or class_name in TRANSPOSED:
        rank = CONV.get(class_name) or TRANSPOSED[class_name]
        kernel, filters = _tuple(config.get("kernel_size"), rank), config.get("filters")
        groups = config.get("groups", 1) if class_name in CONV else 1
        channels = _channels(x, config)
        if None in (kernel, channels) or not _is_int(filters) or not _is_int(groups) or groups < 1:
            return None
        return prod(kernel) * (channels // groups) * filters + filters * _bias(config), 0
    if class_name in DEPTHWISE or class_name in SEPARABLE:
        rank = DEPTHWISE.get(class_name) or SEPARABLE[class_name]
        kernel, channels = _tuple(config.get("kernel_size"), rank), _channels(x, config)
        multiplier = config.get("depth_multiplier", 1)
        if kernel is None or channels is None or not _is_int(multiplier):
            return None
        depthwise = prod(kernel) * channels * multiplier
        if class_name in DEPTHWISE:
            return depthwise + channels * multiplier * _bias(config), 0
        filters = config.get("filters")
        if not _is_int(filters):
            return None
        return depthwise + channels * multiplier * filters + filters * _bias(config), 0
    if class_name == "BatchNormalization":
        size = _axis_size(x, config.get("axis", -1))
        if size is None:
            return None
        affine = _affine(config)
        return size * (affine + 2), size * 2
    if class_name == "LayerNormalization":
        size = _axis_size(x, config.get("axis", -1))
        if size is None:
            return None
        if config.get("rms_scaling"):
            return size, 0
        affine = _affine(config)
        return size * affine, 0
    if class_name in ("GroupNormalization", "RMSNormalization"):
        size = _axis_size(x, config.get("axis", -1))
        if size is None:
            return None
        if class_name == "RMSNormalization":
            return size, 0
        affine = _affine(config)
        return size * affine, 0
    if class_name == "Normalization":
        if config.get("mean") is not None and config.get("variance") is not None:
            return 0, 0  # constants, not weights
        size = _axis_size(x, config.get("axis", -1))
        if size is None:
            return None
        return 2 * size + 1, 2 * size + 1  # mean, variance and the sample count
    if class_name == "LayerScale":  # ConvNeXt
        dim = config.get("projection_dim")
        return (dim, 0) if _is_int(dim) else None
    if class_name == "PReLU":
        if not _known(x):
            return None
        shape = list(x[1:])
        for axis in config.get("shared_axes") or ():
            if _is_int(axis) and 1 <= axis <= len(shape):
                shape[axis - 1] = 1
        return prod(shape), 0
    if class_name == "Embedding":
        n, dim = config.get("input_dim"), config.get("output_dim")
        return (n * dim, 0) if _is_int(n) and _is_int(dim) else None
    if class_name in RNN_GATES:
        return _rnn_weights(class_name, config, x)
    if class_name == "Bidirectional":
        inner = config.get("layer")
        back = config.get("backward_layer") or inner
        if not (isinstance(inner, dict) and isinstance(back, dict)):
            return None
        parts = [_rnn_weights(e.get("class_name"), e.get("config") or {}, x) for e in (inner, back)]
        return None if None in parts else (parts[0][0] + parts[1][0], 0)
    if class_name in ATTENTION_HEADS:
        return _mha(class_name, config, inputs)
    if class_name == "Attention":
        return int(config.get("use_scale") is True) + int(config.get("score_mode") == "concat"), 0
    if class_name == "AdditiveAttention":
        if config.get("use_scale", True) is False:
            return 0, 0
        return (x[-1], 0) if x and _is_int(x[-1]) else None
    if class_name == "Dot":
        return 0, 0
    if class_name == "TimeDistributed":
        inner = config.get("layer")
        if not isinstance(inner, dict) or not isinstance(inner.get("class_name"), str):
            return None
        return layer_weights(inner["class_name"], inner.get("config") or {},
                             [_drop_time(s) for s in inputs], [_drop_time(s) for s in outputs])
    return None


def _drop_time(shape):
    """A TimeDistributed layer's shape as its inner layer sees it (axis 1 removed)."""
    return None if shape is None or len(shape) < 2 else (shape[0],) + tuple(shape[2:])


def _rnn_weights(class_name, config: dict, x) -> Optional[tuple]:
    gates, units = RNN_GATES.get(class_name), config.get("units")
    features = x[-1] if x else None
    if gates is None or not (_is_int(units) and _is_int(features)):
        return None
    bias = gates * units * _bias(config)
    if class_name == "GRU" and config.get("reset_after", True) is not False:
        bias *= 2
    return gates * units * (features + units) + bias, 0


ATTENTION_HEADS = ("MultiHeadAttention", "GroupedQueryAttention", "GroupQueryAttention")


def _mha_dims(class_name: str, config: dict, inputs: list) -> Optional[tuple]:
    """(query, value, key) shapes and (query heads, key/value heads, key_dim, value_dim,
    output features) of a MultiHeadAttention or a GroupedQueryAttention (whose key and
    value heads are fewer and shared by groups of query heads)."""
    query = inputs[0] if inputs else None
    value = inputs[1] if len(inputs) > 1 else None
    key = inputs[2] if len(inputs) > 2 else value
    if class_name == "MultiHeadAttention":
        heads = kv_heads = config.get("num_heads")
        key_dim = config.get("key_dim")
        value_dim = config.get("value_dim") or key_dim
        out = config.get("output_shape")
        if isinstance(out, (list, tuple)):
            out = prod(out) if all(map(_is_int, out)) else None
    else:
        heads, kv_heads = config.get("num_query_heads"), config.get("num_key_value_heads")
        key_dim = value_dim = config.get("head_dim")
        out = None
    out = out or (query[-1] if query else None)
    if None in (query, value, key) or \
            not all(map(_is_int, (heads, kv_heads, key_dim, value_dim, out))):
        return None
    if not all(_is_int(s[-1]) for s in (query, value, key)):
        return None
    return (query, value, key), (heads, kv_heads, key_dim, value_dim, out)


def _mha(class_name: str, config: dict, inputs: list) -> Optional[tuple]:
    dims = _mha_dims(class_name, config, inputs)
    if dims is None:
        return None
    (query, value, key), (heads, kv_heads, key_dim, value_dim, out) = dims
    bias = _bias(config)
    weights = (query[-1] * heads * key_dim + key[-1] * kv_heads * key_dim
               + value[-1] * kv_heads * value_dim + heads * value_dim * out)
    return weights + bias * (heads * key_dim + kv_heads * (key_dim + value_dim) + out), 0


def call_macs(class_name: str, config: dict, inputs: list, outputs: list) -> Optional[int]:
    """Multiply-accumulates of one call at batch 1, bias not counted."""
    config = config if isinstance(config, dict) else {}
    x = inputs[0] if inputs else None
    y = outputs[0] if outputs else None
    if class_name in WEIGHTLESS or class_name == "Embedding":
        return 0
    if class_name == "Dense":
        return _mul(_elements(y), x[-1] if x and _is_int(x[-1]) else None)
    if class_name in CONV:
        kernel = _tuple(config.get("kernel_size"), CONV[class_name])
        groups = config.get("groups", 1)
        channels = _channels(x, config)
        if kernel is None or channels is None or not _is_int(groups) or groups < 1:
            return None
        return _mul(_elements(y), prod(kernel), channels // groups)
    if class_name in TRANSPOSED:
        rank = TRANSPOSED[class_name]
        kernel, filters = _tuple(config.get("kernel_size"), rank), config.get("filters")
        if kernel is None or not _is_int(filters):
            return None
        return _mul(_elements(x), prod(kernel), filters)  # every input element × kernel
    if class_name in DEPTHWISE:
        kernel = _tuple(config.get("kernel_size"), DEPTHWISE[class_name])
        return None if kernel is None else _mul(_elements(y), prod(kernel))
    if class_name in SEPARABLE:
        rank = SEPARABLE[class_name]
        kernel, channels = _tuple(config.get("kernel_size"), rank), _channels(x, config)
        multiplier, filters = config.get("depth_multiplier", 1), config.get("filters")
        spatial = _spatial(y, rank, config)
        if None in (kernel, channels, spatial) or not (_is_int(multiplier) and _is_int(filters)):
            return None
        return spatial * channels * multiplier * (prod(kernel) + filters)
    if class_name in NORMALIZATION or class_name in ("Normalization", "RMSNormalization",
                                                     "LayerScale", "PReLU"):
        return _elements(y)  # one multiply(-add) per element
    if class_name in RNN_GATES or class_name == "Bidirectional":
        return _rnn_macs(class_name, config, x)
    if class_name in ("Attention", "AdditiveAttention"):
        query = x
        value = inputs[1] if len(inputs) > 1 else None
        key = inputs[2] if len(inputs) > 2 else value
        if not (_known(query) and _known(value) and _known(key)) or len(query) != 3:
            return None
        return query[1] * key[1] * query[2] + query[1] * value[1] * value[2]  # scores, sum
    if class_name == "Dot":
        axes = config.get("axes")
        axis = axes[0] if isinstance(axes, (list, tuple)) and axes else axes
        if not _is_int(axis) or x is None or not -len(x) <= axis < len(x) or not _is_int(x[axis]):
            return None
        return _mul(_elements(y), x[axis])
    if class_name == "TimeDistributed":
        inner = config.get("layer")
        if not isinstance(inner, dict) or not _known(x) or len(x) < 3:
            return None
        each = call_macs(inner.get("class_name"), inner.get("config") or {},
                         [_drop_time(s) for s in inputs], [_drop_time(s) for s in outputs])
        return _mul(x[1], each)
    if class_name in ATTENTION_HEADS:
        dims = _mha_dims(class_name, config, inputs)
        if dims is None:
            return None
        (query, value, key), (heads, kv_heads, key_dim, value_dim, out) = dims
        tq, tk, tv = (_mul(*s[1:-1]) if _known(s) else None for s in (query, key, value))
        if None in (tq, tk, tv):
            return None
        return (tq * query[-1] * heads * key_dim + tk * key[-1] * kv_heads * key_dim
                + tv * value[-1] * kv_heads * value_dim
                + tq * tk * heads * key_dim + tq * tk * heads * value_dim
                + tq * heads * value_dim * out)
    return None


def _rnn_macs(class_name: str, config: dict, x) -> Optional[int]:
    if not _known(x) or len(x) != 3:
        return None
    steps, features = x[1], x[2]
    if class_name == "Bidirectional":
        layers = [config.get("layer"), config.get("backward_layer") or config.get("layer")]
        if not all(isinstance(e, dict) for e in layers):
            return None
        parts = [_rnn_macs(e.get("class_name"), e.get("config") or {}, x) for e in layers]
        return None if None in parts else sum(parts)
    gates, units = RNN_GATES.get(class_name), config.get("units")
    if gates is None or not _is_int(units):
        return None
    return steps * gates * units * (features + units)


def output_bytes(outputs: list, batch_size: int = 1) -> Optional[int]:
    total = 0
    for shape in outputs or [None]:
        n = _elements(shape)
        if n is None:
            return None
        total += n
    return total * batch_size * FLOAT_BYTES


def model_cost(trace, batch_size: int = 1) -> ModelCost:
    """The figures of every call of ``trace`` and of the whole model."""
    layers = trace.layers
    first: dict = {}  # layer key -> index of its first call
    frozen_prefixes = set()
    for i, t in enumerate(layers):
        key = layer_key(t.name)
        first.setdefault(key, i)
        if t.call.aliases is not None and t.call.config.get("trainable") is False:
            frozen_prefixes.add(key + "/")
    weights: dict = {}  # layer key -> (params, trainable) or None
    inner: dict = {}  # nested model key -> its layer keys
    for key, i in first.items():
        t = layers[i]
        if t.call.aliases is not None:
            continue
        found = _unless_malformed(layer_weights, t.class_name, t.call.config, t.input_shapes,
                                  t.output_shapes)
        if found is not None:
            total, fixed = found
            frozen = t.call.config.get("trainable") is False or \
                any(key.startswith(p) for p in frozen_prefixes)
            found = (total, 0 if frozen else total - fixed)
        weights[key] = found
        parts = key.split("/")
        for depth in range(1, len(parts)):
            inner.setdefault("/".join(parts[:depth]), []).append(key)
    for key, i in first.items():
        if layers[i].call.aliases is not None:
            found = [weights.get(k) for k in inner.get(key, [])]
            weights[key] = None if None in found else (sum(f[0] for f in found),
                                                       sum(f[1] for f in found))
    calls = []
    macs_total: Optional[int] = 0
    bytes_total: Optional[int] = 0
    call_macs_by_prefix: dict = {}
    for t in layers:
        found = weights.get(layer_key(t.name))
        size = output_bytes(t.output_shapes, batch_size)
        if t.call.aliases is None:
            macs = _unless_malformed(call_macs, t.class_name, t.call.config, t.input_shapes,
                                     t.output_shapes)
            macs_total = None if macs is None or macs_total is None else macs_total + macs
            bytes_total = None if size is None or bytes_total is None else bytes_total + size
            parts = t.name.split("/")
            for depth in range(1, len(parts)):
                prefix = "/".join(parts[:depth])
                have = call_macs_by_prefix.get(prefix, 0)
                call_macs_by_prefix[prefix] = None if have is None or macs is None else have + macs
        else:
            macs = call_macs_by_prefix.get(nested_prefix(t), 0)
        calls.append(CallCost(params=found[0] if found else None,
                              trainable_params=found[1] if found else None,
                              macs=macs, output_bytes=size))
    top = [k for k in weights if layers[first[k]].call.aliases is None]
    unknown = sorted(k for k in top if weights[k] is None)
    known = [weights[k] for k in top if weights[k] is not None]
    return ModelCost(calls=calls,
                     params=None if unknown else sum(w[0] for w in known),
                     trainable=None if unknown else sum(w[1] for w in known),
                     macs=macs_total, activation_bytes=bytes_total, unknown=unknown)


# what a formula meets in a config nobody foresaw (a class name that is a list, a string
# where a number belongs): that figure is unknown, never a crash of the report
_MALFORMED = (TypeError, ValueError, KeyError, IndexError, AttributeError, ZeroDivisionError)


def _unless_malformed(formula, *args):
    try:
        return formula(*args)
    except _MALFORMED:
        return None


def nested_prefix(trace_layer) -> str:
    """The name prefix of the layers inside this call of a nested model."""
    from shapelint.loading.keys import nested_call_name

    return nested_call_name(trace_layer.name, trace_layer.call.node)
