import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
# the CLI picks --format github under GitHub Actions; the tests expect the default format
os.environ.pop("GITHUB_ACTIONS", None)
