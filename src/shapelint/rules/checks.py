"""Rules that need graph reasoning, implemented in Python.

They are declared in the rule packs like every other rule (code, name, severity,
params, message, fix, docs, examples) with ``check: <name>``; each function here
takes the :class:`Graph` and the rule's params and yields ``(layer trace, template
fields)`` for every place the rule fires. The template fields add to the layer
view's fields.
"""

from __future__ import annotations

import importlib

from shapelint.formatting import per_axis
from shapelint.rules.graph import POSITIONWISE, Graph, is_window, makes_larger
from shapelint.rules.layout import (channels_order_suspect, mixed_data_format,
                                    normalization_axis_not_channels, reshape_moves_channels)
from shapelint.rules.loss import loss_output_mismatch
from shapelint.rules.structure import dense_on_unflattened_map, output_size_mismatch
from shapelint.rules.view import FAMILY_OF


def feature_map_collapse(graph: Graph, params: dict):
    """A conv/pool/crop layer shrinks a map of at least ``min_size`` below it on an axis,
    a further window layer reads the collapsed map, and the map shrinks again after it.
    A window that spans the whole axis (a 7×7 pool as global pooling, a text CNN's kernel
    as wide as the embedding) collapses it on purpose; so does the last downsampling
    before global pooling or Flatten (an ImageNet network's last stage at 3×3 for a
    112×112 input)."""
    low = params["min_size"]
    for t in graph.trace.layers:
        view = graph.views.get(t.call.id)
        if view is None or view["family"] not in ("conv", "pool", "crop"):
            continue
        kernel = view["kernel"] or (None,) * len(view["in_size"])
        collapsed = [n is not None and o is not None and 0 < o < low <= n
                     and not (k is not None and k >= n)
                     for n, o, k in zip(view["in_size"], view["out_size"], kernel)]
        if not any(collapsed):
            continue
        readers = graph.window_readers(t)
        reads_all = not any(view["dropped"] or ())  # no row lost on the way down
        head = reads_all and all(_spans_its_map(graph, r) for r in readers)
        if readers and not head and _downsampled_later(graph, t) \
                and not _upsampled_later(graph, t):
            yield t, {}


def _spans_its_map(graph: Graph, t) -> bool:
    """A valid window as large as its whole input that makes the model's output: a
    convolutional head, reducing the map as Flatten and Dense would (a keypoint model's
    last 3×3 conv on a 3×3 map)."""
    view = graph.views.get(t.call.id)
    return view is not None and view["padding"] == "valid" and bool(view["kernel"]) and all(
        n is not None and k >= n for n, k in zip(view["in_size"], view["kernel"])) \
        and graph.reaches_output(t, POSITIONWISE) is not None


def _downsampled_later(graph: Graph, t) -> bool:
    """A window layer below ``t`` makes a map smaller again, or fails on it: ``t``'s
    output is not the map's final resolution (the network's last stage)."""
    return any(_shrinks(graph, graph.layer(i)) for i in graph.descendants(t))


def _shrinks(graph: Graph, t) -> bool:
    """A conv, pool or crop call outputs a smaller map than it was given, or fails on it.
    A valid window after an explicit ZeroPadding is measured from the map before the
    padding (ResNetV2's and EfficientNet's 3×3 and 5×5 convs keep the size that way)."""
    view = graph.views.get(t.call.id)
    if view is None or view["family"] not in ("conv", "pool", "crop"):
        return False
    before = view["in_size"]
    above = graph.producer(t)
    padded = graph.views.get(above.call.id) if above is not None else None
    if padded is not None and padded["family"] == "pad":
        before = padded["in_size"]
    return any(n is not None and (o is None or o < n)  # a known size lost: the call failed
               for n, o in zip(before, view["out_size"]))


def _upsampled_later(graph: Graph, t) -> bool:
    """An encoder-decoder's bottleneck: the map is made larger again further down."""
    return any(makes_larger(graph.layer(i).class_name) for i in graph.descendants(t))


