"""Real users' model/data/loss mismatches (tests/realworld/data/): shapelint reports the
expected SL2xx at the expected layer, given the model file (its compile_config holds the
user's loss) and data of the user's shapes; and reports no SL2xx at all on the accepted
fixes and the healthy setups. The goal: at least 26 of 29 bugs caught (here: the same
share), no SL2xx on the healthy models."""

from __future__ import annotations

import os

import numpy as np
import yaml

import shapelint
from shapelint.loading.data import Array, DataSpec

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
GOAL = 26 / 29


def _cases() -> list:
    if not os.path.isdir(DATA):
        return []
    found = []
    for ident in sorted(os.listdir(DATA)):
        path = os.path.join(DATA, ident, "case.yaml")
        if os.path.isfile(path):
            with open(path, encoding="utf-8") as f:
                found.append((ident, yaml.safe_load(f)))
    return found


CASES = _cases()


def test_the_data_corpus_is_there():
    assert os.path.isdir(DATA), f"the data corpus is missing: {DATA} (tests/realworld/data)"
    assert len([c for c in CASES if c[1].get("expected")]) >= 15, "too few bug reports"
    assert len(CASES) >= 25, "too few cases"


def _array(shape, dtype, high=None) -> np.ndarray:
    """Data of the user's shape: batch 2, zeros, the largest label where it is known."""
    arr = np.zeros((2, *shape[1:]), dtype=dtype or "float32")
    if high is not None:
        arr.reshape(-1)[-1] = high
    return arr


def _data(side: dict):
    """The data the case describes: numpy arrays when every size is known, else the
    shapes alone (what a tf.data spec with unknown sizes says)."""
    x_shape, y_shape = side["x_shape"], side["y_shape"]
    dtype, high = side.get("y_dtype", "float32"), side.get("y_max")
    shapes = [x_shape] + (list(y_shape.values()) if isinstance(y_shape, dict) else [y_shape])
    if all(d is not None for s in shapes for d in s[1:]):
        x = _array(x_shape, "float32")
        if isinstance(y_shape, dict):
            y = {k: _array(v, dtype, high) for k, v in y_shape.items()}
        else:
            y = _array(y_shape, dtype, high)
        return {"x": x, "y": y}
    spec = DataSpec(Array(tuple(x_shape), "float32"),
                    {k: Array(tuple(v), dtype) for k, v in y_shape.items()}
                    if isinstance(y_shape, dict) else Array(tuple(y_shape), dtype, high))
    return {"data": spec}


def _sl2(ident: str, which: str, side: dict) -> set:
    path = os.path.join(DATA, ident, f"{which}.json")
    report = shapelint.check(path, cross_check="off", **_data(side))
    return {(f.rule, f.layer) for f in report.findings if f.rule.startswith("SL2")}


def _healthy(meta: dict) -> dict:
    return meta.get("fixed_data") or meta


def test_recall_on_the_bugs_and_no_sl2xx_on_the_healthy_models():
    assert CASES, f"the data corpus is missing: {DATA}"
    bugs = missed = 0
    misses, noise = [], []
    for ident, meta in CASES:
        expected = {(e["code"], e["layer"]) for e in meta.get("expected") or ()
                    if e["code"].startswith("SL2")}
        if expected and not meta.get("healthy_only"):
            bugs += 1
            found = _sl2(ident, "bug", meta)
            if not expected <= found:
                missed += 1
                misses.append(f"{ident}: expected {sorted(expected)}, got {sorted(found)}")
        if os.path.isfile(os.path.join(DATA, ident, "fixed.json")):
            found = _sl2(ident, "fixed", _healthy(meta))
            if found:
                noise.append(f"{ident}: {sorted(found)}")
    print(f"data corpus: {bugs - missed}/{bugs} bugs caught; SL2xx on healthy models: {noise}")
    assert bugs >= 15
    assert bugs - missed >= GOAL * bugs, misses
    assert not noise, noise
