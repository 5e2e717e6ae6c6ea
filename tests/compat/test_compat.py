"""Compatibility corpus: real model configs from public repositories, linted as they are.

Every file must give a clean answer (status ok, no internal error, no traceback, from
``lint_path`` and from the CLI). Where Keras 3 or tf_keras could rebuild the model
(``expected/<id>.json``, written by make_expected.py), shapelint's output shapes must
equal theirs at every layer call; elsewhere the shapes must be sane: positive ints or
None, and None only where the config leaves a dim unknown.
"""

from __future__ import annotations

import json
import os
import re

import pytest

from shapelint import cli
from shapelint.lint import lint_path

HERE = os.path.dirname(os.path.abspath(__file__))
CONFIGS = os.path.join(HERE, "configs")
EXPECTED = os.path.join(HERE, "expected")
GENERATIONS = {"keras1", "tfkeras2", "tfjs", "keras3"}
LIBRARIES = {"keras3", "tf_keras"}

with open(os.path.join(HERE, "MANIFEST.json"), encoding="utf-8") as _f:
    MANIFEST = json.load(_f)["files"]
ENTRIES = {entry["id"]: entry for entry in MANIFEST}
IDS = sorted(ENTRIES)
UNSUPPORTED = [i for i in IDS if ENTRIES[i].get("expect") == "unsupported"]  # not Keras models
KERAS_IDS = [i for i in IDS if i not in UNSUPPORTED]
WITH_EXPECTED = [i for i in KERAS_IDS if ENTRIES[i]["rebuilt_by"]]
WITHOUT_EXPECTED = [i for i in KERAS_IDS if not ENTRIES[i]["rebuilt_by"]]

_results: dict = {}


def result_of(ident: str):
    """``lint_path`` of one corpus file, computed once per test session."""
    if ident not in _results:
        _results[ident] = lint_path(os.path.join(CONFIGS, ENTRIES[ident]["file"]))
    return _results[ident]


def shapes_by_call(result) -> dict:
    return {(t.name, t.call.node): [None if s is None else tuple(s) for s in t.output_shapes]
            for t in result.trace.layers}


def expected_of(ident: str) -> dict:
    with open(os.path.join(EXPECTED, ident + ".json"), encoding="utf-8") as f:
        return json.load(f)


# -- the manifest ------------------------------------------------------------------------------

def test_manifest_lists_every_fixture_once_with_its_provenance():
    on_disk = sorted(os.listdir(CONFIGS))
    assert sorted(entry["file"] for entry in MANIFEST) == on_disk
    assert len(IDS) == len(MANIFEST)
    for entry in MANIFEST:
        assert entry["id"] == os.path.splitext(entry["file"])[0]
        assert re.fullmatch(r"[0-9a-f]{40}", entry["commit"]), entry["id"]
        assert re.fullmatch(r"[\w.-]+/[\w.-]+", entry["repository"]), entry["id"]
        assert entry["path"] and entry["kind"], entry["id"]
        assert entry["generation"] in GENERATIONS, entry["id"]
        assert entry.get("expect", "ok") in ("ok", "unsupported"), entry["id"]
        assert set(entry["rebuilt_by"]) <= LIBRARIES, entry["id"]
        assert set(entry["refused"]) == LIBRARIES - set(entry["rebuilt_by"]), entry["id"]
        assert all(isinstance(v, str) and "\n" not in v for v in entry["refused"].values())


def test_expected_shapes_exist_exactly_for_rebuilt_files():
    written = sorted(os.path.splitext(f)[0] for f in os.listdir(EXPECTED))
    assert written == WITH_EXPECTED
    for ident in WITH_EXPECTED:
        assert sorted(expected_of(ident)["layers"]) == sorted(ENTRIES[ident]["rebuilt_by"])


# -- every file: a clean answer ----------------------------------------------------------------

@pytest.mark.parametrize("ident", KERAS_IDS)
def test_static_lint_reads_the_file(ident):
    result = result_of(ident)
    assert result.status == "ok", f"{ident}: {result.status}: {result.error}"
    assert result.trace is not None and result.trace.layers


@pytest.mark.parametrize("ident", KERAS_IDS)
def test_cli_gives_a_clean_report(ident, capsys):
    path = os.path.join(CONFIGS, ENTRIES[ident]["file"])
    code = cli.main([path, "--format", "json", "--exit-zero", "--color", "never"])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert "internal error" not in out + err
    assert code == 0, err
    report = json.loads(out)
    assert [f["status"] for f in report["files"]] == ["ok"], report["files"][0].get("error")


@pytest.mark.parametrize("ident", UNSUPPORTED)
def test_a_tfjs_graph_model_is_refused_in_one_clear_line(ident, capsys):
    result = result_of(ident)
    assert result.status == "skipped" and "graph-model" in (result.error or "")
    code = cli.main([os.path.join(CONFIGS, ENTRIES[ident]["file"]), "--color", "never"])
    out, err = capsys.readouterr()
    assert code == 2  # no Keras model among the given files
    assert "graph-model" in out + err
    assert "Traceback" not in out + err and "internal error" not in out + err


