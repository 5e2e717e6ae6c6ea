"""Pure shape arithmetic for one spatial axis. No Keras, no I/O.

Every function takes plain ints (``None`` for an unknown length) and mirrors the
formula Keras 3 uses (``keras/src/ops/operation_utils.py`` and
``keras/src/backend/common/backend_utils.py``), except that a non-positive result is
returned as is instead of raising: the caller turns it into an SL001 finding.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Optional

Length = Optional[int]

PADDINGS = ("valid", "same", "causal")


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
    """Zero rows added before the first input row (0 when the length is unknown)."""
    ke = effective_kernel(kernel, dilation)
    if padding == "causal":
        return ke - 1
    if padding == "same" and n is not None:
        return same_padding(n, kernel, stride, dilation)[0]
    return 0


def dropped_rows(n: Length, kernel: int, stride: int = 1, padding: str = "valid",
                 dilation: int = 1) -> Length:
    """Input rows at the end of the axis that no output position reads.

    For ``valid`` this is ``(n − ke) mod s``. ``None`` when n is unknown; 0 when
    the output would be empty (that is a different problem, SL001).
    """
    if n is None:
        return None
    out = conv_output_length(n, kernel, stride, padding, dilation)
    if out is None or out <= 0:
        return 0
    last_read = (out - 1) * stride + effective_kernel(kernel, dilation) - padding_before(
        n, kernel, stride, padding, dilation)
    return max(n - last_read, 0)


def receptive_field(rf_in: int, jump_in: Fraction, kernel_eff: int, stride: int,
                    transposed: bool = False) -> tuple:
    """Receptive field and jump after one window layer.

    Forward: ``r_out = r_in + (ke − 1)·j_in``, ``j_out = j_in·s``. Transposed (and
    upsampling, kernel 1): each output reads ``ceil(ke/s)`` input positions, and the
    output grid is ``s`` times denser: ``j_out = j_in/s``.
    """
    if transposed:
        taps = -(-kernel_eff // stride)
        return rf_in + (taps - 1) * jump_in, Fraction(jump_in) / stride
    return rf_in + (kernel_eff - 1) * jump_in, Fraction(jump_in) * stride
