"""``--format sarif``: valid SARIF 2.1.0 (checked against the official schema), with the
rules, levels, artifact and layer locations, and notifications a code scanning service reads.

The schema in tests/fixtures/sarif-schema-2.1.0.json is the OASIS SARIF 2.1.0 (errata 01)
schema, byte for byte: github.com/oasis-tcs/sarif-spec, sarif-2.1/schema/sarif-schema-2.1.0.json
at commit e0583813964ec43cea53b6b531b402866095ed1f
(sha256 c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys

import jsonschema
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(ROOT, "tests", "fixtures")
SCHEMA_PATH = os.path.join(FIXTURES, "sarif-schema-2.1.0.json")
SCHEMA_SHA256 = "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e"
# rules pinned so that a new rule does not change the expected findings
RULES = ["--select", "SL0,SL101,SL102,SL104"]


def run(*args, cwd=ROOT):
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    return subprocess.run([sys.executable, "-m", "shapelint", "--format", "sarif", *args],
                          capture_output=True, text=True, cwd=cwd, env=env, timeout=120)


@pytest.fixture(scope="module")
def validator():
    with open(SCHEMA_PATH, "rb") as f:
        data = f.read()
    assert hashlib.sha256(data).hexdigest() == SCHEMA_SHA256, "the vendored schema was modified"
    schema = json.loads(data)
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema)


def errors(validator, log) -> list:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(log)]


@pytest.fixture(scope="module")
def examples_log():
    """The examples, an unreadable file and a non-model JSON file in one run."""
    result = run("examples", "tests/fixtures/not_a_zip.keras", "tests/fixtures/not_a_model.json",
                 *RULES)
    assert result.returncode == 2, result.stderr  # the unreadable file
    return result.stdout


def results_of(log: dict, uri: str) -> list:
    return [r for r in log["runs"][0]["results"]
            if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == uri]


def test_output_validates_against_the_official_schema(validator, examples_log):
    log = json.loads(examples_log)
    assert errors(validator, log) == []
    assert log["version"] == "2.1.0" and len(log["runs"]) == 1


def test_the_schema_check_rejects_what_is_not_sarif(validator, examples_log):
    log = json.loads(examples_log)
    log["runs"][0]["results"][0]["level"] = "fatal"
    del log["runs"][0]["tool"]["driver"]["name"]
    found = errors(validator, log)
    assert any("level" in e for e in found) and any("'name' is a required" in e for e in found)


def test_driver_and_rules(examples_log):
    from shapelint import __version__

    driver = json.loads(examples_log)["runs"][0]["tool"]["driver"]
    assert driver["name"] == "shapelint" and driver["version"] == __version__
    assert "informationUri" not in driver or driver["informationUri"].startswith("http")
    rules = {r["id"]: r for r in driver["rules"]}
    assert [r["id"] for r in driver["rules"]] == sorted(rules)
    assert set(rules) == {"SL001", "SL002", "SL003", "SL004", "SL101", "SL102", "SL104"}
    levels = {code: r["defaultConfiguration"]["level"] for code, r in rules.items()}
    assert levels == {"SL001": "error", "SL002": "error", "SL003": "error", "SL004": "error",
                      "SL101": "warning", "SL102": "warning", "SL104": "note"}
    sl101 = rules["SL101"]
    assert sl101["name"] == "large-stride-without-padding"
    assert sl101["shortDescription"]["text"].startswith("A convolution with `padding='valid'`")
    assert "silently throws away" in sl101["fullDescription"]["text"]
    for title in ("What it does", "Why is this bad", "Example", "Use instead"):
        assert title in sl101["help"]["text"] and f"**{title}**" in sl101["help"]["markdown"]
    assert "strides=3, padding=\"same\"" in sl101["help"]["text"]


def test_results_have_rule_level_file_and_layer(examples_log):
    log = json.loads(examples_log)
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    (sl001,) = [r for r in results_of(log, "examples/mnist_too_deep.keras")
                if r["ruleId"] == "SL001"]
    assert rules[sl001["ruleIndex"]]["id"] == "SL001"
    assert sl001["level"] == "error"
    location = sl001["locations"][0]
    assert location["physicalLocation"]["artifactLocation"] == {
        "uri": "examples/mnist_too_deep.keras", "uriBaseId": "%SRCROOT%"}
    assert location["logicalLocations"] == [
        {"name": "block3_conv2", "fullyQualifiedName": "block3_conv2", "kind": "member"}]
    text = sl001["message"]["text"]
    assert text.startswith("block3_conv2: Conv2D maps (None, 2, 2, 32) → (None, 0, 0, 32)")
    assert "\nFix: this layer needs at least 3×3" in text
    info = [r for r in results_of(log, "examples/unet_100.keras") if r["ruleId"] == "SL104"]
    assert [r["level"] for r in info] == ["note"]
    assert [r["locations"][0]["logicalLocations"][0]["name"] for r in info] == ["enc3_pool"]
    assert results_of(log, "examples/healthy_cnn.keras") == []
    assert results_of(log, "tests/fixtures/not_a_model.json") == []  # skipped, not a result


def test_unreadable_file_is_a_failed_execution_notification(examples_log):
    (invocation,) = json.loads(examples_log)["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    (note,) = invocation["toolExecutionNotifications"]
    assert note["level"] == "error" and "not a zip archive" in note["message"]["text"]
    assert note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == \
        "tests/fixtures/not_a_zip.keras"


def test_clean_run_is_successful_and_output_is_deterministic(validator):
    first = run("examples/healthy_cnn.keras", *RULES)
    second = run("examples/healthy_cnn.keras", *RULES)
    assert first.returncode == 0 and first.stdout == second.stdout
    log = json.loads(first.stdout)
    assert errors(validator, log) == []
    assert log["runs"][0]["results"] == []
    assert log["runs"][0]["invocations"] == [{"executionSuccessful": True}]
    assert "Utc" not in first.stdout  # no start/end timestamps


def test_configured_severity_is_the_result_level_not_the_default(tmp_path, validator):
    shutil.copy(os.path.join(ROOT, "examples", "stride3_stack.keras"), tmp_path / "net.keras")
    (tmp_path / ".shapelint.yaml").write_text("rules:\n  SL102: {severity: error}\n")
    result = run("net.keras", *RULES, cwd=tmp_path)
    assert result.returncode == 1
    log = json.loads(result.stdout)
    assert errors(validator, log) == []
    sl102 = [r for r in log["runs"][0]["results"] if r["ruleId"] == "SL102"]
    assert [r["level"] for r in sl102] == ["error"]
    rule = log["runs"][0]["tool"]["driver"]["rules"][sl102[0]["ruleIndex"]]
    assert rule["id"] == "SL102" and rule["defaultConfiguration"]["level"] == "warning"


def test_uris_relative_forward_slashed_and_escaped(tmp_path, validator):
    inside = tmp_path / "my models" / "deep"
    inside.mkdir(parents=True)
    shutil.copy(os.path.join(ROOT, "examples", "mnist_too_deep.keras"), inside / "net.keras")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    shutil.copy(os.path.join(ROOT, "examples", "mnist_too_deep.keras"), outside / "net.keras")
    work = tmp_path / "my models"
    result = run(str(inside / "net.keras"), os.path.join("..", "elsewhere", "net.keras"),
                 str(outside / "net.keras"), *RULES, cwd=work)
    log = json.loads(result.stdout)
    assert errors(validator, log) == []
    locations = []
    for r in log["runs"][0]["results"]:
        location = r["locations"][0]["physicalLocation"]["artifactLocation"]
        if location not in locations:
            locations.append(location)
    assert locations == [
        {"uri": "deep/net.keras", "uriBaseId": "%SRCROOT%"},  # absolute, inside: relative
        {"uri": "../elsewhere/net.keras", "uriBaseId": "%SRCROOT%"},
        {"uri": (outside / "net.keras").as_uri()},
    ]
    with_space = run(os.path.join("my models", "deep", "net.keras"), *RULES, cwd=tmp_path)
    uri = json.loads(with_space.stdout)["runs"][0]["results"][0]["locations"][0][
        "physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "my%20models/deep/net.keras"


def test_output_file(tmp_path, validator):
    target = tmp_path / "shapelint.sarif"
    result = run("examples/unet_100.keras", *RULES, "-o", str(target))
    assert result.returncode == 1 and result.stdout == ""
    log = json.loads(target.read_text(encoding="utf-8"))
    assert errors(validator, log) == []
    assert [r["ruleId"] for r in log["runs"][0]["results"]] == ["SL104"] + ["SL002"] * 3
