"""``--format github``: GitHub Actions workflow commands, one annotation per finding.

``::error file=models/net.keras,title=SL001 non-positive-dimension::conv3: ...``
(``warning`` and ``notice`` for the other severities). Chosen automatically when
``GITHUB_ACTIONS=true`` and no ``--format`` is given.
"""

from __future__ import annotations

import os

from shapelint.formatting import printable
from shapelint.report import RenderOptions

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def display_path(path: str) -> str:
    """The path as the repository sees it: relative to the working directory when it
    lies inside it, with forward slashes."""
    path = os.path.normpath(path)
    if os.path.isabs(path):
        try:
            inside = os.path.relpath(path)
        except ValueError:  # another drive (Windows)
            inside = os.pardir
        if not inside.startswith(os.pardir):
            path = inside
    return path.replace(os.sep, "/")


def layer_message(finding) -> str:
    """The finding's message, starting with its layer name (where a line number would be)."""
    if finding.message.startswith(f"{finding.layer}:"):
        return finding.message
    return f"{finding.layer}: {finding.message}"


def escape_data(text: str) -> str:
    """A command's message: GitHub's own escapes for ``%``, CR and LF (the only line
    breaks in it are shapelint's own: model data has been through printable())."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, properties: dict, message: str) -> str:
    props = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    return f"::{name} {props}::{escape_data(message)}"


def render(results: list, options: RenderOptions = RenderOptions()) -> str:
    lines = []
    for result in results:
        path = printable(display_path(result.path))
        if result.status == "error":
            lines.append(command("error", {"file": path, "title": "unreadable model file"},
                                 printable(f"{result.path}: {result.error}")))
            continue
        for note in result.notes:
            lines.append(command("notice", {"file": path, "title": "shapelint note"},
                                 printable(note)))
        for f in result.findings:
            message = printable(layer_message(f)) + (f"\nfix: {printable(f.fix)}" if f.fix else "")
            properties = {"file": path, "title": f"{f.rule} {f.name}"}
            lines.append(command(COMMANDS[f.severity], properties, message))
    return "".join(line + "\n" for line in lines)
