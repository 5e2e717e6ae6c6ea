"""``--format html``: one self-contained page, a section per file.

Each model's layer graph is drawn top to bottom as inline SVG: one node per layer call,
the output shape on the edges leaving it, the spatial size drawn to scale inside every
node (the shaded band narrows as the map shrinks: a "shape funnel"), layers with
findings coloured by severity with their messages beside them, and the receptive
field, jump and dropped border in each node's tooltip. The page has no script and
loads nothing: its Content-Security-Policy forbids both.
"""

from __future__ import annotations

import heapq
import textwrap
from html import escape

from shapelint import __version__
from shapelint.findings import SEVERITIES
from shapelint.formatting import format_shape, per_axis, printable
from shapelint.lint import count
from shapelint.report import RenderOptions
from shapelint.report.text import shapes_text

NODE_W, NODE_H = 180, 42  # a node's box
COL_W, ROW_H = 215, 80  # column and rank pitch: the gap below a node holds its shape label
MARGIN = 16
NOTE_W, NOTE_LINE, NOTE_CHARS = 420, 14, 64  # the findings column beside the graph

STYLE = """\
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#202124;
margin:24px;background:#fff}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 4px;word-break:break-all}
.meta,.legend{color:#5f6368;margin:2px 0}
.legend span{display:inline-block;width:12px;height:12px;border-radius:2px;
vertical-align:-1px;margin:0 4px 0 12px;border:2px solid}
ul.findings{padding-left:20px;margin:8px 0}ul.findings li{margin:4px 0}
.fix{color:#5f6368}.note{color:#5f6368;font-style:italic}.unreadable{color:#d93025}
.sev{font-weight:600}.sev.error{color:#d93025}.sev.warning{color:#b06000}
.sev.info{color:#1a73e8}
.graph{overflow:auto;border:1px solid #dadce0;border-radius:6px;margin-top:10px}
svg text{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
.bg{fill:#fff;stroke:#80868b;stroke-width:1.2}.fb{fill:#c9d7e8}
.unknown .bg{stroke-dasharray:5 3}
.error .bg{fill:#fce8e6;stroke:#d93025;stroke-width:2.5}
.warning .bg{fill:#fef7e0;stroke:#e37400;stroke-width:2.5}
.info .bg{fill:#e8f0fe;stroke:#1a73e8;stroke-width:2.5}
.n:target .bg{stroke-width:4}
.nm{font-size:12px;font-weight:600;fill:#202124}.cl{font-size:10.5px;fill:#3c4043}
.sz{font-size:10.5px;fill:#3c4043;text-anchor:end}
.e{fill:none;stroke:#80868b;stroke-width:1.2;marker-end:url(#arrow)}
.lb{font-size:10px;fill:#5f6368}
.ld{fill:none;stroke-width:1;stroke-dasharray:3 3;opacity:.7}
.ld.error{stroke:#d93025}.ld.warning{stroke:#e37400}.ld.info{stroke:#1a73e8}
.nt{font-size:11px;fill:#3c4043}.nh{font-size:11px;font-weight:600}
.nh.error{fill:#d93025}.nh.warning{fill:#b06000}.nh.info{fill:#1a73e8}
"""

DEFS = ('<svg width="0" height="0" style="position:absolute" aria-hidden="true"><defs>'
        '<marker id="arrow" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="7" '
        'markerHeight="7" orient="auto"><path d="M0,0L8,4L0,8z" fill="#80868b"/></marker>'
        '</defs></svg>\n')


def _esc(value) -> str:
    """Text or attribute value, escaped; control characters shown as ``\\x1b`` etc."""
    return escape(printable(value), quote=True)


def _esc_lines(lines: list) -> str:
    """Lines of text (a tooltip, a <pre>), each escaped, kept apart by newlines."""
    return "\n".join(map(_esc, lines))


def _fit(text: str, chars: int) -> str:
    return text if len(text) <= chars else text[:chars - 1] + "…"


