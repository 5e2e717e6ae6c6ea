"""``--format sarif``: SARIF 2.1.0, one run per invocation (for code scanning services).

Each finding is a result whose physical location is the model file (no region: a layer
has no line of its own in a model file), whose logical location is the layer, and whose
partial fingerprint hashes rule, file and layer (so an alert keeps its identity across
runs). Unreadable files are tool execution notifications. No timestamps: same input,
same bytes.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Optional
from urllib.parse import quote

from shapelint import __version__
from shapelint.report import RenderOptions
from shapelint.report.github import display_path, layer_message
from shapelint.report.jsonfmt import escape_raw
from shapelint.rules.catalog import SECTION_TITLES, _first_sentence

SCHEMA = ("https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/"
          "sarif-schema-2.1.0.json")
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
SRCROOT = "%SRCROOT%"


def artifact_location(path: str) -> dict:
    """A relative path becomes a URI under ``%SRCROOT%``; a path outside the working
    directory a ``file:`` URI."""
    shown = display_path(path)
    if os.path.isabs(shown):
        return {"uri": Path(os.path.abspath(path)).as_uri()}
    return {"uri": quote(shown), "uriBaseId": SRCROOT}


def rule_descriptor(rule) -> dict:
    docs = {section: " ".join(rule.docs[section].split()) for section in ("what", "why")}
    text = "\n\n".join(f"{title}\n{rule.docs[section].rstrip()}"
                       for section, title in SECTION_TITLES.items())
    markdown = "\n\n".join(
        f"**{title}**\n\n" + (f"```python\n{rule.docs[section].rstrip()}\n```"
                              if section in ("example", "use_instead") else docs[section])
        for section, title in SECTION_TITLES.items())
    descriptor = {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": _capitalized(_first_sentence(rule.docs["what"])) + "."},
        "fullDescription": {"text": f"{docs['what']} {docs['why']}"},
        "help": {"text": text, "markdown": markdown},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
    }
    if rule.params:
        descriptor["properties"] = {"params": {n: p.default for n, p in rule.params.items()}}
    return descriptor


def result_entry(finding, path: str, rule_index: Optional[int]) -> dict:
    text = layer_message(finding) + (f"\nFix: {finding.fix}" if finding.fix else "")
    leaf = finding.layer.rsplit("/", 1)[-1]
    entry = {"ruleId": finding.rule}
    if rule_index is not None:
        entry["ruleIndex"] = rule_index
    identity = f"{finding.rule}\0{display_path(path)}\0{finding.layer}".encode("utf-8")
    entry.update({
        "level": LEVELS[finding.severity],
        "message": {"text": text},
        "locations": [{
            "physicalLocation": {"artifactLocation": artifact_location(path)},
            "logicalLocations": [{"name": leaf, "fullyQualifiedName": finding.layer,
                                  "kind": "member"}],
        }],
        "partialFingerprints": {"shapelintLayer/v1": hashlib.sha256(identity).hexdigest()[:32]},
    })
    if finding.fix:
        entry["properties"] = {"fix": finding.fix}
    return entry


def notification(path: str, level: str, text: str) -> dict:
    return {"level": level, "message": {"text": text},
            "locations": [{"physicalLocation": {"artifactLocation": artifact_location(path)}}]}


def render(results: list, options: RenderOptions = RenderOptions()) -> str:
    """``options.rulesets``: the rule sets the files were linted with (their enabled rules
    are listed)."""
    rules: dict = {}
    for ruleset in options.rulesets:
        for code, rule in ruleset.rules.items():
            if ruleset.enabled(code):
                rules.setdefault(code, rule)
    codes = sorted(rules)
    index = {code: i for i, code in enumerate(codes)}
    results_out, notifications = [], []
    for r in results:
        if r.status == "error":
            notifications.append(notification(r.path, "error", f"{r.path}: {r.error}"))
            continue
        notifications.extend(notification(r.path, "note", note) for note in r.notes)
        results_out.extend(result_entry(f, r.path, index.get(f.rule)) for f in r.findings)
    driver = {"name": "shapelint", "version": __version__, "semanticVersion": __version__}
    homepage = _information_uri()
    if homepage:
        driver["informationUri"] = homepage
    driver["rules"] = [rule_descriptor(rules[code]) for code in codes]
    invocation = {"executionSuccessful": not any(r.status == "error" for r in results)}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{"tool": {"driver": driver}, "invocations": [invocation],
                  "results": results_out}],
    }
    return escape_raw(json.dumps(log, indent=2, ensure_ascii=False)) + "\n"


def _information_uri() -> Optional[str]:
    """The project's home page from the installed package's metadata, if it names one."""
    from importlib.metadata import PackageNotFoundError, metadata

    try:
        meta = metadata("shapelint")
    except PackageNotFoundError:
        return None
    for entry in meta.get_all("Project-URL") or []:
        label, _, url = entry.partition(",")
        if label.strip().lower() in ("homepage", "home", "source", "repository"):
            return url.strip()
    home = meta.get("Home-page")
    return home if home and home != "UNKNOWN" else None


def _capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]
