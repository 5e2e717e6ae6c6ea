"""Rule packs: YAML files of declarative rule records, loaded strictly.

A pack is ``{pack, description, extends?, rules: [record, ...], settings?}``. A
record declares one rule: ``code``, ``name``, ``severity``, ``params`` (name ->
``{type, default, help}``), either ``when`` (a condition over the layer view,
see :mod:`shapelint.rules.expr`) with ``applies_to`` (layer families or classes),
or ``check`` (a check implemented in Python: ``engine`` for the shape engine's
own findings, else a name in :data:`shapelint.rules.checks.CHECKS`), ``message``
and ``fix`` templates (not for ``engine`` rules: the engine writes its own), ``docs`` (what / why / example / use_instead) and
``examples`` (``valid`` and ``invalid`` tiny models). Any unknown key, wrong type,
duplicate code or name is a :class:`PackError` naming the file and the key.
"""

from __future__ import annotations

import os
import re
import string
from dataclasses import dataclass, field
from typing import Any, Optional

from shapelint.findings import SEVERITIES
from shapelint.rules.expr import Expression, ExpressionError
from shapelint.rules.view import FAMILIES, VIEW_NAMES

CODE_RE = re.compile(r"^SL[0-9]{3}$")
NAME_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
PARAM_TYPES = {"int": int, "float": (int, float), "str": str, "bool": bool}
DOC_SECTIONS = ("what", "why", "example", "use_instead")
# Codes that were used once and must never be reused for another rule.
RETIRED_CODES: dict = {}

_RECORD_KEYS = {"code", "name", "severity", "applies_to", "params", "when", "check", "message",
                "fix", "docs", "examples"}
_PACK_KEYS = {"pack", "description", "extends", "rules", "settings"}


class PackError(ValueError):
    """A rule pack that does not load: the message names the file and the key."""


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: Any
    help: str = ""


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: str
    message: str
    fix: str
    docs: dict
    params: dict = field(default_factory=dict)  # name -> Param
    applies_to: tuple = ()
    when: Optional[Expression] = None
    check: Optional[str] = None
    examples: dict = field(default_factory=dict)
    source: str = ""

    def defaults(self) -> dict:
        return {name: p.default for name, p in self.params.items()}


@dataclass
class Pack:
    name: str
    description: str
    rules: list
    settings: dict
    path: str
    extends: list = field(default_factory=list)  # packs to load first (names or paths)


def _fail(path: str, key: str, problem: str):
    raise PackError(f"{path}: {key}: {problem}")


def _require(record: dict, key: str, kind, path: str, where: str):
    full = f"{where}.{key}" if where else key
    if key not in record:
        _fail(path, full, "missing")
    value = record[key]
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        _fail(path, full, f"expected {getattr(kind, '__name__', kind)}, "
                                      f"got {type(value).__name__}")
    return value


def _template(text: str, names: set, path: str, key: str) -> str:
    """Check a message/fix template: plain ``{name}`` fields only, all of them known."""
    try:
        fields = list(string.Formatter().parse(text))
    except ValueError as e:
        _fail(path, key, f"bad template: {e}")
    for _, field_name, spec, conversion in fields:
        if field_name is None:
            continue
        if not field_name.isidentifier():
            _fail(path, key, f"template field {{{field_name}}} must be a plain name")
        if field_name not in names:
            _fail(path, key, f"template field {{{field_name}}} is not a view field or param")
    return text