@pytest.mark.parametrize("ident", KERAS_IDS)
def test_no_disagreement_with_the_shapes_the_file_records(ident):
    result = result_of(ident)
    assert result.status == "ok"
    assert [str(f) for f in result.findings if f.rule == "SL004"] == []


# -- files Keras rebuilds: the same shape at every layer call ----------------------------------

def _shape_key(shapes: list) -> list:
    return [[-1 if d is None else d for d in s] for s in shapes]


@pytest.mark.parametrize("ident", WITH_EXPECTED)
def test_shapes_equal_keras_at_every_layer_call(ident):
    """Every layer call, by qualified name and node. Input layers of the model itself are
    matched by name, or by shape when Keras named the one it adds to a Sequential its own
    way; an input layer Keras adds inside a nested Sequential passes its caller's tensor on
    unchanged and need not be there."""
    result = result_of(ident)
    assert result.status == "ok", result.error
    ours = shapes_by_call(result)
    our_inputs = {(t.name, t.call.node) for t in result.trace.layers
                  if t.class_name == "InputLayer"}
    for library, calls in expected_of(ident)["layers"].items():
        theirs = {(c["name"], c["node"]): [tuple(s) for s in c["output_shapes"]] for c in calls}
        their_inputs = {(c["name"], c["node"]) for c in calls if c["class_name"] == "InputLayer"}
        top_ours = {k for k in our_inputs if "/" not in k[0]}
        top_theirs = {k for k in their_inputs if "/" not in k[0]}
        if top_ours != top_theirs:  # names Keras made up: compare the shapes
            assert sorted(_shape_key(ours[k]) for k in top_ours) == \
                sorted(_shape_key(theirs[k]) for k in top_theirs), f"{library}: model inputs"
            for k in top_ours:
                ours.pop(k)
            for k in top_theirs:
                theirs.pop(k)
        for k in their_inputs - top_theirs - our_inputs:
            theirs.pop(k)  # Keras's own input layer of a nested Sequential
        assert sorted(ours) == sorted(theirs), f"{library}: different layer calls"
        wrong = {key: (ours[key], theirs[key]) for key in theirs if ours[key] != theirs[key]}
        assert wrong == {}, f"{library}: (shapelint, {library}) differ at {wrong}"


@pytest.mark.parametrize("ident", WITH_EXPECTED)
def test_no_invalid_layer_finding_on_a_model_keras_builds(ident):
    result = result_of(ident)
    assert result.status == "ok"
    assert [str(f) for f in result.findings if f.rule == "SL003"] == []


# -- the rest: sane shapes ---------------------------------------------------------------------

def _dims_are_sane(shape) -> bool:
    return all(d is None or (isinstance(d, int) and not isinstance(d, bool) and d > 0)
               for d in shape)


@pytest.mark.parametrize("ident", KERAS_IDS)
def test_every_dim_is_a_positive_int_or_unknown(ident):
    result = result_of(ident)
    assert result.status == "ok"
    bad = {(t.name, t.call.node): t.output_shapes for t in result.trace.layers
           if any(s is not None and not _dims_are_sane(s) for s in t.output_shapes)}
    assert bad == {}


def _open(shape) -> bool:
    """Unknown beyond the batch dim."""
    return shape is None or None in tuple(shape)[1:]


def _left_open_by_the_config(result) -> set:
    """Indexes of the layer calls whose shapes may be unknown: those of an unknown layer
    class (SL109), of a model input declared with unknown dims, and everything after them."""
    trace = result.trace
    calls = trace.model.calls
    tainted: set = set()
    for call, layer in zip(calls, trace.layers):  # calls come after the calls they read
        sources = list(call.args) + list(call.kw_tensors.values()) + list(call.aliases or [])
        if any(ref.call in tainted for ref in sources):
            tainted.add(call.id)
        elif not layer.known:
            tainted.add(call.id)
        elif layer.class_name == "InputLayer" and not call.args and any(
                _open(s) for s in layer.output_shapes):
            tainted.add(call.id)
    return tainted


@pytest.mark.parametrize("ident", WITHOUT_EXPECTED)
def test_unknown_dims_only_where_the_config_leaves_them_unknown(ident):
    """E.g. fully declared inputs and no unknown layer class: only the batch dim is None."""
    result = result_of(ident)
    assert result.status == "ok"
    allowed = _left_open_by_the_config(result)
    open_dims = {(t.name, t.call.node): t.output_shapes
                 for t in result.trace.layers
                 if t.call.id not in allowed and any(_open(s) for s in t.output_shapes)}
    assert open_dims == {}, "dims unknown although the config determines them"
