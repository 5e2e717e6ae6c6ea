"""Keras 1 model configs, rewritten into the tf.keras 2 form the graph builder reads.

``model.to_json()`` of Keras 1.x (and the ``Merge`` layer Keras 2.0-2.1 still wrote)
differs from later versions in layer classes (``Convolution2D``, ``Deconvolution2D``,
``AtrousConvolution2D``, ``Merge``, ...), argument names (``nb_filter``, ``nb_row``/
``nb_col``, ``border_mode``, ``subsample``, ``dim_ordering``, ``output_dim``, ``p``, ...)
and Sequential configs (a bare list of layers, possibly headed by a ``Merge`` of branch
models). :func:`normalize` renames them as Keras 2's ``keras/legacy/interfaces.py`` did
when it ran Keras 1 code, and keeps every layer's name. A class it has no mapping for
keeps its name and becomes an unknown layer (SL109).

What takes more than a rename:

* ``dim_ordering``: ``th`` is channels_first, ``tf`` channels_last. Layers whose ordering
  is ``default``, or that do not save it (Keras 1.2 leaves it out of ZeroPadding,
  UpSampling, Cropping and SpatialDropout configs), ran with the ``image_dim_ordering``
  of the machine that loaded the model: one value for the whole model, taken from (1)
  the explicit orderings of its other layers when they agree, else (2) the input shape
  when its channel axis is plain (one end at most 4, the other larger or unknown), else
  (3) Keras's default: ``th`` up to Keras 1.0.8, ``tf`` from 1.1.0.
* ``Merge`` modes ``sum``/``mul``/``ave``/``max``/``concat``/``dot`` become Add, Multiply,
  Average, Maximum, Concatenate(axis=concat_axis) and Dot(axes=dot_axes); ``cos`` a Dot
  with ``normalize=True``, the shape Keras 1 declared (its TF code added an axis when it
  ran). A function ``mode`` stays an unknown ``Merge``, with its ``output_shape`` if given.
* ``Deconvolution2D`` states its ``output_shape``: it becomes a Conv2DTranspose whose
  ``output_padding`` gives that size at the input size it implies, and the stated shape
  is kept as a declared output, so a wrong one (TF refused it at run time) is SL004.
* ``border_mode='full'`` (Theano only) has, at stride 1, the shape and field of a
  transposed conv with ``padding='valid'``; at a larger stride no equivalent: unknown.
* ``LocallyConnected1D/2D`` get the shape of a ``valid`` Conv1D/Conv2D; layers that keep
  the shape and are gone from Keras 3 (Highway, SReLU, ParametricSoftplus) become
  Identity, ThresholdedReLU a ReLU with that threshold, MaxoutDense and
  TimeDistributedDense a Dense.
* A Sequential's first layer declares the input (``batch_input_shape``, else
  ``input_dim``/``input_length``): an InputLayer named ``<layer>_input`` is added, as
  Keras 1 named it. A Sequential headed by a ``Merge`` of branch models becomes a
  functional model whose inputs are the branches' inputs.
* References to a nested model count its calls from 1 (Keras 1 wrote them so, as
  tf.keras 2 did; the graph builder renumbers them).
* Weight initializers, regularizers and constraints are dropped: their Keras 1 values
  are no Keras 2+ objects, and none changes a shape. Layers are reported under their
  later class names (Conv2D for Convolution2D), with their own names.
"""

from __future__ import annotations

from typing import Any, Optional

from shapelint.errors import UnreadableModel
from shapelint.loading.graph import DECLARED_OUTPUTS, is_model_entry, layer_name
from shapelint.loading.keys import MAX_NESTING, is_shape

FORMAT_KEY = "format"  # set to "keras1" on a rewritten model config
CHANNELS = {"th": "channels_first", "tf": "channels_last"}

CLASSES = {  # Keras 1 class -> the later class with its shapes
    "Convolution1D": "Conv1D", "AtrousConvolution1D": "Conv1D", "LocallyConnected1D": "Conv1D",
    "Convolution2D": "Conv2D", "AtrousConvolution2D": "Conv2D", "LocallyConnected2D": "Conv2D",
    "Convolution3D": "Conv3D", "Deconvolution2D": "Conv2DTranspose",
    "SeparableConvolution2D": "SeparableConv2D",
    "MaxoutDense": "Dense", "TimeDistributedDense": "Dense",
    "Highway": "Identity", "SReLU": "Identity", "ParametricSoftplus": "Identity",
    "ThresholdedReLU": "ReLU",
}
MERGE_MODES = {"sum": "Add", "mul": "Multiply", "ave": "Average", "max": "Maximum",
               "concat": "Concatenate", "dot": "Dot", "cos": "Dot"}

