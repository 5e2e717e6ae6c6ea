"""The command line as a user runs it: exit codes, one-line errors, JSON contract."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "tests", "fixtures")
EXAMPLES = os.path.join(ROOT, "examples")


def run(*args, env=None):
    return subprocess.run([sys.executable, "-m", "shapelint", *args], capture_output=True,
                          text=True, cwd=ROOT, env=env, timeout=120)


@pytest.mark.parametrize("name, message", [
    ("not_a_zip.keras", "not a zip archive"),
    ("no_config.keras", "no config.json"),
    ("truncated.json", "not valid JSON"),
    ("does_not_exist.keras", "no such file"),
])
def test_bad_files_exit_2_with_one_clear_line(name, message):
    result = run(os.path.join(FIXTURES, name))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and name in lines[0]


def test_non_model_json_alone_exits_2_but_is_skipped_beside_a_model():
    alone = run(os.path.join(FIXTURES, "not_a_model.json"))
    assert alone.returncode == 2 and "no Keras model" in alone.stderr
    mixed = run(os.path.join(FIXTURES, "not_a_model.json"),
                os.path.join(FIXTURES, "keras2_sequential.json"), "--format", "json")
    assert mixed.returncode == 0
    files = json.loads(mixed.stdout)["files"]
    assert [f["status"] for f in files] == ["skipped", "ok"]
    assert files[0]["notes"] == ["not a Keras model config (no top-level 'class_name' and 'config')"]


def test_usage_errors_exit_2():
    assert run().returncode == 2
    bad = run("x.keras", "--input-shape", "32,abc")
    assert bad.returncode == 2 and "not a shape" in bad.stderr


def test_examples_report_real_errors_and_exit_1():
    result = run(EXAMPLES, "--format", "json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    by_name = {os.path.basename(f["path"]): f for f in report["files"]}
    codes = {name: sorted({x["rule"] for x in f["findings"] if x["severity"] == "error"})
             for name, f in by_name.items()}
    assert codes["mnist_too_deep.keras"] == ["SL001"]
    assert codes["unet_100.keras"] == ["SL002"]
    assert codes["unet_96.keras"] == [] and codes["healthy_cnn.keras"] == []
    errors = sum(x["severity"] == "error" for f in report["files"] for x in f["findings"])
    assert report["summary"]["errors"] == errors


def test_json_contract_fields_and_determinism():
    path = os.path.join(FIXTURES, "keras2_functional.json")
    first = run(path, "--format", "json")
    second = run(path, "--format", "json")
    assert first.stdout == second.stdout
    report = json.loads(first.stdout)
    assert set(report) == {"version", "files", "summary"}
    entry = report["files"][0]
    assert set(entry) == {"path", "model", "status", "error", "inputs", "layers", "findings",
                          "input_sizes", "notes", "params", "macs", "activation_bytes"}
    assert entry["inputs"] == [[None, 28, 28, 1], [None, 28, 28, 1]]
    layer = entry["layers"][2]
    assert layer["name"] == "shared_conv" and layer["node"] == 0
    assert {"name", "class_name", "node", "input_shapes", "output_shapes",
            "recorded_output_shapes", "tf_output_shapes", "receptive_field",
            "jump"} <= set(layer)
    assert [x["node"] for x in entry["layers"] if x["name"] == "shared_conv"] == [0, 1]
    shared = [x for x in entry["layers"] if x["name"] == "shared_conv"]
    assert shared[0]["params"] == shared[1]["params"] is not None
    assert {"params", "trainable_params", "macs", "output_bytes"} <= set(layer)
    assert set(entry["params"]) == {"total", "trainable", "non_trainable"}
    assert "macs" in entry and "activation_bytes" in entry


def test_input_shape_flag_and_summary_table():
    result = run(os.path.join(FIXTURES, "keras2_sequential.json"), "--input-shape", "4,16",
                 "--summary")
    assert result.returncode == 1  # 4 < kernel 7: SL001
    assert "SL001" in result.stdout
    assert "conv1d" in result.stdout and "RF" in result.stdout


def test_summary_shows_params_and_connections():
    result = run(os.path.join(EXAMPLES, "unet_100.keras"), "--summary")
    header = next(line for line in result.stdout.splitlines() if line.strip().startswith("layer"))
    assert header.split() == ["layer", "class", "output", "shape", "params", "connected", "to",
                              "RF", "jump", "notes"]
    row = next(line for line in result.stdout.splitlines() if "dec4_concat " in line)
    assert "dec4_up, enc4_conv" in row
    row = next(line for line in result.stdout.splitlines() if line.strip().startswith("enc1_conv"))
    assert " 40 " in row  # 3×3 kernel × 1 channel × 4 filters + 4 biases
    table = result.stdout.split("\n\n")[0].splitlines()[3:-1]
    column = header.index("params")
    total = sum(int(line[column:].split()[0].replace(",", "")) for line in table)
    assert f"params: {total:,} ({total:,} trainable, 0 non-trainable)" in result.stdout


def test_static_path_never_imports_tensorflow_or_keras():
    code = ("import sys, shapelint.cli\n"
            f"shapelint.cli.main([{EXAMPLES!r}, '--format', 'json', '-o', {os.devnull!r}])\n"
            "bad = [m for m in ('tensorflow', 'keras', 'h5py', 'pydantic') if m in sys.modules]\n"
            "print(bad)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert result.stdout.strip() == "[]", result.stderr


@pytest.mark.parametrize("dims, exit_code, expected", [
    ([None, 0, 28, 1], 1, "SL003"),            # a model that cannot run: an error finding
    ([None, -3, 28, 1], 1, "SL003"),
    ([None, 3.5, 28, 1], 2, "not a list of integers"),  # a malformed file: unreadable
    ("oops", 2, "not a list of integers"),
    ([None, 10 ** 18, 10 ** 18, 1], 1, "SL002"),  # huge but valid: plain arithmetic
])
def test_declared_input_dims_are_checked(tmp_path, dims, exit_code, expected):
    with open(os.path.join(FIXTURES, "keras2_functional.json")) as f:
        config = json.load(f)
    config["config"]["layers"][0]["config"]["batch_input_shape"] = dims
    path = tmp_path / "model.json"
    path.write_text(json.dumps(config))
    result = run(str(path), "-q")
    assert result.returncode == exit_code
    assert expected in result.stdout + result.stderr and "Traceback" not in result.stderr


def test_a_bug_in_one_file_is_an_internal_error_not_the_end_of_the_batch(monkeypatch, capsys):
    """Only a usage error (e.g. --input-shape for the wrong number of inputs) stops the run;
    any other exception is that file's one-line internal error, and the others go on."""
    from shapelint import cli
    from shapelint.shapes import propagate

    calls = []

    def broken(model, input_shapes=None, layers=None):
        calls.append(model.name)
        if len(calls) == 1:
            raise ValueError("a bug")
        return real(model, input_shapes, layers)

    real = propagate.propagate
    monkeypatch.setattr("shapelint.lint.propagate", broken)
    code = cli.main([os.path.join(FIXTURES, "keras2_sequential.json"),
                     os.path.join(FIXTURES, "keras2_functional.json")])
    captured = capsys.readouterr()
    assert code == 2 and len(calls) == 2
    assert "internal error (ValueError: a bug)" in captured.err
    assert "keras2_functional.json" in captured.out


