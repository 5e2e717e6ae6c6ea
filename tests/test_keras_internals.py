"""shapelint.crosscheck.keras_internals: Keras's private API, pinned to the versions checked.

A Keras upgrade that moves any private attribute the TF cross-check reads fails here,
naming the attribute, instead of silently turning every cross-check into an error note.
"""

from __future__ import annotations

import inspect
import sys

import pytest

keras = pytest.importorskip("keras")

from keras import layers  # noqa: E402
from keras_graph import symbolic_shapes  # noqa: E402

from shapelint.crosscheck import keras_internals as internals  # noqa: E402


def require(condition, what: str) -> None:
    assert condition, (
        f"Keras {keras.__version__}: {what}. shapelint.crosscheck.keras_internals relies on it "
        f"(checked on Keras {', '.join(internals.CHECKED_KERAS)}): adapt it, then add this "
        "version to CHECKED_KERAS")


def test_keras_is_a_checked_version():
    major_minor = ".".join(keras.__version__.split(".")[:2])
    assert major_minor in internals.CHECKED_KERAS, (
        f"Keras {keras.__version__} is installed, but shapelint.crosscheck.keras_internals was "
        f"checked on Keras {', '.join(internals.CHECKED_KERAS)} only: run this file, check "
        "every use of the private API listed in that module's docstring, then add "
        f"{major_minor!r} to CHECKED_KERAS")


def test_the_private_modules_and_names_exist():
    from keras.src import activations
    from keras.src.backend.common import global_state
    from keras.src.models import functional
    from keras.src.saving import serialization_lib

    require(isinstance(getattr(activations, "ALL_OBJECTS_DICT", None), dict),
            "keras.src.activations.ALL_OBJECTS_DICT is gone")
    require(callable(getattr(serialization_lib, "SafeModeScope", None)),
            "keras.src.saving.serialization_lib.SafeModeScope is gone")
    require(callable(getattr(serialization_lib, "deserialize_keras_object", None)),
            "keras.src.saving.serialization_lib.deserialize_keras_object is gone")
    for name in ("uninitialized_variables", "traceback_filtering"):
        require(hasattr(global_state, "get_global_attribute"),
                "keras.src.backend.common.global_state.get_global_attribute is gone")
        global_state.get_global_attribute(name)  # unset is None, which the adapter accepts
    function, local = internals.FAILED_BUILD_FRAME
    require(callable(getattr(functional, function, None)),
            f"keras.src.models.functional.{function} is gone")
    code = getattr(functional, function).__code__
    require(local in code.co_varnames + code.co_cellvars,
            f"keras.src.models.functional.{function} has no local {local!r}")
    require(any(m.startswith(internals.OPS_MODULE_PREFIX) for m in sys.modules),
            f"no module {internals.OPS_MODULE_PREFIX}* is imported with keras")


def test_the_allow_list_sources():
    names = internals.activation_names()
    require({"relu", "gelu", "softmax", "linear"} <= names, "activation names are not read")
    require(not {"exec", "eval", "system"} & names, "activation names hold non-activations")
    functional = internals.functional_class()
    inputs = keras.Input((4,))
    model = keras.Model(inputs, layers.Dense(2)(inputs))
    require(type(model) is functional, "keras.Model(inputs, outputs) is no longer a Functional")
    ops = internals.op_classes(keras)
    require(("keras.src.ops.numpy", "Add") in ops, "keras.ops.add's class is not found")
    require(all(issubclass(getattr(sys.modules[m], n), keras.Operation) for m, n in ops),
            "op_classes holds a class that is no Operation")
    # keras.layers has no module __getattr__: its vars are what a config can name
    require(not hasattr(keras.layers, "__getattr__"), "keras.layers resolves names lazily")


def nested_model() -> keras.Model:
    """A nested model called twice, a shared layer, and a Sequential inside."""
    img = keras.Input((6,), name="img")
    encoder = keras.Model(img, layers.Dense(4, name="enc_dense")(img), name="enc")
    head = keras.Sequential([keras.Input((4,)), layers.Dense(2, name="head_dense")], name="head")
    a, b = keras.Input((6,), name="a"), keras.Input((6,), name="b")
    shared = layers.Dense(4, name="shared")
    out = layers.Add(name="add")([shared(encoder(a)), shared(encoder(b))])
    return keras.Model([a, b], head(out), name="top")