RENAMES = {  # Keras 1 argument -> Keras 2 argument (keras/legacy/interfaces.py)
    "nb_filter": "filters", "filter_length": "kernel_size", "subsample": "strides",
    "subsample_length": "strides", "border_mode": "padding", "atrous_rate": "dilation_rate",
    "pool_length": "pool_size", "output_dim": "units", "input_dtype": "dtype",
    "inner_activation": "recurrent_activation", "bias": "use_bias", "dropout_W": "dropout",
    "dropout_U": "recurrent_dropout", "p": "rate", "sigma": "stddev",
}
CLASS_RENAMES = {  # where a class departs from RENAMES
    "Embedding": {"output_dim": "output_dim"},
    "MaxPooling1D": {"stride": "strides"},
    "AveragePooling1D": {"stride": "strides"},
    "UpSampling1D": {"length": "size"},
    "LeakyReLU": {"alpha": "negative_slope"},
    "ThresholdedReLU": {"theta": "threshold"},
}
# Weight initializers, regularizers and constraints: their Keras 1 values are not Keras 2+
# objects, and none changes a shape, so they are dropped (Keras's defaults apply).
WEIGHT_ARGS = ("init", "inner_init", "forget_bias_init", "W_regularizer", "U_regularizer",
               "b_regularizer", "activity_regularizer", "W_constraint", "U_constraint",
               "b_constraint", "gamma_init", "beta_init", "gamma_regularizer",
               "beta_regularizer", "depthwise_regularizer", "pointwise_regularizer",
               "depthwise_constraint", "pointwise_constraint", "alpha_init", "t_left_init",
               "a_left_init", "t_right_init", "a_right_init")
DROPPED = WEIGHT_ARGS + (  # Keras 1 arguments with no later equivalent; none changes a shape
    "dim_ordering", "input_dim", "input_length", "consume_less",
    "batch_input_shape",  # a Sequential's input shape moves to an InputLayer
)
CLASS_DROPPED = {
    "BatchNormalization": ("mode",), "Embedding": ("dropout",),
    "MaxoutDense": ("nb_feature",), "Deconvolution2D": ("output_shape",),
}
KEEPS = {"input_dim": {"Embedding"},  # the vocabulary size, not the input shape
         "batch_input_shape": {"InputLayer"}}
STAND_INS = {"Identity": (), "ReLU": ("threshold",)}  # later classes that only keep a shape

ORDERED = {  # later classes with a data_format, which Keras 1 called dim_ordering
    "Conv2D", "Conv3D", "Conv2DTranspose", "SeparableConv2D", "ConvLSTM2D",
    "MaxPooling2D", "MaxPooling3D", "AveragePooling2D", "AveragePooling3D",
    "GlobalMaxPooling2D", "GlobalMaxPooling3D", "GlobalAveragePooling2D",
    "GlobalAveragePooling3D", "UpSampling2D", "UpSampling3D", "ZeroPadding2D",
    "ZeroPadding3D", "Cropping2D", "Cropping3D", "SpatialDropout2D", "SpatialDropout3D",
}
SEQUENCE_INPUT = {"Convolution1D", "AtrousConvolution1D", "LocallyConnected1D", "SimpleRNN",
                  "GRU", "LSTM", "TimeDistributedDense"}  # input_dim/input_length: (len, dim)
VECTOR_INPUT = {"Dense", "MaxoutDense", "Highway"}  # input_dim: (dim,)

KERAS1_CLASSES = (set(CLASSES) - {"ThresholdedReLU", "LocallyConnected1D", "LocallyConnected2D"}
                  | {"Merge"})
KERAS1_KEYS = {"nb_filter", "nb_row", "nb_col", "border_mode", "subsample", "subsample_length",
               "filter_length", "dim_ordering", "pool_length", "atrous_rate", "kernel_dim1",
               "input_dtype", "W_regularizer", "inner_init"}
