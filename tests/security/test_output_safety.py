"""Output a model file cannot abuse: ``-o`` never destroys a file, and names from the
model (or its path) never reach the terminal or a CI log as control characters."""

from __future__ import annotations

import json
import os
import re
import stat
import tempfile
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shapelint import cli
from shapelint.formatting import printable

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLE = os.path.join(ROOT, "examples", "stride3_stack.keras")
HEALTHY_JSON = os.path.join(ROOT, "tests", "fixtures", "keras2_sequential.json")


def lint(*args) -> int:
    return cli.main([*args])


# -- -o never loses a file ---------------------------------------------------------

def copy(src: str, dst) -> bytes:
    data = open(src, "rb").read()
    dst.write_bytes(data)
    return data


def test_o_refuses_to_replace_the_model_it_lints(tmp_path, capsys):
    victim = tmp_path / "victim.keras"
    before = copy(EXAMPLE, victim)
    assert lint(str(victim), "-o", str(victim)) == 2
    assert victim.read_bytes() == before
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "model file" in err[0]


def test_o_refuses_a_model_file_name_even_when_the_run_fails(tmp_path, capsys):
    other = tmp_path / "other.keras"
    other.write_bytes(b"precious weights")
    assert lint("-o", str(other), str(tmp_path / "missing.keras")) == 2
    assert other.read_bytes() == b"precious weights"
    for name in ("x.h5", "x.HDF5", "x.Keras"):
        assert lint(str(EXAMPLE), "-o", str(tmp_path / name)) == 2
        assert not (tmp_path / name).exists()


@pytest.mark.parametrize("spelling", ["same", "dotted", "hard link", "symlink"])
def test_o_refuses_any_spelling_of_a_linted_json_file(tmp_path, capsys, spelling):
    model = tmp_path / "model.json"
    before = copy(HEALTHY_JSON, model)
    (tmp_path / "sub").mkdir()
    target = {"same": str(model),
              "dotted": str(tmp_path / "sub" / ".." / "model.json"),
              "hard link": str(tmp_path / "report.txt"),
              "symlink": str(tmp_path / "link.txt")}[spelling]
    if spelling == "hard link":
        os.link(model, target)
    if spelling == "symlink":
        os.symlink(model, target)
    assert lint(str(model), "-o", target) == 2
    assert model.read_bytes() == before
    assert "being linted" in capsys.readouterr().err


def test_o_refuses_a_file_found_in_a_linted_directory_and_the_config(tmp_path, capsys):
    models = tmp_path / "models"
    models.mkdir()
    inside = models / "net.json"
    before = copy(HEALTHY_JSON, inside)
    assert lint(str(models), "-o", str(inside)) == 2
    assert inside.read_bytes() == before
    config = tmp_path / ".shapelint.yaml"
    config.write_text("fail-on: warning\n")
    assert lint(str(inside), "--config", str(config), "-o", str(config)) == 2
    assert config.read_text() == "fail-on: warning\n"
    assert lint(str(inside), "-o", str(tmp_path)) == 2  # a directory
    assert "configuration file" in capsys.readouterr().err


