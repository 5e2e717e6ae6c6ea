"""The real-world corpus: real users' shape bugs (bug.json) and their accepted fixes
(fixed.json), with the codes a correct linter gives (case.yaml). See README.md.

    python tests/realworld/corpus.py          # recall and false alarms, per set and case
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import Optional

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
SHAPE_SETS = ("qa", "github", "peer", "classic")  # inside the model; `data`: data and loss


@dataclass
class Case:
    set: str
    id: str
    folder: str
    meta: dict
    expected: list = field(default_factory=list)  # [(code, layer)]

    @property
    def input_shapes(self) -> Optional[list]:
        """The size the user fed the buggy model, where its config leaves it open."""
        shape = self.meta.get("input_shape")
        return [tuple(shape)] if shape else None

    def path(self, which: str) -> Optional[str]:
        path = os.path.join(self.folder, f"{which}.json")
        return path if os.path.exists(path) else None


def cases(sets=SHAPE_SETS) -> list:
    found = []
    for name in sets:
        root = os.path.join(HERE, name)
        if not os.path.isdir(root):
            continue
        for ident in sorted(os.listdir(root)):
            meta_path = os.path.join(root, ident, "case.yaml")
            if not os.path.isfile(meta_path):
                continue
            with open(meta_path, encoding="utf-8") as f:
                meta = yaml.safe_load(f)
            expected = [(e["code"], e["layer"]) for e in meta.get("expected") or ()]
            found.append(Case(name, ident, os.path.join(root, ident), meta, expected))
    return found


def findings(case: Case, which: str) -> list:
    """(code, severity, layer) of every finding shapelint reports on the case's file."""
    from shapelint.lint import lint_path

    shapes = case.input_shapes if which == "bug" else None  # the size the user fed the bug
    result = lint_path(case.path(which), shapes, cross_check="recorded")
    assert result.status == "ok", (case.id, which, result.error)
    return [(f.rule, f.severity, f.layer) for f in result.findings]


def caught(case: Case, found: list) -> bool:
    """Every expected code is reported at its layer."""
    reported = {(code, layer) for code, _, layer in found}
    return bool(case.expected) and all(e in reported for e in case.expected)


def loud(found: list) -> dict:
    return {"error": [f for f in found if f[1] == "error"],
            "warning": [f for f in found if f[1] == "warning"]}


def main() -> None:
    totals: dict = {}
    for case in cases():
        row = totals.setdefault(case.set, {"bugs": 0, "caught": 0, "twins": 0, "errors": 0,
                                           "warnings": 0, "missed": []})
        if case.expected and case.path("bug"):
            row["bugs"] += 1
            found = findings(case, "bug")
            if caught(case, found):
                row["caught"] += 1
            else:
                row["missed"].append(f"{case.id}: expected {case.expected}, got "
                                     f"{[(c, layer) for c, s, layer in found if s != 'info']}")
        if case.path("fixed"):
            row["twins"] += 1
            noise = loud(findings(case, "fixed"))
            row["errors"] += len(noise["error"])
            row["warnings"] += len(noise["warning"])
            for code, severity, layer in noise["error"] + noise["warning"]:
                print(f"  twin {case.set}/{case.id}: {code} [{severity}] at {layer}")
    for name, row in totals.items():
        print(f"{name}: {row['caught']}/{row['bugs']} bugs caught; twins ({row['twins']}): "
              f"{row['errors']} errors, {row['warnings']} warnings")
        for line in row["missed"]:
            print(f"  missed {line}")


if __name__ == "__main__":
    sys.path.insert(0, os.path.join(HERE, "..", "..", "src"))
    main()
