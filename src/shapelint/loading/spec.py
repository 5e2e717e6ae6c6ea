"""ModelSpec: a Keras model as an explicit graph of layer *calls*.

A layer called twice is two calls (``node`` 0 and 1, as Keras counts inbound
nodes). Models nested in models are flattened: their layers appear with qualified
names ``outer/inner`` and the nested model itself is a call whose outputs are its
inner output tensors (``aliases``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional


@dataclass(frozen=True, order=True)
class TensorRef:
    """Output ``index`` of call number ``call`` (an index into ``ModelSpec.calls``)."""

    call: int
    index: int = 0


@dataclass(frozen=True)
class TensorArg:
    """Where a tensor stood in an op's arguments (``Call.op_args``): ``Call.args[index]``."""

    index: int


@dataclass
class Call:
    """One call of one layer."""

    id: int
    name: str  # qualified layer name
    class_name: str
    config: dict
    node: int = 0
    args: list = field(default_factory=list)  # TensorRef of each positional tensor, flattened
    kw_tensors: dict = field(default_factory=dict)  # name -> TensorRef
    kwargs: dict = field(default_factory=dict)  # non-tensor call kwargs
    declared_shape: Optional[tuple] = None  # InputLayer: its declared batch shape
    aliases: Optional[list] = None  # nested model: the inner output tensors it returns
    module: Optional[str] = None  # the config's "module" field, as data
    registered_name: Optional[str] = None  # the config's "registered_name" ("pkg>Name")
    built_input: Optional[tuple] = None  # the input shape its build_config records
    op_args: Optional[list] = None  # an op call (TFOpLambda, a Keras 3 op node): its
    # positional arguments as written, each tensor replaced by its TensorArg


@dataclass
class ModelSpec:
    name: str
    class_name: str
    calls: list  # of Call, in topological order
    inputs: list  # TensorRef of each model input (InputLayer calls)
    outputs: list  # TensorRef of each model output
    recorded: dict = field(default_factory=dict)  # TensorRef -> shape recorded in the file
    format: str = "keras3"
    losses: Optional[list] = None  # the compiled loss of each output (loading.compile.Loss
    # or None where unknown); None when the model was not compiled with a loss

    def channels_first_input(self, index: int) -> bool:
        """Whether model input ``index`` is channels_first: the first layer after it that
        states a data_format says so."""
        start = self.inputs[index].call
        formats = (c.config.get("data_format") for c in self.calls[start:]
                   if isinstance(c.config, dict) and c.config.get("data_format"))
        return next(formats, None) == "channels_first"