def parse_rule(record: Any, path: str, index: int, extra_names: frozenset = frozenset()) -> Rule:
    where = f"rules[{index}]"
    if not isinstance(record, dict):
        _fail(path, where, "a rule must be a mapping")
    unknown = set(record) - _RECORD_KEYS
    if unknown:
        _fail(path, f"{where}.{sorted(unknown)[0]}", f"unknown key (allowed: {', '.join(sorted(_RECORD_KEYS))})")
    code = _require(record, "code", str, path, where)
    where = f"rules[{index}] ({code})"
    if not CODE_RE.match(code):
        _fail(path, f"{where}.code", "must look like SL123")
    if code in RETIRED_CODES:
        _fail(path, f"{where}.code", f"{code} is retired ({RETIRED_CODES[code]}); use a new code")
    name = _require(record, "name", str, path, where)
    if not NAME_RE.match(name):
        _fail(path, f"{where}.name", "must be lower-case words joined by '-'")
    severity = _require(record, "severity", str, path, where)
    if severity not in SEVERITIES:
        _fail(path, f"{where}.severity", f"must be one of {', '.join(SEVERITIES)}")

    params = {}
    for pname, spec in (record.get("params") or {}).items():
        pkey = f"{where}.params.{pname}"
        if not isinstance(spec, dict) or set(spec) - {"type", "default", "help"}:
            _fail(path, pkey, "a param is {type, default, help}")
        ptype = spec.get("type")
        if ptype not in PARAM_TYPES:
            _fail(path, f"{pkey}.type", f"must be one of {', '.join(PARAM_TYPES)}")
        default = spec.get("default")
        if not check_param_type(default, ptype):
            _fail(path, f"{pkey}.default", f"expected {ptype}, got {default!r}")
        params[pname] = Param(pname, ptype, default, str(spec.get("help", "")))

    names = set(VIEW_NAMES) | set(params) | set(extra_names)
    when = check = None
    if ("when" in record) == ("check" in record):
        _fail(path, where, "a rule has exactly one of 'when' (a condition) or 'check' (Python)")
    if "when" in record:
        try:
            when = Expression(record["when"], frozenset(names))
        except ExpressionError as e:
            _fail(path, f"{where}.when", str(e))
    else:
        check = _require(record, "check", str, path, where)
        from shapelint.rules.checks import CHECKS  # the Python-implemented checks

        if check != "engine" and check not in CHECKS:
            _fail(path, f"{where}.check", f"unknown check {check!r} "
                                          f"(known: engine, {', '.join(sorted(CHECKS))})")
        names |= set(CHECKS.get(check, (None, ()))[1])
    applies_to = tuple(record.get("applies_to") or ())
    for target in applies_to:
        if not isinstance(target, str) or not (target in FAMILIES or target[:1].isupper()):
            _fail(path, f"{where}.applies_to", f"{target!r} is neither a layer family "
                                               f"({', '.join(FAMILIES)}) nor a class name")
    if when is not None and not applies_to:
        _fail(path, f"{where}.applies_to", "a 'when' rule must say which layers it applies to")

    if check == "engine":  # the shape engine writes its findings' messages and fixes itself
        for key in ("message", "fix"):
            if key in record:
                _fail(path, f"{where}.{key}", f"an engine rule has no {key} template: the "
                                              f"shape engine writes each finding's {key}")
        message = fix = ""
    else:
        message = _template(_require(record, "message", str, path, where), names, path,
                            f"{where}.message")
        fix = _template(str(record.get("fix", "")), names, path, f"{where}.fix")
    docs = _require(record, "docs", dict, path, where)
    for section in DOC_SECTIONS:
        text = docs.get(section)
        if not isinstance(text, str) or not text.strip():
            _fail(path, f"{where}.docs.{section}", "missing or empty")
    if set(docs) - set(DOC_SECTIONS):
        _fail(path, f"{where}.docs.{sorted(set(docs) - set(DOC_SECTIONS))[0]}", "unknown section")
    examples = record.get("examples") or {}
    if not isinstance(examples, dict) or set(examples) - {"valid", "invalid"}:
        _fail(path, f"{where}.examples", "must be {valid: [...], invalid: [...]}")
    return Rule(code=code, name=name, severity=severity, message=message, fix=fix, docs=docs,
                params=params, applies_to=applies_to, when=when, check=check,
                examples=examples, source=path)


def check_param_type(value: Any, ptype: str) -> bool:
    if ptype in ("int", "float") and isinstance(value, bool):
        return False
    return isinstance(value, PARAM_TYPES[ptype])


def _load_yaml(path: str) -> Any:
    """The pack's data; from its parsed copy (``PACK.parsed.json``) when one exists and
    was made from these very bytes: importing PyYAML and parsing costs more than the
    rest of a small lint."""
    try:
        with open(path, "rb") as f:
            source = f.read()
    except OSError as e:
        raise PackError(f"{path}: cannot read: {e.strerror or e}") from None
    parsed = _parsed_copy(path, source)
    return parsed if parsed is not None else _parse_yaml(source, path)