def test_runs_from_a_source_checkout_without_being_installed(tmp_path):
    """``PYTHONPATH=src python -m shapelint``: no site-packages (-S), so neither the
    installed package nor its ``shapelint.packs`` exists; the packs are read from rules/.
    Without rules/ beside src/, one line says what to do."""
    env = {**os.environ, "PYTHONPATH": os.path.join(ROOT, "src")}
    found = subprocess.run([sys.executable, "-S", "-m", "shapelint", "examples/"], cwd=ROOT,
                           env=env, capture_output=True, text=True, timeout=120)
    assert found.returncode == 1, found.stderr
    assert found.stdout.endswith("4 errors, 4 warnings, 1 info in 5 files\n")
    import shutil

    shutil.copytree(os.path.join(ROOT, "src", "shapelint"), tmp_path / "src" / "shapelint")
    alone = subprocess.run([sys.executable, "-S", "-m", "shapelint", EXAMPLES], cwd=tmp_path,
                           env={**env, "PYTHONPATH": str(tmp_path / "src")},
                           capture_output=True, text=True, timeout=120)
    assert alone.returncode == 2
    assert alone.stderr.splitlines() == ["shapelint: error: the bundled rule packs are missing: "
                                         "install shapelint (pip install -e .) or run it from "
                                         "a complete source checkout"]
