"""What every fuzz case must get: a clean answer, quickly, that renders to strict JSON.

``SHAPELINT_FUZZ_EXAMPLES`` (default 200) is the number of cases per fuzz test; set
``SHAPELINT_SAVE_CRASHERS=DIR`` to keep every input that fails, for ``crashers/``.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import os
import time

from hypothesis import HealthCheck, settings

from shapelint.errors import NotAModel, UnreadableModel
from shapelint.lint import FileResult, analyse, lint_path
from shapelint.loading import model_config_from

FUZZ_EXAMPLES = int(os.environ.get("SHAPELINT_FUZZ_EXAMPLES", "200"))
SECONDS_PER_CASE = 30.0  # a hang bound, not a speed test: a loaded CI machine stalls cases for seconds

fuzz_settings = settings(max_examples=FUZZ_EXAMPLES, deadline=None, print_blob=True,
                         suppress_health_check=[HealthCheck.too_slow,
                                                HealthCheck.data_too_large,
                                                HealthCheck.filter_too_much])


def _strict_constant(name):
    raise ValueError(f"{name} is not JSON")


def assert_clean(result: FileResult, seconds: float) -> None:
    """One status, a one-line reason for anything not ok, no internal error, in time; and
    the JSON report of it is strict JSON (no NaN or Infinity)."""
    from shapelint.report import jsonfmt, text

    assert seconds < SECONDS_PER_CASE, f"took {seconds:.2f} s"
    assert result.status in ("ok", "error", "skipped"), result.status
    if result.status != "ok":
        assert result.error and "\n" not in result.error, repr(result.error)
        assert "internal error" not in result.error, result.error
    json.loads(jsonfmt.render([result]), parse_constant=_strict_constant)
    text.render([result])


def lint_document(data) -> FileResult:
    """Lint a parsed JSON/YAML document as a model file's contents would be linted."""
    try:
        config = model_config_from(data)
    except NotAModel as e:
        return FileResult("fuzz", "skipped", error=str(e))
    except UnreadableModel as e:
        return FileResult("fuzz", "error", error=str(e))
    return analyse(config, "fuzz")


@contextlib.contextmanager
def kept_if_failing(name: str, content):
    """Save ``content`` (bytes, or a function that makes them) to $SHAPELINT_SAVE_CRASHERS
    when the block fails."""
    try:
        yield
    except BaseException:
        folder = os.environ.get("SHAPELINT_SAVE_CRASHERS")
        if folder:
            os.makedirs(folder, exist_ok=True)
            content = content() if callable(content) else content
            stem, ext = os.path.splitext(name)
            digest = hashlib.sha1(content).hexdigest()[:10]
            with open(os.path.join(folder, f"{stem}-{digest}{ext}"), "wb") as f:
                f.write(content)
        raise


def check_document(data, name: str = "config.json") -> FileResult:
    before = json.dumps(data, allow_nan=True)  # as it was before linting, kept if it fails
    with kept_if_failing(name, lambda: before.encode()):
        start = time.monotonic()
        result = lint_document(data)
        assert_clean(result, time.monotonic() - start)
    return result


def check_file(path: str, content: bytes) -> FileResult:
    """Write ``content`` to ``path`` and lint it as a file."""
    with open(path, "wb") as f:
        f.write(content)
    with kept_if_failing(os.path.basename(path), content):
        start = time.monotonic()
        result = lint_path(path)
        assert_clean(result, time.monotonic() - start)
    return result


# -- structural mutations of a parsed config -------------------------------------------------------

VALUES = [None, 0, -1, 1, 2, 3, -(10 ** 18), 10 ** 18, 2 ** 63, 10 ** 100, 1.5, -0.0,
          float("nan"), float("inf"), "", "same", "valid", "x", "None", "channels_first",
          [], {}, [0, 0], [None], [None, None, None], [3, 3], [-1, 2], [[]], True, False,
          {"class_name": "X"}, {"class_name": "__keras_tensor__", "config": {}},
          ["x", 0, 0], ["x", -1, 0], ["x", 0, 10 ** 9], [["x", 0, 0, {}]], "\x00", "é" * 3]


def _places(document) -> list:
    """Every (path, value) inside a parsed document, the root excluded, parents first.
    (A list filled by one walk: nested generators cost a frame per level at every item.)"""
    places: list = []

    def walk(value, path):
        children = value.items() if isinstance(value, dict) else \
            enumerate(value) if isinstance(value, list) else ()
        for key, child in children:
            places.append((path + (key,), child))
            walk(child, path + (key,))

    walk(document, ())
    return places


def _parent(document, path):
    for key in path[:-1]:
        document = document[key]
    return document


def mutate_config(data, document) -> None:
    """Apply 1-4 edits to ``document`` in place: a new value somewhere, a key or item
    removed, an item duplicated, two places swapped, a name replaced by another name
    (rewiring references: dangling ones, cycles, duplicates), a list reversed."""
    from hypothesis import strategies as st

    def pick(options: list, label: str):
        # an index, not st.sampled_from(options): that hashes every option for its label,
        # and a whole model has ~10^4 places (most of a case's time went there)
        return options[data.draw(st.integers(0, len(options) - 1), label=label)]

    for _ in range(data.draw(st.integers(1, 4), label="edits")):
        places = _places(document)
        if not places:
            return
        path, value = pick(places, "place")
        parent = _parent(document, path)
        action = data.draw(st.sampled_from(
            ["set", "set", "delete", "duplicate", "swap", "rename", "reverse"]), label="action")
        if action == "set":
            parent[path[-1]] = copy.deepcopy(data.draw(st.sampled_from(VALUES), label="value"))
        elif action == "delete":
            del parent[path[-1]]
        elif action == "duplicate" and isinstance(parent, list):
            parent.insert(path[-1], copy.deepcopy(value))
        elif action == "swap":
            other_path, other = pick(places, "other")
            if path[:len(other_path)] != other_path and other_path[:len(path)] != path:
                _parent(document, other_path)[other_path[-1]] = value
                parent[path[-1]] = other
        elif action == "rename" and isinstance(value, str):
            names = sorted({v for _, v in places if isinstance(v, str)})
            parent[path[-1]] = pick(names, "name")
        elif action == "reverse" and isinstance(value, list):
            value.reverse()
