"""SL117's training-memory estimate next to the peak memory of a real Keras training step.

Each model runs in its own process: TensorFlow and Keras are imported and the training
data made first, and the resident set size then taken as the baseline; the model is built,
compiled with Adam and fit for 2 steps at the batch size; the measured figure is the
peak resident set size (``ru_maxrss``) minus that baseline. The estimate is shapelint's
(activations at the batch size + weights + gradients + two Adam slots, float32), from the
model's config. ratio = measured / estimated.

    python benchmarks/memory.py [--only cnn]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

# name -> (batch size, builder source: makes `model` and the input shape `shape`)
MODELS = {
    "cnn": (64, """
shape = (128, 128, 3)
inputs = keras.Input(shape)
x = inputs
for filters in (32, 64, 128):
    x = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
    x = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
    x = layers.MaxPooling2D()(x)
x = layers.GlobalAveragePooling2D()(x)
model = keras.Model(inputs, layers.Dense(10)(x))
"""),
    "mobilenetv2": (32, """
shape = (160, 160, 3)
model = keras.applications.MobileNetV2(input_shape=shape, weights=None, classes=10)
"""),
    "mlp": (256, """
shape = (3072,)
model = keras.Sequential([keras.Input(shape), layers.Dense(2048, activation="relu"),
                          layers.Dense(2048, activation="relu"), layers.Dense(10)])
"""),
}

CHILD = """
import json, os, resource, sys
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
import numpy as np
import keras
from keras import layers

def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

batch = int(sys.argv[1])
exec(sys.argv[2])
data_x = np.zeros((batch * 2,) + shape, "float32")
data_y = np.zeros((batch * 2,), "int32")
config = json.loads(model.to_json())
keras.utils.set_random_seed(0)
del model
import gc; gc.collect()
base = rss()
exec(sys.argv[2])
model.compile(optimizer="adam",
              loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
model.fit(data_x, data_y, batch_size=batch, epochs=1, verbose=0)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"measured": peak - base, "config": config}))
"""


def measure(name: str) -> dict:
    batch, source = MODELS[name]
    done = subprocess.run([sys.executable, "-c", CHILD, str(batch), source],
                          capture_output=True, text=True, check=True)
    found = json.loads(done.stdout.strip().splitlines()[-1])
    from shapelint.loading import load_config
    from shapelint.rules.memory import bytes_text, training_memory
    from shapelint.shapes.propagate import propagate

    trace = propagate(load_config(found["config"]))
    estimate = training_memory(trace, batch)
    return {"model": name, "batch": batch, "estimated": estimate.total,
            "activations": estimate.activations, "measured": found["measured"],
            "ratio": found["measured"] / estimate.total,
            "text": f"{bytes_text(estimate.total)} estimated, {bytes_text(found['measured'])} "
                    "measured"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=tuple(MODELS), action="append")
    args = parser.parse_args()
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(__file__)), "src"))
    print("| model | batch | estimated | of which activations | measured peak | ratio |")
    print("|---|---|---|---|---|---|")
    from shapelint.rules.memory import bytes_text

    for name in args.only or MODELS:
        r = measure(name)
        print(f"| {name} | {r['batch']} | {bytes_text(r['estimated'])} | "
              f"{bytes_text(r['activations'])} | {bytes_text(r['measured'])} | "
              f"{r['ratio']:.2f} |", flush=True)


if __name__ == "__main__":
    main()
