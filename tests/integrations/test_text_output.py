"""Text output: grouped by file, ``path:layer: SL001 [error] message`` lines that tools can
parse, a summary line; colors, alignment and the time only on a terminal (or when asked)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RULES = ["--select", "SL0,SL101,SL102,SL104"]  # pinned: a new rule does not change the counts
FINDING = re.compile(r"^(?P<path>[^:\s][^:]*):(?P<layer>[^:\s]+): (?P<code>SL\d{3}) "
                     r"\[(?P<severity>error|warning|info)\] (?P<message>\S.*)$")
ANSI = re.compile(r"\x1b\[[0-9;]*m")
TIME = re.compile(r", \d+\.\d\d s$")
on_posix = pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal (pty)")


def env_without(*names, **extra):
    env = {k: v for k, v in os.environ.items() if k not in names + ("GITHUB_ACTIONS",)}
    env.update(extra)
    return env


def run(*args, env=None):
    return subprocess.run([sys.executable, "-m", "shapelint", *args], capture_output=True,
                          text=True, cwd=ROOT, env=env or env_without("NO_COLOR"), timeout=120)


def run_on_terminal(*args, env=None) -> str:
    """stdout of shapelint writing to a pseudo-terminal (stderr to a pipe)."""
    import pty

    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "shapelint", *args], stdout=follower,
                            stderr=subprocess.DEVNULL, cwd=ROOT,
                            env=env or env_without("NO_COLOR"))
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    proc.wait(timeout=120)
    return b"".join(chunks).decode("utf-8").replace("\r\n", "\n")


def test_piped_output_is_plain_grouped_and_parseable():
    result = run("examples", *RULES)
    assert result.returncode == 1
    assert not ANSI.search(result.stdout)
    lines = result.stdout.splitlines()
    assert lines[0] == "examples/mnist_too_deep.keras (1 error, 1 warning)"
    headers = [line for line in lines if line.startswith("examples/") and " (" in line
               and not FINDING.match(line)]
    assert headers == ["examples/mnist_too_deep.keras (1 error, 1 warning)",
                       "examples/stride3_stack.keras (3 warnings)",
                       "examples/unet_100.keras (3 errors, 1 info)"]  # none for clean files
    assert lines[-1] == "4 errors, 4 warnings, 1 info in 5 files"
    assert lines[-2] == ""
    parsed = [FINDING.match(line) for line in lines if re.match(r"^\S+:\S+: SL", line)]
    assert all(parsed) and len(parsed) == 9
    found = [(m["path"], m["layer"], m["code"], m["severity"]) for m in parsed]
    assert ("examples/mnist_too_deep.keras", "block3_conv2", "SL001", "error") in found
    assert ("examples/unet_100.keras", "dec3_concat", "SL002", "error") in found
    as_json = json.loads(run("examples", *RULES, "--format", "json").stdout)
    assert found == [(file["path"], f["layer"], f["rule"], f["severity"])
                     for file in as_json["files"] for f in file["findings"]]
    # each finding's lines come right after its file's header
    first = lines.index("examples/stride3_stack.keras (3 warnings)")
    assert FINDING.match(lines[first + 1])["path"] == "examples/stride3_stack.keras"
    assert lines[first + 2].startswith("    fix: ")


def test_piped_output_is_byte_identical_between_runs():
    args = ("examples", "tests/fixtures/not_a_model.json", *RULES)
    assert run(*args).stdout == run(*args).stdout
    assert not TIME.search(run(*args).stdout)


def test_summary_counts_skipped_and_unreadable_files():
    result = run("examples/healthy_cnn.keras", "tests/fixtures/not_a_model.json",
                 "tests/fixtures/not_a_zip.keras", *RULES)
    assert result.returncode == 2
    assert result.stdout.splitlines() == [
        "tests/fixtures/not_a_model.json: skipped: not a Keras model config "
        "(no top-level 'class_name' and 'config')",
        "0 errors, 0 warnings, 0 info in 3 files (1 skipped, 1 unreadable)",
    ]
    # the unreadable file is named once, on stderr (a terminal shows both streams)
    assert result.stderr.splitlines() == [
        "shapelint: error: tests/fixtures/not_a_zip.keras: not a .keras file: "
        "it is not a zip archive"]


def test_quiet_prints_only_finding_lines():
    lines = run("examples/stride3_stack.keras", *RULES, "-q").stdout.splitlines()
    assert len(lines) == 3 and all(FINDING.match(line) for line in lines)


def test_timing_option_and_color_always_when_piped():
    timed = run("examples/healthy_cnn.keras", *RULES, "--timing").stdout
    assert TIME.search(timed.splitlines()[-1]) and timed.startswith("0 errors, 0 warnings")
    both = ("examples/stride3_stack.keras", "examples/unet_100.keras")
    colored = run(*both, *RULES, "--color", "always").stdout
    assert "\x1b[1;33m[warning]\x1b[0m" in colored and "\x1b[1;36m[info]\x1b[0m" in colored
    plain = ANSI.sub("", colored)
    assert plain == run(*both, *RULES).stdout


@on_posix
def test_terminal_output_is_colored_aligned_and_timed():
    out = run_on_terminal("examples/stride3_stack.keras", "examples/unet_100.keras", *RULES)
    assert "\x1b[1;31m[error]\x1b[0m" in out and "\x1b[1;33m[warning]\x1b[0m" in out
    plain = ANSI.sub("", out).splitlines()
    assert TIME.search(plain[-1]) and plain[-1].startswith("3 errors, 3 warnings, 1 info in 2 files")
    # in each file's group the codes and the messages start in one column
    for path in ("examples/stride3_stack.keras", "examples/unet_100.keras"):
        rows = [line for line in plain if line.startswith(path + ":")]
        assert len(rows) > 1
        assert len({line.index(" SL") for line in rows}) == 1, rows
        message_column = {re.match(r"\S+:\S+: +SL\d{3} \[\w+\] +", line).end() for line in rows}
        assert len(message_column) == 1, rows
    assert "examples/stride3_stack.keras:conv1: SL101 [warning] conv1: " in "\n".join(plain)
    assert "examples/unet_100.keras:enc3_pool:   SL104 [info]    enc3_pool: " in "\n".join(plain)


@on_posix
def test_no_color_env_and_color_never_keep_the_terminal_layout():
    for env, args in ((env_without(NO_COLOR="1"), ()),
                      (env_without("NO_COLOR"), ("--color", "never"))):
        out = run_on_terminal("examples/unet_100.keras", *RULES, *args, env=env)
        assert not ANSI.search(out)
        assert "SL104 [info]    enc3_pool: " in out  # still aligned
        assert TIME.search(out.splitlines()[-1])
    forced = run_on_terminal("examples/stride3_stack.keras", *RULES, "--color", "always",
                             env=env_without(NO_COLOR="1"))
    assert ANSI.search(forced)


def _rows(stdout: str) -> dict:
    """--summary's table: layer name -> its cells (split on runs of 2+ spaces)."""
    return {cells[0]: cells for cells in (re.split(r"\s{2,}", line.strip())
                                          for line in stdout.splitlines()
                                          if line.startswith("  ") and not line.startswith("  -"))}


