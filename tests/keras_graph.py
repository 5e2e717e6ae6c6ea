"""Reference shapes from Keras/TF for every layer call of a built model.

Models nested in the model are walked too, with shapelint's qualified names: the
layers of nested model ``enc`` appear as ``enc/conv``, those of its second call as
``enc:1/conv``.
"""

from __future__ import annotations

import keras
import numpy as np

from shapelint.loading.keys import nested_call_name as _nested_prefix  # the naming contract


def _graph(model):
    """The Functional graph behind a model (a Sequential keeps one once built)."""
    return getattr(model, "_functional", None) or model


def _node_index(node, graph_nodes: set) -> int:
    """The node's index among its layer's calls *in this graph* (a Sequential rebuilt by
    add() or from a config keeps older nodes of its layers)."""
    return [n for n in node.operation._inbound_nodes if id(n) in graph_nodes].index(node)


def _qualify(prefix: str, name: str) -> str:
    return f"{prefix}/{name}" if prefix else name


def _shape(t):
    return tuple(None if d is None else int(d) for d in t.shape)


def _nodes(model):
    """(node, its index among the layer's calls in this graph), inputs first."""
    graph = _graph(model)
    in_graph = {id(n) for nodes in graph._nodes_by_depth.values() for n in nodes}
    for depth in sorted(graph._nodes_by_depth, reverse=True):
        for node in graph._nodes_by_depth[depth]:
            yield node, _node_index(node, in_graph)


def symbolic_shapes(model, prefix: str = "", out=None) -> dict:
    """{(qualified layer name, node index): [output shapes]} as Keras inferred them."""
    out = {} if out is None else out
    for node, index in _nodes(model):
        op = node.operation
        key = (_qualify(prefix, op.name), index)
        out[key] = [_shape(t) for t in node.outputs]
        if isinstance(op, keras.Model):
            symbolic_shapes(op, _nested_prefix(key[0], key[1]), out)
    return out


def _run(model, inputs: list, prefix: str, shapes: dict) -> list:
    graph = _graph(model)
    tensors = {id(x): y for x, y in zip(graph.inputs, inputs)}
    for node, index in _nodes(model):
        op = node.operation
        key = (_qualify(prefix, op.name), index)
        if node.is_input:
            shapes[key] = [tuple(tensors[id(node.outputs[0])].shape)]
            continue
        args, kwargs = node.arguments.fill_in(tensors)
        if isinstance(op, keras.Model):
            flat = _run(op, keras.tree.flatten((args, kwargs)), _nested_prefix(*key), shapes)
        else:
            flat = keras.tree.flatten(op(*args, **kwargs))
        for x, y in zip(node.outputs, flat):
            tensors[id(x)] = y
        shapes[key] = [tuple(int(d) for d in y.shape) for y in flat]
    return [tensors[id(x)] for x in keras.tree.flatten(graph.outputs)]


def eager_shapes(model, input_shapes) -> tuple:
    """Run ``model`` eagerly on zeros (batch 1), layer by layer.

    Returns ("ok", {(qualified layer name, node index): [output shapes]}) or
    ("error", message) when TF refuses to run it, or a layer outputs a zero-size
    tensor (shapelint counts a zero-size map as broken).
    """
    zeros = [np.zeros((1,) + tuple(s), dtype="float32") for s in input_shapes]
    shapes: dict = {}
    try:
        _run(model, zeros, "", shapes)
    except Exception as e:  # noqa: BLE001 - any refusal by TF is the reference error
        return "error", f"{type(e).__name__}: {str(e).splitlines()[0][:200]}"
    zero = [k for k, v in shapes.items() if any(0 in s for s in v)]
    if zero:
        return "error", f"zero-size output at {zero[0][0]}"
    return "ok", shapes
