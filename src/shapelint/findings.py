"""Findings: immutable, sortable records of one problem at one layer."""

from __future__ import annotations

from dataclasses import asdict, dataclass

SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True, order=True)
class Finding:
    rule: str
    name: str
    severity: str
    layer: str
    message: str
    fix: str = ""

    @classmethod
    def engine(cls, rule: str, layer: str, message: str, fix: str = "") -> "Finding":
        """A finding of the shape engine (a ``check: engine`` rule), which writes its
        message and fix; its name and default severity are the rule record's in the
        default pack."""
        from shapelint.rules.engine import default_ruleset

        record = default_ruleset().rules[rule]
        return cls(rule, record.name, record.severity, layer, message, fix)

    def to_dict(self) -> dict:
        return asdict(self)