def render(results: list, options: RenderOptions = RenderOptions()) -> str:
    totals = count(results)
    unreadable = sum(r.status == "error" for r in results)
    parts = [
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n',
        '<meta http-equiv="Content-Security-Policy" '
        'content="default-src \'none\'; style-src \'unsafe-inline\'">\n',
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
        f"<title>shapelint report ({totals['files']} file(s))</title>\n",
        f"<style>\n{STYLE}</style>\n</head>\n<body>\n", DEFS,
        f"<h1>shapelint {_esc(__version__)} report</h1>\n",
        f'<p class="meta">{totals["files"]} file(s): {totals["errors"]} error(s), '
        f'{totals["warnings"]} warning(s), {totals["info"]} info'
        f'{f", {unreadable} unreadable" if unreadable else ""}</p>\n',
        '<p class="legend">Layer calls top to bottom; each edge is labelled with the shape '
        'leaving the layer above it; the shaded band in a node is its spatial size to scale '
        '(full width: the largest map in the model). Hover a node for its shapes, receptive '
        'field, jump and dropped border.<br>findings:'
        '<span style="background:#fce8e6;border-color:#d93025"></span>error'
        '<span style="background:#fef7e0;border-color:#e37400"></span>warning'
        '<span style="background:#e8f0fe;border-color:#1a73e8"></span>info</p>\n',
    ]
    for i, result in enumerate(results):
        parts.append(_section(i, result))
    parts.append("</body>\n</html>\n")
    return "".join(parts)


def _section(i: int, result) -> str:
    head = f'<section id="f{i}">\n<h2>{_esc(result.path)}</h2>\n'
    if result.status == "error":
        return head + f'<p class="unreadable">unreadable: {_esc(result.error)}</p>\n</section>\n'
    if result.status == "skipped":
        return head + f'<p class="meta">skipped: {_esc(result.error)}</p>\n</section>\n'
    trace = result.trace
    model = trace.model
    ids = {}  # layer name -> node id of its first call
    for t in trace.layers:
        ids.setdefault(t.name, f"f{i}-n{t.call.id}")
    counts = {s: sum(f.severity == s for f in result.findings) for s in SEVERITIES}
    parts = [head, f'<p class="meta">model {_esc(repr(model.name))} ({_esc(model.class_name)}, '
                   f'{len(trace.layers)} layer calls) · input '
                   f'{_esc(", ".join(format_shape(s) for s in trace.inputs))} · output '
                   f'{_esc(", ".join(format_shape(s) for s in trace.outputs))} · '
                   f'{counts["error"]} error(s), {counts["warning"]} warning(s), '
                   f'{counts["info"]} info</p>\n']
    if result.input_sizes is not None:  # --sizes: the same lines as the text report
        from shapelint.shapes.sizes import text_lines

        parts.append('<pre class="sizes">' + _esc_lines(text_lines(result.input_sizes))
                     + '</pre>\n')
    for note in result.notes:
        parts.append(f'<p class="note">note: {_esc(note)}</p>\n')
    if result.findings:
        parts.append('<ul class="findings">\n')
        for f in result.findings:
            layer = _esc(f.layer)
            if f.layer in ids:
                layer = f'<a href="#{ids[f.layer]}">{layer}</a>'
            fix = f'<br><span class="fix">fix: {_esc(f.fix)}</span>' if f.fix else ""
            parts.append(f'<li><span class="sev {_esc(f.severity)}">{_esc(f.rule)} '
                         f'[{_esc(f.severity)}]</span> {_esc(f.name)} at {layer}: '
                         f'{_esc(f.message)}{fix}</li>\n')
        parts.append("</ul>\n")
    parts.append('<div class="graph">\n')
    parts.append(graph_svg(i, result))
    parts.append("</div>\n</section>\n")
    return "".join(parts)


# -- layout -------------------------------------------------------------------------------

def _sources(call) -> list:
    """The tensors a call reads: a nested model reads the inner outputs it returns (its
    inner inputs already read its arguments)."""
    if call.aliases is not None:
        return list(call.aliases)
    return list(call.args) + list(call.kw_tensors.values())


