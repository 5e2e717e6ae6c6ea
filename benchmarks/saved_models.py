"""The ``.keras`` files the benchmarks lint, built once with Keras and cached.

* ``resnet50``, ``efficientnetb7``: ``keras.applications.<App>(weights=None)``
  (EfficientNetB7's file is ~260 MB of random weights);
* ``residual500``: a 500-layer synthetic model: 71 residual blocks Conv2D(3×3, same)
  → BN → ReLU → Conv2D → BN → Add → ReLU on 32×32×16, then global pooling and a Dense.

The cache is ``$SHAPELINT_BENCH_CACHE`` or ``~/.cache/shapelint-benchmarks``.

    python benchmarks/saved_models.py [NAME...]    # build (if missing) and print paths
"""

from __future__ import annotations

import os
import sys

from measure import QUIET_TF, BenchmarkError, python_snippet, run_once

NAMES = ("resnet50", "efficientnetb7", "residual500")

BUILD = """
import os, sys
import keras

name, path = sys.argv[1], sys.argv[2]
if name == "resnet50":
    model = keras.applications.ResNet50(weights=None)
elif name == "efficientnetb7":
    model = keras.applications.EfficientNetB7(weights=None)
else:
    layers = keras.layers
    inputs = x = layers.Input((32, 32, 16), name="image")
    for b in range(71):
        y = layers.Conv2D(16, 3, padding="same", name=f"b{b}_conv1")(x)
        y = layers.BatchNormalization(name=f"b{b}_bn1")(y)
        y = layers.ReLU(name=f"b{b}_relu1")(y)
        y = layers.Conv2D(16, 3, padding="same", name=f"b{b}_conv2")(y)
        y = layers.BatchNormalization(name=f"b{b}_bn2")(y)
        y = layers.Add(name=f"b{b}_add")([x, y])
        x = layers.ReLU(name=f"b{b}_relu2")(y)
    x = layers.GlobalAveragePooling2D(name="pool")(x)
    model = keras.Model(inputs, layers.Dense(10, name="classes")(x), name="residual500")
    assert len(model.layers) == 500, len(model.layers)
model.save(path + ".part.keras")
os.replace(path + ".part.keras", path)
"""


def cache_dir() -> str:
    default = os.path.join(os.path.expanduser("~"), ".cache", "shapelint-benchmarks")
    path = os.environ.get("SHAPELINT_BENCH_CACHE", default)
    os.makedirs(path, exist_ok=True)
    return path


def model_path(name: str) -> str:
    """The cached ``.keras`` file of ``name``, built first if it is missing (needs TF)."""
    if name not in NAMES:
        raise ValueError(f"unknown model {name!r}; known: {', '.join(NAMES)}")
    path = os.path.join(cache_dir(), f"{name}.keras")
    if not os.path.exists(path):
        print(f"  building {name}.keras once (cached in {cache_dir()}) ...", flush=True)
        try:
            run_once(python_snippet(BUILD, name, path), ok_codes=(0,), env=QUIET_TF)
        except BenchmarkError as e:
            raise BenchmarkError(f"cannot build {name} with Keras (is TensorFlow installed?)"
                                 f": {e}") from None
    return path


if __name__ == "__main__":
    for name in sys.argv[1:] or NAMES:
        path = model_path(name)
        print(f"{path}  {os.path.getsize(path) / 2**20:.0f} MiB")
