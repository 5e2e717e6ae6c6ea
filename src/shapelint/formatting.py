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


def _escape_table() -> dict:
    """Code point -> its escaped text, for every character that can move the cursor, end
    a line, start a terminal escape sequence or reorder text on screen: C0 controls, DEL,
    C1 controls, Unicode line and paragraph separators and bidirectional overrides."""
    named = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
    unsafe = [*range(0x20), *range(0x7F, 0xA0), 0x2028, 0x2029, 0x200E, 0x200F,
              *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
    return {c: named.get(chr(c), f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}") for c in unsafe}


ESCAPES = _escape_table()


def printable(text) -> str:
    """``text`` (a layer name, a path, a message with parts of the model in it) with every
    control character shown escaped (``\\x1b``, ``\\n``), so what comes from a model file
    can neither forge output lines nor drive the terminal."""
    return str(text).translate(ESCAPES)