def test_the_graph_of_a_built_model():
    model = nested_model()
    graph = internals.functional_graph(model)
    require(hasattr(graph, "_nodes_by_depth"), "a Functional model has no _nodes_by_depth")
    calls = list(internals.graph_calls(graph))
    keys = [(call.operation.name, index) for call, index in calls]
    # the reference walk (tests/keras_graph.py) sees the same calls of the top graph
    top = {key for key in symbolic_shapes(model) if "/" not in key[0]}
    assert sorted(keys) == sorted(top)
    assert keys[:2] in ([("a", 0), ("b", 0)], [("b", 0), ("a", 0)])  # inputs first
    by_key = {(call.operation.name, index): call for call, index in calls}
    require(by_key[("a", 0)].is_input and not by_key[("add", 0)].is_input,
            "a node's is_input is gone")
    add = by_key[("add", 0)]
    assert isinstance(add, internals.Call)
    args, kwargs = add.arguments()
    require(len(args) == 1 and len(args[0]) == 2 and kwargs == {},
            "a node's arguments.args / .kwargs are gone")
    require([tuple(t.shape) for t in add.outputs] == [(None, 4)], "a node's outputs are gone")
    replaced = {id(t): f"t{i}" for i, t in enumerate(args[0])}
    filled, _ = add.fill_in(replaced)
    require(filled == (["t0", "t1"],) or filled == [["t0", "t1"]],
            "a node's arguments.fill_in is gone")
    shared = model.get_layer("shared")
    require(internals.call_count(shared) == 2, "a layer's _inbound_nodes is gone")
    assert [call.operation for call in internals.calls_of(shared)] == [shared, shared]
    head = internals.functional_graph(model.get_layer("head"))
    require(head is not model.get_layer("head") and hasattr(head, "_nodes_by_depth"),
            "a built Sequential keeps no _functional graph")
    assert [c.operation.name for c, _ in internals.graph_calls(head)][-1] == "head_dense"


def unet_config(size: int) -> dict:
    """A model Keras refuses at an odd ``size``: 5 → pool → 2 → up → 4 meets 5 at the concat."""
    inputs = keras.Input((None, None, 1), name="image")
    skip = layers.Conv2D(2, 3, padding="same", name="conv")(inputs)
    x = layers.MaxPooling2D(2, name="pool")(skip)
    x = layers.Conv2DTranspose(2, 2, strides=2, name="up")(x)
    outputs = layers.Concatenate(name="concat")([x, skip])
    config = keras.saving.serialize_keras_object(keras.Model(inputs, outputs, name="u"))
    for entry in config["config"]["layers"]:
        entry.pop("build_config", None)  # as the sanitizer does: built at the size set here
        if entry["name"] == "image":
            entry["config"]["batch_shape"] = [None, size, size, 1]
    return config


def test_building_and_the_traceback_of_a_refused_build():
    from keras.src.backend.common import global_state

    filtering = global_state.get_global_attribute("traceback_filtering")
    model = internals.deserialize(keras, unet_config(4), {})
    assert tuple(model.output.shape) == (None, 4, 4, 4)
    assert global_state.get_global_attribute("traceback_filtering") == filtering
    assert not global_state.get_global_attribute("uninitialized_variables")
    with pytest.raises(ValueError) as refused:
        internals.deserialize(keras, unet_config(5), {})
    tb = refused.value.__traceback__
    require(internals.failed_operation(keras, tb) == "concat",
            "the refusing layer is no longer the innermost Operation 'self' on the traceback")
    created = internals.created_layers(tb)
    function, local = internals.FAILED_BUILD_FRAME
    require(isinstance(created, dict), f"no {function} frame with a {local!r} local")
    require({"image", "conv", "pool", "up"} <= set(created),
            f"{function}'s {local!r} no longer holds the layers created")
    up = created["up"]
    assert [tuple(t.shape) for c in internals.calls_of(up) for t in c.outputs] == [
        (None, 4, 4, 2)]


def test_every_public_function_of_the_adapter_is_tested_here():
    source = inspect.getsource(sys.modules[__name__])
    for name in internals.__all__:
        assert f"internals.{name}" in source, name
