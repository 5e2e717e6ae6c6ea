"""How shapes and per-axis values read in messages, tables and reports."""

from __future__ import annotations


def format_shape(shape, unknown: str = "(unknown)", lost: bool = False) -> str:
    """``(None, 32, 32, 3)``; ``unknown`` when not even the rank is known. ``lost``: the
    unknown dims past the batch are sizes shapelint lost, shown ``?`` (``(None, ?, ?, 3)``)."""
    if shape is None:
        return unknown
    return "(" + ", ".join(str(d) if d is not None else "?" if lost and i else "None"
                           for i, d in enumerate(shape)) + ")"


def per_axis(values) -> str:
    """Per-axis values as ``32×32`` (``?`` for an unknown one); "" for none."""
    return "×".join("?" if v is None else str(v) for v in values or ())


# Every character that can move the cursor, end a line, start a terminal escape sequence,
# reorder text on screen or hide in it: C0 controls, DEL, C1 controls, Unicode line and
# paragraph separators, bidirectional marks and overrides, and the invisible characters
# (soft hyphen, zero-width space and joiners, word joiner, byte order mark) that make
# ``conv1`` and ``conv1\u200b`` look like one name.
UNSAFE = (*range(0x20), *range(0x7F, 0xA0), 0xAD, *range(0x200B, 0x2010), 0x2028, 0x2029,
          *range(0x202A, 0x202F), *range(0x2060, 0x2065), *range(0x2066, 0x206A), 0xFEFF)


def _escape_table() -> dict:
    """Code point -> its escaped text (``\\x1b``, ``\\n``, ``\\u200b``)."""
    named = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
    return {c: named.get(chr(c), f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}") for c in UNSAFE}


ESCAPES = _escape_table()


def printable(text) -> str:
    """``text`` (a layer name, a path, a message with parts of the model in it) with every
    control character shown escaped (``\\x1b``, ``\\n``), so what comes from a model file
    can neither forge output lines nor drive the terminal."""
    return str(text).translate(ESCAPES)
