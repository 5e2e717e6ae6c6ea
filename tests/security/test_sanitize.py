"""The TF cross-check's trust boundary alone: what the sanitizer keeps, and what it replaces.

Most cases give the sanitizer an allow-list written out here (classes that are mere
placeholders: the sanitizer never instantiates or imports anything), so they need
neither Keras nor a model build. The last ones check the allow-list made from the Keras
installed.
"""

from __future__ import annotations

import copy
import json

import pytest

from shapelint.crosscheck.sanitize import (
    DATA_OBJECTS, DENIED_LAYERS, STAND_IN, Adaptation, AllowList, Sanitizer)
from shapelint.loading.keys import MAX_NESTING


class Placeholder:
    """Stands for a Keras class: the sanitizer only looks classes up, it never calls them."""


ALLOWED = AllowList(
    layers={name: type(name, (Placeholder,), {}) for name in (
        "InputLayer", "Dense", "Conv2D", "LSTM", "TimeDistributed", "Bidirectional",
        "StringLookup", "Lambda")},  # Lambda listed by mistake: it must stay denied
    objects={"GlorotUniform": (Placeholder, "keras.initializers"),
             "L2": (Placeholder, "keras.regularizers"),
             "MaxNorm": (Placeholder, "keras.constraints"),
             "DTypePolicy": (Placeholder, "keras.dtype_policies")},
    models={"Functional": (Placeholder, "keras.src.models.functional"),
            "Model": (Placeholder, "keras.src.models.model"),
            "Sequential": (Placeholder, "keras.src.models.sequential")},
    activations=frozenset({"linear", "relu", "sigmoid", "tanh"}),
    ops=frozenset({("keras.src.ops.numpy", "Add")}),
)


def tensor(name: str) -> dict:
    return {"class_name": "__keras_tensor__",
            "config": {"shape": [None, 8], "dtype": "float32", "keras_history": [name, 0, 0]}}


def layer(class_name: str, name: str, source: str = "x", module="keras.layers", **config) -> dict:
    """A layer entry as Keras 3 writes it, called once on ``source``'s output."""
    out = {"class_name": class_name, "config": {"name": name, **config}, "name": name,
           "registered_name": None, "build_config": {"input_shape": [None, 8]},
           "inbound_nodes": [{"args": [tensor(source)], "kwargs": {}}]}
    if module is not None:
        out["module"] = module
    return out


def functional(*entries, name: str = "m") -> dict:
    inputs = {"class_name": "InputLayer", "module": "keras.layers", "registered_name": None,
              "name": "x", "config": {"name": "x", "batch_shape": [None, 8], "dtype": "float32"},
              "inbound_nodes": []}
    last = entries[-1]["name"] if entries else "x"
    return {"class_name": "Functional", "module": "keras.src.models.functional",
            "registered_name": "Functional", "name": name,
            "config": {"name": name, "trainable": True, "layers": [inputs, *entries],
                       "input_layers": [["x", 0, 0]], "output_layers": [[last, 0, 0]]}}


def sanitize(config: dict, allowed: AllowList = ALLOWED, adaptation=None) -> tuple:
    sanitizer = Sanitizer(allowed, adaptation)
    return sanitizer.top(copy.deepcopy(config)), sanitizer


def by_name(model: dict, name: str) -> dict:
    return next(e for e in model["config"]["layers"] if e.get("name") == name)


