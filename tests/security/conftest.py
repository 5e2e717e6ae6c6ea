import json

import pytest


@pytest.fixture(scope="session")
def application_configs():
    """``[{name: config}]``: two keras.applications models as model.to_json() writes them
    (no weights), in a list so that a failing fuzz case does not print them whole."""
    keras = pytest.importorskip("keras")
    return [{name: json.loads(getattr(keras.applications, name)(weights=None).to_json())
             for name in ("MobileNetV2", "ResNet50")}]
