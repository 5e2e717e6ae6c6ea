"""TensorFlow, Keras and h5py are optional: the tests that need them ask through ``require``.

Without the module such a test skips, or fails under ``SHAPELINT_REQUIRE_TF=1`` (set by
.ci/run, where a skip would hide the test). Static tests never need them and never skip.
"""

from __future__ import annotations

import importlib
import os

import pytest


def required() -> bool:
    return bool(os.environ.get("SHAPELINT_REQUIRE_TF"))


def require(module: str):
    """``module`` imported, else skip the test (or module) that needs it; under
    ``SHAPELINT_REQUIRE_TF=1`` fail instead."""
    try:
        return importlib.import_module(module)
    except ImportError as e:
        reason = f"{module} is not installed ({e}): pip install -e '.[tf,test]'"
    if required():  # outside the except: the report is the one line, not the ImportError too
        pytest.fail(f"{reason}; SHAPELINT_REQUIRE_TF=1 makes this a failure", pytrace=False)
    pytest.skip(reason, allow_module_level=True)
