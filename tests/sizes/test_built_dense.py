"""A model built at 28×28 (Flatten → Dense) and saved with unknown input sizes: its Dense
has weights for 784 features, which its build_config records. Keras refuses to build it
at an unknown size, and TF runs it at 28×28 only; the size sweep must say so too."""

from __future__ import annotations

import json

from shapelint.lint import analyse
from shapelint.shapes.sizes import parse_ranges


def test_the_sweep_reads_the_dense_build_shape(keras):
    import numpy as np

    def mnist(size):
        return keras.Sequential([keras.Input((size, size, 1)),
                                 keras.layers.Conv2D(4, 3, padding="same", name="conv"),
                                 keras.layers.Flatten(name="flatten"),
                                 keras.layers.Dense(10, name="dense")])

    built = mnist(28)
    weights = built.get_weights()
    runs = []
    for n in range(20, 37):  # TF: only 28×28 takes the weights the Dense was built with
        try:
            model = mnist(n)
            model.set_weights(weights)
            model(np.zeros((1, n, n, 1)))
            runs.append(n)
        except ValueError:
            pass
    assert runs == [28]

    config = json.loads(built.to_json())
    config["config"]["layers"][0]["config"]["batch_shape"] = [None, None, None, 1]
    dense = config["config"]["layers"][-1]
    assert dense["build_config"]["input_shape"] == [None, 28 * 28 * 4]
    result = analyse(config, "mnist.json", sizes=parse_ranges("1:64"))
    assert result.status == "ok" and not [f for f in result.findings if f.severity == "error"]
    found = result.input_sizes.sizes
    assert found.valid == [28]
    assert found.why == ("fails at 29: dense: Dense has weights for 3136 input features (the "
                         "size it was built at), gets 3364")
    at_30 = analyse(config, "mnist.json", input_shapes=[(30, 30, 1)])
    assert [(f.rule, f.layer) for f in at_30.findings if f.severity == "error"] == [
        ("SL003", "dense")]