def kernel_exceeds_input(graph: Graph, params: dict):
    """A ``same`` conv/pool whose window is longer than its input on an axis, where even
    its best-placed window reads less than half of its taps from the map, and the map is
    made smaller still after it; or a dilated one of which only the centre tap reads the
    map. A window that reduces the map to 1×1 does so by design; one at the map's final
    resolution is a network's last stage run at a small input (ConvNeXt's 7×7 or
    EfficientNet's 5×5 kernels on 4×4 maps at 128×128), which works as intended."""
    for t in graph.trace.layers:
        view = graph.views.get(t.call.id)
        if view is None or view["family"] not in ("conv", "pool") or view["padding"] != "same":
            continue
        sizes = list(zip(view["in_size"], view["out_size"], view["kernel"], view["strides"],
                         view["dilation"]))
        if any(n is None or o is None for n, o, _, _, _ in sizes) or all(o == 1 for _, o, *_ in sizes) \
                or not any(k > n for n, _, k, _, _ in sizes):
            continue
        centre_only = [n for n, _, k, _, d in sizes if d and d > 1 and k > n and d >= n]
        coverage = 1.0
        for n, o, k, stride, d in sizes:
            if not (d and d > 1):
                coverage *= _best_coverage(n, o, k, stride)
        if centre_only:
            text = "dilated past the map, only the centre tap of each window reads it"
        elif coverage < 0.5 and _downsampled_later(graph, t):
            text = (f"its best-placed window reads {100 * coverage:.0f}% of its taps from the "
                    "map, the rest from zero padding")
        else:
            continue
        yield t, {"coverage_text": text}


def _best_coverage(n: int, out: int, kernel: int, stride: int) -> float:
    """The largest share of a window's taps inside a length-``n`` axis, over the ``out``
    windows of a ``same`` layer (Keras pads the extra one at the end)."""
    before = max((out - 1) * stride + kernel - n, 0) // 2
    best = 0
    for j in range(min(out, n + kernel)):
        start = j * stride - before
        best = max(best, min(start + kernel, n) - max(start, 0))
    return best / kernel


def stride_exceeds_kernel(graph: Graph, params: dict):
    """Stride larger than the effective kernel: rows/cols between windows are never read.
    A strided 1×1 conv in a residual block (the ResNet v1 projection) is a known design:
    the block's other branch reads what it skips, or skips it by the same design."""
    for t in graph.trace.layers:
        view = graph.views.get(t.call.id)
        if view is None or view["family"] not in ("conv", "pool"):
            continue
        skipping = [k for s, k in zip(view["strides"], view["kernel"]) if s > k]
        if skipping and not (set(skipping) == {1} and _in_residual_block(graph, t)):
            yield t, {}


def _in_residual_block(graph: Graph, t, most_steps: int = 8) -> bool:
    """Another branch from the tensor ``t``'s branch forks off (``t``'s input, or a few
    single-reader layers above it: NASNet shifts its second path by a pad and a crop)
    is merged with ``t``'s branch."""
    child, source = t, graph.producer(t)
    for _ in range(most_steps):
        if source is None or len(graph.readers.get(source.call.id, ())) > 1:
            break
        child, source = source, graph.producer(source)
    if source is None:
        return False
    mine = graph.descendants(child) | {child.call.id}
    for other in graph.readers.get(source.call.id, ()):
        if other is child:
            continue
        joined = mine & (graph.descendants(other) | {other.call.id})
        if any(FAMILY_OF.get(graph.layer(i).class_name) == "merge" for i in joined):
            return True
    return False


def receptive_field_too_small(graph: Graph, params: dict):
    """The last spatial layer of each branch sees less than ``min_fraction`` of the input:
    reported at that branch's last window layer (the one the field is measured at)."""
    reported = set()
    for t in graph.trace.layers:
        view = graph.views.get(t.call.id)
        if view is None or not view["rf"] or not view["model_input_size"] or t.call.aliases:
            continue
        if any(_same_rank(c, t) for c in graph.readers.get(t.call.id, ())):
            continue  # a reader keeps the spatial axes: not the last spatial layer of its branch
        size, rf = view["model_input_size"], view["rf"]
        if len(size) != len(rf) or not all(isinstance(n, int) and n > 0 for n in size):
            continue
        ratios = [r / n for r, n in zip(rf, size)]
        window = t
        while window is not None and not is_window(window.class_name):
            window = graph.producer(window)  # a Dense or Dropout after it has the same field
        if min(ratios) < params["min_fraction"] and window is not None \
                and window.call.id not in reported:
            reported.add(window.call.id)
            yield window, {"rf_text": per_axis(rf), "input_text": per_axis(size),
                           "coverage": f"{100 * min(ratios):.0f}%"}


