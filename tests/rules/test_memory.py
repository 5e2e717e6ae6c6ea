"""SL117 training-memory and --batch-size / --memory-budget, against hand computation."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from shapelint.errors import UsageError
from shapelint.lint import analyse
from shapelint.rules.engine import default_ruleset
from shapelint.rules.examples import example_config
from shapelint.rules.memory import Memory, parse_bytes

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODEL = {"input": [32, 32, 3], "layers": [{"Conv2D": {"filters": 8, "kernel_size": 3}},
                                          {"Flatten": {}}, {"Dense": {"units": 10}}]}
# per sample: input 32·32·3, conv 30·30·8, flatten 7200, dense 10 (float32)
ACTIVATIONS = 4 * (32 * 32 * 3 + 30 * 30 * 8 + 30 * 30 * 8 + 10)
PARAMS = (3 * 3 * 3 * 8 + 8) + (7200 * 10 + 10)


def _sl117(memory):
    result = analyse(example_config(MODEL), "m", ruleset=default_ruleset(), memory=memory)
    return [f for f in result.findings if f.rule == "SL117"]


def test_parse_bytes():
    assert parse_bytes("16GiB") == 16 * 2 ** 30
    assert parse_bytes("512 MiB") == 512 * 2 ** 20
    assert parse_bytes("8GB") == 8 * 10 ** 9
    assert parse_bytes("1.5G") == 1_500_000_000
    assert parse_bytes("1000") == 1000
    for bad in ("", "16 GiBs", "-1GB", "lots"):
        with pytest.raises(UsageError):
            parse_bytes(bad)


def test_estimate_counts_activations_weights_gradients_and_adam():
    batch = 64
    total = batch * ACTIVATIONS + 4 * PARAMS * (1 + 1 + 2)  # weights, gradients, 2 Adam slots
    assert total == 5_631_136  # 5.4 MiB
    [info] = _sl117(Memory(batch_size=batch))
    assert info.severity == "info" and info.layer == "conv2d_0"
    assert info.message.startswith("at batch 64 training keeps ~5.4 MiB: ")
    assert "the largest is conv2d_0, 64×30×30×8" in info.message
    assert _sl117(Memory(batch_size=batch, budget=total)) == []  # not over
    [warning] = _sl117(Memory(batch_size=batch, budget=total - 1))
    assert warning.severity == "warning" and "over the" in warning.message


def test_runs_only_when_memory_is_asked_about():
    assert _sl117(None) == []


def run(*args):
    return subprocess.run([sys.executable, "-m", "shapelint", *args], capture_output=True,
                          text=True, cwd=ROOT, env={**os.environ, "NO_COLOR": "1"})


def test_batch_size_and_budget_flags():
    path = os.path.join(ROOT, "examples", "stride3_stack.keras")
    plain = json.loads(run(path, "--format", "json").stdout)["files"][0]
    batched = json.loads(run(path, "--format", "json", "--batch-size", "32").stdout)["files"][0]
    conv1 = [x for x in batched["layers"] if x["name"] == "conv1"][0]
    assert conv1["output_bytes"] == 32 * 10 * 10 * 16 * 4
    assert batched["activation_bytes"] == 32 * plain["activation_bytes"]
    assert not any(f["rule"] == "SL117" for f in plain["findings"])
    assert any(f["rule"] == "SL117" and f["severity"] == "info" for f in batched["findings"])
    over = run(path, "--batch-size", "4096", "--memory-budget", "1MiB", "--fail-on", "warning")
    assert over.returncode == 1 and "SL117 [warning]" in over.stdout
    for flag, value in (("--batch-size", "0"), ("--memory-budget", "lots")):
        bad = run(path, flag, value)
        assert bad.returncode == 2 and flag in bad.stderr
