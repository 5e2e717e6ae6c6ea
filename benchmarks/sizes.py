"""The input-size sweep next to running the model at each size (needs TensorFlow).

    python benchmarks/sizes.py [--runs 5] [--step 32]

On ResNet50 with dynamic input (``keras.applications.ResNet50(include_top=False,
weights=None, input_shape=(None, None, 3))``), over the square sizes 1..1024:

* shapelint: the sweep itself (``analyse_sizes``: every size, exactly), timed inside
  fresh processes, median of ``--runs``; also the whole ``shapelint --sizes 1:1024``
  process;
* TensorFlow: the model run eagerly on a zero batch of one at every ``--step``-th size
  (16, 48, ... for 32), the model built once beforehand and not timed; the mean time of
  those sizes times 1024 estimates running every size. Measured in the same run. The
  estimate is an extrapolation (running all 1024 sizes would take many minutes); it is
  generous to TF, which is not charged for its import or the model build.

Goal: sweep < 0.5 s, and >= 1000x faster than running the model at each size.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys

from measure import (QUIET_TF, BenchmarkError, Row, bench_env, compare,
                     seconds, shapelint_command, table)
from saved_models import cache_dir

GOAL_SECONDS, GOAL_RATIO = 0.5, 1000
LO, HI = 1, 1024

WRITE_CONFIG = """
import sys, keras
model = keras.applications.ResNet50(include_top=False, weights=None, input_shape=(None, None, 3))
open(sys.argv[1], "w").write(model.to_json())
"""

SWEEP = """
import json, sys, time
from shapelint.loading import build_spec, model_config_from
from shapelint.shapes.propagate import propagate
from shapelint.shapes.sizes import analyse_sizes
spec = build_spec(model_config_from(json.load(open(sys.argv[1]))))
trace = propagate(spec)
start = time.perf_counter()
found = analyse_sizes(spec, trace, [(int(sys.argv[2]), int(sys.argv[3]))])
print(time.perf_counter() - start, len(found.sizes.valid), found.sizes.rule)
"""

RUN_TF = """
import json, sys, time
import numpy as np, keras
model = keras.models.model_from_json(open(sys.argv[1]).read())
for n in map(int, sys.argv[2:]):
    x = np.zeros((1, n, n, 3), "float32")
    start = time.perf_counter()
    model([x])
    print(n, time.perf_counter() - start, flush=True)
"""


def config_path() -> str:
    path = os.path.join(cache_dir(), "resnet50_dynamic.json")
    if not os.path.exists(path):
        print("  writing the dynamic ResNet50 config once (needs TF) ...", flush=True)
        done = subprocess.run([sys.executable, "-c", WRITE_CONFIG, path], env=QUIET_TF,
                              capture_output=True, text=True)
        if done.returncode != 0:
            raise BenchmarkError(f"cannot build ResNet50 with Keras: {done.stderr[-800:]}")
    return path


def sweep_times(path: str, runs: int) -> tuple:
    times, answer = [], ""
    for _ in range(runs):
        done = subprocess.run([sys.executable, "-c", SWEEP, path, str(LO), str(HI)],
                              capture_output=True, text=True, env=bench_env(cache_dir()))
        if done.returncode != 0:
            raise BenchmarkError(f"sweep failed: {done.stderr[-800:]}")
        elapsed, count, rule = done.stdout.split(" ", 2)
        times.append(float(elapsed))
        answer = f"{count} valid sizes: {rule.strip()}"
    return statistics.median(times), answer


def tf_estimate(path: str, step: int) -> tuple:
    sizes = list(range(step // 2, HI + 1, step))
    done = subprocess.run([sys.executable, "-c", RUN_TF, path, *map(str, sizes)],
                          capture_output=True, text=True, env=QUIET_TF)
    if done.returncode != 0:
        raise BenchmarkError(f"running ResNet50 in TF failed: {done.stderr[-800:]}")
    times = [float(line.split()[1]) for line in done.stdout.splitlines()]
    return statistics.mean(times) * (HI - LO + 1), len(times), sum(times)


def run(runs: int = 5, step: int = 32) -> list:
    path = config_path()
    sweep, answer = sweep_times(path, runs)
    print(f"  sweep {LO}..{HI}: median {seconds(sweep)} ({answer})", flush=True)
    process = compare({"shapelint": shapelint_command() + ["--sizes", f"{LO}:{HI}", path]},
                      runs, env=bench_env(cache_dir()))["shapelint"].time
    print(f"  shapelint --sizes {LO}:{HI}: whole process, median {seconds(process)}", flush=True)
    estimate, sampled, spent = tf_estimate(path, step)
    print(f"  TF eager at {sampled} sizes: {seconds(spent)}; estimate for all {HI - LO + 1}: "
          f"{seconds(estimate)}", flush=True)
    return [
        Row(f"sizes sweep {LO}..{HI}, ResNet50 (in process)", seconds(sweep), "", "",
            f"< {GOAL_SECONDS} s", sweep < GOAL_SECONDS),
        Row(f"sizes sweep vs TF running every size (est. from {sampled} sizes)",
            seconds(sweep), seconds(estimate), f"{estimate / sweep:,.0f}×",
            f"≥ {GOAL_RATIO}×", estimate / sweep >= GOAL_RATIO),
        Row(f"shapelint --sizes {LO}:{HI} (whole process) vs TF every size",
            seconds(process), seconds(estimate), f"{estimate / process:,.0f}×", "", None),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--step", type=int, default=32, help="TF runs every STEP-th size")
    options = parser.parse_args()
    print(table(run(options.runs, options.step)))


if __name__ == "__main__":
    main()
