"""Which input sizes a model runs at: the exact set over a range, and its pattern in words.

A model whose spatial input dims are unknown (``None``) accepts some sizes and not
others: a U-Net only multiples of 16, an unpadded stack only sizes above a minimum.
:func:`analyse_sizes` sets every swept input dim to n, for each n of a range, and walks
the model's calls with the lint's own evaluation of a call (evaluate.py); n is valid when
no call fails (no length ≤ 0, every merge compatible, every Reshape consistent, every
Dense fed the features it was built for). Each call's shape rule runs once per *distinct*
input shape, not once per size: after a few strided layers, many sizes share one shape.
:func:`describe` turns a set of sizes into words ("multiples of 16", "any size ≥ 32").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from shapelint.errors import UsageError
from shapelint.loading.spec import ModelSpec
from shapelint.shapes.evaluate import evaluate_call, tensors_read
from shapelint.shapes.propagate import built_features, propagate

MAX_SIZES = 100_000  # sizes per axis in one sweep
DEFAULT_RANGE = (1, 1024)


class SizeRangeError(UsageError):
    """A ``--sizes`` value that is not a usable range."""


def parse_ranges(text: str) -> list:
    """``"1:1024"`` -> [(1, 1024)]; ``"1:512x16:256"`` -> one range per swept axis.

    ``MAX`` alone means ``1:MAX``; ``MIN:`` means ``MIN:1024``.
    """
    ranges = []
    for part in text.lower().replace("×", "x").split("x"):
        lo_text, sep, hi_text = part.strip().partition(":")
        try:
            lo = int(lo_text) if sep and lo_text else 1
            hi = int(hi_text if sep else lo_text) if (hi_text or not sep) else DEFAULT_RANGE[1]
        except ValueError:
            raise SizeRangeError(f"{text!r} is not a size range like 1:1024 "
                                 "(or 1:512x1:256, one range per axis)") from None
        if lo < 1 or hi < lo:
            raise SizeRangeError(f"{text!r}: a range needs 1 ≤ MIN ≤ MAX")
        if hi - lo + 1 > MAX_SIZES:
            raise SizeRangeError(f"{text!r}: at most {MAX_SIZES:,} sizes per axis")
        ranges.append((lo, hi))
    return ranges


@dataclass
class AxisSizes:
    """The valid sizes of one swept axis (or of all of them at once, for square sizes)."""

    axes: list  # names of the swept dims, e.g. ["image[1]", "image[2]"]
    lo: int
    hi: int
    valid: list  # sizes at which the model runs
    clean: list  # valid sizes at which no window layer leaves a border row unread
    rule: str = ""  # the valid sizes in words
    clean_rule: str = ""
    first_failure: dict = field(default_factory=dict)  # invalid size -> first layer that fails
    why: str = ""  # why example_failure() fails: the lint's first error at that size

    def __post_init__(self):
        self.rule = describe(self.valid, self.lo, self.hi)
        self.clean_rule = describe(self.clean, self.lo, self.hi)

    @property
    def smallest(self) -> Optional[int]:
        return self.valid[0] if self.valid else None

    @property
    def constrained(self) -> bool:
        """Some size of the range is not valid."""
        return len(self.valid) != self.hi - self.lo + 1

    def example_failure(self) -> Optional[int]:
        """The invalid size that best shows the constraint: the first one above the
        smallest valid size (a U-Net's 17), else the one just below it (VGG's 31)."""
        if not self.constrained:
            return None
        member = set(self.valid)
        start = self.valid[0] if self.valid else self.lo
        above = next((n for n in range(start, self.hi + 1) if n not in member), None)
        return above if above is not None else start - 1


@dataclass
class InputSizes:
    """The answer for one model: square sizes, or one :class:`AxisSizes` per axis."""

    square: bool
    per_axis: list  # [AxisSizes]: one entry when square
    unknown_layers: list  # layers without a shape rule: shapes after them were not checked

    @property
    def sizes(self) -> AxisSizes:
        """The square sizes (the first axis when swept per axis)."""
        return self.per_axis[0]

    @property
    def valid(self) -> list:
        return self.sizes.valid

    @property
    def rule(self) -> str:
        return self.sizes.rule

    @property
    def smallest(self) -> Optional[int]:
        return self.sizes.smallest

    def to_dict(self) -> dict:
        """The JSON ``input_sizes`` entry."""
        def entry(a: AxisSizes) -> dict:
            return {"axes": list(a.axes), "axis_sizes": {"min": a.lo, "max": a.hi},
                    "valid": list(a.valid), "rule": a.rule, "smallest": a.smallest,
                    "no_border_dropped": list(a.clean), "no_border_dropped_rule": a.clean_rule,
                    "why": a.why}
        out = entry(self.sizes) if self.square else {"per_axis": [entry(a) for a in self.per_axis]}
        out["square"] = self.square
        out["unchecked_after"] = list(self.unknown_layers)
        return out


def swept_dims(model: ModelSpec, input_shapes: list, force: bool) -> list:
    """The (input index, dim) pairs the sweep varies: every unknown dim of every input,
    batch excluded; with ``force`` and none unknown, the spatial dims of rank ≥ 3 inputs
    (all but batch and the channel axis: the last one, the first for channels_first)."""
    dims = [(i, d) for i, shape in enumerate(input_shapes) if shape is not None
            for d in range(1, len(shape)) if shape[d] is None]
    if dims or not force:
        return dims
    for i, shape in enumerate(input_shapes):
        if shape is None or len(shape) < 3:
            continue
        channel = 1 if model.channels_first_input(i) else len(shape) - 1
        dims.extend((i, d) for d in range(1, len(shape)) if d != channel)
    return dims


def analyse_sizes(model: ModelSpec, trace, ranges: Optional[list] = None,
                  force: bool = False) -> Optional[InputSizes]:
    """The valid input sizes of ``model`` (``trace``: its lint at the declared shapes).

    One range: square sizes (every swept dim takes the same n). One range per swept dim:
    each dim is swept alone, the others unknown. ``None`` when no dim can be swept.
    """
    inputs = list(trace.inputs)
    dims = swept_dims(model, inputs, force)
    if not dims:
        return None
    ranges = ranges or [DEFAULT_RANGE]
    names = [f"{model.calls[model.inputs[i].call].name}[{d}]" for i, d in dims]
    sweeper = _Sweeper(model, trace)
    if len(ranges) == 1:
        lo, hi = ranges[0]
        sizes = AxisSizes(names, lo, hi, *sweeper.run(inputs, dims, lo, hi))
        sizes.why = _why(model, inputs, dims, sizes.example_failure(), trace.declared)
        return InputSizes(True, [sizes], sweeper.unknown)
    if len(ranges) != len(dims):
        raise SizeRangeError(f"{len(ranges)} size ranges given, but the model has {len(dims)} "
                             f"swept dims ({', '.join(names)}): give one range, or one per dim")
    base = [None if s is None else tuple(None if (i, d) in dims else v for d, v in enumerate(s))
            for i, s in enumerate(inputs)]
    per_axis = []
    for name, dim, (lo, hi) in zip(names, dims, ranges):
        sizes = AxisSizes([name], lo, hi, *sweeper.run(base, [dim], lo, hi))
        sizes.why = _why(model, base, [dim], sizes.example_failure(), trace.declared)
        per_axis.append(sizes)
    return InputSizes(False, per_axis, sweeper.unknown)


def _at(inputs: list, dims: list, n: int) -> list:
    """The input shapes (batch excluded) with ``n`` on every swept dim."""
    return [None if shape is None else
            tuple(n if (i, d) in dims else v for d, v in enumerate(shape) if d)
            for i, shape in enumerate(inputs)]


def _why(model: ModelSpec, inputs: list, dims: list, n: Optional[int], layers=None) -> str:
    """The lint's first error at size ``n``, as "fails at 100: <message>"."""
    if n is None:
        return ""
    errors = propagate(model, _at(inputs, dims, n), layers).findings
    first = next((f for f in errors if f.severity == "error"), None)
    return f"fails at {n}: {first.message}" if first else ""


