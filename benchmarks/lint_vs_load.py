"""Lint vs load: ``shapelint MODEL.keras`` next to what a user runs today,
``python -c "import keras; keras.models.load_model('MODEL.keras').summary()"``.

Whole processes, alternating, medians; ratio = load time / lint time (goal >= 50x).

    python benchmarks/lint_vs_load.py [--runs 5] [resnet50 efficientnetb7 residual500]
"""

from __future__ import annotations

import argparse
import os

from measure import Row, bench_env, compare, python_snippet, seconds, shapelint_command, table
from saved_models import NAMES, cache_dir, model_path

LOAD = "import sys, keras; keras.models.load_model(sys.argv[1]).summary()"
GOAL = 50
LABELS = {"resnet50": "ResNet50", "efficientnetb7": "EfficientNetB7",
          "residual500": "synthetic 500 layers"}


def run(runs: int, names=NAMES) -> list:
    env = bench_env(cache_dir())
    rows = []
    for name in names:
        path = model_path(name)
        size = os.path.getsize(path) / 2**20
        print(f"  lint vs load: {LABELS[name]} ({size:.0f} MiB), {runs} runs each", flush=True)
        s = compare({"lint": shapelint_command() + [path],
                     "load": python_snippet(LOAD, path)}, runs, env=env)
        lint, load = s["lint"], s["load"]
        ratio = load.time / lint.time
        rows.append(Row(f"lint vs load_model().summary(): {LABELS[name]} ({size:.0f} MiB .keras)",
                        f"{seconds(lint.time)}, {lint.peak:.0f} MiB",
                        f"{seconds(load.time)}, {load.peak:.0f} MiB",
                        f"{ratio:.0f}× faster", f"≥ {GOAL}×", ratio >= GOAL))
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("models", nargs="*", metavar="MODEL", help=", ".join(NAMES))
    options = parser.parse_args()
    print(table(run(options.runs, options.models or NAMES)))
