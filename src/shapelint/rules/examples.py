"""Tiny model specs of the rule examples (``valid:``/``invalid:`` in the packs).

An example is ``{input: [h, w, c]}`` (or ``{inputs: {name: shape, ...}}``) and a list
of ``layers``, each a one-key mapping ``{ClassName: {config}}``. Layers form a chain
unless one names its ``inputs``; ``name`` sets a layer's name and ``recorded`` the
output shape the "file" records for it. The result is a Keras 3 Functional config.
``loss`` (a name or a ``{class_name, config}`` dict) is saved as its ``compile_config``;
``x`` and ``y`` (shapes, batch dim first) and ``y_max`` describe the data
(:func:`example_data`); ``batch_size`` and ``memory_budget`` what memory is asked about
(:func:`example_memory`). Any other key is an error.
"""

from __future__ import annotations

from typing import Any


def _tensor(name: str, shape) -> dict:
    config = {"keras_history": [name, 0, 0]}
    if shape is not None:
        config["shape"] = shape
    return {"class_name": "__keras_tensor__", "config": config}


KEYS = frozenset({"input", "inputs", "layers", "loss", "x", "y", "y_max", "batch_size",
                  "memory_budget"})


def example_config(example: dict) -> dict:
    """The Keras 3 ``{"class_name": "Functional", "config": ...}`` of one example."""
    unknown = set(example) - KEYS
    if unknown:
        raise ValueError(f"unknown example key {sorted(unknown)[0]!r} "
                         f"(allowed: {', '.join(sorted(KEYS))})")
    if "inputs" in example:
        inputs = dict(example["inputs"])
    else:
        inputs = {"input": example["input"]}
    layers = [{"class_name": "InputLayer", "name": name, "inbound_nodes": [],
               "config": {"name": name, "batch_shape": [None, *shape]}}
              for name, shape in inputs.items()]
    recorded: dict = {}
    previous = list(inputs)[-1]
    for i, item in enumerate(example["layers"]):
        if not isinstance(item, dict) or len(item) != 1:
            raise ValueError(f"layer #{i}: expected {{ClassName: {{config}}}}, got {item!r}")
        (class_name, config), = item.items()
        config = dict(config or {})
        name = config.pop("name", f"{class_name.lower()}_{i}")
        sources = config.pop("inputs", [previous])
        if "recorded" in config:
            recorded[name] = config.pop("recorded")
        args: Any = [_tensor(s, recorded.get(s)) for s in sources]
        layers.append({"class_name": class_name, "name": name,
                       "config": {"name": name, **config},
                       "inbound_nodes": [{"args": args if len(args) == 1 else [args],
                                          "kwargs": {}}]})
        previous = name
    config = {"class_name": "Functional", "config": {
        "name": "example", "layers": layers,
        "input_layers": [[name, 0, 0] for name in inputs],
        "output_layers": [[previous, 0, 0]]}}
    if "loss" in example:
        config["compile_config"] = {"loss": example["loss"]}
    return config


def example_data(example: dict):
    """The example's data (a DataSpec of its ``x`` and ``y`` shapes), or None."""
    from shapelint.loading.data import Array, DataSpec

    if "x" not in example and "y" not in example:
        return None

    def array(shape, high=None):
        return Array(tuple(shape), "float32", high, 0 if high is not None else None)

    return DataSpec(array(example["x"]) if "x" in example else None,
                    array(example["y"], example.get("y_max")) if "y" in example else None)


def example_memory(example: dict):
    """What memory the example asks about (a rules.memory.Memory), or None."""
    from shapelint.rules.memory import Memory, parse_bytes

    if "batch_size" not in example and "memory_budget" not in example:
        return None
    budget = example.get("memory_budget")
    return Memory(example.get("batch_size", 1), parse_bytes(budget) if budget else None)
