"""``--format text``: one line per finding, and with ``--summary`` a per-layer table."""

from __future__ import annotations

from shapelint.formatting import format_shape, per_axis
from shapelint.lint import count


def shapes_text(shapes) -> str:
    """Output shapes of one call, ``?`` where unknown."""
    if not shapes:
        return "?"
    return " ".join(format_shape(s, unknown="?") for s in shapes)


def layer_table(result) -> list:
    """Aligned rows: layer, class, output shape, receptive field, jump, notes."""
    flagged: dict = {}
    for f in result.findings:
        flagged.setdefault(f.layer, []).append(f.rule)
    rows = [("layer", "class", "output shape", "RF", "jump", "notes")]
    for t in result.trace.layers:
        name = t.name if t.call.node == 0 else f"{t.name} (call {t.call.node})"
        notes = []
        if t.dropped_border and any(t.dropped_border):
            notes.append("drops " + per_axis(t.dropped_border) + " px")
        if not t.known:
            notes.append("no shape rule")
        notes.extend(sorted(set(flagged.get(t.name, []))))
        rows.append((name, t.class_name, shapes_text(t.output_shapes), per_axis(t.receptive_field),
                     per_axis(t.jump), ", ".join(notes)))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for i, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    return lines


def render(results: list, summary: bool = False, quiet: bool = False) -> str:
    lines = []
    for result in results:
        if result.status == "error":
            lines.append(f"{result.path}: error: {result.error}")
            continue
        if result.status == "skipped":
            if not quiet:
                lines.append(f"{result.path}: skipped: {result.error}")
            continue
        if summary:
            model = result.trace.model
            lines.append(f"{result.path}: model {model.name!r} ({model.class_name}, "
                         f"{len(result.trace.layers)} layer calls)")
            lines.extend("  " + line for line in layer_table(result))
            lines.append("")
        for note in result.notes:
            lines.append(f"{result.path}: note: {note}")
        for f in result.findings:
            lines.append(f"{result.path}:{f.layer}: {f.rule} [{f.severity}] {f.message}")
            if f.fix and not quiet:
                lines.append(f"    fix: {f.fix}")
    totals = count(results)
    if not quiet:
        unreadable = sum(r.status == "error" for r in results)
        tail = f", {unreadable} unreadable" if unreadable else ""
        lines.append(f"{totals['files']} file(s): {totals['errors']} error(s), "
                     f"{totals['warnings']} warning(s), {totals['info']} info{tail}")
    return "\n".join(lines) + "\n"
