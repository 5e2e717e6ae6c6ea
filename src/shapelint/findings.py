"""Findings: immutable, sortable records of one problem at one layer."""

from __future__ import annotations

from dataclasses import asdict, dataclass

SEVERITIES = ("error", "warning", "info")

# The engine's own checks. Codes are a stable contract (see DESIGN.md).
ENGINE_RULES = {
    "SL001": ("non-positive-dimension", "error"),
    "SL002": ("incompatible-merge", "error"),
    "SL003": ("invalid-layer-config", "error"),
    "SL004": ("shape-mismatch", "error"),
    "SL109": ("unknown-layer", "info"),
}


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
        name, severity = ENGINE_RULES[rule]
        return cls(rule, name, severity, layer, message, fix)

    def to_dict(self) -> dict:
        return asdict(self)
