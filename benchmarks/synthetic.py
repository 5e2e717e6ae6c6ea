"""Synthetic Keras 3 functional model configs of any size, written as JSON without TF.

Layers are written exactly as ``model.to_json()`` writes them (every field, with the
recorded ``__keras_tensor__`` shapes in ``inbound_nodes``), on a 16×16×8 map:

* ``chain``: Input, then Conv2D(3×3, same) → BatchNormalization → ReLU, repeated;
* ``dag``: Input, then residual blocks Conv2D → BN → ReLU → Conv2D → BN → Add(block
  input, BN) → ReLU, with every fourth block's Add also taking the block input of the
  block before (a three-way merge reaching back two blocks).

    python benchmarks/synthetic.py chain 1000 out.json
"""

from __future__ import annotations

import json
import sys

SHAPE = [None, 16, 16, 8]
DTYPE = {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"},
         "registered_name": None}


def _init(name: str, config: dict = None) -> dict:
    return {"module": "keras.initializers", "class_name": name, "config": config or {},
            "registered_name": None}


def _tensor(source: str) -> dict:
    return {"class_name": "__keras_tensor__",
            "config": {"shape": SHAPE, "dtype": "float32", "keras_history": [source, 0, 0]}}


def _layer(class_name: str, name: str, config: dict, sources: list, kwargs: dict = None) -> dict:
    args = [_tensor(s) for s in sources]
    merge = class_name == "Add"
    return {"module": "keras.layers", "class_name": class_name,
            "config": {"name": name, "trainable": True, "dtype": DTYPE, **config},
            "registered_name": None,
            "build_config": {"input_shape": [SHAPE] * len(sources) if merge else SHAPE},
            "name": name,
            "inbound_nodes": [{"args": [args] if merge else args, "kwargs": kwargs or {}}]}


def conv(name: str, source: str) -> dict:
    return _layer("Conv2D", name, {
        "filters": SHAPE[-1], "kernel_size": [3, 3], "strides": [1, 1], "padding": "same",
        "data_format": "channels_last", "dilation_rate": [1, 1], "groups": 1,
        "activation": "linear", "use_bias": False,
        "kernel_initializer": _init("GlorotUniform", {"seed": None, "input_axes": None,
                                                      "output_axes": None}),
        "bias_initializer": _init("Zeros"), "kernel_regularizer": None,
        "bias_regularizer": None, "activity_regularizer": None, "kernel_constraint": None,
        "bias_constraint": None}, [source])


def batch_norm(name: str, source: str) -> dict:
    return _layer("BatchNormalization", name, {
        "axis": -1, "momentum": 0.99, "epsilon": 0.001, "center": True, "scale": True,
        "beta_initializer": _init("Zeros"), "gamma_initializer": _init("Ones"),
        "moving_mean_initializer": _init("Zeros"), "moving_variance_initializer": _init("Ones"),
        "beta_regularizer": None, "gamma_regularizer": None, "beta_constraint": None,
        "gamma_constraint": None, "synchronized": False, "renorm": False,
        "renorm_clipping": None, "renorm_momentum": 0.99}, [source], {"mask": None})


def relu(name: str, source: str) -> dict:
    return _layer("ReLU", name, {"max_value": None, "negative_slope": 0.0, "threshold": 0.0},
                  [source])


def add(name: str, sources: list) -> dict:
    return _layer("Add", name, {}, sources)


def _input() -> dict:
    return {"module": "keras.layers", "class_name": "InputLayer",
            "config": {"batch_shape": SHAPE, "dtype": "float32", "sparse": False,
                       "ragged": False, "name": "input", "optional": False},
            "registered_name": None, "name": "input", "inbound_nodes": []}


def _chain_layers(n: int) -> list:
    layers = [_input()]
    makers = (conv, batch_norm, relu)
    while len(layers) < n:
        i = len(layers) - 1
        layers.append(makers[i % 3](f"{makers[i % 3].__name__}_{i}", layers[-1]["name"]))
    return layers


def _dag_layers(n: int) -> list:
    layers = [_input()]
    block_inputs = ["input"]
    block = 0
    while len(layers) < n:
        start = block_inputs[-1]
        previous = start
        for step, make in enumerate((conv, batch_norm, relu, conv, batch_norm, add, relu)):
            if len(layers) >= n:
                break
            name = f"b{block}_{make.__name__}{step}"
            if make is add:
                sources = [start, previous]
                if block % 4 == 3 and len(block_inputs) > 1:
                    sources.append(block_inputs[-2])
                layers.append(add(name, sources))
            else:
                layers.append(make(name, previous))
            previous = name
        block_inputs.append(previous)
        block += 1
    return layers


def model_config(kind: str, n: int) -> dict:
    """A functional model with exactly ``n`` layers (input included)."""
    layers = {"chain": _chain_layers, "dag": _dag_layers}[kind](n)
    return {"module": "keras.src.models.functional", "class_name": "Functional",
            "config": {"name": f"{kind}_{n}", "trainable": True, "layers": layers,
                       "input_layers": ["input", 0, 0],
                       "output_layers": [layers[-1]["name"], 0, 0]},
            "registered_name": "Functional", "build_config": {"input_shape": None},
            "compile_config": None}


def write(path: str, kind: str, n: int) -> str:
    with open(path, "w") as f:
        json.dump(model_config(kind, n), f)
    return path


if __name__ == "__main__":
    kind, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    write(out, kind, n)