def layout(parents: list) -> tuple:
    """Rank (longest path from a source) and column of each node, and the column count.

    ``parents[k]`` lists the nodes node ``k`` reads, all before ``k``. A node's column
    stays reserved down to its last reader, so its edges run down that column without
    crossing other nodes; a reader may continue the column of a parent whose line ends
    at it, else it takes the leftmost free column.
    """
    n = len(parents)
    rank = [0] * n
    for k in range(n):
        for p in parents[k]:
            rank[k] = max(rank[k], rank[p] + 1)
    last_use = _last_use(parents, rank)
    column = [0] * n
    free_from: list = []  # per column: the first rank at which it is free
    owner: list = []  # per column: the node whose line holds it
    for k in sorted(range(n), key=lambda k: (rank[k], k)):
        r = rank[k]
        col = None
        for p in parents[k]:
            c = column[p]
            if owner[c] == p and last_use[p] == r and (col is None or c < col):
                col = c
        if col is None:
            col = next((c for c, f in enumerate(free_from) if f <= r), len(free_from))
            if col == len(free_from):
                free_from.append(0)
                owner.append(-1)
        column[k] = col
        free_from[col] = last_use[k] + 1
        owner[col] = k
    return rank, column, len(free_from)


def _last_use(parents: list, rank: list) -> list:
    """The rank of each node's last reader (its own rank if nothing reads it)."""
    last = list(rank)
    for k, srcs in enumerate(parents):
        for p in srcs:
            last[p] = max(last[p], rank[k])
    return last


def _rightmost(rank: list, column: list, last_use: list) -> list:
    """Per rank: the rightmost column holding a node or a line in that rank's row (the
    node and the gap below it), or -1."""
    rows = max(rank, default=-1) + 1
    order = sorted(range(len(rank)), key=lambda k: rank[k])
    out, heap, i = [-1] * rows, [], 0
    for r in range(rows):
        while i < len(order) and rank[order[i]] <= r:
            k = order[i]
            heapq.heappush(heap, (-column[k], max(rank[k], last_use[k] - 1)))
            i += 1
        while heap and heap[0][1] < r:
            heapq.heappop(heap)
        out[r] = -heap[0][0] if heap else -1
    return out


def _channels_first(trace) -> bool:
    return any(isinstance(t.call.config, dict) and t.call.config.get("data_format")
               == "channels_first" for t in trace.layers)


def _spatial(shape, channels_first: bool):
    """The spatial dims of a (batch, ..., channels) tensor; () when it has none."""
    if shape is None:
        return None
    if len(shape) < 3:
        return ()
    return tuple(shape[2:] if channels_first else shape[1:-1])


def _size(dims) -> float:
    """One number for a map's size: the geometric mean of its known, positive dims."""
    if not dims or any(d is None or d <= 0 for d in dims):
        return 0.0
    product = 1.0
    for d in dims:
        product *= d
    return product ** (1.0 / len(dims))


def _funnel(trace) -> tuple:
    """Per layer call: the spatial dims of its (first) output and their size relative to
    the largest map of the model (None: no band), and that largest map as ``100×100``.
    Only maps with as many spatial axes as the model input are compared (a sequence
    reshaped from an image map is not drawn on the image's scale)."""
    channels_first = _channels_first(trace)
    spatial = [_spatial(t.output_shapes[0] if t.output_shapes else None, channels_first)
               for t in trace.layers]
    first_input = _spatial(trace.inputs[0], channels_first) if trace.inputs else None
    axes = len(first_input) if first_input else max(map(len, filter(None, spatial)), default=0)
    sizes = [_size(s) if s is not None and len(s) == axes else 0.0 for s in spatial]
    largest = max(sizes, default=0.0)
    if not largest:
        return spatial, [None] * len(spatial), ""
    scale = next(per_axis(s) for s, size in zip(spatial, sizes) if size == largest)
    return spatial, [size / largest or None for size in sizes], scale


def _num(value: float) -> str:
    return str(int(round(value))) if abs(value - round(value)) < 0.05 else f"{value:.1f}"


