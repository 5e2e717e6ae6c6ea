"""Output formats: one registry, name -> the module that renders it.

Every format module has ``render(results, options) -> str``: ``results`` are the
:class:`shapelint.lint.FileResult` of each file, ``options`` a :class:`RenderOptions`.
A format's module is imported only when that format is asked for. Adding a format means
adding its module and one entry below (and its test).

Whatever comes from a model file (layer and class names, paths, messages that quote
them) is shown through :func:`shapelint.formatting.printable` in the formats people read
(text, github, html), and escaped as its spec says in json and sarif: a model cannot
forge output lines or drive a terminal.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True)
class RenderOptions:
    """What a renderer may be asked for; each format reads the fields it has a use for."""

    rulesets: tuple = ()  # the rule sets the files were linted with (sarif lists their rules)
    summary: bool = False  # text: a per-layer table
    quiet: bool = False  # text: only the finding lines
    color: bool = False  # text: ANSI colours
    align: bool = False  # text: padded columns (a terminal)
    elapsed: Optional[float] = None  # text: seconds, shown in the summary line
    # text: a line for each unreadable file (the command line says it on stderr instead
    # when the report goes to the same screen, so it is read once)
    unreadable_lines: bool = True
    batch_size: int = 1  # json: the batch at which output_bytes and activation_bytes count


# name -> (module, what --help says of it); the first is the default
FORMATS = {
    "text": ("shapelint.report.text", "lines for people and editors (default)"),
    "json": ("shapelint.report.jsonfmt", "the JSON contract (docs/DESIGN.md)"),
    "sarif": ("shapelint.report.sarif", "SARIF 2.1.0 for code scanning"),
    "github": ("shapelint.report.github", "GitHub Actions annotations (the default when "
                                          "GITHUB_ACTIONS=true)"),
    "html": ("shapelint.report.html", "a self-contained page with each model's layer graph"),
}


def render(name: str, results: list, options: RenderOptions = RenderOptions()) -> str:
    """The report of ``results`` in format ``name`` (a key of :data:`FORMATS`)."""
    try:
        module, _ = FORMATS[name]
    except KeyError:
        raise ValueError(f"no output format {name!r}; choose from {', '.join(FORMATS)}") from None
    return importlib.import_module(module).render(results, options)
