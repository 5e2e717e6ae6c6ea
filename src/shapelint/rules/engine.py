"""Apply a :class:`RuleSet` to a :class:`ShapeTrace`: findings, filtered and sorted."""

from __future__ import annotations

import fnmatch
import string
from dataclasses import dataclass, field, replace
from shapelint.findings import Finding
from shapelint.formatting import per_axis
from shapelint.rules.checks import CHECKS
from shapelint.rules.graph import Graph
from shapelint.rules.pack import PackError, Rule, builtin_pack_path, load_pack
from shapelint.shapes.propagate import ShapeTrace

OFF = "off"


@dataclass
class RuleSet:
    """The rules in force and how they are configured."""

    rules: dict  # code -> Rule, in code order
    severity: dict = field(default_factory=dict)  # code -> severity or "off"
    params: dict = field(default_factory=dict)  # code -> {param: value}
    select: tuple = ()  # code prefixes; empty = every rule
    ignore: tuple = ()
    per_layer_ignores: tuple = ()  # (layer-name glob, code prefixes)
    layers: object = None  # the configuration's custom layers (shapes.declared.DeclaredLayers)

    def lookup(self, key: str) -> Rule:
        """A rule by code or name, in any case; unknown keys fail loudly."""
        if key.upper() in self.rules:
            return self.rules[key.upper()]
        for rule in self.rules.values():
            if rule.name == key.lower():
                return rule
        raise KeyError(f"unknown rule {key!r}")

    def enabled(self, code: str) -> bool:
        if self.severity.get(code) == OFF:
            return False
        if self.select and not _matches(code, self.select):
            return False
        return not _matches(code, self.ignore)

    def suppressed(self, code: str, layer: str) -> bool:
        return any(fnmatch.fnmatchcase(layer, glob) and _matches(code, codes)
                   for glob, codes in self.per_layer_ignores)

    def severity_of(self, code: str) -> str:
        return self.severity.get(code) or self.rules[code].severity

    def params_of(self, code: str) -> dict:
        return {**self.rules[code].defaults(), **self.params.get(code, {})}


def _matches(code: str, prefixes) -> bool:
    return any(p == "ALL" or code.startswith(p) for p in prefixes)


def load_rules(packs: list) -> tuple:
    """Rules of ``packs`` (builtin names or paths), following ``extends``; and their settings."""
    rules: dict = {}
    settings: dict = {}
    seen: set = set()

    def visit(ref: str, stack: tuple):
        path = builtin_pack_path(ref) or ref
        if path in stack:
            raise PackError(f"{path}: extends itself (through {' -> '.join(stack)})")
        if path in seen:
            return
        seen.add(path)
        pack = _cached_pack(path)
        for parent in pack.extends:
            visit(parent, stack + (path,))
        for rule in pack.rules:
            for other in rules.values():
                if other.code == rule.code or other.name == rule.name:
                    raise PackError(f"{path}: rule {rule.code} ({rule.name}) is already defined "
                                    f"by {other.source}")
            rules[rule.code] = rule
        for code, value in pack.settings.items():
            settings[code] = {**settings.get(code, {}), **value} if isinstance(value, dict) else value

    for ref in packs:
        visit(ref, ())
    return dict(sorted(rules.items())), settings


_PACKS: dict = {}


def _cached_pack(path: str):
    if path not in _PACKS:
        _PACKS[path] = load_pack(path)
    return _PACKS[path]


_DEFAULT: list = []


def default_ruleset() -> RuleSet:
    """The bundled default pack's rules (loaded once)."""
    if not _DEFAULT:
        rules, settings = load_rules(["default"])
        _DEFAULT.append(apply_settings(RuleSet(rules), settings, "default pack"))
    return _DEFAULT[0]


def apply_settings(ruleset: RuleSet, settings: dict, where: str) -> RuleSet:
    """Per-rule ``{severity, params}`` overrides (from a pack or a config), checked strictly."""
    from shapelint.rules.pack import SEVERITIES, check_param_type

    severity = dict(ruleset.severity)
    params = {k: dict(v) for k, v in ruleset.params.items()}
    for key, value in settings.items():
        try:
            rule = ruleset.lookup(key)
        except KeyError:
            from shapelint.config import did_you_mean

            raise PackError(f"{where}: rules.{key}: unknown rule{did_you_mean(key, ruleset)} "
                            "(see shapelint --list-rules)") from None
        if not isinstance(value, dict) or set(value) - {"severity", "params"}:
            raise PackError(f"{where}: rules.{key}: expected {{severity, params}}")
        if "severity" in value:
            if value["severity"] not in SEVERITIES + (OFF,):
                raise PackError(f"{where}: rules.{key}.severity: must be one of "
                                f"{', '.join(SEVERITIES + (OFF,))}")
            severity[rule.code] = value["severity"]
        for name, v in (value.get("params") or {}).items():
            if name not in rule.params:
                known = ", ".join(rule.params) or "none"
                raise PackError(f"{where}: rules.{key}.params.{name}: unknown param (known: {known})")
            if not check_param_type(v, rule.params[name].type):
                raise PackError(f"{where}: rules.{key}.params.{name}: expected "
                                f"{rule.params[name].type}, got {v!r}")
            params.setdefault(rule.code, {})[name] = v
    return replace(ruleset, severity=severity, params=params)


