"""Rules over a model's structure that Keras builds without complaint: a Dense on a
map that was never flattened (SL111), an encoder-decoder that comes back a few pixels
off its input (SL112)."""

from __future__ import annotations

from fractions import Fraction

from shapelint.formatting import format_shape, per_axis
from shapelint.rules.graph import (DENSE, POSITIONWISE, Graph, channels_first, is_window,
                                   makes_larger, spatial_axes)

POINTWISE_PATH = POSITIONWISE | DENSE


def dense_on_unflattened_map(graph: Graph, params: dict):
    """A Dense on a rank ≥ 3 map whose other axes are positions (a conv/pool map, or the
    image itself), whose result reaches a model output with those axes still there."""
    only_pointwise = all(t.class_name in POINTWISE_PATH or t.class_name == "InputLayer"
                         for t in graph.trace.layers)
    for t in graph.trace.layers:
        shape = t.input_shapes[0] if t.input_shapes else None
        if t.class_name not in DENSE or shape is None or len(shape) < 3:
            continue
        origin = graph.origin(t)
        if origin is None or origin.class_name in DENSE:
            continue  # a Dense before it on the same map has the finding
        if origin.class_name == "InputLayer":
            # an image, or a 2-D array of fixed size fed to a model of Dense layers only
            # (MNIST as 28×28); a sequence of any length is read position-wise
            if len(shape) < 4 and not (only_pointwise and shape[1] is not None):
                continue
            what = "the input"
        elif is_window(origin.class_name):
            what = f"{origin.name} ({origin.class_name})"
        else:
            continue  # after an RNN, Embedding, attention, Reshape...: a position-wise Dense
        output = graph.reaches_output(t, POINTWISE_PATH)
        if output is None or output.output_shapes[0] is None or len(output.output_shapes[0]) < 3:
            continue
        rank = len(shape)
        first = origin.class_name != "InputLayer" and channels_first(origin)
        positions = [shape[a] for a in spatial_axes(rank, first)]
        fields = {"map_shape": format_shape(shape), "origin": what,
                  "positions": per_axis(positions), "output": output.name,
                  "output_shape": format_shape(output.output_shapes[0]),
                  "reducer": "Flatten() or GlobalAveragePooling{}D()".format(rank - 2)
                  if rank <= 5 else "Flatten()"}
        yield t, fields  # where the Flatten belongs
        last = _last_dense(graph, output)
        if last is not None and last is not t:
            yield last, fields  # and the Dense that makes the output's wrong shape


def _last_dense(graph: Graph, t):
    """The Dense nearest above ``t`` (itself included) through position-wise layers."""
    while t is not None and t.class_name not in DENSE:
        t = graph.producer(t) if t.class_name in POSITIONWISE else None
    return t


def output_size_mismatch(graph: Graph, params: dict):
    """A single-input model that downsamples and then upsamples, whose output differs
    from its input on a spatial axis by less than the total downsampling factor."""
    trace = graph.trace
    if len(trace.model.inputs) != 1 or not any(makes_larger(t.class_name) for t in trace.layers):
        return
    image = trace.inputs[0]
    if image is None or len(image) < 3:
        return
    first = trace.model.channels_first_input(0)
    axes = spatial_axes(len(image), first)
    size_in = [image[a] for a in axes]
    if any(n is None for n in size_in):
        return
    factor = [max((_jump(t, i) for t in trace.layers), default=1) for i in range(len(axes))]
    if max(factor) <= 1:
        return
    for ref in trace.model.outputs:
        out = trace.layers[ref.call]
        shape = out.output_shapes[ref.index] if ref.index < len(out.output_shapes) else None
        if shape is None or len(shape) != len(image):
            continue
        size_out = [shape[a] for a in axes]
        if any(n is None for n in size_out) or size_out == size_in:
            continue
        if not all(abs(o - n) < f for o, n, f in zip(size_out, size_in, factor)):
            continue  # smaller by design (a valid-conv U-Net), or another kind of output
        mirrored = _where_mirroring_stops(trace, axes, out)
        yield out, {"input_shape": format_shape(image), "output_shape": format_shape(shape),
                     "in_text": per_axis(size_in), "out_text": per_axis(size_out),
                     "factor": per_axis(factor), "output": out.name,
                     "mirrored": mirrored}


def _jump(t, axis: int):
    jump = t.jump
    if not jump or axis >= len(jump) or jump[axis] is None:
        return 1
    return Fraction(jump[axis])


def _where_mirroring_stops(trace, axes: tuple, output) -> str:
    """Words for where the decoder stops mirroring the encoder: its first layer whose
    map differs from the encoder's map at the same scale."""
    encoder: dict = {}
    upsampled = False
    for t in trace.layers[:output.call.id + 1]:
        shape = t.output_shapes[0] if t.output_shapes else None
        if shape is None or len(shape) <= max(axes) or not t.jump:
            continue
        scale = tuple(Fraction(j) for j in t.jump)
        size = tuple(shape[a] for a in axes)
        upsampled = upsampled or makes_larger(t.class_name)
        if not upsampled:
            encoder.setdefault(scale, (size, t))
        elif scale in encoder and None not in size and encoder[scale][0] != size:
            wanted, mirror = encoder[scale]
            return (f"the decoder stops mirroring the encoder at {t.name}, which makes "
                    f"{per_axis(size)} where the encoder had {per_axis(wanted)} ({mirror.name})")
    return "no decoder layer comes back to the encoder's sizes"
