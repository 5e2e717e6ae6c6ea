"""Nothing in a model file is ever executed or imported, statically or in the TF cross-check.

The attack files (``hostile.write_attack_files``) are what an attacker would publish: a
``.keras``, two ``.h5`` and a Keras 1 ``.json`` whose Lambda layer carries marshalled
bytecode that writes a marker file; a ``.keras`` whose layers and nested objects name
``os.system``, ``builtins.exec``, ``subprocess.Popen``, a ``registered_name`` of
``os>system``, and modules planted next to the files; a pickle; a YAML ``!!python`` tag.
The controls prove every payload is live: run or imported, it writes the marker.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import zipfile

import pytest
from hostile import (PAYLOAD_MODULE, clean_env, payload_fires, plant_module, run_cli,
                     tf_keras2_chain, write_attack_files, write_h5)
from optional import require

from shapelint.loading import files

STATIC = {"seconds": 10.0, "mib": 500.0}
WITH_TF = {"seconds": 120.0, "mib": 2048.0}
LAMBDA_FILES = ["lambda.keras", "lambda_tf_keras2.h5", "lambda_keras3.h5", "lambda_keras1.json"]
FOREIGN_LAYERS = ["os_system", "builtins_exec", "subprocess_popen", "planted_module"]
UNREADABLE = {
    "pickled.keras": "config.json is not UTF-8 text",
    "python_tag.yaml": "the file is not valid YAML at line 1: could not determine a constructor "
                       "for the tag 'tag:yaml.org,2002:python/object/apply:os.system'",
}


@pytest.fixture(scope="module")
def attack(tmp_path_factory, h5py):
    """(home, marker, expected statuses): the attack files in home/models, modules that
    write the marker when imported planted in home, which is the working directory."""
    home = tmp_path_factory.mktemp("attack")
    marker = home / "PWNED"
    (home / "models").mkdir()
    expected = write_attack_files(str(home / "models"), str(marker))
    plant_module(str(home), str(marker))
    return home, marker, expected


def lambda_code(path: str) -> str:
    """The marshalled bytecode of the Lambda in one of the attack files, read as data."""
    if path.endswith(".keras"):
        config = json.loads(zipfile.ZipFile(path).read("config.json"))
    elif path.endswith(".h5"):
        import h5py
        with h5py.File(path, "r") as f:
            config = json.loads(f.attrs["model_config"])
    else:
        with open(path) as f:
            config = json.load(f)
    layers = config["config"] if isinstance(config["config"], list) else config["config"]["layers"]
    function = next(e for e in layers if e["class_name"] == "Lambda")["config"]["function"]
    return function["config"]["code"] if isinstance(function, dict) else function[0]


def assert_untouched(marker) -> None:
    assert not marker.exists(), f"the payload ran: {marker.read_text()!r}"


# -- controls: every payload is live --------------------------------------------------------------

@pytest.mark.parametrize("name", LAMBDA_FILES)
def test_control_each_lambda_payload_writes_the_marker_when_run(attack, name):
    home, marker, _ = attack
    payload_fires(lambda_code(str(home / "models" / name)))
    assert marker.read_text() == "pwned"
    marker.unlink()


@pytest.mark.parametrize("module", [PAYLOAD_MODULE, "keras_hub.layers"])
def test_control_importing_a_named_module_writes_the_marker(attack, module):
    home, marker, _ = attack
    subprocess.run([sys.executable, "-c", f"import {module}"], cwd=home, check=True, timeout=60)
    assert marker.read_text() == "imported"
    marker.unlink()


def test_control_unpickling_writes_the_marker(attack):
    home, marker, _ = attack
    data = zipfile.ZipFile(home / "models" / "pickled.keras").read("config.json")
    code = f"import pickle, base64; pickle.loads(base64.b64decode({base64.b64encode(data)!r}))"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
    assert marker.exists()
    marker.unlink()


# -- the linter ------------------------------------------------------------------------------------

def check_report(run, expected: dict, bounds: dict) -> dict:
    """Exit 2 (two files are unreadable), one line for each of those, every other file
    linted with its foreign layers as SL109; within the time and memory bounds."""
    assert not run.timed_out and "Traceback" not in run.stderr, run.stderr
    assert run.returncode == 2, run.stderr
    assert sorted(run.error_lines()) == [f"shapelint: error: models/{name}: {message}"
                                         for name, message in sorted(UNREADABLE.items())]
    files = {os.path.basename(f["path"]): f for f in json.loads(run.stdout)["files"]}
    assert {name: f["status"] for name, f in files.items()} == expected
    for name in LAMBDA_FILES:
        assert [(f["rule"], f["layer"]) for f in files[name]["findings"]] == [("SL109", "lam")]
    unknown = [f["layer"] for f in files["foreign_modules.keras"]["findings"]
               if f["rule"] == "SL109"]
    assert unknown == FOREIGN_LAYERS
    assert run.seconds < bounds["seconds"], f"{run.seconds:.1f} s"
    assert run.peak_mib < bounds["mib"], f"{run.peak_mib:.0f} MiB"
    return files


def test_static_lint_runs_no_payload(attack):
    home, marker, expected = attack
    run = run_cli(["models", "--format", "json"], cwd=str(home))
    print(f"static: {run.seconds:.2f} s, {run.peak_mib:.0f} MiB")
    check_report(run, expected, STATIC)
    assert_untouched(marker)


@pytest.mark.parametrize("name", sorted(UNREADABLE) + LAMBDA_FILES + ["foreign_modules.keras"])
def test_each_attack_file_alone(attack, name):
    """The exact exit code and message of each file on its own, in text."""
    home, marker, _ = attack
    run = run_cli([f"models/{name}"], cwd=str(home))
    assert_untouched(marker)
    if name in UNREADABLE:
        assert run.returncode == 2
        assert run.error_lines() == [f"shapelint: error: models/{name}: {UNREADABLE[name]}"]
    else:  # an unknown layer is info: the model itself is fine
        assert run.returncode == 0, run.stderr
        assert run.stderr == ""
        assert f"models/{name}:" in run.stdout and "SL109 [info]" in run.stdout
    assert run.seconds < STATIC["seconds"] and run.peak_mib < STATIC["mib"]


def test_python_api_runs_no_payload(attack):
    import shapelint

    home, marker, _ = attack
    for name in LAMBDA_FILES + ["foreign_modules.keras"]:
        report = shapelint.check(str(home / "models" / name), cross_check="recorded")
        assert any(f.rule == "SL109" for f in report.findings)
    assert_untouched(marker)
    assert PAYLOAD_MODULE not in sys.modules and "keras_hub" not in sys.modules


def test_tf_cross_check_runs_no_payload(attack):
    """TensorFlow rebuilds each model: Lambda and foreign layers become stand-ins."""
    require("tensorflow", import_it=False)  # TF runs in the linter's process only
    home, marker, expected = attack
    run = run_cli(["models", "--format", "json", "--cross-check", "tf"], cwd=str(home),
                  timeout=WITH_TF["seconds"], address_space=None)
    print(f"--cross-check tf: {run.seconds:.2f} s, {run.peak_mib:.0f} MiB")
    files = check_report(run, expected, WITH_TF)
    assert_untouched(marker)
    replaced = "layers TensorFlow was not allowed to build (not built-in Keras layers): "
    assert replaced + "lam" in files["lambda.keras"]["notes"]
    assert replaced + ", ".join(["os_system", "builtins_exec", "subprocess_popen",
                                 "registered_system", "planted_module", "planted_keras_hub"]
                                ) in files["foreign_modules.keras"]["notes"]
    assert any(layer["tf_output_shapes"] for layer in files["lambda.keras"]["layers"])


def test_control_keras_runs_the_lambda_payloads_when_allowed(attack):
    """The files are real exploits: Keras with safe_mode=False runs each payload while it
    loads the model (it fails later, on the missing weights: too late)."""
    require("tensorflow", import_it=False)  # Keras runs in a child process only
    home, marker, _ = attack
    code = (
        "import os, sys, keras\n"
        f"marker = {str(marker)!r}\n"
        "assert not os.path.exists(marker), 'importing keras ran a planted module'\n"
        "ran = []\n"
        "for name in sys.argv[1:]:\n"
        "    try:\n"
        "        keras.saving.load_model('models/' + name, safe_mode=False, compile=False)\n"
        "    except Exception:\n"
        "        pass\n"
        "    ran.append(os.path.exists(marker))\n"
        "    if ran[-1]:\n"
        "        os.remove(marker)\n"
        "print(ran)\n")
    done = subprocess.run([sys.executable, "-c", code, "lambda.keras", "lambda_tf_keras2.h5",
                           "lambda_keras3.h5"], cwd=home, env=clean_env(), capture_output=True,
                          text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[True, True, True]"


def test_hdf5_reader_child_imports_nothing_from_the_working_directory(tmp_path, monkeypatch,
                                                                      h5py):
    """.h5 files are read in a child process: it must not import an ``h5py.py`` planted in
    the repository being linted (the working directory of a pre-commit hook)."""
    marker = tmp_path / "PWNED"
    (tmp_path / "h5py.py").write_text(f"open({str(marker)!r}, 'w').write('imported')\n")
    write_h5(str(tmp_path / "model.h5"), tf_keras2_chain(2))
    subprocess.run([sys.executable, "-c", "import h5py"], cwd=tmp_path, timeout=60)
    assert marker.exists()  # the control: an import from there runs it
    marker.unlink()
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))  # as `python -m` would have it
    assert json.loads(files._read_h5_attribute("model.h5"))["class_name"] == "Functional"
    assert_untouched(marker)
