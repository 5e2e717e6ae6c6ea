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


def test_a_file_whose_recorded_shapes_all_disagree_gets_one_sl004():
    """An input edited from 32×32 to 12×12: every recorded shape after it disagrees; one
    finding, at the first layer, counts the others."""
    config = example_config({"input": [12, 12, 3], "layers": [
        {"Conv2D": {"name": "c1", "filters": 8, "kernel_size": 3, "recorded": [None, 30, 30, 8]}},
        {"Conv2D": {"name": "c2", "filters": 8, "kernel_size": 3, "recorded": [None, 28, 28, 8]}},
        {"Conv2D": {"name": "c3", "filters": 8, "kernel_size": 3, "recorded": [None, 26, 26, 8]}},
        {"ReLU": {}}]})
    found = [f for f in analyse(config, "edited.json").findings if f.rule == "SL004"]
    assert [f.layer for f in found] == ["c1"]
    assert found[0].message == ("c1: shapelint predicts ?×10×10×8 but the file records ?×30×30×8; "
                                "2 later layer calls differ too")


@pytest.mark.parametrize("b_size, expected", [(11, ["SL002"]), (10, ["SL101"])])
def test_no_warning_downstream_of_an_error(b_size, expected):
    """After a merge that cannot run, the analysis goes on (recovered shapes), but the
    warnings it would give there are echoes of the error: only the error is reported."""
    config = example_config({"inputs": {"a": [10, 10, 3], "b": [b_size, b_size, 3]}, "layers": [
        {"Concatenate": {"name": "join", "inputs": ["a", "b"]}},
        {"Conv2D": {"name": "strided", "filters": 4, "kernel_size": 3, "strides": 3}}]})
    result = analyse(config, "merge.json")
    assert [f.rule for f in result.findings if f.severity != "info"] == expected
    strided = next(t for t in result.trace.layers if t.name == "strided")
    assert strided.output_shapes == [(None, 3, 3, 4)]  # recovered: the analysis went on


def test_sl107_names_the_window_layer_the_field_is_measured_at():
    """A Dropout after the last conv has the same field: the finding names the conv."""
    config = example_config({"input": [64, 64, 3], "layers": [
        {"Conv2D": {"name": "last_conv", "filters": 4, "kernel_size": 3}},
        {"Dropout": {"name": "drop", "rate": 0.5}},
        {"GlobalAveragePooling2D": {"name": "gap"}}]})
    found = [f for f in analyse(config, "rf.json").findings if f.rule == "SL107"]
    assert [f.layer for f in found] == ["last_conv"]
    assert found[0].message.startswith("last_conv: the last spatial layer sees 3×3 px")
