import gzip
import json
import os

import pytest

TRUTH = os.path.join(os.path.dirname(os.path.dirname(__file__)), "applications", "truth")


@pytest.fixture(scope="session")
def application_configs():
    """``[{name: JSON text}]``: two keras.applications models as model.to_json() writes them
    (no weights; stored with their truth in tests/applications/truth). Text, so that each
    case parses its own copy (3× faster than a deepcopy), in a list so that a failing fuzz
    case does not print them whole."""
    configs = {}
    for name in ("MobileNetV2", "ResNet50"):
        with gzip.open(os.path.join(TRUTH, f"{name}.json.gz"), "rt", encoding="utf-8") as f:
            configs[name] = json.dumps(json.load(f)["default"]["config"])
    return [configs]
