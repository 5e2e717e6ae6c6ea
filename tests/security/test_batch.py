"""A directory with broken files in it: the others are still reported, the exit code says
both, and nothing is written next to the user's files (only the ``-o`` file asked for)."""

from __future__ import annotations

import json
import os
import shutil

import pytest
from hostile import listing, run_cli, tf_keras2_chain, write_json

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BROKEN = {
    "models/broken.keras": "not a .keras file: it is not a zip archive",
    "models/nested/truncated.json": "the file is not valid JSON: Expecting ',' delimiter at "
                                    "line 1 column 29",
}


@pytest.fixture
def folder(tmp_path):
    """models/ with three good models (one with an error finding), a broken .keras, a
    truncated JSON in a subfolder and a JSON that is no model; old mtimes on all."""
    models = tmp_path / "models"
    (models / "nested").mkdir(parents=True)
    for name in ("healthy_cnn.keras", "unet_100.keras"):
        shutil.copy(os.path.join(ROOT, "examples", name), models / name)
    write_json(str(models / "nested" / "chain.json"), tf_keras2_chain(3))
    (models / "broken.keras").write_bytes(b"this is not a zip")
    (models / "nested" / "truncated.json").write_text('{"class_name": "Sequential" "config"')
    (models / "package.json").write_text('{"name": "not a model"}')
    for path in models.rglob("*"):
        os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    os.utime(models, ns=(1_000_000_000, 1_000_000_000))
    return tmp_path


def test_broken_files_do_not_hide_the_others(folder):
    before = listing(str(folder))
    run = run_cli(["models", "--format", "json"], cwd=str(folder))
    assert listing(str(folder)) == before  # no cache, no byte-code, no report beside them
    assert run.returncode == 2
    assert sorted(run.error_lines()) == sorted(f"shapelint: error: {path}: {message}"
                                               for path, message in BROKEN.items())
    files = {f["path"]: f for f in json.loads(run.stdout)["files"]}
    assert {path: f["status"] for path, f in files.items()} == {
        "models/broken.keras": "error", "models/healthy_cnn.keras": "ok",
        "models/nested/chain.json": "ok", "models/nested/truncated.json": "error",
        "models/package.json": "skipped", "models/unet_100.keras": "ok"}
    for path, message in BROKEN.items():
        assert files[path]["error"] == message
    unet = [f["rule"] for f in files["models/unet_100.keras"]["findings"]
            if f["severity"] == "error"]
    assert unet == ["SL002"] * 3  # the decoder's three merges


def test_text_report_names_every_file(folder):
    run = run_cli(["models"], cwd=str(folder))
    assert run.returncode == 2
    assert "models/unet_100.keras:dec3_concat: SL002 [error]" in run.stdout
    for path, message in BROKEN.items():  # each said once, on stderr, where errors go
        assert f"shapelint: error: {path}: {message}" in run.error_lines()
        assert (run.stdout + run.stderr).count(message) == 1
    assert len(run.error_lines()) == len(BROKEN)
    assert run.stdout.splitlines()[-1].endswith(f" {len(BROKEN)} unreadable)")


def test_text_report_in_a_file_names_every_file(folder, tmp_path):
    report = tmp_path / "report.txt"
    run = run_cli(["models", "-o", str(report)], cwd=str(folder))
    assert run.returncode == 2 and run.stdout == ""
    for path, message in BROKEN.items():  # the file is the whole report; stderr tells too
        assert f"{path}: error: {message}" in report.read_text()
        assert f"shapelint: error: {path}: {message}" in run.error_lines()


def test_without_broken_files_the_findings_decide(folder):
    for path in BROKEN:
        os.remove(folder / path)
    run = run_cli(["models"], cwd=str(folder))
    assert (run.returncode, run.stderr) == (1, "")  # unet_100's SL002
    os.remove(folder / "models" / "unet_100.keras")
    assert run_cli(["models"], cwd=str(folder)).returncode == 0


def test_output_file_is_the_only_thing_written(folder, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("reports")
    before = listing(str(folder))
    run = run_cli(["models", "--format", "json", "-o", str(elsewhere / "report.json")],
                  cwd=str(folder))
    assert run.returncode == 2 and run.stdout == ""
    assert listing(str(folder)) == before
    assert sorted(os.listdir(elsewhere)) == ["report.json"]
    report = json.loads((elsewhere / "report.json").read_text())
    assert len(report["files"]) == 6

    inside = run_cli(["models", "-o", "report.txt"], cwd=str(folder))
    assert inside.returncode == 2
    after = listing(str(folder))
    assert sorted(set(after) - set(before)) == ["report.txt"]
    assert {k: v for k, v in after.items() if k != "report.txt"} == before