KERAS1_CLASS_KEYS = {"output_dim": {"Dense", "SimpleRNN", "GRU", "LSTM"},
                     "p": {"Dropout", "GaussianDropout", "SpatialDropout1D",
                           "SpatialDropout2D", "SpatialDropout3D"},
                     "sigma": {"GaussianNoise"}, "length": {"UpSampling1D"}}


def is_legacy(model: dict) -> bool:
    """Whether ``model`` is a Keras 1 config: by its ``keras_version``, else by a class or
    an argument name only Keras 1 wrote (an ``.h5`` keeps the version elsewhere)."""
    version = model.get("keras_version")
    if isinstance(version, str) and version.startswith("1."):
        return True
    try:
        return any(_keras1_only(class_name, config) for class_name, config in _layers(model, 0))
    except RecursionError:
        raise UnreadableModel("the model config is nested too deeply") from None


def normalize(model: dict) -> dict:
    """A copy of the Keras 1 config ``model`` in the tf.keras 2 form."""
    try:
        rewriter = _Rewriter(_model_ordering(model))
        out = rewriter.model(model, 0)
    except RecursionError:
        raise UnreadableModel("the model config is nested too deeply") from None
    out[FORMAT_KEY] = "keras1"
    return out


def convert_layer(class_name: str, config: dict, ordering: str = "channels_last") -> tuple:
    """``(class_name, config, declared output shapes or None)`` of one Keras 1 layer;
    ``ordering`` stands in for a missing or ``default`` dim_ordering."""
    return _Rewriter(ordering).convert(class_name, config, 0)


def _keras1_only(class_name: Any, config: dict) -> bool:
    if not isinstance(class_name, str):
        return False  # not a layer entry of any generation: the graph builder says so
    return (class_name in KERAS1_CLASSES or not KERAS1_KEYS.isdisjoint(config)
            or any(key in config and class_name in classes
                   for key, classes in KERAS1_CLASS_KEYS.items()))


def _layers(entry: Any, depth: int):
    """``(class_name, config)`` of every layer in a model config: nested models, the
    branches of a Keras 1 Merge and wrapped layers included."""
    if not isinstance(entry, dict) or depth > MAX_NESTING:
        return
    config = entry.get("config")
    if isinstance(config, dict) and not isinstance(config.get("layers"), list):
        yield entry.get("class_name"), config
        for key in ("layer", "backward_layer"):  # wrappers
            yield from _layers(config.get(key), depth + 1)
        return
    if _is_merge_head(entry):
        yield "Merge", config
    layers = config if isinstance(config, list) else _mapping(config).get("layers") or []
    for layer in layers:
        yield from _layers(layer, depth + 1)


def _model_ordering(model: dict) -> str:
    """The data_format of the layers that do not state theirs (module docstring)."""
    explicit, shapes = set(), []
    for class_name, config in _layers(model, 0):
        if isinstance(config.get("dim_ordering"), str) and config["dim_ordering"] in CHANNELS:
            explicit.add(config["dim_ordering"])
        if class_name == "InputLayer" or "batch_input_shape" in config:
            shapes.append(config.get("batch_input_shape"))
    if len(explicit) == 1:
        return CHANNELS[explicit.pop()]
    for shape in shapes:
        guess = ordering_from_shape(shape)
        if guess:
            return guess
    version = model.get("keras_version")
    return "channels_first" if isinstance(version, str) and version.startswith("1.0.") else (
        "channels_last")


def ordering_from_shape(shape: Any) -> Optional[str]:
    """channels_first/last when an image input's channel axis is plain, else None."""
    if not (is_shape(shape) and len(shape) in (4, 5)):
        return None
    first, last = shape[1], shape[-1]

    def small(d):
        return d is not None and d <= 4

    if small(first) and not small(last):
        return "channels_first"
    if small(last) and not small(first):
        return "channels_last"
    return None


def _is_merge_head(entry: Any) -> bool:
    return (isinstance(entry, dict) and entry.get("class_name") == "Merge"
            and isinstance(entry.get("config"), dict)
            and isinstance(entry["config"].get("layers"), list))