def assert_only_allowed(value, allowed: AllowList = ALLOWED, where: str = "$") -> None:
    """Every class a sanitized config names is an allowed one, a data object or the
    stand-in; every module is Keras's own (or null, for the stand-in)."""
    if isinstance(value, dict):
        if "class_name" in value:
            name = value["class_name"]
            assert (name in allowed.layers and name not in DENIED_LAYERS) or (
                name in allowed.objects or name in allowed.models or name in DATA_OBJECTS
                or name == STAND_IN), f"{where}: class {name!r}"
        if "module" in value:
            module = value["module"]
            assert module is None or module == "keras" or module.startswith("keras."), (
                f"{where}: module {module!r}")
        for k, v in value.items():
            assert_only_allowed(v, allowed, f"{where}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            assert_only_allowed(v, allowed, f"{where}[{i}]")


# -- kept ----------------------------------------------------------------------------------------

def test_a_built_in_layer_is_kept_as_written():
    dense = layer("Dense", "d", units=3, activation="relu", use_bias=True)
    out, sanitizer = sanitize(functional(dense))
    assert sanitizer.replaced == [] and sanitizer.slots == []
    # module, registered_name and build_config are not passed on; the rest is
    assert by_name(out, "d") == {"class_name": "Dense", "module": "keras.layers", "name": "d",
                                 "config": {"name": "d", "units": 3, "activation": "relu",
                                            "use_bias": True},
                                 "inbound_nodes": [{"args": [tensor("x")], "kwargs": {}}]}
    assert out["module"] == "keras.src.models.functional"
    assert out["config"]["input_layers"] == [["x", 0, 0]]
    assert_only_allowed(out)


def test_keras_objects_in_a_kept_layer_are_kept():
    dense = layer("Dense", "d", units=3, activation="tanh",
                  kernel_initializer={"module": "keras.initializers", "class_name": "GlorotUniform",
                                      "config": {"seed": None}, "registered_name": None},
                  kernel_regularizer={"module": "keras.regularizers", "class_name": "L2",
                                      "config": {"l2": 0.1}, "registered_name": None},
                  kernel_constraint={"class_name": "MaxNorm", "config": {"max_value": 2}},
                  recurrent_activation={"module": "builtins", "class_name": "function",
                                        "config": "sigmoid", "registered_name": "function"})
    kept = by_name(sanitize(functional(dense))[0], "d")["config"]
    assert kept["activation"] == "tanh"
    assert kept["kernel_initializer"] == {"class_name": "GlorotUniform", "config": {"seed": None},
                                          "module": "keras.initializers"}
    assert kept["kernel_regularizer"]["class_name"] == "L2"
    # no module written, none added: Keras finds it by name among its own
    assert kept["kernel_constraint"] == {"class_name": "MaxNorm", "config": {"max_value": 2}}
    assert kept["recurrent_activation"] == "sigmoid"


def test_a_wrapped_built_in_layer_is_kept_and_named_with_its_module():
    inner = {"class_name": "LSTM", "config": {"name": "fw", "units": 4}}  # no module: tf.keras 2
    out, sanitizer = sanitize(functional(layer("Bidirectional", "bi", layer=inner)))
    assert sanitizer.replaced == []
    assert by_name(out, "bi")["config"]["layer"] == {
        "class_name": "LSTM", "config": {"name": "fw", "units": 4}, "module": "keras.layers"}


def test_a_keras_op_is_kept_only_from_its_own_module():
    add = layer("Add", "add", module="keras.src.ops.numpy")
    out, sanitizer = sanitize(functional(add))
    assert sanitizer.replaced == [] and by_name(out, "add")["module"] == "keras.src.ops.numpy"
    for module, class_name in [("keras.src.ops.numpy", "Evil"), ("keras.src.ops.evil", "Add")]:
        _, sanitizer = sanitize(functional(layer(class_name, "add", module=module)))
        assert sanitizer.replaced == ["add"]


def test_inbound_nodes_keep_plain_data_and_symbolic_tensors_only():
    dense = layer("Dense", "d", units=3)
    dense["inbound_nodes"] = [{"args": [tensor("x")], "kwargs": {
        "training": False, "mask": None,
        "payload": {"class_name": "__lambda__", "config": {"code": "YmFk"}},
        "fn": {"module": "os", "class_name": "function", "config": "system"}}}]
    out, _ = sanitize(functional(dense))
    assert by_name(out, "d")["inbound_nodes"] == [{"args": [tensor("x")], "kwargs": {
        "training": False, "mask": None, "payload": None, "fn": None}}]


# -- stand-ins -----------------------------------------------------------------------------------

STOOD_IN = {
    "lambda": layer("Lambda", "smuggled", function={
        "class_name": "__lambda__", "config": {"code": "4wEAAAAAAAAA", "defaults": None}}),
    "lambda_without_module": layer("Lambda", "smuggled", module=None, function="lambda x: x"),
    "tfsm_layer": layer("TFSMLayer", "smuggled", filepath="/attacker/saved_model",
                        call_endpoint="serve"),
    "custom_class": layer("MyLayer", "smuggled", module="mypkg.layers", units=3),
    "custom_class_without_module": layer("MyLayer", "smuggled", module=None, units=3),
    "registered_custom_class": dict(layer("Dense", "smuggled", units=3),
                                    registered_name="mypkg>Dense"),
    # CVE-2025-1550: a config names any module and function
    "foreign_module_function": layer("system", "smuggled", module="os", command="touch pwned"),
    "registered_name_os_system": dict(layer("Dense", "smuggled", units=3),
                                      registered_name="os>system"),
    "built_in_name_in_a_foreign_module": layer("Dense", "smuggled", module="os", units=3),
    "keras_lookalike_module": layer("Dense", "smuggled", module="keras_hub.layers", units=3),
    "private_keras_class": layer("_Private", "smuggled"),
    "the_stand_in_named_by_the_file": layer(STAND_IN, "smuggled", slot=0),
    "the_stand_in_inside_a_config": layer("Dense", "smuggled", units=3, note=STAND_IN),
    "vocabulary_read_from_a_path": layer("StringLookup", "smuggled", vocabulary="/etc/passwd"),
    "idf_weights_read_from_a_path": layer("StringLookup", "smuggled", idf_weights="/etc/shadow"),
    "wrapper_of_a_custom_layer": layer("TimeDistributed", "smuggled", layer={
        "module": "mypkg", "class_name": "Custom", "config": {}, "registered_name": "mypkg>Custom"}),
    "wrapper_of_a_lambda": layer("TimeDistributed", "smuggled", layer={
        "module": "keras.layers", "class_name": "Lambda", "config": {"function": "x"}}),
    "wrapper_of_a_path_vocabulary": layer("TimeDistributed", "smuggled", layer={
        "module": "keras.layers", "class_name": "StringLookup",
        "config": {"vocabulary": "/etc/passwd"}}),
    # a foreign object where no harmless default exists
    "foreign_object_in_an_unknown_slot": layer("Dense", "smuggled", units=3, extra={
        "module": "subprocess", "class_name": "Popen", "config": {"args": ["id"]}}),
    "foreign_model_class": layer("MyModel", "smuggled", module="mypkg", layers=[]),
    "model_with_a_foreign_module": layer("Functional", "smuggled", module="evil.models",
                                         layers=[]),
}


@pytest.mark.parametrize("case", sorted(STOOD_IN))
def test_anything_else_gets_a_stand_in(case):
    entry = STOOD_IN[case]
    out, sanitizer = sanitize(functional(entry))
    assert sanitizer.replaced == ["smuggled"]
    assert [(slot.names, slot.outputs) for slot in sanitizer.slots] == [(["smuggled"], 1)]
    stand_in = {"class_name": STAND_IN, "config": {"name": "smuggled", "slot": 0},
                "name": "smuggled", "inbound_nodes": [{"args": [tensor("x")], "kwargs": {}}]}
    if "module" in entry:
        stand_in["module"] = None
    assert by_name(out, "smuggled") == stand_in
    assert_only_allowed(out)


def test_nothing_of_a_replaced_layer_reaches_keras():
    config = functional(*(dict(entry, name=f"l{i}", config=dict(entry["config"], name=f"l{i}"))
                          for i, entry in enumerate(STOOD_IN.values())))
    out, sanitizer = sanitize(config)
    assert len(sanitizer.replaced) == len(STOOD_IN)
    strings = set()

    def collect(value):
        if isinstance(value, dict):
            strings.update(k for k in value if isinstance(k, str))
            value = list(value.values())
        if isinstance(value, list):
            for v in value:
                collect(v)
        elif isinstance(value, str):
            strings.add(value)

    collect(out)
    words = ("os.", "os>", "system", "mypkg", "subprocess", "Popen", "passwd", "shadow",
             "attacker", "touch", "4wEAAAAAAAAA", "Lambda", "TFSMLayer", "keras_hub", "evil",
             "MyLayer", "MyModel", "Custom", "_Private")
    assert not {s for s in strings if any(word in s for word in words)}
    json.dumps(out)  # and it is plain data


FOREIGN_DEFAULTS = [
    ("activation", {"module": "os", "class_name": "function", "config": "system",
                    "registered_name": None}, "linear"),
    ("activation", {"module": "builtins", "class_name": "function", "config": "exec"}, "linear"),
    ("activation", "os.system", "linear"),
    ("recurrent_activation", "mypkg.swish", "linear"),
    ("activation", {"module": "keras.activations", "class_name": "function", "config": "relu",
                    "registered_name": "os>system"}, "linear"),
    ("kernel_initializer", {"module": "builtins", "class_name": "eval",
                            "config": {"source": "open('pwned', 'w')"}}, None),
    ("kernel_initializer", {"class_name": "MyInit", "config": {}}, None),
    ("bias_regularizer", {"module": "subprocess", "class_name": "function",
                          "config": "getoutput", "registered_name": None}, None),
    ("kernel_constraint", {"class_name": "MaxNorm", "config": {}, "registered_name": "os>system"},
     None),
    ("dtype", {"module": "mypkg", "class_name": "Policy", "config": {"name": "float32"}}, None),
    ("quantization_config", {"module": "os", "class_name": "system", "config": {}}, None),
]


@pytest.mark.parametrize("key, value, default", FOREIGN_DEFAULTS)
def test_a_foreign_object_in_a_known_slot_falls_back_to_its_default(key, value, default):
    out, sanitizer = sanitize(functional(layer("Dense", "d", units=3, **{key: value})))
    assert sanitizer.replaced == []
    assert by_name(out, "d")["config"][key] == default


def test_stand_ins_in_nested_models_get_one_name_per_call():
    inner = functional(layer("Lambda", "lam", function="x"), name="inner")
    inner["inbound_nodes"] = [{"args": [tensor("x")], "kwargs": {}},
                              {"args": [tensor("inner")], "kwargs": {}}]
    out, sanitizer = sanitize(functional(dict(inner, name="inner")))
    assert sanitizer.replaced == ["inner/lam", "inner:1/lam"]
    assert [slot.names for slot in sanitizer.slots] == [["inner/lam", "inner:1/lam"]]
    assert by_name(out, "inner")["config"]["layers"][1]["class_name"] == STAND_IN


def test_a_stand_in_has_as_many_outputs_as_the_config_reads():
    split = layer("Lambda", "split", function="x")
    after = layer("Dense", "d", "split", units=2)
    after["inbound_nodes"] = [{"args": [{"class_name": "__keras_tensor__", "config": {
        "shape": [None, 4], "dtype": "float32", "keras_history": ["split", 0, 2]}}], "kwargs": {}}]
    _, sanitizer = sanitize(functional(split, after))
    assert [(slot.names, slot.outputs) for slot in sanitizer.slots] == [(["split"], 3)]


# -- models --------------------------------------------------------------------------------------

@pytest.mark.parametrize("top", [
    {"class_name": "MyModel", "module": "mypkg", "config": {"layers": []}},
    {"class_name": "Functional", "module": "os", "config": {"layers": []}},
    {"class_name": "Functional", "registered_name": "os>system", "config": {"layers": []}},
    {"class_name": "Lambda", "config": {"layers": []}},
    ["not", "a", "model"],
])
def test_the_top_level_must_be_a_keras_model(top):
    with pytest.raises(ValueError, match="is not a built-in Keras model"):
        sanitize(top)


def test_models_nested_too_deep_are_refused():
    model = functional(name="m0")
    for depth in range(1, MAX_NESTING + 3):
        model = functional(dict(model, inbound_nodes=[{"args": [tensor("x")], "kwargs": {}}]),
                           name=f"m{depth}")
    with pytest.raises(ValueError, match=f"nested more than {MAX_NESTING} deep"):
        sanitize(model)


def test_model_keys_other_than_the_graph_are_dropped():
    config = functional(layer("Dense", "d", units=2))
    config["config"].update(compile_config={"loss": {"module": "os", "class_name": "system"}},
                            build_config={"input_shape": [None, 8]}, custom="anything")
    out, _ = sanitize(config)
    assert set(out["config"]) == {"name", "trainable", "layers", "input_layers", "output_layers"}


# -- the allow-list is the sanitizer's, and adaptation cannot widen it --------------------------

def test_denied_layers_stay_denied_whatever_the_allow_list_says():
    assert "Lambda" in ALLOWED.layers and "Lambda" in DENIED_LAYERS
    _, sanitizer = sanitize(functional(layer("Lambda", "lam", function="x")))
    assert sanitizer.replaced == ["lam"]


def test_a_layer_missing_from_the_allow_list_gets_a_stand_in():
    small = AllowList(layers={"InputLayer": Placeholder}, models=ALLOWED.models)
    _, sanitizer = sanitize(functional(layer("Dense", "d", units=2)), small)
    assert sanitizer.replaced == ["d"]


class Recording(Adaptation):
    """Renames every Dense to TFSMLayer and records what the hooks were given."""

    def __init__(self):
        self.seen: list = []

    def class_name(self, name):
        return "TFSMLayer" if name == "Dense" else name

    def layer_config(self, cls, config):
        self.seen.append(copy.deepcopy(config))
        return config

    def model(self, raw, model, depth):
        self.seen.append(copy.deepcopy(model))


def test_adaptation_sees_sanitized_values_and_a_renamed_class_is_looked_up_again():
    adaptation = Recording()
    conv = layer("Conv2D", "conv", filters=2, kernel_size=3, activation="os.system",
                 kernel_initializer={"module": "os", "class_name": "system", "config": {}})
    out, sanitizer = sanitize(functional(conv, layer("Dense", "d", "conv", units=2)),
                              adaptation=adaptation)
    assert sanitizer.replaced == ["d"]  # renamed to a denied class: not built
    seen_conv = next(c for c in adaptation.seen if c.get("name") == "conv")
    assert seen_conv["activation"] == "linear"
    assert seen_conv["kernel_initializer"] is None
    for value in adaptation.seen:
        assert_only_allowed(value)


# -- the allow-list of the Keras installed -------------------------------------------------------

@pytest.fixture(scope="module")
def keras_allowed() -> AllowList:
    keras = pytest.importorskip("keras")
    from shapelint.crosscheck.sanitize import allow_list

    return allow_list(keras)


def test_the_keras_allow_list_has_the_built_in_layers_and_no_code_layers(keras_allowed):
    keras = pytest.importorskip("keras")
    assert keras_allowed.layers["Conv2D"] is keras.layers.Conv2D
    assert keras_allowed.layers["InputLayer"] is keras.layers.InputLayer
    assert {"Dense", "LSTM", "Bidirectional", "TimeDistributed", "StringLookup"} <= set(
        keras_allowed.layers)
    assert not DENIED_LAYERS & set(keras_allowed.layers)
    assert not {"Sequential", "Model", "Functional"} & set(keras_allowed.layers)
    assert all(not name.startswith("_") for name in keras_allowed.layers)
    assert keras_allowed.objects["GlorotUniform"] == (keras.initializers.GlorotUniform,
                                                      "keras.initializers")
    assert keras_allowed.objects["L2"][1] == "keras.regularizers"
    assert keras_allowed.objects["MaxNorm"][1] == "keras.constraints"
    assert keras_allowed.objects["DTypePolicy"][1] == "keras.dtype_policies"
    assert keras_allowed.models["Sequential"] == (keras.Sequential, keras.Sequential.__module__)
    assert {"relu", "gelu", "softmax", "linear"} <= keras_allowed.activations
    assert not {"exec", "eval", "system"} & keras_allowed.activations
    assert ("keras.src.ops.numpy", "Add") in keras_allowed.ops
    assert all(module.startswith("keras.src.ops.") for module, _ in keras_allowed.ops)


@pytest.mark.parametrize("case", sorted(STOOD_IN))
def test_the_keras_allow_list_stands_in_for_the_same_layers(keras_allowed, case):
    out, sanitizer = sanitize(functional(STOOD_IN[case]), keras_allowed)
    assert sanitizer.replaced == ["smuggled"]
    assert_only_allowed(out, keras_allowed)
