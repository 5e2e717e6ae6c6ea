"""``--format github``: GitHub Actions workflow-command annotations, chosen by default when
``GITHUB_ACTIONS=true``; escaping as GitHub's workflow-command documentation says."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RULES = ["--select", "SL0,SL101,SL102,SL104"]  # pinned: a new rule does not change the lines

UNET_SL002 = (
    "::error file=examples/unet_100.keras,title=SL002 incompatible-merge::dec3_concat: "
    "Concatenate on axis -1: (None, 24, 24, 16) and (None, 25, 25, 16) differ on axis 1 "
    "(24 vs 25)%0Afix: make both branches the same size: crop or pad one branch (e.g. "
    "Cropping2D or ZeroPadding2D), or use input sizes that are multiples of the total stride so "
    "the branches come out equal")


def run(*args, github_actions=None, cwd=ROOT):
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    if github_actions is not None:
        env["GITHUB_ACTIONS"] = github_actions
    return subprocess.run([sys.executable, "-m", "shapelint", *args], capture_output=True,
                          text=True, cwd=cwd, env=env, timeout=120)


def test_chosen_by_default_on_github_actions_only():
    on_actions = run("examples/unet_100.keras", *RULES, github_actions="true")
    explicit = run("examples/unet_100.keras", *RULES, "--format", "github")
    assert on_actions.returncode == explicit.returncode == 1
    assert on_actions.stdout == explicit.stdout
    assert on_actions.stdout.splitlines()[:2] == [
        "::notice file=examples/unet_100.keras,title=SL104 dropped-border::enc3_pool: 25×25 → "
        "12×12 with kernel 2×2, stride 2×2, padding 'valid': 1 row and 1 col at the end never "
        "read%0Afix: feed this layer 24×24 or 26×26 instead of 25×25, or use padding='same'",
        UNET_SL002,
    ]
    assert len(on_actions.stdout.splitlines()) == 4  # the decoder's two other merges
    for value in (None, "false"):
        assert run("examples/unet_100.keras", *RULES, github_actions=value).stdout.startswith(
            "examples/unet_100.keras (3 errors, 1 info)\n")
    chosen = run("examples/unet_100.keras", *RULES, "--format", "text", github_actions="true")
    assert not chosen.stdout.startswith("::")


def test_severity_commands():
    lines = run("examples/stride3_stack.keras", *RULES, "--format", "github").stdout.splitlines()
    commands = [(line.split(" ", 1)[0], line.split("title=", 1)[1].split(" ", 1)[0])
                for line in lines]
    assert commands == [("::warning", "SL101"), ("::warning", "SL101"), ("::warning", "SL102")]
    lines = run("examples/unet_100.keras", *RULES, "--format", "github").stdout.splitlines()
    assert [(line.split(" ", 1)[0], line.split("title=", 1)[1].split(" ", 1)[0])
            for line in lines] == [("::notice", "SL104")] + [("::error", "SL002")] * 3


def test_unreadable_files_are_errors_and_non_models_are_silent():
    result = run("tests/fixtures/not_a_zip.keras", "tests/fixtures/not_a_model.json",
                 "examples/healthy_cnn.keras", "--format", "github")
    assert result.returncode == 2
    assert result.stdout.splitlines() == [
        "::error file=tests/fixtures/not_a_zip.keras,title=unreadable model file::"
        "tests/fixtures/not_a_zip.keras: not a .keras file: it is not a zip archive"]


def test_properties_and_message_are_escaped(tmp_path):
    folder = tmp_path / "run 100%, take 2: final"
    folder.mkdir()
    shutil.copy(os.path.join(ROOT, "examples", "unet_100.keras"), folder / "net.keras")
    result = run(os.path.join(folder.name, "net.keras"), "--select", "SL002", "--format", "github",
                 cwd=tmp_path)
    line, *later = result.stdout.splitlines()  # the decoder's other two merges follow
    assert len(later) == 2 and all(other.startswith("::error ") for other in later)
    assert line.startswith("::error file=run 100%25%2C take 2%3A final/net.keras,"
                           "title=SL002 incompatible-merge::dec3_concat: Concatenate on axis -1: ")
    assert "%0Afix: make both branches" in line


def test_escaping_rules():
    from shapelint.report.github import command

    line = command("warning", {"file": "a,b:c%.keras", "title": "T\r\n"}, "50% done:\nx, y\r")
    assert line == "::warning file=a%2Cb%3Ac%25.keras,title=T%0D%0A::50%25 done:%0Ax, y%0D"