def _first_layer_shape(class_name: Any, config: dict) -> Optional[list]:
    """The batch input shape a Sequential's first Keras 1 layer declares, if any."""
    if is_shape(config.get("batch_input_shape")):
        return list(config["batch_input_shape"])
    if is_shape(config.get("input_shape")):
        return [None, *config["input_shape"]]
    dim, length = config.get("input_dim"), config.get("input_length")
    if class_name == "Embedding":
        return [None, length if isinstance(length, int) else None]
    if isinstance(dim, int) and not isinstance(dim, bool):
        if class_name in VECTOR_INPUT:
            return [None, dim]
        if class_name in SEQUENCE_INPUT:
            return [None, length if isinstance(length, int) else None, dim]
    return None


def _input_layer(name: str, shape: Optional[list]) -> dict:
    config = {"name": name}
    if shape is not None:
        config["batch_input_shape"] = shape
    return {"class_name": "InputLayer", "name": name, "config": config, "inbound_nodes": []}


def _unique(name: str, taken: set) -> str:
    candidate, i = name, 1
    while candidate in taken:
        candidate, i = f"{name}_{i}", i + 1
    taken.add(candidate)
    return candidate


def _model_inputs(entry: dict) -> list:
    """``(name, batch shape)`` of each input of a rewritten model entry."""
    config = entry.get("config")
    layers = config.get("layers") if isinstance(config, dict) else None
    if not isinstance(layers, list) or not layers:
        return [("input", None)]
    if entry.get("class_name") == "Sequential":
        first = layers[0] if isinstance(layers[0], dict) else {}
        if first.get("class_name") == "InputLayer":
            return [(layer_name(first, "input"),
                     _mapping(first.get("config")).get("batch_input_shape"))]
        return [("input", None)]
    by_name = {layer_name(e, ""): e for e in layers if isinstance(e, dict)}
    out = []
    for ref in config.get("input_layers") or []:
        if isinstance(ref, list) and ref and isinstance(ref[0], str):
            found = by_name.get(ref[0], {})
            out.append((ref[0], _mapping(found.get("config")).get("batch_input_shape")))
    return out or [("input", None)]


