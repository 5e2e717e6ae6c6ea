"""Rules that need graph reasoning, implemented in Python.

They are declared in the rule packs like every other rule (code, name, severity,
params, message, fix, docs, examples) with ``check: <name>``; each function here
takes the :class:`Graph` and the rule's params and yields ``(layer trace, template
fields)`` for every place the rule fires. The template fields add to the layer
view's fields.
"""

from __future__ import annotations

from dataclasses import dataclass

from shapelint.formatting import per_axis
from shapelint.rules.view import FAMILY_OF, layer_view, model_input_size


@dataclass
class Graph:
    """A trace with its layer views and, per call id, the calls that read its outputs."""

    trace: object
    views: dict  # call id -> view (None for a failed call)
    readers: dict  # call id -> [LayerTrace]

    @classmethod
    def of(cls, trace) -> "Graph":
        readers: dict = {}
        for t in trace.layers:  # a nested model reads the inner outputs it returns
            sources = t.call.args + list(t.call.kw_tensors.values()) + (t.call.aliases or [])
            for ref in {r.call for r in sources}:
                readers.setdefault(ref, []).append(t)
        size = model_input_size(trace)
        views = {t.call.id: layer_view(t, [r.class_name for r in readers.get(t.call.id, ())], size)
                 for t in trace.layers}
        return cls(trace, views, readers)


def receptive_field_too_small(graph: Graph, params: dict):
    """The last spatial layer of each branch sees less than ``min_fraction`` of the input."""
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
        if min(ratios) < params["min_fraction"]:
            yield t, {"rf_text": per_axis(rf), "input_text": per_axis(size),
                           "coverage": f"{100 * min(ratios):.0f}%"}


def _same_rank(reader, layer) -> bool:
    a, b = reader.output_shapes[0] if reader.output_shapes else None, layer.output_shapes[0]
    return a is not None and b is not None and len(a) == len(b)


def dense_on_large_flatten(graph: Graph, params: dict):
    """A Flatten of a map with spatial area > ``max_area`` that feeds a Dense layer."""
    for t in graph.trace.layers:
        if t.class_name != "Flatten" or not t.input_shapes or t.input_shapes[0] is None:
            continue
        shape = t.input_shapes[0]
        if len(shape) < 4:
            continue
        first = t.call.config.get("data_format") == "channels_first"
        spatial = shape[2:] if first else shape[1:-1]
        channels = shape[1] if first else shape[-1]
        if any(d is None for d in spatial):
            continue
        area = 1
        for d in spatial:
            area *= d
        dense = [c for c in graph.readers.get(t.call.id, ()) if FAMILY_OF.get(c.class_name) == "dense"]
        if area > params["max_area"] and dense:
            units = dense[0].call.config.get("units")
            features = area * channels if channels else None
            yield t, {
                "map_text": per_axis(spatial) + (f"×{channels}" if channels else ""),
                "dense_name": dense[0].name,
                "features": f"{features:,}" if features else "?",
                "weights": f"{features * units:,}" if features and isinstance(units, int) else "?",
                "area": area,
                "global_pool": f"GlobalAveragePooling{len(spatial)}D",
            }


def cross_check_mismatch(graph: Graph, params: dict):
    """The predicted output shape contradicts the one the file records or TF infers."""
    for t in graph.trace.layers:
        if not t.known:
            continue  # its shapes came from the file in the first place
        others = [("TensorFlow infers", t.tf_output_shapes)]
        if graph.trace.compare_recorded and not graph.trace.input_overridden:
            others.insert(0, ("the file records", t.recorded_output_shapes))
        for source, shapes in others:
            pair = next(((p, o) for p, o in zip(t.output_shapes, shapes or ())
                         if _contradicts(p, o)), None)
            if pair is not None:
                yield t, {"predicted": per_axis(pair[0]), "other": per_axis(pair[1]), "source": source}
                break


def _contradicts(predicted, other) -> bool:
    """Both known and different: a rank, or a dim both sides know."""
    if predicted is None or other is None:
        return False
    return len(predicted) != len(other) or any(
        p is not None and o is not None and p != o for p, o in zip(predicted, other))


def input_size_constraint(graph: Graph, params: dict):
    """A model with unknown input sizes runs at only some of them: say which."""
    from shapelint.shapes.sizes import analyse_sizes, parse_ranges

    trace = graph.trace
    if trace.input_sizes is not None:
        return  # --sizes was given: the answer has its own section in the report
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
    "cross-check": (cross_check_mismatch, ("predicted", "other", "source")),
    "input-sizes": (input_size_constraint,
                    ("axes", "sizes_text", "smallest", "range_text", "clean_text", "why")),
}
