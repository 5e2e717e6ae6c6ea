"""``--sizes``, SL110 and the words that describe a set of sizes (no TensorFlow needed)."""

from __future__ import annotations

import json
import os

import pytest

from shapelint.cli import main
from shapelint.rules.examples import example_config
from shapelint.shapes.sizes import SizeRangeError, describe, parse_ranges

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
UNET_96 = os.path.join(ROOT, "examples", "unet_96.keras")  # a 4-level U-Net declared at 96×96
R = range(1, 1025)


@pytest.mark.parametrize("sizes, words", [
    (list(R), "any size ≥ 1"),
    ([n for n in R if n >= 32], "any size ≥ 32"),
    ([n for n in R if n % 16 == 0], "multiples of 16"),
    ([n for n in R if n % 16 == 0 and n >= 32], "multiples of 16 from 32"),
    ([n for n in R if n % 3 == 1], "n ≡ 1 (mod 3)"),
    ([n for n in R if n % 32 == 29 and n >= 61], "n ≡ 29 (mod 32), n ≥ 61"),
    ([n for n in R if n % 4 in (1, 2) and n > 8], "n ≡ 1, 2 (mod 4), n ≥ 9"),
    ([n for n in R if n >= 64 and n % 2 == 0], "even sizes ≥ 64"),
    ([n for n in R if n % 2 == 1], "odd sizes"),
    ([n for n in R if n % 16 == 0] + [5], "multiples of 16; also 5"),
    ([n for n in R if n % 32 in (0, 31) and n >= 31], "n ≡ 0, 31 (mod 32)"),
    ([5, 7], "only 5, 7"),
    (list(range(16, 101)), "only 16–100"),
    ([], "no size in 1..1024"),
])
def test_describe(sizes, words):
    assert describe(sorted(sizes), 1, 1024) == words


def test_describe_needs_two_periods_in_range():
    # multiples of 16 seen once in 1..20 are not a pattern yet
    assert describe([16], 1, 20) == "only 16"


@pytest.mark.parametrize("text, ranges", [
    ("1:1024", [(1, 1024)]), ("512", [(1, 512)]), ("32:", [(32, 1024)]),
    ("1:512x16:256", [(1, 512), (16, 256)]), ("8:64×8:32", [(8, 64), (8, 32)]),
])
def test_parse_ranges(text, ranges):
    assert parse_ranges(text) == ranges


@pytest.mark.parametrize("text", ["0:10", "10:5", "a:b", "1:200000", ""])
def test_parse_ranges_refuses(text):
    with pytest.raises(SizeRangeError):
        parse_ranges(text)


