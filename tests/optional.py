"""TensorFlow, Keras and h5py are optional: the tests that need them ask through ``require``.

Without the module such a test skips, or fails under ``SHAPELINT_REQUIRE_TF=1`` (set by
.ci/run, where a skip would hide the test). Static tests never need them and never skip.
"""

from __future__ import annotations

import importlib
import importlib.util
import os

import pytest


def required() -> bool:
    return os.environ.get("SHAPELINT_REQUIRE_TF", "") not in ("", "0")


def require(module: str, import_it: bool = True):
    """``module`` imported, else skip the test (or module) that needs it; under
    ``SHAPELINT_REQUIRE_TF=1`` fail instead. ``import_it=False``: only check that it is
    installed (for a test that uses it in a child process: importing TF costs seconds)."""
    try:
        if import_it:
            return importlib.import_module(module)
        if importlib.util.find_spec(module) is not None:
            return None
        raise ImportError(f"No module named {module!r}")
    except ImportError as e:
        reason = f"{module} is not installed ({e}): pip install -e '.[tf,test]'"
    if required():  # outside the except: the report is the one line, not the ImportError too
        pytest.fail(f"{reason}; SHAPELINT_REQUIRE_TF=1 makes this a failure", pytrace=False)
    pytest.skip(reason, allow_module_level=True)
