"""Whole-process measurements, taken side by side, and the table they end up in.

Every number is a median over runs in fresh processes; the sides of a comparison
alternate within one round (and swap order every round), so a noisy neighbour or
a warm cache affects both alike. Absolute times on a shared machine are noise: the
ratios are the result.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from typing import Optional

QUIET_TF = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")


def bench_env(cache: str) -> dict:
    """The environment of every measured process: TF quiet and on CPU, and Python's
    bytecode cached (in ``cache``), as for an installed package, even where
    PYTHONDONTWRITEBYTECODE is set: compiling every module on every start would be
    measured instead of shapelint."""
    env = {k: v for k, v in QUIET_TF.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = os.path.join(cache, "pycache")
    return env


class BenchmarkError(RuntimeError):
    """A benchmark could not run (as opposed to running and missing its goal)."""


@dataclass
class Sample:
    """Medians (and all runs) of one command."""

    times: list
    peaks: list  # peak RSS in MiB

    @property
    def time(self) -> float:
        return statistics.median(self.times)

    @property
    def peak(self) -> float:
        return statistics.median(self.peaks)


def shapelint_command() -> list:
    """The ``shapelint`` console script of this interpreter (else ``python -m shapelint``)."""
    script = os.path.join(os.path.dirname(sys.executable), "shapelint")
    if os.path.exists(script):
        return [script]
    found = shutil.which("shapelint")
    return [found] if found else [sys.executable, "-m", "shapelint"]


# Runs one command and reports its wall time and peak RSS. A process's peak RSS counts
# the memory of the process it was forked from, so the command is started from this
# small interpreter, not from the benchmark (which holds whole model configs).
_SPAWN = """
import os, resource, sys, time
out = [(os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0)]
start = time.perf_counter()
pid = os.posix_spawnp(sys.argv[1], sys.argv[1:], os.environ, file_actions=out)
_, status = os.waitpid(pid, 0)
elapsed = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(elapsed, peak, os.waitstatus_to_exitcode(status))
"""


def run_once(cmd: list, ok_codes=(0, 1), env: Optional[dict] = None) -> tuple:
    """(wall seconds, peak RSS MiB) of one process running ``cmd`` (stdout discarded)."""
    with tempfile.TemporaryFile() as err:
        done = subprocess.run([sys.executable, "-S", "-c", _SPAWN, *cmd], stdout=subprocess.PIPE,
                              stderr=err, env=env, text=True)
        err.seek(0)
        tail = err.read().decode("utf-8", "replace")[-1500:]
    fields = done.stdout.split()
    if done.returncode != 0 or len(fields) != 3:
        raise BenchmarkError(f"cannot start {cmd[0]}:\n{tail}")
    elapsed, peak, code = float(fields[0]), int(fields[1]), int(fields[2])
    if code not in ok_codes:
        raise BenchmarkError(f"{' '.join(cmd)[:200]} exited with {code}:\n{tail}")
    return elapsed, peak / 1024  # Linux: KiB


def compare(commands: dict, runs: int, warmup: bool = True, env: Optional[dict] = None,
            ok_codes=(0, 1)) -> dict:
    """label -> Sample for each command, the labels interleaved in every round."""
    labels = list(commands)
    if warmup:
        for label in labels:
            run_once(commands[label], ok_codes, env)
    samples = {label: Sample([], []) for label in labels}
    for i in range(runs):
        for label in labels if i % 2 == 0 else reversed(labels):
            elapsed, peak = run_once(commands[label], ok_codes, env)
            samples[label].times.append(elapsed)
            samples[label].peaks.append(peak)
    return samples


def python_snippet(code: str, *args: str) -> list:
    return [sys.executable, "-c", code, *args]


# -- the table -------------------------------------------------------------------------

@dataclass
class Row:
    """One line of the result table."""

    benchmark: str
    measured: str  # shapelint's side
    baseline: str  # what it is compared with, measured in the same run
    ratio: str
    goal: str
    met: Optional[bool]  # None: no goal for this row


def seconds(value: float) -> str:
    if value < 1:
        return f"{value * 1000:.0f} ms"
    return f"{value:.2f} s"


def table(rows: list) -> str:
    """A Markdown table (reads as plain text too)."""
    head = ("benchmark", "shapelint", "baseline (same run)", "ratio", "goal", "result")
    cells = [head] + [(r.benchmark, r.measured, r.baseline, r.ratio, r.goal,
                       "" if r.met is None else "goal met" if r.met else "goal missed")
                      for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(len(head))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(row, widths)) + " |" for row in cells]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)
