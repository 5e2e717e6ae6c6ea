"""Pure shape arithmetic for one spatial axis. No Keras, no I/O.

Every function takes plain ints (``None`` for an unknown length) and mirrors the
formula Keras 3 uses (``keras/src/ops/operation_utils.py`` and
``keras/src/backend/common/backend_utils.py``), except that a non-positive result is
returned as is instead of raising: the caller turns it into an SL001 finding.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property
from math import gcd
from typing import Optional

Length = Optional[int]



def effective_kernel(kernel: int, dilation: int = 1) -> int:
    """The span a dilated kernel covers: ``d·(k−1)+1``."""
    return dilation * (kernel - 1) + 1


def conv_output_length(n: Length, kernel: int, stride: int = 1, padding: str = "valid",
                       dilation: int = 1) -> Length:
    """Output length of a convolution or pooling window along one axis.

    ``valid``: ``floor((n − ke)/s) + 1``; ``same`` and ``causal``: ``ceil(n/s)``
    (Keras writes it ``floor((n − 1)/s) + 1``, which is the same for n ≥ 1 and
    gives 0 for n = 0).
    """
    if n is None:
        return None
    if padding == "valid":
        return (n - effective_kernel(kernel, dilation)) // stride + 1
    if padding in ("same", "causal"):
        return (n - 1) // stride + 1
    raise ValueError(f"unknown padding {padding!r}")


def conv_transpose_output_length(n: Length, kernel: int, stride: int = 1,
                                 padding: str = "valid", output_padding: Optional[int] = None,
                                 dilation: int = 1) -> Length:
    """Output length of a transposed convolution along one axis.

    Without ``output_padding``: ``valid`` ``(n−1)·s + max(ke, s)``, ``same`` ``n·s``.
    With ``output_padding`` op: ``(n−1)·s + ke − 2·pad + op`` where pad is ``ke // 2``
    for ``same`` and 0 for ``valid``.
    """
    if n is None:
        return None
    ke = effective_kernel(kernel, dilation)
    if padding == "valid":
        op = max(ke, stride) - ke if output_padding is None else output_padding
        return (n - 1) * stride + ke + op
    if padding == "same":
        if output_padding is None:
            return n * stride
        return (n - 1) * stride + ke % 2 + output_padding
    raise ValueError(f"unknown padding {padding!r}")


def same_padding(n: int, kernel: int, stride: int = 1, dilation: int = 1) -> tuple:
    """Zero rows TF adds (before, after) for ``padding='same'``; the extra one goes after."""
    out = conv_output_length(n, kernel, stride, "same", dilation)
    total = max((out - 1) * stride + effective_kernel(kernel, dilation) - n, 0)
    return total // 2, total - total // 2


def padding_before(n: Length, kernel: int, stride: int, padding: str, dilation: int = 1) -> int:
    """Zero rows added before the first input row. For an unknown length, those of a
    length that is a multiple of the stride: ``max(ke − s, 0) // 2`` for ``same``."""
    ke = effective_kernel(kernel, dilation)
    if padding == "causal":
        return ke - 1
    if padding != "same":
        return 0
    if n is None:
        return max(ke - stride, 0) // 2
    return same_padding(n, kernel, stride, dilation)[0]