# -- drawing ------------------------------------------------------------------------------

def _x(column: int) -> int:
    return MARGIN + column * COL_W


def _y(rank: int) -> int:
    return MARGIN + rank * ROW_H


def _call_name(t) -> str:
    """The layer's name, and which call of it when it is called more than once."""
    return t.name if t.call.node == 0 else f"{t.name} (call {t.call.node})"


def _tooltip(t, findings: list) -> str:
    lines = [f"{_call_name(t)} ({t.class_name})",
             "input " + (shapes_text(t.input_shapes) if t.input_shapes else "none"),
             "output " + shapes_text(t.output_shapes)]
    if t.receptive_field:
        lines.append(f"receptive field {per_axis(t.receptive_field)}, jump {per_axis(t.jump)}")
    if t.dropped_border and any(t.dropped_border):
        lines.append(f"dropped border {per_axis(t.dropped_border)} px")
    if not t.known:
        lines.append("no shape rule for this class")
    lines.extend(f"{f.rule} [{f.severity}] {f.message}" for f in findings)
    return _esc_lines(lines)


def _entry_offsets(columns: list, own: int) -> list:
    """Where each input edge meets the top of its node, from the centre: a line from the
    node's own column straight down the middle, the others on the side they come from,
    the nearest innermost (so that they do not cross)."""
    if len(columns) < 2:
        return [0] * len(columns)
    offsets = [0] * len(columns)
    for side in (-1, 1):
        edges = sorted((j for j, c in enumerate(columns) if (c - own) * side > 0),
                       key=lambda j: ((columns[j] - own) * side, j))
        for i, j in enumerate(edges):
            offsets[j] = side * min(24 + 16 * i, NODE_W // 2 - 8)
    return offsets


def _tspans(lines: list, x: int) -> str:
    """One ``<tspan>`` per (class, text) line, stacked from the text's y; a space ends each
    line but the last, so that the text reads (and copies) as words."""
    out = []
    for n, (cls, text) in enumerate(lines, 1):
        attr = f' class="{_esc(cls)}"' if cls else ""
        space = " " if n < len(lines) else ""
        out.append(f'<tspan{attr} x="{x}" dy="{NOTE_LINE}">{_esc(text)}{space}</tspan>')
    return "".join(out)


def graph_svg(i: int, result) -> str:
    """The layer graph of one linted file as an ``<svg>`` element."""
    trace = result.trace
    layers = trace.layers
    position = {t.call.id: k for k, t in enumerate(layers)}
    sources = []  # per node: the node index read by each input edge
    for k, t in enumerate(layers):
        sources.append([position[r.call] for r in _sources(t.call)
                        if position.get(r.call, k) < k])
    rank, column, columns = layout(sources)
    readers = [0] * len(layers)
    for srcs in sources:
        for p in srcs:
            readers[p] += 1

    by_layer: dict = {}
    for f in result.findings:
        by_layer.setdefault(f.layer, []).append(f)
    spatial, ratio, scale = _funnel(trace)

    nodes, edges, labels = [], [], []
    for k, t in enumerate(layers):
        x, y = _x(column[k]), _y(rank[k])
        cx = x + NODE_W // 2
        found = by_layer.get(t.name, [])
        worst = min((SEVERITIES.index(f.severity) for f in found), default=None)
        classes = "n" + ("" if t.known else " unknown") + \
            ("" if worst is None else " " + SEVERITIES[worst])
        band = ""
        if ratio[k]:
            width = max(NODE_W * ratio[k] - 2, 2.0)
            band = (f'<rect class="fb" x="{_num(cx - width / 2)}" y="{y + 1}" '
                    f'width="{_num(width)}" height="{NODE_H - 2}"/>')
        dims = spatial[k]
        size = "?" if dims is None or any(d is None for d in dims) else per_axis(dims)
        nodes.append(
            f'<g id="f{i}-n{t.call.id}" class="{classes}"><title>{_tooltip(t, found)}</title>'
            f'<rect class="bg" x="{x}" y="{y}" width="{NODE_W}" height="{NODE_H}" rx="5"/>{band}'
            f'<text class="nm" x="{x + 8}" y="{y + 17}">{_esc(_fit(_call_name(t), 24))}</text>'
            f'<text class="cl" x="{x + 8}" y="{y + 34}">{_esc(_fit(t.class_name, 22))}</text>'
            f'<text class="sz" x="{x + NODE_W - 8}" y="{y + 34}">{_esc(_fit(size, 12))}</text>'
            "</g>\n")
        # the shape leaving this node, on its outgoing line (a stub arrow for a sink)
        labels.append(f'<text class="lb" x="{cx + 5}" y="{y + NODE_H + 13}">'
                      f'{_esc(_fit(shapes_text(t.output_shapes), 40))}</text>\n')
        if not readers[k]:
            edges.append(f'<path class="e" d="M{cx},{y + NODE_H}V{y + NODE_H + 20}"/>\n')
        offsets = _entry_offsets([column[p] for p in sources[k]], column[k])
        for j, p in enumerate(sources[k]):
            x1, y1 = _x(column[p]) + NODE_W // 2, _y(rank[p]) + NODE_H
            x2 = cx + offsets[j]
            if x1 == x2:
                edges.append(f'<path class="e" d="M{x1},{y1}V{y}"/>\n')
            else:
                bend = y - 8 - 4 * (j % 3)
                edges.append(f'<path class="e" d="M{x1},{y1}V{bend}H{x2}V{y}"/>\n')

    first_calls = {}  # a finding is written beside the first call of its layer
    for k, t in enumerate(layers):
        if t.name in by_layer:
            first_calls.setdefault(t.name, k)
    notes, width, bottom = _notes(sorted(first_calls.values(), key=lambda k: (rank[k], column[k])),
                                  [by_layer.get(t.name) for t in layers], sources, rank, column,
                                  columns)
    height = max(MARGIN * 2 + (max(rank, default=0) + 1) * ROW_H, bottom + MARGIN)
    title = f"layer graph of {result.path}" + (f", full width {scale}" if scale else "")
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" aria-label="{_esc(title)}">\n'
            + "".join(edges) + "".join(labels) + "".join(nodes) + "".join(notes) + "</svg>\n")