def test_a_failed_run_leaves_the_old_report_and_no_temporary_file(tmp_path, monkeypatch):
    report = tmp_path / "report.txt"
    report.write_text("yesterday's report\n")

    def broken(*args, **kwargs):
        raise KeyboardInterrupt  # the user pressed Ctrl-C while the report was written

    monkeypatch.setattr(cli, "render", broken)
    with pytest.raises(KeyboardInterrupt):
        lint(EXAMPLE, "-o", str(report))
    assert report.read_text() == "yesterday's report\n"
    assert os.listdir(tmp_path) == ["report.txt"]

    monkeypatch.undo()

    def rename_fails(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", rename_fails)
    assert lint(EXAMPLE, "-o", str(report)) == 2
    monkeypatch.undo()
    assert report.read_text() == "yesterday's report\n"
    assert os.listdir(tmp_path) == ["report.txt"]


def test_o_replaces_a_report_keeping_its_mode_and_never_writes_through_a_symlink(tmp_path):
    report = tmp_path / "report.txt"
    report.write_text("old\n")
    os.chmod(report, 0o640)
    assert lint(EXAMPLE, "-o", str(report)) == 0  # warnings only: below --fail-on error
    text = report.read_text()
    assert "conv1: SL101 [warning]" in text and text.endswith(" in 1 file\n")
    assert stat.S_IMODE(os.stat(report).st_mode) == 0o640
    # a link planted in a checkout (report.txt -> ~/.bashrc) must not aim the report
    precious = tmp_path / "bashrc"
    precious.write_text("export PATH=...\n")
    link = tmp_path / "latest.txt"
    os.symlink(precious, link)
    assert lint(EXAMPLE, "--format", "json", "-o", str(link)) == 0
    assert precious.read_text() == "export PATH=...\n"
    assert not os.path.islink(link)
    assert json.loads(link.read_text())["files"][0]["status"] == "ok"


# -- control characters from the model never reach the output raw --------------------

# what may appear in output: printable text, \n and \t; shapelint's own colour codes are
# removed before the check
OWN_COLOURS = re.compile(r"\x1b\[[0-9;]*m")
NAME_CHARS = st.sampled_from(
    ["\x1b", "\x1b[2J", "\x1b]0;pwned\x07", "\x07", "\r", "\n", "\t", "\x7f", "\x9b", "\x85",
     "\u2028", "\u202e", "\u200b", "\ufeff", "\xad", "\u2060", "\x00", "::error::", "fake.keras:x: SL000 [error] injected", "a", "b",
     "é", "/", ":", " ", "%", ","])
NAMES = st.lists(st.lists(NAME_CHARS, min_size=1, max_size=6).map("".join),
                 min_size=5, max_size=5, unique=True).filter(
    lambda names: all(n.strip() for n in names))


def stride3_config(names: list) -> dict:
    """A Sequential model with one finding per conv (SL101) and an unknown last layer
    (SL109) whose class name comes from the test too: five names to abuse."""
    image, conv1, conv2, flat, custom = names

    def layer(class_name, name, **config):
        return {"class_name": class_name, "config": {"name": name, **config}}

    conv = {"filters": 4, "kernel_size": [3, 3], "strides": [3, 3], "padding": "valid"}
    return {"class_name": "Sequential", "config": {"name": image, "layers": [
        layer("InputLayer", image, batch_shape=[None, 32, 32, 3]),
        layer("Conv2D", conv1, **conv), layer("Conv2D", conv2, **conv),
        layer("Flatten", flat), layer(custom, custom)]}}


def is_unsafe(ch: str) -> bool:
    """Controls, line separators and format characters (bidi marks and overrides, the
    invisible zero-width ones): what can forge a line, drive a terminal or hide."""
    return ch not in "\n\t" and unicodedata.category(ch) in ("Cc", "Zl", "Zp", "Cf")


def run_cli(capsys, *args) -> str:
    cli.main(list(args))
    captured = capsys.readouterr()
    return captured.out + captured.err


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=NAMES, file_name=st.sampled_from(["m.json", "e\x1b[31mvil.json", "x\ny.json"]))
def test_every_finding_is_one_line_and_no_control_character_gets_out(capsys, names, file_name):
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, file_name)
        with open(path, "w", encoding="utf-8") as f:
            json.dump(stride3_config(names), f)
        findings = json.loads(run_cli(capsys, path, "--format", "json"))["files"][0]["findings"]
        assert len(findings) >= 3  # two SL101 and the SL109 of the custom class
        assert {f["layer"] for f in findings} >= {names[1], names[2], names[4]}

        for args in ([], ["-q"], ["--summary"], ["--color", "always"], ["--format", "github"]):
            out = run_cli(capsys, path, *args)
            bad = [hex(ord(c)) for c in OWN_COLOURS.sub("", out) if is_unsafe(c)]
            assert not bad, (args, bad)
            lines = out.splitlines()
            if "--format" in args:
                assert all(line.startswith("::") for line in lines)
                assert len(lines) == len(findings)
            else:  # each finding is one line: path:layer: CODE [severity] message
                starts = tuple(f"{printable(path)}:{printable(f['layer'])}: {f['rule']} "
                               f"[{f['severity']}]" for f in findings)
                plain = OWN_COLOURS.sub("", out).splitlines()
                assert len([line for line in plain if line.startswith(starts)]) \
                    == len(findings), args
                assert not [line for line in lines if line.startswith(("fake.keras", "::"))]


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=NAMES)
def test_json_and_sarif_escape_the_names_and_give_them_back_exactly(capsys, names):
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "m.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(stride3_config(names), f)
        for fmt in ("json", "sarif"):
            out = run_cli(capsys, path, "--format", fmt)
            assert not [c for c in out if is_unsafe(c)], fmt
            document = json.loads(out)
            if fmt == "json":
                layers = [entry["name"] for entry in document["files"][0]["layers"]]
                assert layers == names
            else:
                located = {r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
                           for r in document["runs"][0]["results"]}
                assert located >= {names[1], names[2], names[4]}


def test_html_shows_control_characters_as_text(capsys):
    names = ["image", "conv\x1b[2J1", "conv\n2", "flat", "Evil\u202eCls"]
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "m.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(stride3_config(names), f)
        page = run_cli(capsys, path, "--format", "html")
    assert "conv\\x1b[2J1" in page and "conv\\n2" in page and "Evil\\u202eCls" in page
    assert not [c for c in page if is_unsafe(c)]


def test_o_writes_to_a_device_without_replacing_it(tmp_path):
    """``-o /dev/null`` (or a FIFO) is written to, never renamed over: the device stays."""
    before = os.stat(os.devnull)
    assert lint(EXAMPLE, "-o", os.devnull) == 0
    after = os.stat(os.devnull)
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    import threading

    received = []
    reader = threading.Thread(target=lambda: received.append(open(fifo).read()))
    reader.start()
    assert lint(EXAMPLE, "-o", str(fifo)) == 0
    reader.join(timeout=30)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode) and "conv1: SL101" in received[0]
