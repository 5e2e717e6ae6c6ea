"""Project configuration: ``.shapelint.yaml`` or ``[tool.shapelint]`` in ``pyproject.toml``.

Found by walking up from the linted file's folder (the nearest wins), or given
with ``--config FILE``. Validated strictly with pydantic, which is imported only
when a configuration file exists: the plain lint path stays light.

    select: [SL0, SL1]          # code prefixes to enable (default: every rule)
    ignore: [SL107]             # code prefixes to disable
    fail_on: warning            # lowest severity that makes the exit code 1
    extends: default            # the base pack: a bundled pack name (default, strict) or a path
    rule_packs: [team.yaml]     # extra packs, relative to this file
    rules:                      # per rule (code or name): severity (or off) and params
      SL102: {severity: error, params: {min_size: 8}}
    per_layer_ignores:          # layer-name glob -> code prefixes
      "decoder/*": [SL105]
    layers:                     # custom layers' shapes (see shapelint.shapes.declared)
      MyScale: same
      MyPool: {like: MaxPooling2D}
"""

from __future__ import annotations

import os
from dataclasses import replace
from typing import Any, Optional

from shapelint.errors import ConfigError
from shapelint.rules.engine import RuleSet, apply_settings, load_rules
from shapelint.rules.pack import PackError

CONFIG_NAMES = (".shapelint.yaml", ".shapelint.yml", "pyproject.toml")


def find_config(start: str) -> Optional[str]:
    """The nearest config file at or above ``start`` (a file or folder), or None."""
    folder = os.path.abspath(start if os.path.isdir(start) else os.path.dirname(start) or ".")
    while True:
        for name in CONFIG_NAMES:
            path = os.path.join(folder, name)
            if os.path.isfile(path) and (name != "pyproject.toml" or _has_tool_section(path)):
                return path
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def _has_tool_section(path: str) -> bool:
    try:
        with open(path, "rb") as f:
            return b"[tool.shapelint" in f.read()
    except OSError:
        return False


def read_config_file(path: str) -> dict:
    """The raw settings mapping of a config file."""
    try:
        if path.endswith(".toml"):
            try:
                import tomllib
            except ImportError:  # Python < 3.11
                import tomli as tomllib
            with open(path, "rb") as f:
                data = tomllib.load(f).get("tool", {}).get("shapelint", {})
        else:
            import yaml

            with open(path, "rb") as f:
                data = yaml.safe_load(f) or {}
    except OSError as e:
        raise ConfigError(f"{path}: cannot read: {e.strerror or e}") from None
    except Exception as e:  # TOML/YAML syntax errors of either parser
        raise ConfigError(f"{path}: not valid {'TOML' if path.endswith('.toml') else 'YAML'}"
                          f"{_syntax_error(e)}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the configuration must be a mapping")
    return data


def _syntax_error(e: Exception) -> str:
    """Where a YAML syntax error is and what it is: ``at line 3, column 1: expected ',' or '}',
    but got '<scalar>'`` (TOML's own messages already name the line)."""
    mark = getattr(e, "problem_mark", None)
    if mark is None:
        return f": {str(e).splitlines()[0]}"
    problem = getattr(e, "problem", None) or str(e).splitlines()[0]
    return f" at line {mark.line + 1}, column {mark.column + 1}: {problem}"


def _schema():
    from typing import Dict, List, Literal, Union

    from pydantic import BaseModel, ConfigDict

    class RuleSettings(BaseModel):
        model_config = ConfigDict(extra="forbid", strict=True)
        severity: Optional[Literal["error", "warning", "info", "off"]] = None
        params: Dict[str, Union[bool, int, float, str]] = {}

    class Config(BaseModel):
        model_config = ConfigDict(extra="forbid", strict=True)
        select: Optional[List[str]] = None
        ignore: List[str] = []
        fail_on: Optional[Literal["error", "warning", "info"]] = None
        extends: str = "default"
        rule_packs: List[str] = []
        rules: Dict[str, RuleSettings] = {}
        per_layer_ignores: Dict[str, List[str]] = {}
        layers: Dict[str, Any] = {}  # read by shapes.declared, which names the key at fault

    return Config


def validate(data: Any, path: str):
    from pydantic import ValidationError

    data = {k.replace("-", "_") if isinstance(k, str) else k: v for k, v in data.items()} \
        if isinstance(data, dict) else data
    try:
        return _schema().model_validate(data)
    except ValidationError as e:
        error = e.errors()[0]
        key = ".".join(str(p) for p in error["loc"]) or "(top level)"
        if error["type"] == "extra_forbidden":
            problem = "unknown key" + _closest(str(error["loc"][-1]), _known_keys(error["loc"]))
        else:
            problem = error["msg"]
            if isinstance(error.get("input"), bool):  # YAML 1.1: off, no, yes, on are booleans
                problem += (f"; YAML reads an unquoted off/no/on/yes as the boolean "
                            f"{str(error['input']).lower()}: quote it ('off')")
        raise ConfigError(f"{path}: {key}: {problem}") from None


