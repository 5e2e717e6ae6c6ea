"""Run every benchmark and print one table of ratios.

    python benchmarks/run.py [--quick]

A few minutes on 2 cores (``--quick``: fewer runs, scaling up to 10^4 layers). Needs
TensorFlow for the load side (the models are built once and cached, see
saved_models.py). Every ratio compares two sides measured in the same run, as
medians of whole processes taken alternately: absolute times on a shared machine
are noise, ratios much less so. Modules:

* lint_vs_load.py: ``shapelint MODEL.keras`` vs ``load_model(...).summary()``
* scaling.py: 10^2 .. 10^5-layer synthetic configs (synthetic.py): time, memory, growth
* startup.py: import time, ``--version``, and no TF/Keras/h5py/pydantic on the lint path
* crosscheck.py (when present): the TF cross-check vs plain deserialization
* sizes.py: ``--sizes 1:1024`` on ResNet50 vs TF running the model at each size

Exit status: 0 when every benchmark ran (a missed goal is reported, not an error);
1 when one could not run, or the lint path imported a heavy module.
"""

from __future__ import annotations

import argparse
import datetime
import os
import re
import subprocess
import sys

import lint_vs_load
import scaling
import sizes
import startup
from measure import BenchmarkError, Row, bench_env, table
from saved_models import cache_dir

HERE = os.path.dirname(os.path.abspath(__file__))


def crosscheck(quick: bool) -> list:
    """Run benchmarks/crosscheck.py (if it exists) and turn its ratio line into a row."""
    script = os.path.join(HERE, "crosscheck.py")
    if not os.path.exists(script):
        return []
    print("  cross-check: benchmarks/crosscheck.py", flush=True)
    cmd = [sys.executable, script] + (["--runs", "3"] if quick else [])
    done = subprocess.run(cmd, capture_output=True, text=True, env=bench_env(cache_dir()))
    if done.returncode == 2 and "unrecognized arguments" in done.stderr:  # no --runs option
        done = subprocess.run(cmd[:2], capture_output=True, text=True, env=bench_env(cache_dir()))
    if done.returncode != 0:
        raise BenchmarkError(f"crosscheck.py failed:\n{(done.stderr or done.stdout)[-1500:]}")
    print("\n".join("    " + line for line in done.stdout.splitlines()), flush=True)
    ratio = re.search(r"ratio\s+(.*?):\s*([0-9.]+)x", done.stdout)
    if ratio is None:
        raise BenchmarkError(f"crosscheck.py printed no ratio:\n{done.stdout[-1500:]}")
    medians = dict(re.findall(r"^\s*(\S+)\s+median\s+([0-9.]+ s)", done.stdout, re.M))
    goal = re.search(r"goal\s*(<=|≤)\s*([0-9.]+)x", done.stdout)
    sides = ratio.group(1).split(" / ")
    value = float(ratio.group(2))
    return [Row(f"TF cross-check (crosscheck.py): {ratio.group(1)}",
                medians.get(sides[0], ""), medians.get(sides[-1], ""), f"{value:.2f}×",
                f"≤ {goal.group(2)}×" if goal else "",
                value <= float(goal.group(2)) if goal else None)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="fewer runs; scaling up to 10^4 layers")
    options = parser.parse_args()
    quick = options.quick
    runs = 3 if quick else 5
    print(f"shapelint benchmarks, {datetime.date.today()}, {os.cpu_count()} cores, "
          f"Python {sys.version.split()[0]}; medians of {runs} runs "
          f"(scaling: 3; start-up: {10 if quick else 15})", flush=True)
    sections = [
        ("lint vs load", lambda: lint_vs_load.run(runs)),
        ("scaling", lambda: scaling.run(3, 10_000 if quick else 100_000)),
        ("start-up", lambda: startup.run(10 if quick else 15)),
        ("cross-check", lambda: crosscheck(quick)),
        ("sizes sweep", lambda: sizes.run(runs, 64 if quick else 32)),
    ]
    rows: list = []
    failed = []
    for title, bench in sections:
        try:
            rows.extend(bench())
        except BenchmarkError as e:
            failed.append(title)
            print(f"  {title}: could not run: {e}", file=sys.stderr, flush=True)
            rows.append(Row(title, "could not run", "", "", "", None))
    print()
    print(table(rows))
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