def _mapping(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _pair(value: Any) -> Optional[list]:
    """An int or a pair of ints as a pair, else None."""
    values = [value] * 2 if isinstance(value, int) else value
    if is_shape(values) and len(values) == 2 and None not in values:
        return list(values)
    return None


def _all_ones(value: Any) -> bool:
    values = value if isinstance(value, (list, tuple)) else [value]
    return all(v == 1 for v in values)


def _zero_padding(class_name: str, value: Any) -> Any:
    """Keras 1 ZeroPadding ``padding`` (dict, or 4 ints in 2D) in the later form."""
    if isinstance(value, dict):
        left_right = [value.get("left_pad", 0), value.get("right_pad", 0)]
        if class_name == "ZeroPadding1D":
            return left_right
        return [[value.get("top_pad", 0), value.get("bottom_pad", 0)], left_right]
    if class_name == "ZeroPadding2D" and isinstance(value, list) and len(value) == 4:
        return [value[:2], value[2:]]
    return value


def deconv_output_padding(sizes: list, kernel: list, strides: list, padding: str) -> Optional[list]:
    """The Conv2DTranspose ``output_padding`` that gives a Keras 1 Deconvolution2D's
    stated output ``sizes`` at the input size they imply. None when Keras's default
    (``output_padding=None``) gives them, or when no value can (the stated shape, which
    is declared, then disagrees with the prediction: SL004)."""
    if padding == "same" and all(m % s == 0 for m, s in zip(sizes, strides)):
        return None  # n·s rows: the default
    pads = []
    for m, k, s in zip(sizes, kernel, strides):
        if padding == "valid" and m >= k:
            pads.append((m - k) % s)  # (n-1)·s + k + p
        elif padding == "same":
            pads.append((m - 1) % s + (0 if k % 2 else 1))  # (n-1)·s + k%2 + p
        else:
            return None
    return pads if all(p < s for p, s in zip(pads, strides)) else None


class _Rewriter:
    def __init__(self, ordering: str):
        self.ordering = ordering

    # -- models -----------------------------------------------------------------------
    def model(self, entry: dict, depth: int) -> dict:
        if depth > MAX_NESTING:
            raise UnreadableModel(f"models nested more than {MAX_NESTING} deep")
        config = entry.get("config")
        if entry.get("class_name") == "Sequential" or isinstance(config, list):
            return self.sequential(entry, depth)
        if not isinstance(config, dict) or not isinstance(config.get("layers"), list):
            return dict(entry)  # the graph builder says what is wrong
        layers = [self.layer(e, depth) for e in config["layers"]]
        return {**entry, "config": {**config, "layers": layers}}

    def sequential(self, entry: dict, depth: int) -> dict:
        config = entry.get("config")
        layers = config if isinstance(config, list) else _mapping(config).get("layers")
        if not isinstance(layers, list) or not layers or not isinstance(layers[0], dict):
            return dict(entry)
        name = entry.get("name") or _mapping(config).get("name") or "sequential"
        out = {k: v for k, v in entry.items() if k != "config"}
        if _is_merge_head(layers[0]):
            functional, inputs = [], []
            tail = self.chain(layers, functional, inputs, depth)
            out["class_name"] = "Model"
            out["config"] = {"name": name, "layers": functional,
                             "input_layers": [[n, 0, 0] for n in inputs],
                             "output_layers": [[tail[0], tail[1], 0]]}
            return out
        converted = [self.layer(e, depth) for e in layers]
        head = converted[0]
        if head.get("class_name") != "InputLayer":
            if is_model_entry(head):
                input_name, shape = _model_inputs(head)[0]
            else:
                input_name = f"{layer_name(head, 'layer')}_input"
                shape = _first_layer_shape(layers[0].get("class_name"), layers[0]["config"]
                                           if isinstance(layers[0].get("config"), dict) else {})
            converted.insert(0, _input_layer(input_name, shape))
        out["class_name"] = "Sequential"
        out["config"] = {"name": name, "layers": converted}
        return out

    def chain(self, layers: list, out: list, inputs: list, depth: int) -> tuple:
        """Append a Sequential's layers to the functional ``out`` (its inputs to
        ``inputs``); returns ``(name, node)`` of its output."""
        taken = {layer_name(e, "") for e in out}
        head, rest = layers[0], layers[1:]
        if not isinstance(head, dict):
            raise UnreadableModel(f"a Sequential layer is not a {{'class_name', 'config'}} "
                                  f"mapping: {head!r:.60}")
        if _is_merge_head(head):
            tails = [self.chain(_branch_layers(b), out, inputs, depth + 1)
                     for b in head["config"]["layers"]]
            merge = self.layer({"class_name": "Merge", "config": {
                k: v for k, v in head["config"].items() if k != "layers"}}, depth)
            prev = self.append(out, merge, [tails], taken)
        else:
            converted = self.layer(head, depth)
            if converted.get("class_name") == "InputLayer":
                converted["inbound_nodes"] = []
                prev = self.append(out, converted, [], taken)
                inputs.append(prev[0])
            else:
                if is_model_entry(converted):
                    wanted = _model_inputs(converted)
                else:
                    wanted = [(f"{layer_name(converted, 'layer')}_input", _first_layer_shape(
                        head.get("class_name"), _mapping(head.get("config"))))]
                refs = []
                for input_name, shape in wanted:
                    entry = _input_layer(_unique(input_name, taken), shape)
                    out.append(entry)
                    inputs.append(entry["name"])
                    refs.append((entry["name"], 0))
                prev = self.append(out, converted, [refs], taken)
        for entry in rest:
            prev = self.append(out, self.layer(entry, depth), [[prev]], taken)
        return prev

    @staticmethod
    def append(out: list, entry: dict, nodes: list, taken: set) -> tuple:
        if not isinstance(entry, dict):
            raise UnreadableModel(f"a Sequential layer is not a {{'class_name', 'config'}} "
                                  f"mapping: {entry!r:.60}")
        name = layer_name(entry, "layer")
        taken.add(name)
        entry["name"] = name
        entry["inbound_nodes"] = [[[n, k, 0] for n, k in node] for node in nodes]
        out.append(entry)
        return name, 1 if is_model_entry(entry) else 0  # a model's calls count from 1

    # -- layers -----------------------------------------------------------------------
    def layer(self, entry: Any, depth: int) -> Any:
        if not isinstance(entry, dict) or not isinstance(entry.get("class_name"), str):
            return entry  # not a layer entry: the graph builder says so
        if is_model_entry(entry):
            return self.model(entry, depth + 1)
        if not isinstance(entry.get("config"), dict):
            return dict(entry)
        class_name, config, declared = self.convert(entry.get("class_name"), entry["config"],
                                                    depth)
        out = {**entry, "class_name": class_name, "config": config}
        if declared:
            out[DECLARED_OUTPUTS] = declared
        return out

    def convert(self, class_name: Any, config: dict, depth: int) -> tuple:
        if not isinstance(class_name, str):
            return class_name, config, None  # a wrapped entry that is no layer: left as is
        if class_name == "Merge":
            return self.merge(config)
        c = dict(config)
        for key in ("layer", "backward_layer"):  # TimeDistributed, Bidirectional
            if isinstance(c.get(key), dict):
                c[key] = self.layer(c[key], depth + 1)
        new_class = CLASSES.get(class_name, class_name)
        if "nb_row" in c or "nb_col" in c:
            c["kernel_size"] = [c.pop("nb_row", None), c.pop("nb_col", None)]
        if "kernel_dim1" in c:
            c["kernel_size"] = [c.pop(f"kernel_dim{i}", None) for i in (1, 2, 3)]
        renames = {**RENAMES, **CLASS_RENAMES.get(class_name, {})}
        for old, new in renames.items():
            if old in c and old != new:
                value = c.pop(old)
                c.setdefault(new, value)
        if class_name in ("ZeroPadding1D", "ZeroPadding2D"):
            c["padding"] = _zero_padding(class_name, c.get("padding"))
        if new_class in ORDERED and "data_format" not in c:
            ordering = config.get("dim_ordering")
            c["data_format"] = CHANNELS.get(ordering, self.ordering) \
                if isinstance(ordering, str) else self.ordering
        declared = None
        if class_name == "Deconvolution2D":
            declared = self.deconvolution(config, c)
        for key in DROPPED + CLASS_DROPPED.get(class_name, ()):
            if key in c and class_name not in KEEPS.get(key, ()):
                del c[key]
        if c.get("padding") == "full":
            strides = c.get("strides", 1)
            if new_class not in ("Conv1D", "Conv2D", "Conv3D") or not _all_ones(strides):
                return class_name, dict(config), declared  # no later equivalent: unknown
            new_class, c["padding"] = new_class + "Transpose", "valid"  # n + k - 1 rows
        if new_class != class_name and new_class in STAND_INS:  # only the shape is kept
            c = {k: c[k] for k in ("name", "trainable", *STAND_INS[new_class]) if k in c}
        return new_class, c, declared

    def merge(self, config: dict) -> tuple:
        mode = config.get("mode", "sum")
        if config.get("mode_type", "raw") != "raw" or not isinstance(mode, str) \
                or mode not in MERGE_MODES:
            return "Merge", dict(config), None  # a function: unknown, output_shape declared
        c = {k: config[k] for k in ("name", "trainable") if k in config}
        if mode == "concat":
            c["axis"] = config.get("concat_axis", -1)
        if mode in ("dot", "cos"):
            c["axes"] = config.get("dot_axes", -1)
            c["normalize"] = mode == "cos"
        return MERGE_MODES[mode], c, None

    @staticmethod
    def deconvolution(config: dict, c: dict) -> Optional[list]:
        """Set ``output_padding`` from a Deconvolution2D's ``output_shape``; returns that
        shape (batch unknown) as the declared output."""
        shape = config.get("output_shape")
        if not (is_shape(shape) and len(shape) == 4):
            return None
        first = c.get("data_format") == "channels_first"
        sizes = list(shape[2:] if first else shape[1:3])
        kernel, strides = _pair(c.get("kernel_size")), _pair(c.get("strides", 1))
        if kernel and strides and None not in sizes and min(sizes + kernel + strides) > 0:
            pads = deconv_output_padding(sizes, kernel, strides, c.get("padding", "valid"))
            if pads is not None:
                c["output_padding"] = pads
        return [[None, *shape[1:]]]


def _branch_layers(branch: Any) -> list:
    """A Sequential branch of a Keras 1 Merge as its layer list; any other as one layer."""
    if isinstance(branch, dict):
        config = branch.get("config")
        if isinstance(config, list) and config:
            return config
        if (branch.get("class_name") == "Sequential" and isinstance(config, dict)
                and isinstance(config.get("layers"), list) and config["layers"]):
            return config["layers"]
    return [branch]
