"""Every rule's own valid/invalid examples, and its documentation, from the packs."""

from __future__ import annotations

import pytest

from shapelint.lint import analyse
from shapelint.rules.engine import default_ruleset
from shapelint.rules.examples import example_config, example_data, example_memory
from shapelint.rules.pack import DOC_SECTIONS

RULESET = default_ruleset()
CASES = [(code, kind, i, example)
         for code, rule in RULESET.rules.items()
         for kind in ("invalid", "valid")
         for i, example in enumerate(rule.examples.get(kind, []))]


def codes_for(example) -> list:
    """The codes of the whole pipeline on the example, with its loss and data."""
    result = analyse(example_config(example), "example", ruleset=RULESET,
                     data=example_data(example), memory=example_memory(example))
    assert result.status == "ok", result.error
    return [f.rule for f in result.findings]


@pytest.mark.parametrize("code, kind, index, example", CASES,
                         ids=[f"{c}-{k}-{i}" for c, k, i, _ in CASES])
def test_rule_example(code, kind, index, example):
    codes = codes_for(example)
    if kind == "invalid":
        assert code in codes, f"{code} should fire on {example}, got {codes}"
    else:
        assert code not in codes, f"{code} should not fire on {example}, got {codes}"


@pytest.mark.parametrize("code", list(RULESET.rules))
def test_every_rule_has_docs_and_both_kinds_of_examples(code):
    rule = RULESET.rules[code]
    for section in DOC_SECTIONS:
        assert rule.docs.get(section, "").strip(), f"{code} lacks docs.{section}"
    assert rule.examples.get("invalid"), f"{code} has no invalid example"
    assert rule.examples.get("valid"), f"{code} has no valid example"


def test_engine_findings_take_name_and_severity_from_their_pack_records():
    """The shape engine emits SL001-SL003 and SL109 itself, with its own messages and
    fixes: its findings' names and default severities are those of the pack records."""
    from shapelint.findings import Finding

    engine_codes = [code for code, rule in RULESET.rules.items() if rule.check == "engine"]
    assert engine_codes == ["SL001", "SL002", "SL003", "SL109"]
    for code in engine_codes:
        rule = RULESET.rules[code]
        assert rule.message == rule.fix == ""
        found = Finding.engine(code, "conv", "conv: a message", "a fix")
        assert (found.name, found.severity, found.fix) == (rule.name, rule.severity, "a fix")