def _same_rank(reader, layer) -> bool:
    a, b = reader.output_shapes[0] if reader.output_shapes else None, layer.output_shapes[0]
    return a is not None and b is not None and len(a) == len(b)


def dense_on_large_flatten(graph: Graph, params: dict):
    """A Flatten of a feature map that feeds a Dense layer: a map of spatial area above
    ``max_area``, or above ``max_area_unpooled`` when nothing downsampled it (no pooling,
    no stride), or of more than ``max_features`` values; or the map a Dense made of the
    image pixel by pixel (a Dense put before the Flatten instead of after it)."""
    for t in graph.trace.layers:
        if t.class_name != "Flatten" or not t.input_shapes or t.input_shapes[0] is None:
            continue
        shape = t.input_shapes[0]
        origin = graph.origin(t)
        if len(shape) < 3 or origin is None or origin.class_name == "InputLayer":
            continue  # the image itself, flattened for an MLP: no feature map
        first = t.call.config.get("data_format") == "channels_first"
        spatial = shape[2:] if first else shape[1:-1]
        channels = shape[1] if first else shape[-1]
        if any(d is None for d in spatial):
            continue
        area = 1
        for d in spatial:
            area *= d
        dense = [c for c in graph.readers.get(t.call.id, ()) if FAMILY_OF.get(c.class_name) == "dense"]
        features = area * channels if channels else None
        per_pixel = FAMILY_OF.get(origin.class_name) == "dense" and len(spatial) > 1 \
            and getattr(graph.origin(origin), "class_name", None) == "InputLayer"
        unpooled = bool(origin.jump) and all(j == 1 for j in origin.jump)
        large = len(spatial) > 1 and (
            area > params["max_area"] or (unpooled and area > params["max_area_unpooled"]))
        if dense and (per_pixel or large or (features or 0) > params["max_features"]):
            units = dense[0].call.config.get("units")
            yield t, {
                "map_text": per_axis(spatial) + (f"×{channels}" if channels else ""),
                "dense_name": dense[0].name,
                "features": f"{features:,}" if features else "?",
                "weights": f"{features * units:,}" if features and isinstance(units, int) else "?",
                "area": area,
                "global_pool": f"GlobalAveragePooling{len(spatial)}D",
            }


def cross_check_mismatch(graph: Graph, params: dict):
    """The predicted output shape contradicts the one the file records or TF infers:
    reported once per file, at the first layer call that differs (the later ones
    usually follow from it), with the number of the others."""
    first, others = None, 0
    for t in graph.trace.layers:
        if not t.known:
            continue  # its shapes came from the file in the first place
        sources = [("TensorFlow infers", t.tf_output_shapes)]
        if graph.trace.compare_recorded and not graph.trace.input_overridden:
            sources.insert(0, ("the file records", t.recorded_output_shapes))
        for source, shapes in sources:
            pair = next(((p, o) for p, o in zip(t.output_shapes, shapes or ())
                         if _contradicts(p, o)), None)
            if pair is not None:
                if first is None:
                    first = t, {"predicted": per_axis(pair[0]), "other": per_axis(pair[1]),
                                "source": source}
                else:
                    others += 1
                break
    if first is not None:
        t, fields = first
        more = "" if not others else \
            f"; {others} later layer call{'s' if others > 1 else ''} differ{'s' * (others == 1)} too"
        yield t, {**fields, "more": more}


def _contradicts(predicted, other) -> bool:
    """Both known and different: a rank, or a dim both sides know."""
    if predicted is None or other is None:
        return False
    return len(predicted) != len(other) or any(
        p is not None and o is not None and p != o for p, o in zip(predicted, other))


