"""Every input a fuzzer ever broke shapelint with (crashers/, each with a note in
crashers/NOTES) gets a clean answer now, in process and on the command line."""

from __future__ import annotations

import os
import time

import pytest
from fuzzing import assert_clean
from hostile import clean_env, run_cli

from shapelint.lint import lint_path
from shapelint.loading import files

FOLDER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "crashers")
CRASHERS = sorted(name for name in os.listdir(FOLDER) if name != "NOTES")
# crashes whose fix belongs to code owned elsewhere: strict, so a fix shows up as XPASS
PENDING: dict = {}  # crasher file -> why it still fails (a strict xfail until fixed)


def notes() -> dict:
    with open(os.path.join(FOLDER, "NOTES")) as f:
        lines = [line.strip() for line in f if line.strip() and not line.startswith("#")]
    return dict(line.split(": ", 1) for line in lines)


def test_every_crasher_has_a_note():
    assert sorted(notes()) == CRASHERS
    assert all(len(note) > 20 for note in notes().values())


@pytest.mark.parametrize("name", [
    pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=PENDING[name]))
    if name in PENDING else name for name in CRASHERS])
def test_crasher_gets_a_clean_answer(name, monkeypatch):
    monkeypatch.setattr(files, "H5_SECONDS", 2.0)  # hdf5_hang.h5 takes the whole limit
    start = time.monotonic()
    result = lint_path(os.path.join(FOLDER, name))
    assert_clean(result, time.monotonic() - start)


def test_command_line_on_the_whole_corpus():
    run = run_cli([FOLDER, "--format", "json"], cwd=FOLDER, timeout=60,
                  env=clean_env(SHAPELINT_H5_SECONDS="2"))
    assert not run.timed_out and "Traceback" not in run.stderr, run.stderr
    assert run.returncode == 2  # the damaged archives and .h5 files
    lines = run.error_lines()
    assert len(lines) == len(set(lines)) and all(line.startswith("shapelint: error: ")
                                                 for line in lines)
    assert run.seconds < 20 and run.peak_mib < 500
