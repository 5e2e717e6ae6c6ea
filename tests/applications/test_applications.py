"""Every keras.applications model: shapelint's shapes equal TF's at every layer call.

At the default input size the reference is the shape Keras inferred when it built the
model; at the odd sizes it is TF actually running the (include_top=False, dynamic-size)
model on zeros, layer by layer. No skips, no tolerance.
"""

from __future__ import annotations

import functools
import gc

import pytest

keras = pytest.importorskip("keras")

from keras_graph import eager_shapes, symbolic_shapes  # noqa: E402

from shapelint.lint import analyse  # noqa: E402
from shapelint.loading import load_config  # noqa: E402
from shapelint.rules.engine import apply_rules, default_ruleset  # noqa: E402
from shapelint.shapes.propagate import propagate  # noqa: E402

APPS = sorted(name for name in dir(keras.applications) if name[0].isupper())
ODD_SIZES = (97, 141)


@functools.lru_cache(maxsize=None)
def reference(app: str) -> dict:
    """Configs and reference shapes of one app, computed once per session (models freed)."""
    builder = getattr(keras.applications, app)
    model = builder(weights=None)
    default = (keras.saving.serialize_keras_object(model), symbolic_shapes(model))
    del model
    dynamic = builder(weights=None, include_top=False)
    channels = dynamic.inputs[0].shape[-1]
    odd = {n: eager_shapes(dynamic, [(n, n, channels)]) for n in ODD_SIZES}
    result = {"default": default,
              "dynamic": (keras.saving.serialize_keras_object(dynamic), odd, channels)}
    del dynamic
    keras.backend.clear_session()
    gc.collect()
    return result


def _compare(trace, expected: dict, batch_none: bool) -> int:
    predicted = {(t.name, t.call.node): t.output_shapes for t in trace.layers}
    assert set(predicted) == set(expected), (
        f"layer calls differ: only shapelint {sorted(set(predicted) - set(expected))[:5]}, "
        f"only Keras {sorted(set(expected) - set(predicted))[:5]}")
    mismatches = []
    for key, shapes in expected.items():
        if batch_none:
            shapes = [(None,) + tuple(s[1:]) for s in shapes]
        if [tuple(s) if s is not None else None for s in predicted[key]] != [tuple(s) for s in shapes]:
            mismatches.append(f"{key}: shapelint {predicted[key]} vs TF {shapes}")
    assert not mismatches, f"{len(mismatches)} mismatches, first: " + "; ".join(mismatches[:5])
    return len(expected)


@pytest.mark.parametrize("app", APPS)
def test_default_size_matches_keras_at_every_layer_call(app):
    config, expected = reference(app)["default"]
    trace = propagate(load_config(config))
    errors = [f for f in trace.findings if f.severity == "error"]
    assert not errors, errors[:3]
    _compare(trace, expected, batch_none=False)


# Warnings that are the architecture's own design, not a mistake (see the README).
DESIGNED_WARNINGS = {"SL103"}  # 1×1 stride-2 projections (ResNet, ResNetV2, ...)


@pytest.mark.parametrize("app", APPS)
def test_healthy_reference_has_no_error_or_warning(app):
    config, _ = reference(app)["default"]
    findings = apply_rules(propagate(load_config(config)), default_ruleset())
    loud = [f for f in findings if f.severity != "info" and f.rule not in DESIGNED_WARNINGS]
    assert not loud, [f"{f.rule} {f.message}" for f in loud[:3]]


@pytest.mark.parametrize("size", ODD_SIZES)
@pytest.mark.parametrize("app", APPS)
def test_odd_size_matches_tf_running_the_model(app, size):
    config, odd, channels = reference(app)["dynamic"]
    verdict, expected = odd[size]
    trace = propagate(load_config(config), input_shapes=[(size, size, channels)])
    errors = [f for f in trace.findings if f.severity == "error"]
    if verdict == "error":
        assert errors, f"TF fails at {size}×{size} ({expected}) but shapelint finds no error"
        return
    assert not errors, f"TF runs at {size}×{size}, shapelint reports {errors[:3]}"
    _compare(trace, expected, batch_none=True)


@pytest.mark.parametrize("app", APPS)
def test_tf_cross_check_finds_no_mismatch(app):
    """--cross-check tf: TF rebuilds the app from its config; every call agrees (no SL004)."""
    config, _ = reference(app)["default"]
    result = analyse(config, app, cross_check="tf")
    assert not [f for f in result.findings if f.rule == "SL004"]
    assert not any("could not build" in note for note in result.notes), result.notes
    compared = [t for t in result.trace.layers if t.tf_output_shapes is not None]
    assert len(compared) >= len(result.trace.layers) - 2  # stand-ins for the apps' own layers
    # the comparison is real: TF's shapes equal the predicted ones everywhere it answered
    assert all(t.tf_output_shapes == t.output_shapes for t in compared)
