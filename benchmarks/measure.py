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
import time
from dataclasses import dataclass
from typing import Optional

QUIET_TF = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")


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


def run_once(cmd: list, ok_codes=(0, 1), env: Optional[dict] = None) -> tuple:
    """(wall seconds, peak RSS MiB) of one process; its peak comes from ``wait4``."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        if code not in ok_codes:
            err.seek(0)
            tail = err.read().decode("utf-8", "replace")[-1500:]
            raise BenchmarkError(f"{' '.join(cmd)[:200]} exited with {code}:\n{tail}")
    return elapsed, usage.ru_maxrss / 1024  # Linux: KiB


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