def input_size_constraint(graph: Graph, params: dict):
    """A model with unknown input sizes runs at only some of them: say which."""
    trace = graph.trace
    if trace.input_sizes is not None:
        return  # --sizes was given: the answer has its own section in the report
    if not any(shape is not None and None in shape[1:] for shape in trace.inputs):
        return  # every input size is known: nothing to sweep
    from shapelint.shapes.sizes import analyse_sizes, parse_ranges

    found = analyse_sizes(trace.model, trace, parse_ranges(params["sizes"]))
    if found is None:
        return
    first_input = trace.layers[trace.model.inputs[0].call]
    for axis in found.per_axis:
        if not axis.constrained:
            continue
        yield first_input, {
            "axes": ", ".join(axis.axes), "sizes_text": axis.rule,
            "smallest": axis.smallest if axis.smallest is not None else "none",
            "range_text": f"{axis.lo}..{axis.hi}", "clean_text": axis.clean_rule,
            "why": axis.why or "fails at the other sizes",
        }


# name -> (function, extra template fields it provides)
CHECKS = {
    "receptive-field": (receptive_field_too_small, ("rf_text", "input_text", "coverage")),
    "flatten-dense": (dense_on_large_flatten,
                      ("map_text", "dense_name", "features", "weights", "area", "global_pool")),
    "cross-check": (cross_check_mismatch, ("predicted", "other", "source", "more")),
    "feature-map-collapse": (feature_map_collapse, ()),
    "stride-exceeds-kernel": (stride_exceeds_kernel, ()),
    "kernel-exceeds-input": (kernel_exceeds_input, ("coverage_text",)),
    "dense-on-unflattened-map": (dense_on_unflattened_map,
                                 ("map_shape", "origin", "positions", "output", "output_shape",
                                  "reducer")),
    "output-size-mismatch": (output_size_mismatch,
                             ("input_shape", "output_shape", "in_text", "out_text", "factor",
                              "output", "mirrored")),
    "channels-order": (channels_order_suspect,
                       ("shape_text", "channels", "suspect", "layout", "other_layout",
                        "transposed")),
    "normalization-axis": (normalization_axis_not_channels,
                           ("axis_text", "map_shape", "origin", "channel_axis", "layout")),
    "mixed-data-format": (mixed_data_format,
                          ("format", "other_format", "source", "others", "map_shape")),
    "reshape-moves-channels": (reshape_moves_channels,
                               ("map_shape", "target", "channels", "pixels_text", "keep",
                                "layout")),
    "input-sizes": (input_size_constraint,
                    ("axes", "sizes_text", "smallest", "range_text", "clean_text", "why")),
}


def _deferred(needs, module: str, name: str):
    """The check ``module.name``, run (and its module imported) only when the trace
    carries what it reads (``needs(trace)``): a plain lint imports none of them."""

    def check(graph: Graph, params: dict):
        if not needs(graph.trace):
            return ()
        return getattr(importlib.import_module(module), name)(graph, params)

    return check


# SL201-SL203: model, data and loss (the data and the compiled loss ride on the trace)
def _has_data(trace) -> bool:
    return getattr(trace, "data", None) is not None


_DATA_FIELDS = ("severity", "problem", "remedy", "data_shape", "model_shape")
CHECKS.update({
    "data-input": (_deferred(_has_data, "shapelint.rules.data", "data_input_mismatch"),
                   _DATA_FIELDS),
    "target-output": (_deferred(_has_data, "shapelint.rules.data", "target_output_mismatch"),
                      _DATA_FIELDS),
    "loss-output": (loss_output_mismatch, ("severity", "problem", "remedy", "output_shape")),
})

# SL117: what training keeps in memory (runs only when memory is asked about)
CHECKS["training-memory"] = (
    _deferred(lambda trace: getattr(trace, "memory", None) is not None,
           "shapelint.rules.memory", "training_memory_check"),
    ("batch_size", "total_text", "activations_text", "weights_text", "largest_name",
     "largest_shape", "budget_text", "severity"))