def dropped_rows(n: Length, kernel: int, stride: int = 1, padding: str = "valid",
                 dilation: int = 1) -> Length:
    """Input rows at the end of the axis that no output position reads.

    For ``valid`` this is ``(n − ke) mod s``. With ``same`` padding and a dilated
    kernel the last taps may fall in the padding and skip real rows, so the last
    row read is searched tap by tap. ``None`` when n is unknown; 0 when the output
    would be empty (that is a different problem, SL001).
    """
    if n is None:
        return None
    out = conv_output_length(n, kernel, stride, padding, dilation)
    if out is None or out <= 0:
        return 0
    pad = padding_before(n, kernel, stride, padding, dilation)
    # The last output reads (out−1)·s − pad + j·d for its taps j that are in range: the
    # largest such j gives one candidate. A later tap j is read, if at all, by an earlier
    # output, ending at n − 1 − ((n − 1 + pad − j·d) mod s): those residues repeat every s
    # taps, so s more taps give every other candidate.
    in_range = (n - 1 + pad - (out - 1) * stride) // dilation
    first_tap = max(min(kernel - 1, in_range), -1)
    candidates = range(max(first_tap, 0), min(kernel, first_tap + stride + 1))
    if candidates.stop - candidates.start > MAX_FIELD_WORK:  # len() of a range past 2**63 raises
        return None  # an absurd kernel and stride: unknown rather than slow
    last = -1
    for j in candidates:
        o = min(out - 1, (n - 1 + pad - j * dilation) // stride)
        if o >= 0:
            last = max(last, o * stride - pad + j * dilation)
    return n - 1 - last


def transpose_padding_before(n: Length, kernel: int, stride: int = 1, padding: str = "valid",
                             output_padding: Optional[int] = None, dilation: int = 1) -> int:
    """Leading rows a transposed conv crops: output row o gets input row x through tap t
    when ``o = x·s + t − pad`` (0 for ``valid``).

    Keras crops ``(n−1)·s + ke − out`` rows in all, half of them (rounded down) before:
    ``ke − s`` without ``output_padding``, ``ke − ke mod 2 − op`` with it, whatever n is,
    so an unknown length needs no guess.
    """
    if padding != "same":
        return 0
    ke = effective_kernel(kernel, dilation)
    if n is None:
        n = 1  # any length crops the same rows
    out = conv_transpose_output_length(n, kernel, stride, padding, output_padding, dilation)
    return max((n - 1) * stride + ke - out, 0) // 2


MAX_FIELD_WORK = 100_000  # output positions × kernel taps one AxisField step may visit


@dataclass(frozen=True)
class AxisField:
    """Which input rows each output position of one axis reads, exactly.

    Over one period of output positions it keeps the first and last input row each
    reads (``None``: reads nothing, a transposed kernel smaller than its stride);
    output ``o + period`` reads the rows of ``o`` moved by ``shift``. The receptive
    field is the largest span, the jump ``shift/period``. Start from the model input
    (``AxisField()``: each position reads itself) and apply one window per layer.
    """

    period: int = 1
    shift: int = 1
    first: tuple = (0,)
    last: tuple = (0,)

    def _at(self, table: tuple, x: int):
        q, r = divmod(x, self.period)
        return None if table[r] is None else table[r] + q * self.shift

    def through(self, kernel_eff: int, stride: int, transposed: bool = False, pad: int = 0,
                dilation: int = 1) -> Optional["AxisField"]:
        """After one window (an upsampling by s is ``(s, s, transposed=True)``); None when
        tracking it would cost more than :data:`MAX_FIELD_WORK` steps (absurd kernels or
        strides): the field is then unknown rather than slow."""
        taps = range(0, kernel_eff, dilation)
        if transposed:
            period, shift = self.period * stride, self.shift
        else:
            period = self.period // gcd(self.period, stride)
            shift = self.shift * (stride * period // self.period)
        # len() of a range past 2**63 raises: past the budget, the count needs no exactness
        tap_count = len(taps) if kernel_eff <= MAX_FIELD_WORK else MAX_FIELD_WORK + 1
        if period * max(tap_count, 1) > MAX_FIELD_WORK:
            return None
        first, last = [], []
        for o in range(period):
            if transposed:  # rows x with o = x·s + t − pad, t a tap
                rows = [(o + pad - t) // stride for t in taps if (o + pad - t) % stride == 0]
            else:
                rows = [o * stride - pad + t for t in taps]
            firsts = [v for v in (self._at(self.first, x) for x in rows) if v is not None]
            lasts = [v for v in (self._at(self.last, x) for x in rows) if v is not None]
            first.append(min(firsts) if firsts else None)
            last.append(max(lasts) if lasts else None)
        return AxisField(period, shift, tuple(first), tuple(last))

    def merge(self, other: "AxisField") -> "AxisField":
        """Both fields at once (an element-wise merge of two maps on the same grid)."""
        if self == other:
            return self
        period = self.period * other.period // gcd(self.period, other.period)
        if self.shift * other.period != other.shift * self.period:  # different jumps
            return max(self, other, key=lambda f: f.rf)  # different grids: keep the larger
        shift = self.shift * period // self.period

        def pick(fn, a, b):
            return b if a is None else a if b is None else fn(a, b)

        first = tuple(pick(min, self._at(self.first, o), other._at(other.first, o))
                      for o in range(period))
        last = tuple(pick(max, self._at(self.last, o), other._at(other.last, o))
                     for o in range(period))
        return AxisField(period, shift, first, last)

    @cached_property
    def rf(self) -> int:
        spans = [b - a + 1 for a, b in zip(self.first, self.last) if a is not None]
        return max(spans) if spans else 0

    @property
    def jump(self) -> Fraction:
        return Fraction(self.shift, self.period)

    @cached_property
    def jump_number(self):
        """The jump as a plain number: an int when whole, else a float (6 decimals)."""
        if self.shift % self.period == 0:
            return self.shift // self.period
        return round(self.shift / self.period, 6)


def chain_receptive_field(steps) -> tuple:
    """Exact receptive field and jump of a stack of window layers along one axis.

    ``steps``: ``(kernel_eff, stride, transposed, pad_before[, dilation])`` per layer,
    first layer first (an upsampling by s is ``(s, s, True, 0)``: output o reads
    o // s). Returns ``(rf, jump)``: the largest span of input rows an output position
    reads and the mean distance between neighbouring positions, a :class:`Fraction`.
    Without ``dilation`` a dilated kernel counts as its whole span, which is exact
    unless an earlier transposed kernel is smaller than its stride.
    """
    field = AxisField()
    for step in steps:
        field = field.through(*step)
        if field is None:
            return None
    return field.rf, field.jump
