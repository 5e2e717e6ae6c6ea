"""The trace as a graph that rules can walk: who reads whom, which layers only act on
each position separately, where a feature map came from and where it goes.

Rules that reason over more than one layer call (``check:`` rules in the packs) get a
:class:`Graph`; the walks here are what they share.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from shapelint.rules.view import FAMILY_OF, layer_view, model_input_size

# Layers whose output at a position depends only on the input at that position (and
# every position's channels are treated alike): they keep a map's spatial axes as they
# are. Dense and EinsumDense are listed apart (see DENSE).
POSITIONWISE = frozenset({
    "Activation", "ReLU", "LeakyReLU", "PReLU", "ELU", "ThresholdedReLU", "Softmax",
    "Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "GaussianNoise",
    "GaussianDropout", "AlphaDropout", "ActivityRegularization", "BatchNormalization",
    "LayerNormalization", "UnitNormalization", "GroupNormalization", "Identity", "Rescaling",
    "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate",
})
DENSE = frozenset({"Dense", "EinsumDense"})
# Layers that slide a window over spatial axes (or resize them): a map they output is a
# feature map whose non-channel axes are positions.
WINDOW_FAMILIES = frozenset({"conv", "transpose", "pool", "crop", "pad", "upsample"})
WINDOW_CLASSES = frozenset({"Resizing"})
ERROR = "error"


def is_window(class_name: str) -> bool:
    return FAMILY_OF.get(class_name) in WINDOW_FAMILIES or class_name in WINDOW_CLASSES


def makes_larger(class_name: str) -> bool:
    """An upsampling layer: UpSampling, a transposed convolution, Resizing."""
    return FAMILY_OF.get(class_name) in ("upsample", "transpose") or class_name == "Resizing"


@dataclass
class Graph:
    """A trace with its layer views and, per call id, the calls that read its outputs."""

    trace: object
    views: dict  # call id -> view (None for a failed call)
    readers: dict  # call id -> [LayerTrace]
    after_error: frozenset  # call ids downstream of a layer with an error finding
    _origins: dict = field(default_factory=dict)  # through -> call id -> its origin

    @classmethod
    def of(cls, trace) -> "Graph":
        readers = readers_of(trace)
        size = model_input_size(trace)
        views = {t.call.id: layer_view(t, [r.class_name for r in readers.get(t.call.id, ())], size)
                 for t in trace.layers}
        failed = {t.call.id for t in trace.layers
                  for f in trace.findings if f.severity == ERROR and f.layer == t.name}
        return cls(trace, views, readers, frozenset(_downstream(failed, readers)))

    def layer(self, call_id: int):
        return self.trace.layers[call_id]

    def producer(self, t) -> Optional[object]:
        """The layer call that made ``t``'s first input (None for an input layer)."""
        refs = sources(t)
        return self.layer(refs[0].call) if refs else None

    def origin(self, t, through: frozenset = POSITIONWISE) -> Optional[object]:
        """The nearest layer call above ``t``'s first input that is not in ``through``
        (following first inputs): where the map ``t`` reads was last shaped."""
        known = self._origins.setdefault(through, {})
        walked = []  # the calls in ``through`` passed on the way up: they share the answer
        above = self.producer(t)
        most = len(self.trace.layers)  # a cycle in a malformed graph ends the walk
        while above is not None and above.class_name in through and len(walked) < most:
            if above.call.id in known:
                above = known[above.call.id]
                break
            walked.append(above.call.id)
            above = self.producer(above)
        for call_id in walked:
            known[call_id] = above
        return above

    def output_ids(self) -> set:
        return {ref.call for ref in self.trace.model.outputs}

    def reaches_output(self, t, through: frozenset) -> Optional[object]:
        """A model output reached from ``t`` through layers in ``through`` only (``t``
        itself when it is one), or None."""
        outputs = self.output_ids()
        stack, seen = [t], set()
        while stack:
            current = stack.pop()
            if current.call.id in outputs:
                return current
            for reader in self.readers.get(current.call.id, ()):
                if reader.class_name in through and reader.call.id not in seen:
                    seen.add(reader.call.id)
                    stack.append(reader)
        return None

    def window_readers(self, t) -> list:
        """The window layers that read what ``t`` outputs, through position-wise layers."""
        found, stack, seen = [], [t], set()
        while stack:
            for reader in self.readers.get(stack.pop().call.id, ()):
                if reader.call.id in seen:
                    continue
                seen.add(reader.call.id)
                if is_window(reader.class_name):
                    found.append(reader)
                elif reader.class_name in POSITIONWISE:
                    stack.append(reader)
        return found

    def read_by_window(self, t) -> bool:
        """Some window layer reads what ``t`` outputs, through position-wise layers."""
        return bool(self.window_readers(t))

    def descendants(self, t) -> set:
        """Call ids of every layer call that reads, directly or not, what ``t`` outputs."""
        return _downstream({t.call.id}, self.readers) - {t.call.id}

    def downstream_names(self, names: set) -> set:
        """The layers named ``names`` and every layer call that reads them, by name."""
        start = {t.call.id for t in self.trace.layers if t.name in names}
        return {self.layer(i).name for i in _downstream(start, self.readers)}


def sources(t) -> list:
    """The tensors a layer call reads: its positional and keyword tensors, and for a
    nested model the inner outputs it returns."""
    return t.call.args + list(t.call.kw_tensors.values()) + (t.call.aliases or [])


def readers_of(trace) -> dict:
    """Call id -> the layer calls that read its outputs (a nested model reads the inner
    outputs it returns)."""
    readers: dict = {}
    for t in trace.layers:
        for ref in {r.call for r in sources(t)}:
            readers.setdefault(ref, []).append(t)
    return readers


def guessed_calls(trace) -> set:
    """Call ids whose unknown dims are shapelint's ignorance rather than the model's
    dynamic sizes: the calls that failed or have no shape rule, and all they feed."""
    failed = {f.layer for f in trace.findings if f.severity == ERROR}
    start = {t.call.id for t in trace.layers if not t.known or t.recovered or t.name in failed}
    return _downstream(start, readers_of(trace))


def _downstream(start: set, readers: dict) -> set:
    found, stack = set(start), list(start)
    while stack:
        for reader in readers.get(stack.pop(), ()):
            if reader.call.id not in found:
                found.add(reader.call.id)
                stack.append(reader.call.id)
    return found


def channels_first(t) -> bool:
    return t.call.config.get("data_format") == "channels_first"


def spatial_axes(rank: int, first: bool) -> tuple:
    """The spatial axes of a rank-``rank`` feature map (batch included)."""
    return tuple(range(2, rank)) if first else tuple(range(1, rank - 1))
