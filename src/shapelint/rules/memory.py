"""SL117 training-memory: what training keeps at a batch size, against a memory budget.

The estimate (float32 throughout) is the sum of

* the activations kept for the backward pass: every layer call's outputs at the batch
  size, model inputs included (a nested model's outputs are its layers', counted once);
* the weights (every parameter), their gradients (every trainable parameter) and Adam's
  two slots per trainable parameter.

It leaves out what depends on the backend: temporary buffers, workspace of convolution
algorithms, activations a fused op does not keep, the input pipeline, the framework
itself. It runs only when memory is asked about (``--batch-size`` or ``--memory-budget``,
``analyse(memory=...)``), so the plain lint does not compute it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from shapelint.errors import UsageError

ADAM_SLOTS = 2
_UNITS = {"": 1, "b": 1, "k": 10 ** 3, "kb": 10 ** 3, "m": 10 ** 6, "mb": 10 ** 6,
          "g": 10 ** 9, "gb": 10 ** 9, "t": 10 ** 12, "tb": 10 ** 12,
          "kib": 2 ** 10, "mib": 2 ** 20, "gib": 2 ** 30, "tib": 2 ** 40}
_SIZE = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([a-z]*)\s*", re.IGNORECASE)


@dataclass(frozen=True)
class Memory:
    """What memory is asked about: the batch size, and the budget in bytes (or None)."""

    batch_size: int = 1
    budget: Optional[int] = None


def parse_bytes(text: str) -> int:
    """``16GiB`` -> 17179869184; units B, KB/MB/GB/TB (powers of 1000), KiB/MiB/GiB/TiB
    (powers of 1024); K, M, G, T as KB, MB, GB, TB."""
    match = _SIZE.fullmatch(str(text))
    unit = match.group(2).lower() if match else None
    if not match or unit not in _UNITS:
        raise UsageError(f"not a memory size: {text!r} (e.g. 16GiB, 512MiB, 8GB)")
    return int(float(match.group(1)) * _UNITS[unit])


def bytes_text(n: int) -> str:
    """``19.3 GiB``, ``512 MiB``, ``880 KiB``, ``12 B``."""
    for unit, size in (("TiB", 2 ** 40), ("GiB", 2 ** 30), ("MiB", 2 ** 20), ("KiB", 2 ** 10)):
        if n >= size:
            value = n / size
            return f"{value:.1f} {unit}" if value < 10 else f"{value:.0f} {unit}"
    return f"{n} B"


@dataclass(frozen=True)
class TrainingMemory:
    activations: int  # bytes
    weights: int  # bytes of weights, gradients and optimizer slots
    largest: object  # the LayerTrace with the largest output
    largest_bytes: int

    @property
    def total(self) -> int:
        return self.activations + self.weights


def training_memory(trace, batch_size: int) -> Optional[TrainingMemory]:
    """The estimate of the module docstring; None when a size or count is unknown."""
    from shapelint.shapes.params import FLOAT_BYTES, model_cost

    cost = model_cost(trace, batch_size)
    if cost.activation_bytes is None or cost.params is None:
        return None
    weights = FLOAT_BYTES * (cost.params + cost.trainable * (1 + ADAM_SLOTS))
    largest, largest_bytes = None, -1
    for t, c in zip(trace.layers, cost.calls):
        if t.call.aliases is None and c.output_bytes is not None and c.output_bytes > largest_bytes:
            largest, largest_bytes = t, c.output_bytes
    return TrainingMemory(cost.activation_bytes, weights, largest, largest_bytes)


def training_memory_check(graph, params: dict):
    """SL117: info with the estimate, or a warning when it exceeds the budget."""
    memory = getattr(graph.trace, "memory", None)
    if memory is None:
        return
    found = training_memory(graph.trace, memory.batch_size)
    if found is None or found.largest is None:
        return
    over = memory.budget is not None and found.total > memory.budget
    if memory.budget is not None and not over:
        return
    shape = found.largest.output_shapes[0]
    dims = "×".join(str(d) for d in (memory.batch_size, *shape[1:]))
    yield found.largest, {
        "batch_size": memory.batch_size,
        "total_text": bytes_text(found.total),
        "activations_text": bytes_text(found.activations),
        "weights_text": bytes_text(found.weights),
        "largest_name": found.largest.name,
        "largest_shape": dims,
        "budget_text": (f", over the {bytes_text(memory.budget)} budget" if over else ""),
        "severity": "warning" if over else "info",
    }
