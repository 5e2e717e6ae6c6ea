"""The compiled loss of a model, per output, read as data.

Two sources: the ``compile_config`` that Keras 3 saves next to the model config (in a
``.keras`` file's ``config.json`` and in ``model.to_json()``), and a live model's
``model.loss``. Neither is executed: a loss is known by its name (``"mse"``,
``"CategoricalCrossentropy"``, ``keras.losses.binary_crossentropy``) and its
``from_logits`` setting; anything else (a custom loss) is unknown and checked by no
rule. No Keras import: a live loss is read by duck typing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

# normalized name (lower case, no "_") -> the name Keras documents
_NAMES = {
    "categoricalcrossentropy": "categorical_crossentropy",
    "sparsecategoricalcrossentropy": "sparse_categorical_crossentropy",
    "binarycrossentropy": "binary_crossentropy",
    "binaryfocalcrossentropy": "binary_focal_crossentropy",
    "categoricalfocalcrossentropy": "categorical_focal_crossentropy",
    "meansquarederror": "mean_squared_error", "mse": "mean_squared_error",
    "meanabsoluteerror": "mean_absolute_error", "mae": "mean_absolute_error",
    "meanabsolutepercentageerror": "mean_absolute_percentage_error",
    "mape": "mean_absolute_percentage_error",
    "meansquaredlogarithmicerror": "mean_squared_logarithmic_error",
    "msle": "mean_squared_logarithmic_error",
    "huber": "huber", "logcosh": "log_cosh", "kldivergence": "kl_divergence",
    "kld": "kl_divergence", "kullbackleiblerdivergence": "kl_divergence",
    "poisson": "poisson", "hinge": "hinge", "squaredhinge": "squared_hinge",
    "categoricalhinge": "categorical_hinge", "cosinesimilarity": "cosine_similarity",
}
# how a loss lines up y with the output
CATEGORICAL = frozenset({"categorical_crossentropy", "categorical_focal_crossentropy"})
SPARSE = frozenset({"sparse_categorical_crossentropy"})
BINARY = frozenset({"binary_crossentropy", "binary_focal_crossentropy"})
CROSSENTROPY = CATEGORICAL | SPARSE | BINARY


@dataclass(frozen=True)
class Loss:
    """One output's loss: its documented name and whether it takes logits."""

    name: str
    from_logits: bool = False

    @property
    def family(self) -> str:
        """``categorical``, ``sparse``, ``binary`` (crossentropies) or ``elementwise``."""
        if self.name in CATEGORICAL:
            return "categorical"
        if self.name in SPARSE:
            return "sparse"
        if self.name in BINARY:
            return "binary"
        return "elementwise"

    @property
    def text(self) -> str:
        return self.name + (" (from_logits=True)" if self.from_logits else "")


def loss_of(value: Any) -> Optional[Loss]:
    """A :class:`Loss` from one serialized loss (a name, or a ``{class_name, config}``
    dict); ``None`` for a loss shapelint does not know."""
    if isinstance(value, str):
        return _named(value, False)
    if isinstance(value, dict) and isinstance(value.get("class_name"), str):
        config = value.get("config")
        if value["class_name"] == "function":  # a loss function: its name is the config
            return _named(config, False) if isinstance(config, str) else None
        logits = isinstance(config, dict) and config.get("from_logits") is True
        return _named(value["class_name"], logits)
    return None


def _named(name: str, from_logits: bool) -> Optional[Loss]:
    known = _NAMES.get(name.replace("_", "").lower())
    return Loss(known, from_logits) if known else None


def output_losses(compile_config: Any, output_names: list) -> Optional[list]:
    """The loss of each output (``None`` where unknown), from a ``compile_config``;
    ``None`` when the model was not compiled with a loss. A dict is matched to the
    outputs by name, a list by order, a single loss applies to every output (as
    Keras does)."""
    if not isinstance(compile_config, dict):
        return None
    loss = compile_config.get("loss")
    if loss is None:
        return None
    if isinstance(loss, dict) and "class_name" not in loss:
        return [loss_of(loss.get(name)) for name in output_names]
    if isinstance(loss, list):
        if len(loss) != len(output_names):
            return None
        return [loss_of(item) for item in loss]
    return [loss_of(loss)] * len(output_names)


def serialize_live(loss: Any) -> Any:
    """A live model's ``model.loss`` in the form ``compile_config`` saves it: names,
    ``{class_name, config: {from_logits}}`` dicts, lists and dicts of them."""
    if loss is None or isinstance(loss, str):
        return loss
    if hasattr(loss, "items") and not hasattr(loss, "get_config"):  # dict (DictWrapper)
        return {str(k): serialize_live(v) for k, v in loss.items()}
    if isinstance(loss, (list, tuple)) or type(loss).__name__ == "ListWrapper":
        return [serialize_live(v) for v in loss]
    if hasattr(loss, "get_config"):  # a Loss object
        try:
            config = loss.get_config()
        except Exception:  # noqa: BLE001 - a custom loss's get_config can raise anything
            config = {}
        logits = isinstance(config, dict) and config.get("from_logits") is True
        return {"class_name": type(loss).__name__, "config": {"from_logits": logits}}
    name = getattr(loss, "__name__", None)
    return {"class_name": "function", "config": name} if isinstance(name, str) else None


__all__ = ["BINARY", "CATEGORICAL", "CROSSENTROPY", "Loss", "SPARSE", "loss_of",
           "output_losses", "serialize_live"]
