"""docs/DESIGN.md describes the code as it is: its package layout names every module of
the package and no module that does not exist, and its format lists are the registry's."""

from __future__ import annotations

import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE = os.path.join(ROOT, "src", "shapelint")
with open(os.path.join(ROOT, "docs", "DESIGN.md"), encoding="utf-8") as f:
    DESIGN = f.read()
LAYOUT = DESIGN[DESIGN.index("## Package layout"):DESIGN.index("## Shape semantics")]
NAMED = set(re.findall(r"`([A-Za-z_][\w./]*)`", LAYOUT))


def modules() -> list:
    """Every module of the package, as ``folder/name.py`` relative to it."""
    found = []
    for folder, _, files in os.walk(PACKAGE):
        for name in files:
            if name.endswith(".py"):
                found.append(os.path.relpath(os.path.join(folder, name), PACKAGE))
    return sorted(found)


def test_every_module_is_in_the_layout():
    missing = []
    for path in modules():
        folder, name = os.path.split(path)
        if name == "__main__.py" or (name == "__init__.py" and folder):
            continue  # `python -m shapelint`; a subpackage is named by its folder
        stem = name[:-3]
        if name not in NAMED and f"{path}" not in NAMED and stem not in NAMED:
            missing.append(path)
        if folder and f"{folder.split(os.sep)[0]}/" not in NAMED:
            missing.append(folder + "/")
    assert not missing, f"docs/DESIGN.md's package layout does not name {sorted(set(missing))}"


def test_every_module_the_layout_names_exists():
    files = {os.path.basename(p) for p in modules()} | set(modules())
    named_files = {n for n in NAMED if n.endswith(".py")}
    assert named_files, "the layout names no module"
    assert not named_files - files, sorted(named_files - files)
    folders = {os.path.basename(f) + "/" for f, _, _ in os.walk(PACKAGE)}
    named_folders = {n for n in NAMED if n.endswith("/") and n != "src/shapelint/"}
    assert not named_folders - folders, sorted(named_folders - folders)


def test_the_format_lists_are_the_registry():
    from shapelint.report import FORMATS

    formats = "|".join(FORMATS)
    assert f"──report──▶ {formats}" in DESIGN
    assert f"`--format {formats}`" in DESIGN
    assert ", ".join(FORMATS) in LAYOUT
