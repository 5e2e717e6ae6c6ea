"""Reference shapes from Keras/TF for every layer call of a built Functional model."""

from __future__ import annotations

import keras
import numpy as np


def _node_index(node) -> int:
    return node.operation._inbound_nodes.index(node)


def _shape(t):
    return tuple(None if d is None else int(d) for d in t.shape)


def symbolic_shapes(model) -> dict:
    """{(layer name, node index): [output shapes]} as Keras inferred them when building."""
    out = {}
    for depth_nodes in model._nodes_by_depth.values():
        for node in depth_nodes:
            if node.operation is None:
                continue
            out[(node.operation.name, _node_index(node))] = [_shape(t) for t in node.outputs]
    return out


def eager_shapes(model, input_shapes) -> tuple:
    """Run ``model`` eagerly on zeros (batch 1), layer by layer.

    Returns ("ok", {(layer name, node index): [output shapes]}) or
    ("error", message) when TF refuses to run it, or a layer outputs a zero-size
    tensor (shapelint counts a zero-size map as broken).
    """
    zeros = [np.zeros((1,) + tuple(s), dtype="float32") for s in input_shapes]
    tensors = {id(x): z for x, z in zip(model.inputs, zeros)}
    shapes = {}
    try:
        for depth in sorted(model._nodes_by_depth, reverse=True):
            for node in model._nodes_by_depth[depth]:
                key = (node.operation.name, _node_index(node))
                if node.is_input:
                    shapes[key] = [tuple(tensors[id(node.outputs[0])].shape)]
                    continue
                args, kwargs = node.arguments.fill_in(tensors)
                flat = keras.tree.flatten(node.operation(*args, **kwargs))
                for x, y in zip(node.outputs, flat):
                    tensors[id(x)] = y
                shapes[key] = [tuple(int(d) for d in y.shape) for y in flat]
    except Exception as e:  # noqa: BLE001 - any refusal by TF is the reference error
        return "error", f"{type(e).__name__}: {str(e).splitlines()[0][:200]}"
    zero = [k for k, v in shapes.items() if any(0 in s for s in v)]
    if zero:
        return "error", f"zero-size output at {zero[0][0]}"
    return "ok", shapes
