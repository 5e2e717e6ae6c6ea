"""Structural fuzzing of real model configs: every example, the test fixtures and the
compatibility corpus (Keras 1, tf.keras 2, Keras 3, TF.js), mutated by
``fuzzing.mutate_config`` and linted as a file's contents are.

``SHAPELINT_FUZZ_EXAMPLES=N`` runs N cases (200 by default).
"""

from __future__ import annotations

import copy
import glob
import json
import os
import zipfile

from fuzzing import check_document, fuzz_settings, mutate_config
from hypothesis import given
from hypothesis import strategies as st

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _seeds() -> dict:
    seeds = {}
    for path in sorted(glob.glob(os.path.join(ROOT, "examples", "*.keras"))):
        seeds[os.path.basename(path)] = json.loads(zipfile.ZipFile(path).read("config.json"))
    for pattern in ("tests/fixtures/keras*.json", "tests/compat/configs/*.json"):
        for path in sorted(glob.glob(os.path.join(ROOT, pattern))):
            with open(path, "rb") as f:
                try:
                    seeds[os.path.basename(path)] = json.loads(f.read())
                except ValueError:
                    continue  # a fixture that is broken on purpose
    return seeds


SEEDS = _seeds()


def test_seeds_are_real_models():
    """The corpus the fuzzer mutates: real models that lint clean before mutation (and
    the few files of the compatibility corpus that are skipped as no model)."""
    statuses = {name: check_document(copy.deepcopy(doc)).status for name, doc in SEEDS.items()}
    assert all(statuses[os.path.basename(p)] == "ok"
               for p in glob.glob(os.path.join(ROOT, "examples", "*.keras")))
    assert statuses["keras2_functional.json"] == statuses["keras2_sequential.json"] == "ok"
    assert set(statuses.values()) <= {"ok", "skipped"}
    assert sum(status == "ok" for status in statuses.values()) >= 30, statuses


@fuzz_settings
@given(st.sampled_from(sorted(SEEDS)), st.data())
def test_mutated_configs(name, data):
    document = copy.deepcopy(SEEDS[name])
    mutate_config(data, document)
    check_document(document)
