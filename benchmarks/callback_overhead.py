"""The cost of ``ShapeLintCallback`` on a healthy fit of a small CNN.

    python benchmarks/callback_overhead.py [--quick]

Both sides run in the same process, alternately, on fresh models of the same seed:
``fit`` without the callback (the baseline) and with it. Two kinds of data:

* ``arrays``: numpy arrays (every size known when the step is traced: the callback
  checks once, at trace time);
* ``open sizes``: a ``tf.data.Dataset.from_generator`` whose spec leaves the image size
  open (``(None, None, 1)``): the traced step also calls the run-time check of each
  concrete batch (a ``tf.numpy_function`` that returns at once for a shape seen before).

Reported per side: the median time of a training step after the first epoch (tracing
excluded), and the whole ``fit`` (tracing and the checks included); the ratio is
callback / baseline.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))


class StepTimer:
    """Per-step wall times of the epochs after the first."""

    def __new__(cls):
        import keras

        class _Timer(keras.callbacks.Callback):
            def __init__(self):
                super().__init__()
                self.epoch = 0
                self.times = []
                self._start = 0.0

            def on_epoch_begin(self, epoch, logs=None):
                self.epoch = epoch

            def on_train_batch_begin(self, batch, logs=None):
                self._start = time.perf_counter()

            def on_train_batch_end(self, batch, logs=None):
                if self.epoch >= 1:
                    self.times.append(time.perf_counter() - self._start)

        return _Timer()


def small_cnn():
    import keras
    from keras import layers

    keras.utils.set_random_seed(0)
    inputs = keras.Input((None, None, 1))
    x = layers.Conv2D(16, 3, activation="relu")(inputs)
    x = layers.MaxPooling2D(2)(x)
    x = layers.Conv2D(32, 3, activation="relu")(x)
    x = layers.GlobalAveragePooling2D()(x)
    outputs = layers.Dense(10, activation="softmax")(x)
    model = keras.Model(inputs, outputs)
    model.compile("adam", "sparse_categorical_crossentropy")
    return model


def data(kind: str, samples: int, batch: int):
    import numpy as np
    import tensorflow as tf

    rng = np.random.default_rng(0)
    x = rng.normal(size=(samples, 28, 28, 1)).astype("float32")
    y = rng.integers(0, 10, size=(samples,))
    if kind == "arrays":
        return {"x": x, "y": y, "batch_size": batch}

    def pairs():
        yield from zip(x, y)

    dataset = tf.data.Dataset.from_generator(pairs, output_signature=(
        tf.TensorSpec((None, None, 1), tf.float32), tf.TensorSpec((), tf.int64)))
    return {"x": dataset.batch(batch).cache()}


def one_fit(kind: str, with_callback: bool, samples: int, batch: int, epochs: int) -> tuple:
    import shapelint

    model = small_cnn()
    timer = StepTimer()
    callbacks = [timer] + ([shapelint.ShapeLintCallback()] if with_callback else [])
    start = time.perf_counter()
    model.fit(**data(kind, samples, batch), epochs=epochs, verbose=0, callbacks=callbacks)
    total = time.perf_counter() - start
    return statistics.median(timer.times), total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    runs, samples, batch, epochs = (3, 1024, 32, 3) if args.quick else (5, 2048, 32, 4)
    print(f"small CNN, {samples} 28×28 images, batch {batch}, {epochs} epochs, "
          f"{runs} runs per side, alternating")
    print(f"{'data':<12} {'step baseline':>14} {'step callback':>14} {'ratio':>6} "
          f"{'fit baseline':>13} {'fit callback':>13} {'ratio':>6}")
    for kind in ("arrays", "open sizes"):
        sides = {False: [], True: []}
        for _ in range(runs):
            for with_callback in (False, True):
                sides[with_callback].append(one_fit(kind, with_callback, samples, batch, epochs))
        step = {k: statistics.median(s for s, _ in v) for k, v in sides.items()}
        fit = {k: statistics.median(t for _, t in v) for k, v in sides.items()}
        print(f"{kind:<12} {step[False] * 1e3:>11.2f} ms {step[True] * 1e3:>11.2f} ms "
              f"{step[True] / step[False]:>6.3f} {fit[False]:>11.2f} s {fit[True]:>11.2f} s "
              f"{fit[True] / fit[False]:>6.3f}")


if __name__ == "__main__":
    main()
