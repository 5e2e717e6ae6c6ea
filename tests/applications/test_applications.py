"""Every keras.applications model: shapelint's shapes equal Keras's and TF's at every layer call.

The reference is in truth/<App>.json.gz, written by make_app_truth.py with Keras and TF: at the
default input size the shapes Keras inferred when it built the model; at the odd sizes TF
actually running the (include_top=False, dynamic-size) model on zeros, layer by layer. No
skips, no tolerance; these comparisons read the stored truth and need no TF.

Live: the three smallest models (fewest parameters) are rebuilt with Keras and run by TF in
every run, and must give exactly the stored truth; ``-m live_applications`` rebuilds all the
others too (minutes).
"""

from __future__ import annotations

import json
import os

import pytest
from make_app_truth import ODD_SIZES, TRUTH, read

from shapelint.lint import analyse
from shapelint.loading import load_config
from shapelint.rules.engine import apply_rules, default_ruleset
from shapelint.shapes.propagate import propagate

with open(os.path.join(TRUTH, "INDEX.json"), encoding="utf-8") as f:
    PARAMS = json.load(f)
APPS = sorted(PARAMS)
LIVE_EVERY_RUN = sorted(APPS, key=lambda app: (PARAMS[app], app))[:3]
LIVE = [pytest.param(app, marks=() if app in LIVE_EVERY_RUN else pytest.mark.live_applications)
        for app in APPS]


@pytest.fixture(scope="module", params=APPS)
def truth(request) -> dict:
    """One app's stored truth; tests run app by app, so one is in memory at a time."""
    return read(request.param)


def shapes(rows: list, batch_none: bool = False) -> dict:
    """The stored ``[layer, node, [shape, ...]]`` rows as ``{(layer, node): [shape, ...]}``."""
    return {(name, node): [((None,) + tuple(s[1:])) if batch_none else tuple(s) for s in outs]
            for name, node, outs in rows}


def _compare(trace, expected: dict) -> int:
    predicted = {(t.name, t.call.node): t.output_shapes for t in trace.layers}
    assert set(predicted) == set(expected), (
        f"layer calls differ: only shapelint {sorted(set(predicted) - set(expected))[:5]}, "
        f"only Keras {sorted(set(expected) - set(predicted))[:5]}")
    mismatches = []
    for key, want in expected.items():
        if [tuple(s) if s is not None else None for s in predicted[key]] != want:
            mismatches.append(f"{key}: shapelint {predicted[key]} vs TF {want}")
    assert not mismatches, f"{len(mismatches)} mismatches, first: " + "; ".join(mismatches[:5])
    return len(expected)


def test_truth_covers_every_application(keras):
    assert APPS == sorted(name for name in dir(keras.applications) if name[0].isupper())
    assert len(LIVE_EVERY_RUN) == 3


def test_default_size_matches_keras_at_every_layer_call(truth):
    trace = propagate(load_config(truth["default"]["config"]))
    errors = [f for f in trace.findings if f.severity == "error"]
    assert not errors, errors[:3]
    assert _compare(trace, shapes(truth["default"]["shapes"])) > 10


def test_healthy_reference_has_no_error_or_warning(truth):
    """Widely used, healthy models: not one warning (ResNet's strided 1×1 projections and
    NASNet's shifted pooling paths are residual designs, not mistakes)."""
    findings = apply_rules(propagate(load_config(truth["default"]["config"])), default_ruleset())
    loud = [f for f in findings if f.severity != "info"]
    assert not loud, [f"{f.rule} {f.message}" for f in loud[:3]]


# Sizes users fine-tune these models at (the include_top=False model takes any size)
TRANSFER_SIZES = (96, 112, 128, 150, 160, 192, 256, 299, 320)


def test_healthy_at_the_sizes_users_fine_tune_at(truth):
    """No warning at common transfer-learning sizes: a network's last stage at 3×3 or 4×4
    (DenseNet at 112, EfficientNet's 5×5 and ConvNeXt's 7×7 kernels at 96–128) and a
    4×4 patch stem leaving 2 rows of 150 are how these models run at such sizes, not
    mistakes. (Errors are left to the comparison with TF: NASNet refuses most sizes.)"""
    dynamic = truth["dynamic"]
    loud = {}
    for n in TRANSFER_SIZES:
        result = analyse(dynamic["config"], "app", input_shapes=[(n, n, dynamic["channels"])])
        warnings = [f"{f.rule} at {f.layer}" for f in result.findings if f.severity == "warning"]
        if warnings:
            loud[n] = warnings[:3]
    assert not loud, loud


@pytest.mark.parametrize("size", ODD_SIZES)
def test_odd_size_matches_tf_running_the_model(truth, size):
    dynamic = truth["dynamic"]
    tf_run = dynamic["odd_sizes"][str(size)]
    trace = propagate(load_config(dynamic["config"]),
                      input_shapes=[(size, size, dynamic["channels"])])
    errors = [f for f in trace.findings if f.severity == "error"]
    if tf_run["verdict"] == "error":
        assert errors, f"TF fails at {size}×{size} ({tf_run['error']}) but shapelint finds no error"
        return
    assert not errors, f"TF runs at {size}×{size}, shapelint reports {errors[:3]}"
    _compare(trace, shapes(tf_run["shapes"], batch_none=True))


# -- live: Keras and TF, now ----------------------------------------------------------------

@pytest.mark.parametrize("app", LIVE)
def test_live_rebuild_gives_the_stored_truth(app, keras, tf):
    """Keras builds the model and TF runs it as when the truth was written: same configs,
    same shapes at every layer call, same verdicts at the odd sizes."""
    from make_app_truth import truth as keras_truth

    live = json.loads(json.dumps(keras_truth(app)))  # tuples as the stored JSON lists
    stored = read(app)
    for part in ("default", "dynamic"):
        assert live[part]["config"] == stored[part]["config"], f"{app} {part} config changed"
    assert live["default"]["shapes"] == stored["default"]["shapes"]
    assert live["dynamic"]["odd_sizes"] == stored["dynamic"]["odd_sizes"]
    assert live["params"] == stored["params"] == PARAMS[app]


@pytest.mark.parametrize("app", LIVE)
def test_tf_cross_check_finds_no_mismatch(app, keras, tf):
    """--cross-check tf: TF rebuilds the app from its config; every call agrees (no SL004)."""
    result = analyse(read(app)["default"]["config"], app, cross_check="tf")
    assert not [f for f in result.findings if f.rule == "SL004"]
    assert not any("could not build" in note for note in result.notes), result.notes
    compared = [t for t in result.trace.layers if t.tf_output_shapes is not None]
    assert len(compared) >= len(result.trace.layers) - 2  # stand-ins for the apps' own layers
    # the comparison is real: TF's shapes equal the predicted ones everywhere it answered
    assert all(t.tf_output_shapes == t.output_shapes for t in compared)
