"""Readers: a model file or config dict in, a :class:`ModelSpec` out."""

from shapelint.loading.files import MODEL_EXTENSIONS, model_config_from, read_model_config
from shapelint.loading.graph import build_spec
from shapelint.loading.spec import Call, ModelSpec, TensorRef


def load_path(path: str) -> ModelSpec:
    """Read the model file at ``path`` (as data) into a ModelSpec."""
    return build_spec(read_model_config(path))


def load_config(data: dict) -> ModelSpec:
    """A ModelSpec from an already parsed model config (e.g. ``json.loads(model.to_json())``)."""
    return build_spec(model_config_from(data))


__all__ = ["Call", "MODEL_EXTENSIONS", "ModelSpec", "TensorRef", "build_spec", "load_config",
           "load_path", "model_config_from", "read_model_config"]
