"""``--format text``: findings grouped by file, one ``path:layer: SL001 [error] message``
line each (editors and tools parse it), a summary line; ``--summary`` adds a per-layer table."""

from __future__ import annotations

from typing import Optional

from shapelint.findings import SEVERITIES
from shapelint.formatting import format_shape, per_axis, printable
from shapelint.lint import count
from shapelint.report import RenderOptions


def shapes_text(shapes, guessed: bool = False) -> str:
    """Output shapes of one call, ``?`` where unknown. ``guessed``: the call is downstream
    of a failure or of a layer with no shape rule, so its ``None`` dims past the batch
    are unknown to shapelint (``?``), not sizes the model leaves open."""
    if not shapes:
        return "?"
    return " ".join(format_shape(s, unknown="?", lost=guessed) for s in shapes)


def count_text(value) -> str:
    """``1,792``; ``?`` when unknown."""
    return "?" if value is None else f"{value:,}"


def call_label(trace_layer) -> str:
    return trace_layer.name if trace_layer.call.node == 0 \
        else f"{trace_layer.name} (call {trace_layer.call.node})"


def connected_to(trace, trace_layer) -> str:
    """The calls whose outputs this call reads: ``conv1``, ``a, b``, ``lstm[1]`` (output 1)."""
    refs = [*trace_layer.call.args, *trace_layer.call.kw_tensors.values()]
    names = []
    for ref in refs:
        source = trace.layers[ref.call]
        names.append(call_label(source) + (f"[{ref.index}]" if ref.index else ""))
    return ", ".join(names)


def totals_line(cost) -> str:
    """``params: 25,636,712 (25,583,592 trainable, 53,120 non-trainable); 3,868,560,384 MACs``."""
    params = cost.params_dict()
    text = f"params: {count_text(params['total'])}"
    if params["total"] is not None:
        text += (f" ({count_text(params['trainable'])} trainable, "
                 f"{count_text(params['non_trainable'])} non-trainable)")
    else:
        more = ", ..." if len(cost.unknown) > 3 else ""
        text += f" (unknown for {', '.join(cost.unknown[:3])}{more})"
    return text + f"; MACs per sample: {count_text(cost.macs)}"


def layer_table(result, cost=None) -> list:
    """Aligned rows: layer, class, output shape, params, connected to, receptive field,
    jump, notes. ``cost``: the :func:`~shapelint.shapes.params.model_cost` of the trace."""
    if cost is None:
        from shapelint.shapes.params import model_cost

        cost = model_cost(result.trace)
    from shapelint.rules.graph import guessed_calls

    flagged: dict = {}
    for f in result.findings:
        flagged.setdefault(f.layer, []).append(f.rule)
    guessed = guessed_calls(result.trace)
    rows = [("layer", "class", "output shape", "params", "connected to", "RF", "jump", "notes")]
    used = set()  # the markers the table shows, for the legend under it
    for t, c in zip(result.trace.layers, cost.calls):
        name = printable(call_label(t))
        notes = []
        if t.dropped_border and any(t.dropped_border):
            notes.append("drops " + per_axis(t.dropped_border) + " px")
        if not t.known:
            notes.append("no shape rule")
        notes.extend(sorted(set(flagged.get(t.name, []))))
        shape = shapes_text(t.output_shapes, t.call.id in guessed)
        field, jump = per_axis(t.receptive_field), per_axis(t.jump)
        if not field and _no_spatial_axes(t.output_shapes) and t.input_shapes:
            field = jump = NO_FIELD
        if t.call.id not in guessed and any(None in s[1:] for s in t.output_shapes or () if s):
            used.add("None")
        if "?" in shape or c.params is None:
            used.add("?")
        if field == NO_FIELD:
            used.add(NO_FIELD)
        rows.append((name, printable(t.class_name), shape, count_text(c.params),
                     printable(connected_to(result.trace, t)), field, jump, ", ".join(notes)))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for i, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    return lines + [text for marker, text in LEGEND if marker in used]


NO_FIELD = "—"
# What each marker of the table means, in the order the legend says them
LEGEND = (("None", "None: a size the model leaves open (any size at run time)"),
          ("?", "?: unknown to shapelint (after an error or a layer with no shape rule)"),
          (NO_FIELD, f"{NO_FIELD}: no spatial axes left, so no receptive field or jump"))