def _notes(flagged: list, findings: list, sources: list, rank: list, column: list,
           columns: int) -> tuple:
    """The findings of the ``flagged`` nodes as text, beside their node when nothing is to
    its right, else in a column right of the graph; stacked top to bottom so that no two
    overlap. Returns the elements, the width they need and the lowest y they reach."""
    notes_x = _x(columns) + 16
    rightmost = _rightmost(rank, column, _last_use(sources, rank))
    elements, width, cursor = [], notes_x, 0
    for k in flagged:
        lines = []  # (tspan class, text)
        for f in findings[k]:
            lines.append((f"nh {f.severity}", f"{f.rule} {f.name} [{f.severity}]"))
            lines.extend(("", part) for part in textwrap.wrap(f.message, NOTE_CHARS) or [""])
        top = _y(rank[k])
        y0 = max(top + 12, cursor)
        y1 = y0 + NOTE_LINE * len(lines)
        rows = range((y0 - MARGIN) // ROW_H, min((y1 - MARGIN) // ROW_H + 1, len(rightmost)))
        beside = all(rightmost[r] <= column[k] for r in rows)
        x = _x(column[k]) + NODE_W + 16 if beside else notes_x
        if not beside or y0 > top + NODE_H:  # a leader line from the node
            worst = min(SEVERITIES.index(f.severity) for f in findings[k])
            elements.append(f'<path class="ld {SEVERITIES[worst]}" d="M{_x(column[k]) + NODE_W},'
                            f'{top + NODE_H // 2}L{x - 6},{y0 - 4}"/>\n')
        elements.append(f'<text class="nt" y="{y0 - NOTE_LINE}">{_tspans(lines, x)}</text>\n')
        cursor = y1 + 10
        width = max(width, x + NOTE_W)
    return elements, width, cursor