class _Sweeper:
    """Walks the calls once per range, for all sizes at once.

    Each tensor is a table of its distinct shapes and, per size, a label: the index of its
    shape in the table. A shape rule runs once per table entry, and labels are only
    rebuilt where tables shrink (strided layers map many sizes to one shape), where a
    call fails or drops border rows at some sizes, or where branches of different
    labelling meet; equal labellings share one list.
    """

    def __init__(self, model: ModelSpec, trace):
        self.model = model
        self.unknown: list = []
        self.built_features = built_features(trace)
        self.layers = trace.declared  # the custom layers the lint's configuration declares

    def run(self, inputs: list, dims: list, lo: int, hi: int):
        count = hi - lo + 1
        fed: dict = {}
        for n in range(lo, hi + 1):
            for i, shape in enumerate(_at(inputs, dims, n)):
                if shape is not None:
                    fed.setdefault(self.model.inputs[i].call, []).append(((None,) + shape,))
        self.labels: dict = {}  # call id -> per size, the index of its outputs in the table
        self.tables: dict = {}  # call id -> distinct output tuples
        self.shared: dict = {}  # labelling -> the one list that holds it
        failure = self.failure = {}  # size index -> the first call that fails at it
        clean = [True] * count
        identity = list(range(count))
        self.unknown = []
        for call in self.model.calls:
            if call.id in fed:
                labels, table = identity, fed[call.id]
            else:
                labels, table = self._call(call, count, failure, clean)
            self.labels[call.id], self.tables[call.id] = self._dedupe(labels, table)
        valid = [lo + i for i in range(count) if i not in failure]
        return (valid, [n for n in valid if clean[n - lo]],
                {lo + i: name for i, name in sorted(failure.items())})

    def _call(self, call, count: int, failure: dict, clean: list):
        """Labels and output table of a call; marks the sizes at which it fails."""
        refs = tensors_read(call)
        labels, keys = self._gather(refs, count)
        built = self.built_features.get(call.id)
        table, failed, dropping, cache = [], set(), set(), {}
        for j, key in enumerate(keys):
            done = cache.get(key)
            if done is None:
                done = cache[key] = evaluate_call(call, key, built_features=built,
                                                  layers=self.layers)
            if done.failed:
                failed.add(j)
                table.append((None,))
                continue
            window = done.window
            if window is not None and window.dropped and any(window.dropped):
                dropping.add(j)
            table.append(done.outputs)
        if not done.known:  # (no shape rule: the same at every key)
            self.unknown.append(call.name)
        if failed or dropping:
            for i, label in enumerate(labels):
                if label in failed:
                    failure.setdefault(i, call.name)
                elif label in dropping:
                    clean[i] = False
        return labels, table

    def _gather(self, refs: list, count: int):
        """(labels, keys): per size a label, per label the shapes of ``refs``."""
        if not refs:
            return [0] * count, [()]
        lists = [self.labels[r.call] for r in refs]
        tables = [self.tables[r.call] for r in refs]
        first = lists[0]
        if all(other is first for other in lists):
            keys = [tuple(_entry(t[j], r.index) for t, r in zip(tables, refs))
                    for j in range(len(tables[0]))]
            return first, keys
        combos: dict = {}
        dead = self.failure
        labels = [combos.setdefault(None if i in dead else combo, len(combos))
                  for i, combo in enumerate(zip(*lists))]
        keys = [(None,) * len(refs) if combo is None else
                tuple(_entry(t[label], r.index) for t, r, label in zip(tables, refs, combo))
                for combo in combos]
        return labels, keys

    def _dedupe(self, labels: list, table: list):
        """Merge equal table entries, and share equal labellings."""
        if len(set(table)) != len(table):
            index: dict = {}
            remap = [index.setdefault(entry, len(index)) for entry in table]
            table = list(index)
            labels = [remap[label] for label in labels]
        return self.shared.setdefault(tuple(labels), labels), table


