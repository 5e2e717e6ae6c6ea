"""Rules about which axis is which: an image input that looks transposed (SL113), a
normalization over a spatial axis (SL115), channels_first and channels_last layers on
one path (SL116), a Reshape that moves the channels where the pixels were (SL118)."""

from __future__ import annotations

from math import prod

from shapelint.formatting import format_shape, per_axis
from shapelint.rules.graph import Graph, channels_first, is_window, spatial_axes
from shapelint.rules.view import FAMILY_OF

IMAGE_CHANNELS = (1, 3, 4)


def channels_order_suspect(graph: Graph, params: dict):
    """A rank-4/5 image input whose layout looks like the other data format: channels_last
    with 1, 3 or 4 on the first spatial axis and many 'channels' (e.g. (3, 32, 32))."""
    trace = graph.trace
    for index, ref in enumerate(trace.model.inputs):
        t = trace.layers[ref.call]
        shape = t.output_shapes[0] if t.output_shapes else None
        if shape is None or len(shape) not in (4, 5) or not graph.read_by_window(t):
            continue
        first = trace.model.channels_first_input(index)
        dims = list(shape[1:])
        channels, spatial = (dims[0], dims[1:]) if first else (dims[-1], dims[:-1])
        suspect, others = (spatial[-1], spatial[:-1]) if first else (spatial[0], spatial[1:])
        if None in dims or suspect not in IMAGE_CHANNELS or channels < params["min_channels"] \
                or min(others) < params["min_side"]:
            continue
        if first:
            transposed = (suspect, channels, *others)
        else:
            transposed = (*spatial[1:], channels, suspect)
        yield t, {"shape_text": format_shape(tuple(dims)), "channels": channels,
                  "suspect": suspect, "layout": "channels_first" if first else "channels_last",
                  "other_layout": "channels_last" if first else "channels_first",
                  "transposed": format_shape(tuple(transposed))}


NORMALIZATIONS = frozenset({"BatchNormalization", "GroupNormalization", "LayerNormalization"})


def normalization_axis_not_channels(graph: Graph, params: dict):
    """A normalization whose axis is a spatial axis of a conv feature map."""
    for t in graph.trace.layers:
        shape = t.input_shapes[0] if t.input_shapes else None
        if t.class_name not in NORMALIZATIONS or shape is None:
            continue
        origin = graph.origin(t)
        if origin is None or not is_window(origin.class_name) or len(shape) < 3:
            continue
        rank = len(shape)
        axes = _axes(t.call.config.get("axis", -1), rank)
        if axes is None:
            continue
        first = channels_first(origin)
        spatial = set(spatial_axes(rank, first))
        channel_axis = 1 if first else rank - 1
        if t.class_name == "LayerNormalization":
            wrong = len(axes) == 1 and axes[0] in spatial  # over all of H, W, C is fine
        else:
            wrong = bool(set(axes) & spatial) and channel_axis not in axes
        if wrong:
            yield t, {"axis_text": ", ".join(map(str, axes)), "map_shape": format_shape(shape),
                      "origin": origin.name, "channel_axis": channel_axis if first else -1,
                      "layout": "channels_first" if first else "channels_last"}


def _axes(value, rank: int):
    values = value if isinstance(value, (list, tuple)) else [value]
    if not values or not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return None
    axes = [v + rank if v < 0 else v for v in values]
    return axes if all(0 < a < rank for a in axes) else None


def mixed_data_format(graph: Graph, params: dict):
    """Window layers of both data formats on one path (a window layer and the window layer
    whose map it reads, through layers that keep the layout): the layers of the format
    fewer of them have are flagged (a convolution counts twice), or on a tie those that
    read the other format's map."""
    formats = {}
    for t in graph.trace.layers:
        value = t.call.config.get("data_format")
        if value in ("channels_first", "channels_last") and (
                is_window(t.class_name) or FAMILY_OF.get(t.class_name) == "global_pool"):
            formats[t.call.id] = value
    group = {i: i for i in formats}

    def root(i: int) -> int:
        while group[i] != i:
            group[i] = group[group[i]]
            i = group[i]
        return i

    source = {}
    for i in formats:
        origin = graph.origin(graph.layer(i))
        if origin is not None and origin.call.id in formats:
            source[i] = origin.call.id
            group[root(i)] = root(origin.call.id)
    members: dict = {}
    for i in formats:
        members.setdefault(root(i), []).append(i)
    for path in members.values():
        counts = {f: sum(_weight(graph.layer(i)) for i in path if formats[i] == f)
                  for f in ("channels_first", "channels_last")}
        if min(counts.values()) == 0:
            continue
        for i in path:
            mine = formats[i]
            other = "channels_last" if mine == "channels_first" else "channels_first"
            if counts[mine] > counts[other] or (counts[mine] == counts[other] and (
                    i not in source or formats[source[i]] == mine)):
                continue
            t = graph.layer(i)
            witness = next(graph.layer(j) for j in path if formats[j] == other)
            shape = t.input_shapes[0] if t.input_shapes else None
            yield t, {"format": mine, "other_format": other, "source": witness.name,
                      "others": counts[other], "map_shape": format_shape(shape)}


def _weight(t) -> int:
    """A convolution's data_format is the model's intent; a padding or pooling layer's is
    more often a default left as it was."""
    return 2 if FAMILY_OF.get(t.class_name) in ("conv", "transpose") else 1


def reshape_moves_channels(graph: Graph, params: dict):
    """A Reshape of a conv feature map whose target puts the C channels first,
    ``(C, H*W)`` or ``(C, H, W)`` of a channels_last map (or the mirror)."""
    for t in graph.trace.layers:
        shape = t.input_shapes[0] if t.input_shapes else None
        target = t.call.config.get("target_shape")
        if t.class_name != "Reshape" or shape is None or not isinstance(target, (list, tuple)):
            continue
        origin = graph.origin(t)
        if origin is None or not is_window(origin.class_name) or len(shape) < 3:
            continue
        dims = shape[1:]
        target = tuple(target)
        if None in dims or not all(isinstance(d, int) for d in target) or len(target) < 2:
            continue
        first = channels_first(origin)
        channels, spatial = (dims[0], dims[1:]) if first else (dims[-1], dims[:-1])
        moved, rest = (target[-1], target[:-1]) if first else (target[0], target[1:])
        ambiguous = channels in spatial  # (C, H, W) of a C×C map could be either
        if moved != channels or prod(rest) != prod(spatial) or ambiguous or len(target) > len(dims):
            continue
        pixels = prod(spatial)
        keep = f"({channels}, {pixels})" if first else f"({pixels}, {channels})"
        yield t, {"map_shape": format_shape(shape), "target": format_shape(target),
                  "channels": channels, "pixels_text": per_axis(spatial), "keep": keep,
                  "layout": "channels_first" if first else "channels_last"}