def test_summary_tells_open_sizes_from_unknown_ones(tmp_path):
    """None is a size the model leaves open; ? is a size shapelint lost (after a layer
    with no shape rule, or a failure); — marks calls with no spatial axes left."""
    config = {"class_name": "Sequential", "config": {"name": "s", "layers": [
        {"class_name": "InputLayer", "config": {"batch_input_shape": [None, None, None, 3],
                                                "name": "in"}},
        {"class_name": "Conv2D", "config": {"name": "c1", "filters": 8, "kernel_size": 3}},
        {"class_name": "MyLayer", "config": {"name": "mine"}},
        {"class_name": "Conv2D", "config": {"name": "c2", "filters": 8, "kernel_size": 3}},
        {"class_name": "Flatten", "config": {"name": "f"}},
        {"class_name": "Dense", "config": {"name": "d", "units": 3}}]}}
    path = tmp_path / "custom.json"
    path.write_text(json.dumps(config))
    out = run(str(path), "--summary").stdout
    rows = _rows(out)
    assert rows["c1"][:3] == ["c1", "Conv2D", "(None, None, None, 8)"]  # open: any size
    assert rows["mine"][2] == "?" and rows["c2"][2] == "?"
    assert rows["f"][2:7] == ["(None, ?)", "0", "c2", "—", "—"]
    assert rows["d"][2:4] == ["(None, 3)", "?"]  # Dense's weights need the lost size
    assert "None: a size the model leaves open (any size at run time)" in out
    assert "?: unknown to shapelint (after an error or a layer with no shape rule)" in out
    assert "—: no spatial axes left, so no receptive field or jump" in out


def test_summary_marks_sizes_lost_after_an_error():
    out = run("examples/mnist_too_deep.keras", "--summary").stdout
    rows = _rows(out)
    assert rows["digits"][2] == "(None, 28, 28, 1)"
    assert rows["block3_conv1"][2] == "(None, 2, 2, 32)"
    assert rows["block3_conv2"][2] == "(None, ?, ?, 32)"  # SL001: 2×2 is too small for 3×3
    assert rows["block4_pool"][2] == "(None, ?, ?, 64)"
    assert rows["gmp"][2:] == ["(None, 64)", "0", "block4_pool", "—", "—"]
    assert "None: a size" not in out  # no size is left open in this model


def test_summary_of_a_healthy_model_has_no_legend():
    out = run("examples/unet_96.keras", "--summary").stdout
    assert "?" not in out and "None: a size" not in out and "—" not in out
