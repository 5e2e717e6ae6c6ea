"""Configuration end to end through the CLI: discovery, precedence, select/ignore,
per-layer suppression, strict validation (exit 2 naming the key)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STACK = os.path.join(ROOT, "examples", "stride3_stack.keras")  # SL101, SL102 (SL104 folded)


def lint(*args, cwd=None):
    result = subprocess.run([sys.executable, "-m", "shapelint", *args, "--format", "json"],
                            capture_output=True, text=True, cwd=cwd or ROOT, timeout=120)
    findings = []
    if result.stdout.strip().startswith("{"):
        findings = [(f["rule"], f["layer"], f["severity"])
                    for file in json.loads(result.stdout)["files"] for f in file["findings"]]
    return result, findings


@pytest.fixture
def project(tmp_path):
    """A project folder with the stride-3 model in a subfolder."""
    (tmp_path / "models").mkdir()
    shutil.copy(STACK, tmp_path / "models" / "net.keras")
    return tmp_path


def codes(findings):
    return sorted({f[0] for f in findings})


def test_defaults_without_config(project):
    result, findings = lint(str(project / "models"))
    assert codes(findings) == ["SL101", "SL102"]  # SL104 says what SL101 says: folded into it
    assert result.returncode == 0  # warnings and info only; default --fail-on error


def test_pyproject_found_by_walking_up(project):
    (project / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.shapelint]\nignore = ["SL104"]\nfail_on = "warning"\n'
        '[tool.shapelint.rules.SL102]\nseverity = "error"\n')
    result, findings = lint(str(project / "models" / "net.keras"))
    assert codes(findings) == ["SL101", "SL102"]
    assert ("SL102", "conv2", "error") in findings
    assert result.returncode == 1


def test_nearest_config_wins_and_yaml_is_read(project):
    (project / "pyproject.toml").write_text('[tool.shapelint]\nignore = ["SL101"]\n')
    (project / "models" / ".shapelint.yaml").write_text("ignore: [SL102]\n")
    _, findings = lint(str(project / "models" / "net.keras"))
    assert codes(findings) == ["SL101"]


def test_command_line_overrides_config(project):
    (project / ".shapelint.yaml").write_text("select: [SL101]\nfail_on: info\n")
    result, findings = lint(str(project / "models"))
    assert codes(findings) == ["SL101"] and result.returncode == 1
    result, findings = lint(str(project / "models"), "--select", "SL1", "--ignore", "SL104",
                            "--fail-on", "error")
    assert codes(findings) == ["SL101", "SL102"] and result.returncode == 0
    result, _ = lint(str(project / "models"), "--exit-zero", "--fail-on", "info")
    assert result.returncode == 0


def test_params_change_what_fires(project):
    (project / ".shapelint.yaml").write_text(
        "rules:\n  large-stride-without-padding: {params: {min_stride: 4}}\n"
        "  SL102: {params: {min_size: 3}}\n")
    _, findings = lint(str(project / "models"))
    # stride 3 < min_stride 4, so SL104 says it; with min_size 3 only 3×3 → 1×1 (conv3)
    # collapses, and no window layer reads conv3's map (Flatten does): no SL102
    assert codes(findings) == ["SL104"]
    assert sorted(f[1] for f in findings) == ["conv1", "conv2"]


def test_per_layer_ignores_use_globs(project):
    (project / ".shapelint.yaml").write_text('per_layer_ignores:\n  "conv1": [SL1]\n')
    _, findings = lint(str(project / "models"))
    assert {f[1] for f in findings} == {"conv2"}


def test_explicit_config_and_strict_preset(project, tmp_path):
    config = tmp_path / "elsewhere.yaml"
    config.write_text("extends: strict\n")
    shutil.copy(os.path.join(ROOT, "examples", "unet_100.keras"), project / "models")
    _, findings = lint(str(project / "models"), "--config", str(config))
    assert ("SL104", "enc3_pool", "warning") in findings
    _, findings = lint(str(project / "models"))
    assert ("SL104", "enc3_pool", "info") in findings


@pytest.mark.parametrize("text, key", [
    ("selec: [SL101]\n", "selec: unknown key"),
    ("ignore: SL101\n", "ignore: Input should be a valid list"),
    ("rules:\n  SL999: {severity: error}\n", "rules.SL999: unknown rule"),
    ("rules:\n  SL101: {severity: fatal}\n", "rules.SL101.severity"),
    ("rules:\n  SL101: {params: {min_strid: 4}}\n", "rules.SL101.params.min_strid: unknown param"),
    ("rules:\n  SL101: {params: {min_stride: big}}\n", "rules.SL101.params.min_stride: expected int"),
    ("select: [XX1]\n", "select: 'XX1' matches no rule"),
    ("per_layer_ignores:\n  conv*: [SL9]\n", "per_layer_ignores.conv*"),
    ("rule_packs: [missing.yaml]\n", "missing.yaml: cannot read"),
    ("ignore: [SL101\n", "not valid YAML"),
    # what a user needs to fix it: the line, the YAML boolean, the key meant
    ("rules:\n  SL101: {severity: error\nignore: [x\n",
     "not valid YAML at line 3, column 7: expected ',' or '}', but got ':'"),
    ("rules:\n  SL101: {severity: off}\n",
     "YAML reads an unquoted off/no/on/yes as the boolean false: quote it ('off')"),
    ("failon: warning\n", "failon: unknown key; did you mean 'fail_on'?"),
    ("rules:\n  SL101: {severty: error}\n", "severty: unknown key; did you mean 'severity'?"),
    ("rules:\n  feature-map-colapse: {severity: error}\n",
     "unknown rule; did you mean 'feature-map-collapse'?"),
])
def test_invalid_config_exits_2_naming_the_key(project, text, key):
    (project / ".shapelint.yaml").write_text(text)
    result, _ = lint(str(project / "models"))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and key in lines[0] and "Traceback" not in result.stderr, result.stderr


def test_bad_command_line_codes_exit_2(project):
    result, _ = lint(str(project / "models"), "--select", "SL9")
    assert result.returncode == 2 and "--select" in result.stderr


def test_list_rules_and_explain():
    listing = subprocess.run([sys.executable, "-m", "shapelint", "--list-rules", "--format", "json"],
                             capture_output=True, text=True, timeout=60)
    rules = json.loads(listing.stdout)
    assert [r["code"] for r in rules][:2] == ["SL001", "SL002"]
    sl101 = next(r for r in rules if r["code"] == "SL101")
    assert sl101["params"]["min_stride"]["default"] == 3
    explained = subprocess.run([sys.executable, "-m", "shapelint", "--explain", "SL105"],
                               capture_output=True, text=True, timeout=60)
    for title in ("What it does", "Why is this bad", "Example", "Use instead"):
        assert title in explained.stdout
    unknown = subprocess.run([sys.executable, "-m", "shapelint", "--explain", "SL999"],
                             capture_output=True, text=True, timeout=60)
    assert unknown.returncode == 2


@pytest.mark.parametrize("doc", ["README.md", "docs/DESIGN.md"])
def test_the_docs_rule_tables_are_generated_from_the_packs(doc):
    from shapelint.rules.catalog import TABLE_DOCS, rules_markdown, with_rules_table
    from shapelint.rules.engine import default_ruleset

    assert doc in TABLE_DOCS
    with open(os.path.join(ROOT, doc), encoding="utf-8") as f:
        text = f.read()
    table = rules_markdown(default_ruleset())
    assert table.count("\n| SL") >= 14
    assert with_rules_table(text, table) == text, (
        f"{doc}: the rule table is stale: regenerate it with `python -m shapelint.rules.catalog`")


@pytest.mark.parametrize("written", ["sl101", "SL101", "large-stride-without-padding",
                                     "Large-Stride-Without-Padding", "sl10"])
def test_rules_are_selected_by_code_prefix_or_name_in_any_case(project, written):
    _, findings = lint(str(project / "models"), "--ignore", written)
    # without SL101, its SL104 is no longer folded into it
    expected = ["SL102", "SL104"] if written.lower() != "sl10" else []
    assert codes(findings) == expected
    (project / ".shapelint.yaml").write_text(f"ignore: [{written}]\n")
    _, from_config = lint(str(project / "models"))
    assert codes(from_config) == expected


def test_a_misspelt_rule_gets_a_did_you_mean(project):
    result, _ = lint(str(project / "models"), "--ignore", "feature-map-colapse")
    assert result.returncode == 2
    assert result.stderr.strip() == ("shapelint: error: --ignore: 'feature-map-colapse' matches "
                                     "no rule code or name; did you mean 'feature-map-collapse'? "
                                     "(see shapelint --list-rules)")
    explain = subprocess.run([sys.executable, "-m", "shapelint", "--explain", "SL1O3"],
                             capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert explain.returncode == 2 and "did you mean 'SL113' or 'SL103'?" in explain.stderr
    lower = subprocess.run([sys.executable, "-m", "shapelint", "--explain", "sl105"],
                           capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert lower.stdout.startswith("SL105 checkerboard-transpose (info)")
