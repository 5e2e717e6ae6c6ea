"""Cost of the TF cross-check next to plain Keras deserialization (needs TensorFlow).

    python benchmarks/crosscheck.py [--runs 5] [--app ResNet50]

Times, in fresh interpreters (whole process: start, imports, work), on the config of
``keras.applications.<app>(weights=None)``:

* ``tf_output_shapes(config)``: sanitizing, building and reading every call's shape;
* ``keras.models.model_from_json(json)``: what building the same config costs anyway.

Runs alternate between the two; medians are reported, with the ratio (goal: <= 1.3x).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

MAKE = """
import sys, keras
model = getattr(keras.applications, sys.argv[2])(weights=None)
open(sys.argv[1], "w").write(model.to_json())
"""

CROSSCHECK = """
import json, resource, sys
from shapelint.crosscheck import tf_output_shapes
result = tf_output_shapes(json.load(open(sys.argv[1])))
assert result.error is None and result.shapes, result.error
print(len(result.shapes), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""

FROM_JSON = """
import resource, sys
import keras
model = keras.models.model_from_json(open(sys.argv[1]).read())
print(len(model.layers), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def run(code: str, *args: str) -> tuple:
    """(seconds, stdout fields) of one fresh interpreter running ``code``."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          env=env)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"benchmark child failed:\n{done.stderr[-2000:]}")
    return elapsed, done.stdout.split()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--app", default="ResNet50")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "model.json")
        run(MAKE, path, options.app)
        print(f"{options.app}: config {os.path.getsize(path) / 1024:.0f} KiB, "
              f"{options.runs} runs each, alternating")
        times = {"tf_output_shapes": [], "model_from_json": []}
        peaks = {"tf_output_shapes": [], "model_from_json": []}
        for _ in range(options.runs):
            for label, code in (("tf_output_shapes", CROSSCHECK), ("model_from_json", FROM_JSON)):
                elapsed, fields = run(code, path)
                times[label].append(elapsed)
                peaks[label].append(int(fields[1]) / 1024)
    for label in times:
        runs = ", ".join(f"{t:.2f}" for t in times[label])
        print(f"  {label:17s} median {statistics.median(times[label]):.2f} s  "
              f"(runs: {runs})  peak RSS {statistics.median(peaks[label]):.0f} MiB")
    ratio = statistics.median(times["tf_output_shapes"]) / statistics.median(
        times["model_from_json"])
    print(f"  ratio tf_output_shapes / model_from_json: {ratio:.2f}x (goal <= 1.3x)")


if __name__ == "__main__":
    main()
