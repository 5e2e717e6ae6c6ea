"""Every use of Keras's private API by the TF cross-check, in one place.

The public API cannot do what the cross-check needs: build a model from a config in
safe mode without allocating its weights, walk the built graph call by call (a layer
called twice, nested models on their actual inputs), and, when Keras refuses a model,
say which layer refused it and what it had built by then. What that takes from
``keras.src`` and from underscore attributes is here, and nowhere else in shapelint:

- ``keras.src.activations.ALL_OBJECTS_DICT``: the names of Keras's own activations;
- ``keras.src.models.functional.Functional``: the class a ``"Functional"`` config names;
- modules ``keras.src.ops.*``: where the op classes a config may name live;
- ``keras.src.backend.common.global_state`` (``uninitialized_variables``,
  ``traceback_filtering``) and ``keras.src.saving.serialization_lib.SafeModeScope``;
- a Functional graph's ``_nodes_by_depth``, a Sequential's ``_functional``, a layer's
  ``_inbound_nodes``, and a node's ``operation``, ``outputs``, ``is_input`` and
  ``arguments`` (``args``, ``kwargs``, ``fill_in``);
- the frames of a build failure's traceback: the ``self`` of Keras's operations, and the
  ``created_layers`` local of ``functional_from_config``.

They were checked against the Keras versions in :data:`CHECKED_KERAS`;
``tests/test_keras_internals.py`` fails on any other version, and names the attribute
that moved when one does. Keras is imported lazily: this module imports without it.
"""

from __future__ import annotations

import sys
import warnings
from typing import Any, Iterator, Optional

CHECKED_KERAS = ("3.15",)  # major.minor of each Keras version every use here was checked on
OPS_MODULE_PREFIX = "keras.src.ops."  # a config's "module" for an op class (keras.ops.*)
FAILED_BUILD_FRAME = ("functional_from_config", "created_layers")  # function, its local


# -- what the allow-list is made of ------------------------------------------------------------

def activation_names() -> frozenset:
    """The names of Keras's own activation functions."""
    from keras.src import activations

    return frozenset(activations.ALL_OBJECTS_DICT)


def functional_class() -> type:
    """The class a ``"Functional"`` model config names."""
    from keras.src.models.functional import Functional

    return Functional


def op_classes(keras) -> frozenset:
    """``(module, class name)`` of every Keras operation class in an imported
    ``keras.src.ops`` module: the only ops a config may name."""
    found = set()
    for module_name, module in list(sys.modules.items()):
        if not module_name.startswith(OPS_MODULE_PREFIX) or module is None:
            continue
        for name, value in list(getattr(module, "__dict__", {}).items()):
            if isinstance(value, type) and issubclass(value, keras.Operation):
                found.add((module_name, name))
    return frozenset(found)


# -- building --------------------------------------------------------------------------------

def deserialize(keras, config: dict, custom_objects: dict) -> Any:
    """The model of ``config``, built symbolically in safe mode; its variables are never
    allocated, and Keras's traceback filtering is off while it builds (so the failing
    layer stays on the traceback)."""
    from keras.src.backend.common import global_state
    from keras.src.saving.serialization_lib import SafeModeScope, deserialize_keras_object

    pending = global_state.get_global_attribute("uninitialized_variables")
    saved = list(pending) if pending else []
    filtering = global_state.get_global_attribute("traceback_filtering")
    global_state.set_global_attribute("traceback_filtering", False)  # keep the failing layer
    try:
        with warnings.catch_warnings(), SafeModeScope(True), \
                keras.StatelessScope(initialize_variables=False):
            warnings.simplefilter("ignore")
            return deserialize_keras_object(config, custom_objects=custom_objects,
                                            safe_mode=True)
    finally:  # forget the deferred variables: nothing may initialize them later
        global_state.set_global_attribute("uninitialized_variables", saved)
        global_state.set_global_attribute("traceback_filtering", filtering)


# -- the built graph -------------------------------------------------------------------------

class Call:
    """One call of an operation in a built graph (a Keras ``Node``)."""

    __slots__ = ("_node",)

    def __init__(self, node):
        self._node = node

    @property
    def operation(self):
        return self._node.operation

    @property
    def outputs(self) -> list:
        return self._node.outputs

    @property
    def is_input(self) -> bool:
        return self._node.is_input

    def arguments(self) -> tuple:
        """``(args, kwargs)`` of the call, with the graph's symbolic tensors."""
        return self._node.arguments.args, self._node.arguments.kwargs

    def fill_in(self, tensors: dict) -> tuple:
        """``(args, kwargs)`` with each symbolic tensor replaced by ``tensors[id(it)]``."""
        return self._node.arguments.fill_in(tensors)


def functional_graph(model) -> Any:
    """The Functional graph behind a model (a built Sequential keeps one); its
    ``inputs`` and ``outputs`` are public."""
    return getattr(model, "_functional", None) or model


def graph_calls(graph) -> Iterator[tuple]:
    """``(Call, index)`` of every call in ``graph``, inputs first (topological order);
    ``index``: the call's number among its operation's calls *in this graph* (a
    Sequential rebuilt from a config keeps older calls of its layers)."""
    ordered = [graph._nodes_by_depth[d] for d in sorted(graph._nodes_by_depth, reverse=True)]
    in_graph = {id(node) for nodes in ordered for node in nodes}
    for nodes in ordered:
        for node in nodes:
            mine = [n for n in node.operation._inbound_nodes if id(n) in in_graph]
            yield Call(node), mine.index(node)


def calls_of(operation) -> list:
    """Every call of ``operation`` so far, in order (across all graphs)."""
    return [Call(node) for node in operation._inbound_nodes]


def call_count(operation) -> int:
    """How many times ``operation`` has been called so far."""
    return len(operation._inbound_nodes)


# -- a build failure's traceback -------------------------------------------------------------

def _frames(tb):
    while tb is not None:
        yield tb.tb_frame
        tb = tb.tb_next


def failed_operation(keras, tb) -> Optional[str]:
    """The name of the innermost Keras operation on the traceback of a build failure."""
    found = None
    for frame in _frames(tb):
        op = frame.f_locals.get("self")
        if isinstance(op, keras.Operation) and isinstance(getattr(op, "name", None), str):
            found = op.name
    return found


def created_layers(tb) -> Optional[dict]:
    """``{name: layer}`` of what the top Functional model had created when Keras gave
    up on it, or None when the failure was not inside its ``from_config``."""
    function, local = FAILED_BUILD_FRAME
    for frame in _frames(tb):
        if frame.f_code.co_name == function and local in frame.f_locals:
            return frame.f_locals[local]
    return None


__all__ = ["CHECKED_KERAS", "Call", "activation_names", "call_count", "calls_of",
           "created_layers", "deserialize", "failed_operation", "functional_class",
           "functional_graph", "graph_calls", "op_classes"]