def _no_spatial_axes(shapes) -> bool:
    """Every output is a vector per sample (after Flatten, global pooling, Dense)."""
    return bool(shapes) and all(s is not None and len(s) <= 2 for s in shapes)


STYLES = {"error": "1;31", "warning": "1;33", "info": "1;36", "path": "1", "code": "1", "dim": "2"}
SEVERITY_WIDTH = max(len(f"[{s}]") for s in SEVERITIES)


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 or word == "info" else f"{n} {word}s"


def counts_text(counts: dict, paint, nonzero: bool = False) -> str:
    """``2 errors, 1 warning, 0 info`` (``nonzero``: without the zeros); non-zero counts
    in their severity's color."""
    parts = []
    for severity, key in (("error", "errors"), ("warning", "warnings"), ("info", "info")):
        text = plural(counts[key], severity)
        if counts[key] or not nonzero:
            parts.append(paint(text, severity) if counts[key] else text)
    return ", ".join(parts)


def render(results: list, options: RenderOptions = RenderOptions()) -> str:
    """Findings grouped by file, one ``path:layer: SL001 [error] message`` line each.

    ``options.color``: ANSI colors; ``options.align``: pad the location and severity
    columns (for a terminal: piped output keeps single spaces for tools);
    ``options.elapsed``: seconds to show in the summary line (None: no time, so the text
    is the same on every run). Model data is shown through :func:`printable`.
    """
    quiet = options.quiet

    def paint(text: str, style: str) -> str:
        return f"\033[{STYLES[style]}m{text}\033[0m" if options.color else text

    lines = []
    for result in results:
        path = printable(result.path)
        if result.status == "error":
            if options.unreadable_lines:
                lines.append(f"{path}: {paint('error', 'error')}: {printable(result.error)}")
            continue
        if result.status == "skipped":
            if not quiet:
                lines.append(paint(f"{path}: skipped: {printable(result.error)}", "dim"))
            continue
        if options.summary:
            model = result.trace.model
            lines.append(f"{path}: model {printable(repr(model.name))} "
                         f"({printable(model.class_name)}, "
                         f"{len(result.trace.layers)} layer calls)")
            from shapelint.shapes.params import model_cost

            cost = model_cost(result.trace)
            lines.extend("  " + line for line in layer_table(result, cost))
            lines.append("  " + printable(totals_line(cost)))
            lines.append("")
        if result.findings and not quiet:
            counts = counts_text(count([result]), paint, nonzero=True)
            lines.append(f"{paint(path, 'path')} ({counts})")
        if result.input_sizes is not None:
            from shapelint.shapes.sizes import text_lines

            lines.extend(f"{path}: {printable(line)}" if not line.startswith(" ")
                         else printable(line) for line in text_lines(result.input_sizes))
        for note in result.notes:
            lines.append(f"{path}: note: {printable(note)}")
        locations = [f"{path}:{printable(f.layer)}:" for f in result.findings]
        width = max(map(len, locations), default=0) if options.align else 0
        for location, f in zip(locations, result.findings):
            tag = f"[{f.severity}]"
            pad = " " * (SEVERITY_WIDTH - len(tag)) if options.align else ""
            lines.append(f"{location.ljust(width)} {paint(f.rule, 'code')} "
                         f"{paint(tag, f.severity)}{pad} {printable(f.message)}")
            if f.fix and not quiet:
                lines.append(paint(f"    fix: {printable(f.fix)}", "dim"))
        if result.findings and not quiet:
            lines.append("")
    if not quiet:
        lines.append(summary_line(results, paint, options.elapsed))
    return "\n".join(lines) + "\n" if lines else ""


def summary_line(results: list, paint, elapsed: Optional[float] = None) -> str:
    """``2 errors, 4 warnings, 3 info in 5 files (1 skipped, 1 unreadable)``, and the time."""
    totals = count(results)
    text = f"{counts_text(totals, paint)} in {plural(totals['files'], 'file')}"
    skipped = sum(r.status == "skipped" for r in results)
    unreadable = sum(r.status == "error" for r in results)
    others = ([f"{skipped} skipped"] if skipped else []) + \
        ([f"{unreadable} unreadable"] if unreadable else [])
    if others:
        text += f" ({', '.join(others)})"
    if elapsed is not None:
        text += f", {elapsed:.2f} s"
    return text
