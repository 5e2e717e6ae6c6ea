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
