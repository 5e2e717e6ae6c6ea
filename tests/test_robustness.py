"""Malformed and absurd configs get a clean answer, quickly: the cases a fuzzer found,
and a bounded fuzz of mutated real configs (run longer with SHAPELINT_FUZZ_EXAMPLES).
The byte-level and structural fuzzers, the attacks and the corpus of everything a fuzzer
broke since are in tests/security/."""

from __future__ import annotations

import copy
import glob
import json
import os
import time
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shapelint.lint import analyse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
with open(os.path.join(ROOT, "tests", "fixtures", "keras2_functional.json")) as f:
    KERAS2 = json.load(f)
CONFIGS = [json.loads(zipfile.ZipFile(p).read("config.json"))
           for p in sorted(glob.glob(os.path.join(ROOT, "examples", "*.keras")))] + [KERAS2]


# A bound that only a hang or a blow-up passes (a case takes ~50 ms; a loaded CI machine
# has stalled one for 2.4 s). How fast analyse() is, is measured in benchmarks/.
HANG_SECONDS = 30.0


def clean_answer(config) -> object:
    """analyse() returns a result without hanging: never an exception, never an internal
    error."""
    start = time.monotonic()
    result = analyse(config, "fuzz")
    assert time.monotonic() - start < HANG_SECONDS
    assert result.status in ("ok", "error")
    if result.status == "error":
        assert "internal error" not in result.error and "\n" not in result.error
    return result


def mutated(path: tuple, value):
    config = copy.deepcopy(KERAS2)
    target = config
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return config


@pytest.mark.parametrize("path, value, expected", [
    (("class_name",), ["Functional"], "class_name"),  # unhashable: once a TypeError
    (("config", "layers", 0, "config"), [1, 2], None),  # an InputLayer config that is a list
    (("config", "layers", 3, "inbound_nodes", 0, 0, 2), 10 ** 18, "out of range"),
    (("config", "layers", 2, "config", "kernel_size"), [10 ** 18, 10 ** 18], None),
    (("config", "layers", 2, "config", "strides"), [10 ** 18, 10 ** 18], None),
    (("config", "layers", 0, "config", "batch_input_shape"), [None, 10 ** 18, 10 ** 18, 1], None),
])
def test_cases_a_fuzzer_found(path, value, expected):
    result = clean_answer(mutated(path, value))
    if expected:
        assert result.status == "error" and expected in result.error


def test_huge_kernel_and_upsampling_do_not_hang():
    config = mutated(("config", "layers", 2, "config", "kernel_size"), [10 ** 9, 10 ** 9])
    config["config"]["layers"][0]["config"]["batch_input_shape"] = [None, 10 ** 12, 10 ** 12, 1]
    result = clean_answer(config)
    conv = next(t for t in result.trace.layers if t.name == "shared_conv")
    assert conv.output_shapes[0][1] == (10 ** 12 - 10 ** 9) // 2 + 1  # valid, stride 2
    assert conv.receptive_field is None  # too costly to track exactly: unknown, not slow


VALUES = st.sampled_from([None, 0, -1, 1, 3, 10 ** 18, 1.5, "same", "x", [], {}, [0, 0], [None],
                          True, [3, 3], {"class_name": "X"}])


def _paths(obj, path=()):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _paths(v, path + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _paths(v, path + (i,))
    if path:
        yield path


@settings(max_examples=int(os.environ.get("SHAPELINT_FUZZ_EXAMPLES", 300)), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.sampled_from(range(len(CONFIGS))), st.data())
def test_mutated_real_configs(index, data):
    config = copy.deepcopy(CONFIGS[index])
    paths = list(_paths(config))
    for _ in range(data.draw(st.integers(1, 4))):
        path = data.draw(st.sampled_from(paths))
        target = config
        try:
            for key in path[:-1]:
                target = target[key]
            target[path[-1]] = data.draw(VALUES)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed this place
    clean_answer(config)