def write(tmp_path, example: dict, name="model.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(example_config(example)))
    return str(path)


def test_unet_sizes_in_plain_words(capsys):
    assert main(["--sizes", UNET_96]) == 0  # the path right after --sizes stays a path
    out = capsys.readouterr().out
    assert "square sizes on image[1], image[2], tried 1..1024: multiples of 16 (smallest 16)" in out
    assert "no border pixel dropped: multiples of 16" in out
    assert "Concatenate" in out  # why 17 fails: the first skip connection gets 16 and 17
    assert "SL110" not in out  # the section says it already


def test_sizes_json(capsys):
    assert main([UNET_96, "--sizes", "8:64", "--format", "json"]) == 0
    sizes = json.loads(capsys.readouterr().out)["files"][0]["input_sizes"]
    assert sizes["square"] is True
    assert sizes["axis_sizes"] == {"min": 8, "max": 64}
    assert sizes["valid"] == [16, 32, 48, 64]
    assert sizes["rule"] == "multiples of 16"
    assert sizes["smallest"] == 16


def test_sizes_per_axis(tmp_path, capsys):
    # 2 rows of kernel on axis 1 and 4 cols on axis 2, stride 2 and 1
    path = write(tmp_path, {"input": [None, None, 3], "layers": [
        {"Conv2D": {"filters": 2, "kernel_size": [2, 4], "strides": [2, 1]}}]})
    assert main([path, "--sizes", "1:10x1:10", "--format", "json"]) == 0
    per_axis = json.loads(capsys.readouterr().out)["files"][0]["input_sizes"]["per_axis"]
    assert [a["valid"] for a in per_axis] == [list(range(2, 11)), list(range(4, 11))]
    assert [a["no_border_dropped"] for a in per_axis] == [[2, 4, 6, 8, 10], list(range(4, 11))]


def test_sizes_wrong_number_of_ranges(tmp_path, capsys):
    path = write(tmp_path, {"input": [None, None, 3], "layers": [{"ReLU": {}}]})
    assert main([path, "--sizes", "1:8x1:8x1:8"]) == 2
    err = capsys.readouterr().err
    assert "3 size ranges given, but the model has 2 swept dims" in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("value", ["0:5", "5:1", "1:999999"])
def test_bad_range_is_a_usage_error(value, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([UNET_96, "--sizes", value])
    assert exit_.value.code == 2
    assert "--sizes" in capsys.readouterr().err


def test_sl110_on_a_dynamic_model(tmp_path, capsys):
    path = write(tmp_path, {"input": [None, 8], "layers": [
        {"Conv1D": {"filters": 4, "kernel_size": 5}},
        {"MaxPooling1D": {"pool_size": 3}}]})
    assert main([path, "--format", "json"]) == 0
    findings = json.loads(capsys.readouterr().out)["files"][0]["findings"]
    assert [f["rule"] for f in findings] == ["SL110"]
    # conv: n - 4 ≥ 1; pool: floor((n - 4) / 3) ≥ 1, so n ≥ 7
    assert "any size ≥ 7 (smallest 7; tried 1..1024 on input[1])" in findings[0]["message"]
    assert "it fails at 6: maxpooling1d_1" in findings[0]["fix"]


def test_sl110_silent_when_every_size_runs_or_sizes_are_fixed(tmp_path, capsys):
    same = write(tmp_path, {"input": [None, None, 3], "layers": [
        {"Conv2D": {"filters": 4, "kernel_size": 5, "padding": "same"}}]}, "same.json")
    fixed = write(tmp_path, {"input": [32, 32, 3], "layers": [
        {"MaxPooling2D": {"pool_size": 2}}]}, "fixed.json")
    assert main([same, fixed, "--format", "json"]) == 0
    files = json.loads(capsys.readouterr().out)["files"]
    assert [[f["rule"] for f in file["findings"] if f["rule"] == "SL110"] for file in files] == [[], []]


def test_sl110_range_is_a_rule_param(tmp_path, capsys):
    path = write(tmp_path, {"input": [None, 8], "layers": [
        {"Conv1D": {"filters": 4, "kernel_size": 5}}]})
    config = tmp_path / ".shapelint.yaml"
    config.write_text("rules:\n  SL110: {params: {sizes: '3:40'}}\n")
    assert main([path, "--config", str(config), "--format", "json"]) == 0
    finding = json.loads(capsys.readouterr().out)["files"][0]["findings"][0]
    assert "any size ≥ 5 (smallest 5; tried 3..40" in finding["message"]


def test_dense_built_for_other_features_limits_sizes(tmp_path, capsys):
    """A model declared at 8×8 with Flatten -> Dense runs only at 8×8 and 7×7..."""
    path = write(tmp_path, {"input": [8, 8, 2], "layers": [
        {"MaxPooling2D": {"pool_size": 2}}, {"Flatten": {}}, {"Dense": {"units": 3}}]})
    assert main([path, "--sizes", "1:20", "--format", "json"]) == 0
    sizes = json.loads(capsys.readouterr().out)["files"][0]["input_sizes"]
    assert sizes["valid"] == [8, 9]  # pooling floors 9 to 4 too: 4×4×2 = 32 features


def test_python_api_input_sizes():
    import shapelint

    report = shapelint.check(UNET_96, sizes=(1, 100))
    assert report.input_sizes.valid == [16, 32, 48, 64, 80, 96]
    assert report.input_sizes.rule == "multiples of 16"
    default = shapelint.check(UNET_96).input_sizes  # found on first use, over 1..1024
    assert (default.sizes.lo, default.sizes.hi) == (1, 1024)
    assert default.smallest == 16 and len(default.valid) == 64


def test_channels_first_spatial_dims(tmp_path, capsys):
    """A channels_first model's spatial dims are its last ones: --sizes sweeps them and
    SL107 compares the field with them, not with the channel axis."""
    path = write(tmp_path, {"input": [3, 64, 96], "layers": [
        {"Conv2D": {"filters": 4, "kernel_size": 5, "data_format": "channels_first"}}]})
    assert main([path, "--sizes", "1:40", "--format", "json"]) == 0
    file = json.loads(capsys.readouterr().out)["files"][0]
    assert file["input_sizes"]["axes"] == ["input[2]", "input[3]"]
    assert file["input_sizes"]["rule"] == "any size ≥ 5"
    sl107 = [f for f in file["findings"] if f["rule"] == "SL107"]
    assert "of the 64×96 input" in sl107[0]["message"]