def _entry(outputs: tuple, index: int):
    return outputs[index] if index < len(outputs) else None


def text_lines(found: InputSizes) -> list:
    """The answer for people: one block per swept axis (one in all for square sizes)."""
    lines = []
    for axis in found.per_axis:
        kind = "square sizes" if found.square and len(axis.axes) > 1 else "sizes"
        lines.append(f"input {kind} on {', '.join(axis.axes)}, tried {axis.lo}..{axis.hi}: "
                     f"{axis.rule}" + (f" (smallest {axis.smallest})" if axis.smallest else ""))
        if axis.valid:
            lines.append(f"    valid: {_listing(axis.valid, most=12)}")
            lines.append(f"    no border pixel dropped: {axis.clean_rule}")
        if axis.why:
            lines.append(f"    {axis.why}")
    if found.unknown_layers:
        lines.append("    not checked after layers without a shape rule: "
                     + ", ".join(found.unknown_layers))
    return lines


# ---------------------------------------------------------------- words

def describe(valid: list, lo: int, hi: int) -> str:
    """A set of sizes in ``lo..hi`` in words: "any size ≥ 32", "multiples of 16",
    "n ≡ 1 (mod 3)", "even sizes ≥ 64", with the exceptions below the pattern."""
    if not valid:
        return f"no size in {lo}..{hi}"
    member = set(valid)
    flags = [n in member for n in range(lo, hi + 1)]
    found = _period(flags)
    if found is None:  # no repeating pattern: list them
        return "only " + _listing(valid)
    period, start = found
    residues = {(lo + start + j) % period for j in range(period) if flags[start + j]}

    def in_pattern(n: int) -> bool:
        return n % period in residues

    while start > 0 and flags[start - 1] == in_pattern(lo + start - 1):
        start -= 1
    pattern_from = lo + start  # below it the pattern does not hold
    first = next(n for n in range(pattern_from, hi + 1) if n in member)
    first_in_pattern = next(n for n in range(lo, hi + 1) if in_pattern(n))
    words = _pattern_words(period, residues, first, first > first_in_pattern)
    extra = [n for n in valid if n < pattern_from]
    if extra:
        words += "; also " + _listing(extra)
    return words


