"""Strict loading of rule packs: every mistake is an error naming the file and the key."""

from __future__ import annotations

import copy

import pytest
import yaml

from shapelint.rules.engine import load_rules
from shapelint.rules.pack import PackError, builtin_pack_path, load_pack

with open(builtin_pack_path("default"), encoding="utf-8") as f:
    DEFAULT = yaml.safe_load(f)
SL101 = next(r for r in DEFAULT["rules"] if r["code"] == "SL101")


def write_pack(tmp_path, rules, **extra):
    path = tmp_path / "pack.yaml"
    path.write_text(yaml.safe_dump({"pack": "test", "rules": rules, **extra}, allow_unicode=True))
    return str(path)


def mutated(**changes):
    rule = copy.deepcopy(SL101)
    rule["code"], rule["name"] = "SL199", "test-rule"
    for key, value in changes.items():
        if value is None:
            rule.pop(key)
        else:
            rule[key] = value
    return rule


@pytest.mark.parametrize("changes, key, problem", [
    ({"severity_level": "warning"}, "severity_level", "unknown key"),
    ({"code": "X101"}, "code", "must look like SL123"),
    ({"name": "Bad Name"}, "name", "lower-case"),
    ({"severity": "fatal"}, "severity", "must be one of"),
    ({"severity": 3}, "severity", "expected str"),
    ({"when": "stride > min_stride"}, "when", "unknown name 'stride'"),
    ({"when": "__import__('os')"}, "when", "are allowed"),
    ({"params": {"min_stride": {"type": "int", "default": "3"}}}, "params.min_stride.default",
     "expected int"),
    ({"params": {"min_stride": {"type": "integer", "default": 3}}}, "params.min_stride.type",
     "must be one of"),
    ({"message": "{layer}: {not_a_field}"}, "message", "not a view field"),
    ({"message": "{layer.__class__}"}, "message", "plain name"),
    ({"docs": {"what": "x", "why": "y", "example": "z"}}, "docs.use_instead", "missing"),
    ({"check": "engine"}, "(SL199)", "exactly one of"),
    ({"applies_to": ["convolutions"]}, "applies_to", "neither a layer family"),
])
def test_bad_records_name_file_and_key(tmp_path, changes, key, problem):
    path = write_pack(tmp_path, [mutated(**changes)])
    with pytest.raises(PackError) as info:
        load_pack(path)
    message = str(info.value)
    assert message.startswith(path) and key in message and problem in message, message


def test_unknown_top_level_key(tmp_path):
    path = write_pack(tmp_path, [], ruless=[])
    with pytest.raises(PackError, match="ruless: unknown key"):
        load_pack(path)


def test_duplicate_codes_and_names_across_packs_are_errors(tmp_path):
    path = write_pack(tmp_path, [mutated(code="SL101")], extends="default")
    with pytest.raises(PackError, match="SL101 .* already defined"):
        load_rules([path])
    path = write_pack(tmp_path, [mutated(name="large-stride-without-padding")], extends="default")
    with pytest.raises(PackError, match="already defined"):
        load_rules([path])


def test_extends_cycle_is_an_error(tmp_path):
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text("pack: a\nextends: b.yaml\nrules: []\n")
    b.write_text("pack: b\nextends: a.yaml\nrules: []\n")
    with pytest.raises(PackError, match="extends itself"):
        load_rules([str(a)])


def test_an_extra_pack_adds_a_working_rule(tmp_path):
    from shapelint.rules.engine import RuleSet, apply_rules
    from shapelint.loading import load_config
    from shapelint.rules.examples import example_config
    from shapelint.shapes.propagate import propagate

    rule = mutated(when="max(strides) >= 2", params=None,
                   message="{layer}: stride {strides}", fix="")
    rule["examples"] = {}
    path = write_pack(tmp_path, [rule], extends="default")
    rules, _ = load_rules([path])
    trace = propagate(load_config(example_config(
        {"input": [8, 8, 3], "layers": [{"Conv2D": {"filters": 2, "kernel_size": 2, "strides": 2}}]})))
    findings = [f for f in apply_rules(trace, RuleSet(rules)) if f.rule == "SL199"]
    assert [f.message for f in findings] == ["conv2d_0: stride 2×2"]


@pytest.mark.parametrize("name", ["default", "strict"])
def test_bundled_pack_parsed_copy_is_current(name):
    """The bundled packs ship a parsed copy (read instead of the YAML when it was made from
    the same bytes); refresh it with `python -m shapelint.rules.pack`."""
    import json
    import zlib

    import yaml

    from shapelint.rules.pack import builtin_pack_path, parsed_copy_path

    path = builtin_pack_path(name)
    with open(path, "rb") as f:
        source = f.read()
    with open(parsed_copy_path(path), encoding="utf-8") as f:
        copy = json.load(f)
    assert copy["source"] == f"crc32:{zlib.crc32(source):08x}:{len(source)}", \
        "stale: run python -m shapelint.rules.pack"
    assert copy["data"] == yaml.safe_load(source)


def test_pack_edited_after_its_parsed_copy_is_read_from_yaml(tmp_path):
    from shapelint.rules.pack import load_pack, write_parsed_copy

    pack = tmp_path / "team.yaml"
    pack.write_text("pack: team\nrules: []\n")
    write_parsed_copy(str(pack))
    assert load_pack(str(pack)).name == "team"
    pack.write_text("pack: renamed\nrules: []\n")  # edited: the copy no longer matches
    assert load_pack(str(pack)).name == "renamed"
