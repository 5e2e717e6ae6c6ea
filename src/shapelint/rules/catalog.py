"""Rule documentation rendered from the packs: --list-rules, --explain, the README table."""

from __future__ import annotations

import json

from shapelint.rules.engine import RuleSet

SECTION_TITLES = {"what": "What it does", "why": "Why is this bad", "example": "Example",
                  "use_instead": "Use instead"}


def _first_sentence(text: str) -> str:
    """The summary of a rule: its first sentence, without the "Fires when/on" opening."""
    text = " ".join(text.split()).split(". ")[0].rstrip(".")
    for opening in ("Fires when ", "Fires on "):
        if text.startswith(opening):
            text = text[len(opening):]
    return text


def rule_record(ruleset: RuleSet, code: str) -> dict:
    rule = ruleset.rules[code]
    return {
        "code": rule.code, "name": rule.name, "severity": ruleset.severity_of(code),
        "default_severity": rule.severity, "enabled": ruleset.enabled(code),
        "applies_to": list(rule.applies_to) or None,
        "params": {name: {"type": p.type, "value": ruleset.params_of(code)[name],
                          "default": p.default, "help": p.help} for name, p in rule.params.items()},
        "docs": dict(rule.docs),
    }


def list_rules_text(ruleset: RuleSet) -> str:
    rows = [("code", "name", "severity", "fires when")]
    for code, rule in ruleset.rules.items():
        severity = ruleset.severity_of(code) if ruleset.enabled(code) else "off"
        rows.append((code, rule.name, severity, _first_sentence(rule.docs["what"])))
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r[:3], widths)) + "  " + r[3] for r in rows]
    return "\n".join(lines) + "\n"


def list_rules_json(ruleset: RuleSet) -> str:
    return json.dumps([rule_record(ruleset, code) for code in ruleset.rules], indent=2,
                      ensure_ascii=False) + "\n"


def explain(ruleset: RuleSet, key: str) -> str:
    rule = ruleset.lookup(key)
    lines = [f"{rule.code} {rule.name} ({ruleset.severity_of(rule.code)})", ""]
    for section, title in SECTION_TITLES.items():
        lines.append(title)
        body = rule.docs[section].rstrip()
        indent = "    " if section in ("example", "use_instead") else ""
        lines.extend(indent + line for line in body.splitlines())
        lines.append("")
    if rule.params:
        lines.append("Params")
        for name, p in rule.params.items():
            lines.append(f"  {name} ({p.type}) = {ruleset.params_of(rule.code)[name]!r}"
                         f"  (default {p.default!r}): {p.help}")
        lines.append("")
    lines.append(f"Suppress it with --ignore {rule.code}, or per layer with per_layer_ignores.")
    return "\n".join(lines) + "\n"


def rules_markdown(ruleset: RuleSet) -> str:
    """The README's rule table."""
    lines = ["| code | name | severity | fires when | params |", "|---|---|---|---|---|"]
    for code, rule in ruleset.rules.items():
        params = ", ".join(f"`{n}={p.default}`" for n, p in rule.params.items())
        lines.append(f"| {code} | {rule.name} | {rule.severity} | "
                     f"{_first_sentence(rule.docs['what'])} | {params} |")
    return "\n".join(lines) + "\n"


TABLE_START, TABLE_END = "<!-- rules-table:start -->", "<!-- rules-table:end -->"
TABLE_DOCS = ("README.md", "docs/DESIGN.md")  # the documents that show the rule table


def with_rules_table(document: str, table: str) -> str:
    """``document`` with the text between its rule-table markers replaced by ``table``."""
    start = document.index(TABLE_START) + len(TABLE_START)
    end = document.index(TABLE_END)
    return document[:start] + "\n" + table + document[end:]


if __name__ == "__main__":  # python -m shapelint.rules.catalog: rewrite the docs' rule tables
    from shapelint.rules.engine import default_ruleset

    generated = rules_markdown(default_ruleset())
    for doc in TABLE_DOCS:
        with open(doc, encoding="utf-8") as f:
            text = f.read()
        with open(doc, "w", encoding="utf-8") as f:
            f.write(with_rules_table(text, generated))
        print(f"wrote the rule table of {doc}")
