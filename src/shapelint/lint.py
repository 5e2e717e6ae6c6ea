"""The static pipeline: path -> ModelSpec -> ShapeTrace -> findings, one file at a time."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Optional

from shapelint.errors import NotAModel, UnreadableModel
from shapelint.findings import Finding
from shapelint.loading import MODEL_EXTENSIONS, ModelSpec, load_path
from shapelint.rules.engine import RuleSet, apply_rules, default_ruleset
from shapelint.shapes.propagate import ShapeTrace, propagate


@dataclass
class FileResult:
    path: str
    status: str  # "ok", "error" (unreadable) or "skipped" (not a model)
    error: Optional[str] = None
    trace: Optional[ShapeTrace] = None
    findings: list = field(default_factory=list)
    fail_on: str = "error"  # the lowest severity that fails this file (from its config)

    @property
    def model(self) -> Optional[ModelSpec]:
        return self.trace.model if self.trace else None


def collect_paths(paths: list) -> list:
    """Files to lint: files as given, directories recursed for model extensions (sorted)."""
    out = []
    for path in paths:
        if os.path.isdir(path):
            found = []
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                found.extend(os.path.join(root, f) for f in files
                             if f.lower().endswith(MODEL_EXTENSIONS))
            out.extend(sorted(found))
        else:
            out.append(path)
    return out


def lint_path(path: str, input_shapes: Optional[list] = None,
              ruleset: Optional[RuleSet] = None) -> FileResult:
    """Lint one model file; never raises for a bad file."""
    if not os.path.isfile(path):
        return FileResult(path, "error", error="no such file" if not os.path.exists(path)
                          else "not a regular file")
    try:
        spec = load_path(path)
    except NotAModel as e:
        return FileResult(path, "skipped", error=str(e))
    except UnreadableModel as e:
        return FileResult(path, "error", error=str(e))
    except RecursionError:
        return FileResult(path, "error", error="the model config is nested too deeply")
    trace = propagate(spec, input_shapes)
    return FileResult(path, "ok", trace=trace,
                      findings=apply_rules(trace, ruleset or default_ruleset()))


def count(results: list) -> dict:
    totals = {"files": len(results), "errors": 0, "warnings": 0, "info": 0}
    key = {"error": "errors", "warning": "warnings", "info": "info"}
    for result in results:
        for finding in result.findings:
            totals[key[finding.severity]] += 1
    return totals


__all__ = ["FileResult", "Finding", "ShapeTrace", "collect_paths", "count", "lint_path"]