def _period(flags: list) -> Optional[tuple]:
    """(p, t): flags repeat with period p from index t on, over at least two periods with
    some valid size in each; the smallest t wins (the pattern that explains the most),
    then the smallest p. None when nothing repeats."""
    count = len(flags)
    best = None
    for p in range(1, count // 2 + 1):
        last = -1
        for i in range(count - p - 1, -1, -1):
            if flags[i] != flags[i + p]:
                last = i
                break
        start = last + 1
        if start + 2 * p <= count and any(flags[start:start + p]):
            if best is None or start < best[1]:
                best = (p, start)
            if start == 0:
                break
    return best


def _pattern_words(period: int, residues: set, first: int, bounded: bool) -> str:
    since = f" ≥ {first}" if bounded or first > 1 else " ≥ 1"
    if len(residues) == period:
        return "any size" + since
    if period == 2:
        return ("even" if residues == {0} else "odd") + " sizes" + (f" ≥ {first}" if bounded else "")
    if residues == {0}:
        return f"multiples of {period}" + (f" from {first}" if bounded else "")
    listed = ", ".join(str(r) for r in sorted(residues))
    return f"n ≡ {listed} (mod {period})" + (f", n ≥ {first}" if bounded else "")


def _listing(sizes: list, most: int = 6) -> str:
    """``1, 33, 65`` or ``16–100`` (runs of consecutive sizes joined)."""
    runs: list = []
    for n in sizes:
        if runs and n == runs[-1][1] + 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    parts = [str(a) if a == b else f"{a}, {b}" if b == a + 1 else f"{a}–{b}" for a, b in runs]
    if len(parts) <= most:
        return ", ".join(parts)
    return ", ".join(parts[:most]) + f", … ({len(sizes)} sizes)"