class _Template(string.Formatter):
    """``{name}`` fields only; tuples print as 32×32, None as ?."""

    def format_field(self, value, format_spec):
        if isinstance(value, (tuple, list)):
            value = per_axis(value)
        elif value is None:
            value = "?"
        return super().format_field(value, format_spec)


_TEMPLATE = _Template()


def render(template: str, names: dict) -> str:
    return _TEMPLATE.vformat(template, (), names)


def apply_rules(trace: ShapeTrace, ruleset: RuleSet) -> list:
    """Every finding of ``trace`` under ``ruleset``, sorted by layer position then code."""
    findings = []
    for f in trace.findings:  # the shape engine's own (SL001, SL002, SL003, SL109)
        if f.rule in ruleset.rules and ruleset.enabled(f.rule):
            findings.append(replace(f, severity=ruleset.severity_of(f.rule)))

    graph = Graph.of(trace)
    views = graph.views

    layer_rules = [r for r in ruleset.rules.values() if r.when is not None and ruleset.enabled(r.code)]
    for t in trace.layers:
        view = views[t.call.id]
        if view is None:
            continue
        for rule in layer_rules:
            if not _applies(rule, view):
                continue
            names = {**view, **ruleset.params_of(rule.code)}
            try:
                fired = rule.when.evaluate(names)
            except (TypeError, ValueError, ZeroDivisionError, IndexError):
                fired = False  # a condition over unknown (None) sizes does not fire
            if fired:
                findings.append(_finding(rule, ruleset, t.name, names))

    for rule in ruleset.rules.values():
        if rule.check in CHECKS and ruleset.enabled(rule.code):
            fn = CHECKS[rule.check][0]
            params = ruleset.params_of(rule.code)
            for t, extra in fn(graph, params):
                view = views.get(t.call.id) or {}
                findings.append(_finding(rule, ruleset, t.name, {**view, **params, **extra},
                                         extra.get("severity")))

    findings = _one_per_cause([f for f in findings if not ruleset.suppressed(f.rule, f.layer)],
                              graph)
    position = {t.name: i for i, t in enumerate(trace.layers)}
    return sorted(set(findings), key=lambda f: (position.get(f.layer, -1), f.rule, f.message))


# on one layer, a finding whose fix is already given by another of that layer's findings
FOLDED_INTO = {"SL104": ("SL101", "SL102")}


# an input whose layout looks transposed: the sizes the layers after it see follow from
# that mistake, so their geometry findings are echoes; other layout findings are not
LAYOUT_SUSPECT = "SL113"
LAYOUT_RULES = frozenset({"SL113", "SL115", "SL116", "SL118"})
# the compiled loss against the output layer's activation: no shape of the walk involved
SHAPE_FREE_RULES = frozenset({"SL203"})


def _one_per_cause(findings: list, graph: Graph) -> list:
    """Findings without their echoes: nothing but the engine's own errors (and the loss
    check, which reads no shape) on a layer downstream of an error, no geometry finding
    downstream of an input read in the wrong layout, and no SL104 where SL101 or SL102
    on the same layer already says it."""
    suspects = {f.layer for f in findings if f.rule == LAYOUT_SUSPECT}
    after_error = {graph.layer(i).name for i in graph.after_error}
    after_layout = graph.downstream_names(suspects) - suspects
    kept = SHAPE_FREE_RULES | {code for code, rule in default_ruleset().rules.items()
                               if rule.check == "engine"}
    on_layer: dict = {}
    for f in findings:
        on_layer.setdefault(f.layer, set()).add(f.rule)
    return [f for f in findings
            if (f.rule in kept or (f.layer not in after_error and (
                f.rule in LAYOUT_RULES or f.layer not in after_layout)))
            and not on_layer[f.layer] & set(FOLDED_INTO.get(f.rule, ()))]


def _applies(rule: Rule, view: dict) -> bool:
    return view["family"] in rule.applies_to or view["class_name"] in rule.applies_to


def _finding(rule: Rule, ruleset: RuleSet, layer: str, names: dict,
             own_severity: str = None) -> Finding:
    """A check may give one finding its own severity (SL203: an error or a warning,
    by case); a severity set in a pack or config still wins."""
    names = {"layer": layer, **names}
    severity = ruleset.severity.get(rule.code) or own_severity or rule.severity
    return Finding(rule=rule.code, name=rule.name, severity=severity,
                   layer=layer, message=render(rule.message, names), fix=render(rule.fix, names))


__all__ = ["RuleSet", "apply_rules", "apply_settings", "default_ruleset", "load_rules"]
