"""How shapes and per-axis values read in messages, tables and reports."""

from __future__ import annotations


def format_shape(shape, unknown: str = "(unknown)") -> str:
    """``(None, 32, 32, 3)``; ``unknown`` when not even the rank is known."""
    if shape is None:
        return unknown
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ")"


def per_axis(values) -> str:
    """Per-axis values as ``32×32`` (``?`` for an unknown one); "" for none."""
    return "×".join("?" if v is None else str(v) for v in values or ())
