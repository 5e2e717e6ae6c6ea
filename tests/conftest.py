import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
# the CLI picks --format github under GitHub Actions; the tests expect the default format
os.environ.pop("GITHUB_ACTIONS", None)

# Property tests draw the same examples on every run (a red CI is then a real regression,
# reproducible); HYPOTHESIS_PROFILE=explore draws new ones each run.
from hypothesis import settings  # noqa: E402

settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

# -- TensorFlow, Keras and h5py: fixtures for the tests that need them (see optional.py) ----
import re  # noqa: E402

import pytest  # noqa: E402
from optional import require, required  # noqa: E402


@pytest.fixture(scope="session")
def keras():
    return require("keras")


@pytest.fixture(scope="session")
def tf():
    return require("tensorflow")


@pytest.fixture(scope="session")
def h5py():
    return require("h5py")


# A module that still calls pytest.importorskip("keras") (or tensorflow, tf_keras, h5py) at
# import time skips whole: under SHAPELINT_REQUIRE_TF=1 that skip is an error of its
# collection (and so is a test's own importorskip of one of them).
HIDDEN_SKIP = re.compile(r"could not import '(tensorflow|keras|tf_keras|h5py)[.']")


def _fail_hidden_skip(report) -> None:
    if required() and report.skipped and isinstance(report.longrepr, tuple) \
            and HIDDEN_SKIP.search(str(report.longrepr[2])):
        report.outcome = "failed"
        report.longrepr = f"{report.longrepr[2]}; SHAPELINT_REQUIRE_TF=1 makes this a failure"


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    outcome = yield
    _fail_hidden_skip(outcome.get_result())


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    _fail_hidden_skip(outcome.get_result())