def _known_keys(loc: tuple) -> list:
    """The keys the schema allows where ``loc`` points (its last item is the unknown key)."""
    fields = _schema().model_fields
    if len(loc) >= 3 and loc[0] == "rules":
        return ["severity", "params"]
    return [name.replace("_", "-") for name in fields] + list(fields)


def _closest(text: str, choices: list) -> str:
    import difflib

    close = difflib.get_close_matches(text, choices, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def ruleset_from_file(path: str) -> tuple:
    """(RuleSet, fail_on or None) configured by the file at ``path``."""
    return ruleset_from_settings(read_config_file(path), path)


def ruleset_from_settings(data: dict, path: str) -> tuple:
    """(RuleSet, fail_on or None) from a settings mapping; ``path`` names it in errors and
    anchors relative pack paths."""
    config = validate(data, path)
    base = os.path.dirname(os.path.abspath(path)) if os.path.exists(path) else os.getcwd()
    packs = [config.extends] + [os.path.join(base, p) for p in config.rule_packs]
    try:
        rules, pack_settings = load_rules(packs)
        ruleset = apply_settings(RuleSet(rules), pack_settings, "rule packs")
        ruleset = apply_settings(ruleset, {k: v.model_dump(exclude_none=True)
                                           for k, v in config.rules.items()}, path)
    except PackError as e:
        raise ConfigError(str(e)) from None
    ruleset = replace(
        ruleset, select=selectors(config.select or (), ruleset, f"{path}: select"),
        ignore=selectors(config.ignore, ruleset, f"{path}: ignore"),
        per_layer_ignores=tuple(
            (glob, selectors(p, ruleset, f"{path}: per_layer_ignores.{glob}"))
            for glob, p in config.per_layer_ignores.items()),
        layers=_declared_layers(config.layers, path) if config.layers else None)
    return ruleset, config.fail_on


def _declared_layers(layers: dict, path: str):
    from shapelint.shapes.declared import DeclarationError, declared_layers

    try:
        return declared_layers(layers, path)
    except DeclarationError as e:
        raise ConfigError(f"{path}: {e}") from None


def selectors(values, ruleset, where: str) -> tuple:
    """Rule selectors as the engine matches them (code prefixes, or ``ALL``), from what a
    user writes: codes and prefixes in any case (``sl1``), or rule names
    (``checkerboard-transpose``). Anything else is a :class:`ConfigError` that names the
    closest codes and names."""
    found = []
    for value in values:
        text = str(value).strip()
        if text.upper() == "ALL":
            found.append("ALL")
            continue
        prefix = text.upper()
        if prefix.startswith("SL") and any(code.startswith(prefix) for code in ruleset.rules):
            found.append(prefix)
            continue
        named = [code for code, rule in ruleset.rules.items() if rule.name == text.lower()]
        if named:
            found.extend(named)
            continue
        raise ConfigError(f"{where}: {text!r} matches no rule code or name"
                          f"{did_you_mean(text, ruleset)} (see shapelint --list-rules)")
    return tuple(found)


def did_you_mean(text: str, ruleset) -> str:
    """``; did you mean 'SL105' or 'checkerboard-transpose'?`` (or "" when nothing is close)."""
    import difflib

    choices = list(ruleset.rules) + [rule.name for rule in ruleset.rules.values()]
    close = difflib.get_close_matches(text.upper() if text[:2].lower() == "sl" else text.lower(),
                                      choices, n=2, cutoff=0.6)
    return f"; did you mean {' or '.join(map(repr, close))}?" if close else ""


class Resolver:
    """The RuleSet and fail-on level for each linted file, with command-line overrides.

    Precedence: command line > nearest config file (or ``--config``) > rule packs.
    ``--select`` replaces the configured selection, ``--ignore`` adds to it.
    """

    def __init__(self, config: Optional[str] = None, select: Optional[list] = None,
                 ignore: Optional[list] = None, fail_on: Optional[str] = None):
        self.config = config
        self.select = select
        self.ignore = ignore or []
        self.fail_on = fail_on
        self._cache: dict = {}

    def for_path(self, path: Optional[str]) -> tuple:
        source = self.config or (find_config(path) if path else None)
        if source not in self._cache:
            if source is None:
                from shapelint.rules.engine import default_ruleset

                ruleset, fail_on = default_ruleset(), None
            else:
                ruleset, fail_on = ruleset_from_file(source)
            if self.select is not None:
                ruleset = replace(ruleset, select=selectors(self.select, ruleset, "--select"))
            if self.ignore:
                ruleset = replace(ruleset, ignore=ruleset.ignore
                                  + selectors(self.ignore, ruleset, "--ignore"))
            self._cache[source] = (ruleset, self.fail_on or fail_on or "error")
        return self._cache[source]
