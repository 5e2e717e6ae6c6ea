"""Scaling: ``shapelint FILE.json --format json -o /dev/null`` on synthetic configs of
10^2 .. 10^5 layers (see synthetic.py), as chains and as residual DAGs, and the HTML
report of the DAGs up to 10^4 layers.

All sizes of one kind run interleaved; per size: median wall time, peak RSS, time per
layer, and the growth of time and memory from the size 10x smaller. Goals: linear
(time grows at most 12x for 10x the layers) and 10^4 layers in under 1 s.

    python benchmarks/scaling.py [--runs 3] [--max 100000]
"""

from __future__ import annotations

import argparse
import os
import tempfile

import synthetic
from measure import Row, bench_env, compare, run_once, seconds, shapelint_command, table
from saved_models import cache_dir

SIZES = (100, 1_000, 10_000, 100_000)
MAX_GROWTH = 12  # for 10x the layers; linear is 10 at most (start-up costs do not grow)
BUDGET = {10_000: 1.0}  # seconds
# what each series lints: (kind of model, --format, largest size)
SERIES = (("chain", "json", SIZES[-1]), ("dag", "json", SIZES[-1]), ("dag", "html", 10_000))
HTML_BUDGET = {10_000: 5.0}  # seconds: a page of 10^4 nodes is a few MB of SVG


def _power(n: int) -> str:
    exponent = len(str(n)) - 1
    return f"10^{exponent}" if n == 10 ** exponent else str(n)


def run(runs: int, max_size: int = SIZES[-1]) -> list:
    # a 10^5-layer config is ~100 MB and 100,001 layer calls, over the default caps (64 MiB,
    # 100,000 calls): raise them, as a user with such a model would
    env = dict(bench_env(cache_dir()), SHAPELINT_MAX_CONFIG_BYTES=str(1 << 30),
               SHAPELINT_MAX_LAYER_CALLS=str(1_000_000))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for kind, form, largest in SERIES:
            sizes = [n for n in SIZES if n <= min(max_size, largest)]
            budget = BUDGET if form == "json" else HTML_BUDGET
            label = kind if form == "json" else f"{kind}, {form} report,"
            paths = {n: synthetic.write(os.path.join(tmp, f"{kind}_{n}.json"), kind, n)
                     for n in sizes}
            print(f"  scaling: {label} {', '.join(map(_power, sizes))} layers, {runs} runs each",
                  flush=True)
            commands = {n: shapelint_command() + [paths[n], "--format", form, "-o", os.devnull]
                        for n in sizes}
            run_once(commands[sizes[0]], env=env)  # warm-up: caches, bytecode
            samples = compare(commands, runs, warmup=False, env=env)
            previous = None
            for n in sizes:
                s = samples[n]
                per_layer = s.time / n * 1e6
                row = Row(f"scaling: {label} of {_power(n)} layers",
                          f"{seconds(s.time)}, {s.peak:.0f} MiB, {per_layer:.0f} µs/layer",
                          "", "", "", None)
                goals = []
                met = True
                if previous is not None:
                    growth = s.time / previous.time
                    row.baseline = f"{_power(n // 10)} layers: {seconds(previous.time)}, " \
                                   f"{previous.peak:.0f} MiB"
                    row.ratio = f"time ×{growth:.1f}, memory ×{s.peak / previous.peak:.1f}"
                    goals.append(f"time ×≤ {MAX_GROWTH}")
                    met = growth <= MAX_GROWTH
                if n in budget:
                    goals.append(f"< {budget[n]:g} s")
                    met = met and s.time < budget[n]
                row.goal = ", ".join(goals)
                row.met = met if goals else None
                rows.append(row)
                previous = s
            for n in sizes:
                os.remove(paths[n])
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--max", type=int, default=SIZES[-1], help="largest size")
    options = parser.parse_args()
    print(table(run(options.runs, options.max)))
