"""The same input gives byte-identical output: run after run, whatever the hash seed,
whatever the working directory the same relative paths are given from, and to a file
with ``-o`` the same bytes as to stdout."""

from __future__ import annotations

import os
import shutil

import pytest
from hostile import clean_env, run_cli, tf_keras2_chain, write_json

from shapelint.cli import build_parser

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FORMATS = next(a.choices for a in build_parser()._actions if a.dest == "format")


@pytest.fixture(scope="module")
def trees(tmp_path_factory):
    """Two copies of one tree of models, in different places: examples/ (every example
    file) and extra/ (a Keras 2 fixture, an unreadable file and a non-model JSON)."""
    copies = []
    for label in ("first", "second"):
        top = tmp_path_factory.mktemp(label) / "work"
        shutil.copytree(os.path.join(ROOT, "examples"), top / "examples",
                        ignore=shutil.ignore_patterns("*.py"))
        (top / "extra").mkdir()
        shutil.copy(os.path.join(ROOT, "tests", "fixtures", "keras2_functional.json"),
                    top / "extra")
        (top / "extra" / "broken.keras").write_bytes(b"PK\x03\x04 not really")
        (top / "extra" / "package.json").write_text('{"name": "not a model"}')
        write_json(str(top / "extra" / "chain.json"), tf_keras2_chain(30))
        copies.append(str(top))
    return copies


def test_formats_include_text_and_json():
    assert {"text", "json"} <= set(FORMATS)


@pytest.mark.parametrize("fmt", FORMATS)
def test_identical_bytes_across_runs_seeds_and_places(trees, fmt):
    first, second = trees
    args = ["examples", "extra", "--format", fmt, "--summary"]
    runs = [run_cli(args, cwd=first, env=clean_env(PYTHONHASHSEED="0")),
            run_cli(args, cwd=first, env=clean_env(PYTHONHASHSEED="12345")),
            run_cli(args, cwd=second, env=clean_env(PYTHONHASHSEED="random"))]
    assert runs[0].returncode == 2  # the broken file
    assert runs[0].stdout.strip(), runs[0].stderr
    for run in runs[1:]:
        assert (run.returncode, run.stdout, run.stderr) == (
            runs[0].returncode, runs[0].stdout, runs[0].stderr)
    for place in trees:  # no absolute path, temporary name or time in the report
        assert place not in runs[0].stdout and os.path.dirname(place) not in runs[0].stdout


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_output_file_has_the_bytes_of_stdout(trees, fmt, tmp_path):
    first, _ = trees
    to_stdout = run_cli(["examples", "--format", fmt], cwd=first)
    report = tmp_path / f"report.{fmt}"
    to_file = run_cli(["examples", "--format", fmt, "-o", str(report)], cwd=first)
    assert to_stdout.returncode == to_file.returncode == 1
    assert to_file.stdout == ""
    assert report.read_bytes() == to_stdout.stdout.encode()
