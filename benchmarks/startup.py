"""Import and start-up cost of shapelint, next to a bare ``python -c pass``.

* ``python -X importtime -c "import shapelint"``: the package's cumulative import time;
* the same for everything a lint imports (``shapelint.cli.main`` on a model file, with
  every module it loads lazily), counted after the interpreter has started;
* ``shapelint --version`` wall time;
* a check, not a timing: after ``shapelint.cli.main`` lints model files (``.keras``,
  ``.json``, ``.yaml``) in a fresh interpreter, none of tensorflow, keras, h5py or
  pydantic may be in ``sys.modules``. If one is, the benchmark fails.

    python benchmarks/startup.py [--runs 15]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from typing import Optional

import synthetic
from measure import (BenchmarkError, Row, bench_env, compare, python_snippet, seconds,
                     shapelint_command, table)
from saved_models import cache_dir

GOAL_MS = 150
HEAVY = ("tensorflow", "keras", "h5py", "pydantic")
MARK = "--- shapelint benchmark: start ---"
LINT = f"""
import os, sys
sys.stderr.write({MARK!r} + "\\n"); sys.stderr.flush()
from shapelint.cli import main
main([*sys.argv[1:], "-q", "-o", os.devnull])
"""
CHECK = """
import json, os, sys
from shapelint.cli import main
code = main([*sys.argv[1:], "-o", os.devnull])
print(json.dumps({"code": code, "modules": sorted({m.split(".")[0] for m in sys.modules})}))
"""
EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples")


def import_ms(stderr: str, name: Optional[str] = None) -> float:
    """Milliseconds of ``-X importtime`` output: the cumulative time of ``name``, or the
    sum over every top-level import after MARK."""
    lines = stderr.splitlines()
    if name is None:
        lines = lines[lines.index(MARK) + 1:]
    total = 0
    for line in lines:
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, module = line[len("import time:"):].split("|")
        if module.startswith("  ") or not module.strip():
            continue  # nested: already in its parent's cumulative time
        if name is None or module.strip() == name:
            total += int(cumulative)
    return total / 1000


def importtime(code: str, args: list, env: dict, runs: int, name=None) -> float:
    values = []
    for _ in range(runs):
        done = subprocess.run([sys.executable, "-X", "importtime", "-c", code, *args],
                              capture_output=True, text=True, env=env)
        if done.returncode not in (0, 1):
            raise BenchmarkError(f"python -X importtime failed:\n{done.stderr[-1500:]}")
        values.append(import_ms(done.stderr, name))
    return statistics.median(values)


def heavy_modules(paths: list, env: dict) -> list:
    """The heavy modules a lint of ``paths`` imports (checked in a fresh interpreter)."""
    done = subprocess.run(python_snippet(CHECK, *paths), capture_output=True, text=True, env=env)
    if done.returncode != 0 or not done.stdout.strip():
        raise BenchmarkError(f"linting {paths} in-process failed:\n{done.stderr[-1500:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if result["code"] not in (0, 1):
        raise BenchmarkError(f"linting {paths} exited with {result['code']}")
    return [m for m in HEAVY if m in result["modules"]]


def run(runs: int) -> list:
    env = bench_env(cache_dir())
    with tempfile.TemporaryDirectory() as tmp:
        # model files in a folder without any shapelint configuration above it
        files = [synthetic.write(os.path.join(tmp, "chain.json"), "chain", 100)]
        with open(files[0]) as f, open(os.path.join(tmp, "chain.yaml"), "w") as g:
            json.dump(json.load(f), g)  # JSON is YAML
        files.append(os.path.join(tmp, "chain.yaml"))
        for name in sorted(os.listdir(EXAMPLES)) if os.path.isdir(EXAMPLES) else []:
            if name.endswith(".keras"):
                files.append(shutil.copy(os.path.join(EXAMPLES, name), tmp))
        keras_file = next((f for f in files if f.endswith(".keras")), files[0])

        print(f"  start-up: {runs} runs each", flush=True)
        s = compare({"version": shapelint_command() + ["--version"],
                     "bare": python_snippet("pass")}, runs, env=env)
        bare = s["bare"].time
        package = importtime("import shapelint", [], env, runs, name="shapelint")
        lint_imports = importtime(LINT, [keras_file], env, runs)
        heavy = heavy_modules(files, env)
    if heavy:
        raise BenchmarkError(f"the static lint path imported {', '.join(heavy)}")
    return [
        Row("import shapelint (-X importtime, cumulative)", f"{package:.1f} ms",
            f"python -c pass: {seconds(bare)}", f"{package / 1000 / bare:.2f}× a bare start",
            f"≤ {GOAL_MS} ms", package <= GOAL_MS),
        Row("imports of a lint (cli.main on a .keras, -X importtime)", f"{lint_imports:.0f} ms",
            f"python -c pass: {seconds(bare)}", f"{lint_imports / 1000 / bare:.1f}× a bare start",
            f"≤ {GOAL_MS} ms", lint_imports <= GOAL_MS),
        Row("shapelint --version (wall)", seconds(s["version"].time),
            f"python -c pass: {seconds(bare)}", f"{s['version'].time / bare:.1f}×", "", None),
        Row(f"static lint of {len(files)} files imports none of {', '.join(HEAVY)}",
            "none imported", "", "", "none", True),
    ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    options = parser.parse_args()
    print(table(run(options.runs)))