def _parse_yaml(source: bytes, path: str) -> Any:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's, when PyYAML has it
    try:
        return yaml.load(source, Loader=loader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as e:
        raise PackError(f"{path}: not valid YAML: {e}".splitlines()[0]) from None


def parsed_copy_path(path: str) -> str:
    return os.path.splitext(path)[0] + ".parsed.json"


def _fingerprint(source: bytes) -> str:
    """Which bytes a parsed copy was made from (a checksum: zlib is loaded already)."""
    import zlib

    return f"crc32:{zlib.crc32(source):08x}:{len(source)}"


def _parsed_copy(path: str, source: bytes) -> Any:
    import json

    try:
        with open(parsed_copy_path(path), encoding="utf-8") as f:
            copy = json.load(f)
    except (OSError, ValueError):
        return None
    if not isinstance(copy, dict) or copy.get("source") != _fingerprint(source):
        return None  # the pack was edited since: read the YAML
    return copy.get("data")


def write_parsed_copy(path: str) -> str:
    """Write the parsed copy of the pack at ``path`` (for the bundled packs; a test checks
    they are current). Returns the copy's path."""
    import json

    with open(path, "rb") as f:
        source = f.read()
    data = _parse_yaml(source, path)
    out = parsed_copy_path(path)
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"source": _fingerprint(source), "data": data}, f,
                  ensure_ascii=False, indent=1)
        f.write("\n")
    return out


def load_pack(path: str) -> Pack:
    data = _load_yaml(path)
    if not isinstance(data, dict):
        raise PackError(f"{path}: a rule pack is a mapping with 'pack' and 'rules'")
    unknown = set(data) - _PACK_KEYS
    if unknown:
        _fail(path, sorted(unknown)[0], f"unknown key (allowed: {', '.join(sorted(_PACK_KEYS))})")
    name = _require(data, "pack", str, path, "")
    rules = data.get("rules") or []
    if not isinstance(rules, list):
        _fail(path, "rules", "must be a list")
    settings = data.get("settings") or {}
    if not isinstance(settings, dict):
        _fail(path, "settings", "must be a mapping of rule code -> {severity, params}")
    parsed = [parse_rule(r, path, i) for i, r in enumerate(rules)]
    return Pack(name=name, description=str(data.get("description", "")), rules=parsed,
                settings=settings, path=path, extends=_extends(data.get("extends"), path))


def _extends(value: Any, path: str) -> list:
    """``extends:`` as a list of builtin pack names or paths (relative to this pack)."""
    if value is None:
        return []
    refs = [value] if isinstance(value, str) else value
    if not isinstance(refs, list) or not all(isinstance(r, str) for r in refs):
        _fail(path, "extends", "must be a pack name or path, or a list of them")
    base = os.path.dirname(path)
    return [r if builtin_pack_path(r) or os.path.isabs(r) else os.path.join(base, r) for r in refs]


def builtin_dir() -> str:
    """The folder of the bundled packs: the repository's top-level ``rules/``, installed
    as the package ``shapelint.packs``, or read in place from a source checkout
    (``PYTHONPATH=src``), where that package does not exist."""
    try:
        import shapelint.packs
    except ImportError:
        checkout = os.path.join(os.path.dirname(__file__), "..", "..", "..", "rules")
        if os.path.isfile(os.path.join(checkout, "default.yaml")):
            return os.path.normpath(checkout)
        raise PackError("the bundled rule packs are missing: install shapelint "
                        "(pip install -e .) or run it from a complete source checkout") from None
    return list(shapelint.packs.__path__)[0]


def builtin_pack_path(name: str) -> Optional[str]:
    if not re.match(r"^[a-z][a-z0-9_-]*$", name):
        return None
    path = os.path.join(builtin_dir(), f"{name}.yaml")
    return path if os.path.isfile(path) else None


if __name__ == "__main__":  # python -m shapelint.rules.pack: refresh the bundled packs' copies
    for name in sorted(os.listdir(builtin_dir())):
        if name.endswith(".yaml"):
            print(write_parsed_copy(os.path.join(builtin_dir(), name)))
