"""``--format html``: one self-contained page, a section per file.

Each model's layer graph is drawn top to bottom as inline SVG, one node per layer call:
its name and parameter count, its class and output shape (channels included, the batch
axis left out), and for a merge (a call of two or more tensors) every input shape, so a
mismatch reads at the merge itself. The spatial size is drawn to scale inside every node
(the shaded band narrows as the map shrinks: a "shape funnel"); branches stand side by
side in columns; layers with findings are coloured by severity with their messages beside
them; the receptive field, jump and dropped border are in each node's tooltip. The page
has no script and loads nothing: its Content-Security-Policy forbids both.

:func:`graph_layout` places every box and line of text before anything is drawn (text
widths from the metrics of DejaVu Sans, the widest of the usual system fonts); long names
are cut to their node's width with an ellipsis (the full text in the tooltip), and
:func:`graph_svg` draws exactly that layout, so what a test checks of it (no two texts
overlap) is what the page shows.
"""

from __future__ import annotations

import bisect
import heapq
from dataclasses import dataclass
from html import escape
from typing import Optional

from shapelint import __version__
from shapelint.findings import SEVERITIES
from shapelint.formatting import format_shape, per_axis, printable
from shapelint.lint import count
from shapelint.report import RenderOptions
from shapelint.report.text import shapes_text

NODE_W = 220  # a node's width; its height grows with its lines
PAD = 8  # text inset in a node
LINE_1, LINE_2, LINE_IN = 15, 30, 14  # a node's first baselines; pitch of further lines
NODE_H = 40  # a node of two lines
MAX_IN_LINES = 4  # a merge's input shapes take at most this many lines (the rest: tooltip)
COL_W, GAP = 245, 20  # column pitch; the gap between ranks, for the arrows
MARGIN = 16
NOTE_W, NOTE_LINE = 400, 14  # the findings' text beside the graph
ASCENT, DESCENT = 0.95, 0.25  # a text's box above and below its baseline, in font sizes

# font size and boldness of each kind of text, by its CSS class
FONTS = {"nm": (12, True), "cl": (11, False), "pm": (11, False), "sh": (12, False),
         "in": (11, False), "nh": (11, True), "nt": (11, False)}

# advance widths in em of DejaVu Sans (regular, bold), rounded up, as Chromium measures
# them: the font Linux falls back to for system-ui, and a wide one; the browser test checks
# that the drawn text fits the estimate
_WIDTH_GROUPS = (
    ("'IJijl", 0.3, 0.38), (" ,./:;\\f|·", 0.35, 0.41), ("()-[]rt", 0.4, 0.5),
    ('!"*_`', 0.5, 0.53), ("?csz", 0.55, 0.6), ("FLTkvxy", 0.6, 0.71),
    ("0123456789$EPSYabdeghnopqu{}", 0.65, 0.74), ("BCKRVXZ", 0.7, 0.78), ("ANU", 0.75, 0.84),
    ("&DGHOQ", 0.8, 0.88), ("#+<=>^w~×→", 0.85, 0.93), ("M", 0.9, 1.0), ("%@Wm…", 1.0, 1.11))
_WIDTHS = {c: (regular, bold) for chars, regular, bold in _WIDTH_GROUPS for c in chars}
_OTHER = (1.0, 1.11)  # any other character (CJK is 1 em)


def text_width(text: str, cls: str) -> float:
    """The width ``text`` takes in pixels drawn as the class ``cls`` (an upper estimate)."""
    size, bold = FONTS[cls]
    return size * sum(_WIDTHS.get(c, _OTHER)[bold] for c in text)


def fit(text: str, cls: str, width: float) -> str:
    """``text`` cut with an ellipsis to at most ``width`` pixels."""
    if text_width(text, cls) <= width:
        return text
    size, bold = FONTS[cls]
    room = width / size - _WIDTHS["…"][bold]
    used, n = 0.0, 0
    for c in text:
        used += _WIDTHS.get(c, _OTHER)[bold]
        if used > room:
            break
        n += 1
    return text[:n] + "…"


def wrap(text: str, cls: str, width: float) -> list:
    """``text`` in lines of at most ``width`` pixels, broken at spaces (a longer word is
    broken where it must be)."""
    lines, line = [], ""
    for word in text.split(" "):
        candidate = f"{line} {word}" if line else word
        if text_width(candidate, cls) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        while text_width(word, cls) > width:
            part = fit(word, cls, width)[:-1] or word[0]
            lines.append(part)
            word = word[len(part):]
        line = word
    return lines + [line] if line or not lines else lines


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
.graph{overflow:auto;width:fit-content;max-width:100%;border:1px solid #dadce0;
border-radius:6px;margin-top:10px}
svg text{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
.bg{fill:#fff;stroke:#80868b;stroke-width:1.2}.fb{fill:#c9d7e8}
.unknown .bg{stroke-dasharray:5 3}
.error .bg{fill:#fce8e6;stroke:#d93025;stroke-width:2.5}
.warning .bg{fill:#fef7e0;stroke:#e37400;stroke-width:2.5}
.info .bg{fill:#e8f0fe;stroke:#1a73e8;stroke-width:2.5}
.n:target .bg{stroke-width:4}
.nm,.sh,.in{fill:#202124}.cl,.pm,.nt{fill:#3c4043}.sh{text-anchor:end}
.e{fill:none;stroke:#80868b;stroke-width:1.2;marker-end:url(#arrow)}
.ld{fill:none;stroke-width:1;stroke-dasharray:3 3;opacity:.7}
.ld.error{stroke:#d93025}.ld.warning{stroke:#e37400}.ld.info{stroke:#1a73e8}
.nh.error{fill:#d93025}.nh.warning{fill:#b06000}.nh.info{fill:#1a73e8}
""" + "".join(f".{cls}{{font-size:{size}px{';font-weight:600' if bold else ''}}}"
              for cls, (size, bold) in FONTS.items()) + "\n"

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
        '<p class="legend">Layer calls top to bottom, branches side by side. Each node: the '
        'layer\'s name and parameter count; its class and output shape (batch axis left out); '
        'for a merge, its input shapes. The shaded band in a node is its spatial size to scale '
        '(full width: the largest map in the model). Hover a node for its full name, shapes, '
        'receptive field, jump and dropped border.<br>findings:'
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



def dims_text(shape) -> str:
    """A shape without its batch axis: ``100×100×4``; ``?`` for an unknown dim or shape,
    ``scalar`` for a batch of single values."""
    if shape is None:
        return "?"
    return per_axis(shape[1:]) or "scalar"


def count_short(n: int) -> str:
    """``320``, ``9.25K``, ``590K``, ``23.6M``: three significant digits."""
    for unit, scale in (("B", 10 ** 9), ("M", 10 ** 6), ("K", 10 ** 3)):
        if n >= scale * 0.9995:
            value = f"{n / scale:.3g}"
            if float(value) < 1000 or unit == "B":
                return value + unit
    return str(n)


# -- layout -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Text:
    """One line of text as drawn: ``x`` is its left end, or its right end when ``anchor``
    is ``end``; ``y`` its baseline; ``cls`` its CSS class (font in :data:`FONTS`)."""
    x: float
    y: float
    text: str
    cls: str
    anchor: str = "start"

    @property
    def box(self) -> tuple:
        """``(x0, y0, x1, y1)``: the area the text covers."""
        size = FONTS[self.cls][0]
        width = text_width(self.text, self.cls)
        x0 = self.x - width if self.anchor == "end" else self.x
        return (x0, self.y - ASCENT * size, x0 + width, self.y + DESCENT * size)


@dataclass
class Node:
    k: int  # index of its layer call in the trace
    x: int
    y: int
    h: int
    classes: str  # CSS: n, unknown, the worst severity of its findings
    texts: list  # Text
    band: Optional[tuple]  # (x, width) of the funnel band
    params: Optional[int]  # its layer's parameters (unknown: None)

    @property
    def box(self) -> tuple:
        return (self.x, self.y, self.x + NODE_W, self.y + self.h)


@dataclass
class Note:
    """The findings of one layer, written beside the graph."""
    k: int
    severity: str  # the worst
    lines: list  # Text
    leader: Optional[str]  # the path from the node to the text, when not right beside it


@dataclass
class Graph:
    """One model's layer graph, placed: what :func:`graph_svg` draws."""
    nodes: list  # Node, in trace order
    edges: list  # SVG path data
    notes: list  # Note
    width: int
    height: int
    scale: str  # the largest map, the funnel band's full width

    def texts(self) -> list:
        """Every text of the graph: the nodes' and the notes'."""
        return [t for n in self.nodes for t in n.texts] + [t for n in self.notes for t in n.lines]


def node_texts(name: str, class_name: str, outputs: list, inputs: list,
               params: Optional[int], x: int, y: int) -> list:
    """The lines of a node at ``(x, y)``: its name; its class and output shape; its
    parameter count when it has weights; for a merge, its input shapes. Each cut to its
    share of the node's width."""
    inner = NODE_W - 2 * PAD
    left, right = x + PAD, x + NODE_W - PAD
    class_name = printable(class_name)
    shape = ", ".join(dims_text(s) for s in outputs) if outputs else "?"
    shape = fit(printable(shape), "sh", inner - min(text_width(class_name, "cl"), 48) - PAD)
    texts = [Text(left, y + LINE_1, fit(printable(name), "nm", inner), "nm"),
             Text(left, y + LINE_2, fit(class_name, "cl", inner - text_width(shape, "sh") - PAD),
                  "cl"),
             Text(right, y + LINE_2, shape, "sh", "end")]
    extra = [(f"{count_short(params)} param{'s' if params != 1 else ''}", "pm")] if params else []
    extra += [(line, "in") for line in input_lines(inputs, inner)]
    for n, (text, cls) in enumerate(extra, 1):
        texts.append(Text(left, y + LINE_2 + LINE_IN * n, text, cls))
    return texts


def input_lines(inputs: list, width: float) -> list:
    """A merge's input shapes, ``in: 24×24×16 + 25×25×16``, in lines of ``width`` pixels
    (none for a call of one tensor)."""
    if len(inputs) < 2:
        return []
    lines, line = [], "in:"
    for n, shape in enumerate(inputs):
        part = ("" if n == 0 else "+ ") + printable(dims_text(shape))
        candidate = f"{line} {part}"
        if text_width(candidate, "in") > width and line not in ("in:", ""):
            lines.append(line)
            candidate = part
        line = candidate
    lines.append(line)
    if len(lines) > MAX_IN_LINES:
        lines = lines[:MAX_IN_LINES - 1] + [lines[MAX_IN_LINES - 1] + " …"]
    return [fit(line, "in", width) for line in lines]


def graph_layout(result) -> Graph:
    """Where everything of one linted file's layer graph goes."""
    from shapelint.shapes.params import model_cost

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
    params = [c.params for c in model_cost(trace).calls]

    inner = NODE_W - 2 * PAD  # two lines, one for the parameters, one per line of inputs
    heights = [NODE_H + LINE_IN * (bool(params[k]) + len(input_lines(t.input_shapes or [],
                                                                      inner)))
               for k, t in enumerate(layers)]
    rows = max(rank, default=-1) + 1
    row_h = [0] * rows
    for k, r in enumerate(rank):
        row_h[r] = max(row_h[r], heights[k])
    top = [MARGIN] * (rows + 1)  # top[r]: the y of rank r; top[rows]: below the last
    for r in range(rows):
        top[r + 1] = top[r] + row_h[r] + GAP

    nodes, edges = [], []
    bends: dict = {}  # rank -> (y, rightmost column) of each line turning in the gap below it
    for k, t in enumerate(layers):
        x, y, h = MARGIN + column[k] * COL_W, top[rank[k]], heights[k]
        cx = x + NODE_W // 2
        found = by_layer.get(t.name, [])
        worst = min((SEVERITIES.index(f.severity) for f in found), default=None)
        classes = "n" + ("" if t.known else " unknown") + \
            ("" if worst is None else " " + SEVERITIES[worst])
        band = None
        if ratio[k]:
            width = max(NODE_W * ratio[k] - 2, 2.0)
            band = (cx - width / 2, width)
        nodes.append(Node(k, x, y, h, classes,
                          node_texts(_call_name(t), t.class_name, t.output_shapes,
                                     t.input_shapes or [], params[k], x, y), band, params[k]))
        if not readers[k]:  # a stub arrow out of a sink
            edges.append(f"M{cx},{y + h}V{y + h + GAP - 8}")
        offsets = _entry_offsets([column[p] for p in sources[k]], column[k])
        for j, p in enumerate(sources[k]):
            x1, y1 = MARGIN + column[p] * COL_W + NODE_W // 2, top[rank[p]] + heights[p]
            x2 = cx + offsets[j]
            if x1 == x2:
                edges.append(f"M{x1},{y1}V{y}")
            else:
                bend = y - 8 - 4 * (j % 3)
                edges.append(f"M{x1},{y1}V{bend}H{x2}V{y}")
                bends.setdefault(rank[k] - 1, []).append((bend, max(column[p], column[k])))

    first_calls = {}  # a finding is written beside the first call of its layer
    for k, t in enumerate(layers):
        if t.name in by_layer:
            first_calls.setdefault(t.name, k)
    flagged = sorted(first_calls.values(), key=lambda k: (rank[k], column[k]))
    notes, right, bottom = _notes(flagged, [by_layer.get(t.name) for t in layers], nodes,
                                  sources, rank, column, columns, top, bends)
    width = max(2 * MARGIN + (max(columns, 1) - 1) * COL_W + NODE_W, right + MARGIN)
    height = max(top[rows] - 8 + MARGIN, int(bottom) + MARGIN)
    return Graph(nodes, edges, notes, int(width), int(height), scale)


def _notes(flagged: list, findings: list, nodes: list, sources: list, rank: list,
           column: list, columns: int, top: list, bends: dict) -> tuple:
    """The findings of the ``flagged`` nodes as text, beside their node when no node or
    line is to its right, else in a column right of the graph; stacked top to bottom so
    that no two overlap. Returns the notes, the rightmost x and the lowest y they reach."""
    notes_x = MARGIN + (max(columns, 1) - 1) * COL_W + NODE_W + 16  # as beside the last column
    rightmost = _rightmost(rank, column, _last_use(sources, rank))
    notes, right, cursor = [], notes_x, 0.0
    size = max(FONTS["nh"][0], FONTS["nt"][0])
    for k in flagged:
        node = nodes[k]
        lines = []  # (css class, text)
        for f in findings[k]:
            lines.append(("nh", printable(f"{f.rule} {f.name} [{f.severity}]")))
            lines.extend(("nt", part) for part in wrap(printable(f.message), "nt", NOTE_W))
        y0 = max(node.y + 14, cursor)  # the first baseline
        y1 = y0 + NOTE_LINE * (len(lines) - 1) + DESCENT * size
        first = max(bisect.bisect_right(top, y0 - ASCENT * size) - 1, 0)
        last = min(bisect.bisect_right(top, y1) - 1, len(rightmost) - 1)
        beside = all(rightmost[r] <= column[k] for r in range(first, last + 1)) and \
            not any(c > column[k] and y0 - ASCENT * size <= y <= y1
                    for r in range(first, last + 1) for y, c in bends.get(r, ()))
        x = node.x + NODE_W + 16 if beside else notes_x
        worst = SEVERITIES[min(SEVERITIES.index(f.severity) for f in findings[k])]
        leader = None
        if not beside or y0 > node.y + node.h:
            leader = f"M{node.x + NODE_W},{node.y + node.h // 2}L{x - 6},{_num(y0 - 4)}"
        texts = [Text(x, y0 + NOTE_LINE * n, text, cls) for n, (cls, text) in enumerate(lines)]
        notes.append(Note(k, worst, texts, leader))
        cursor = y1 + 12
        right = max(right, max(t.box[2] for t in texts))
    return notes, right, cursor


# -- drawing ------------------------------------------------------------------------------

def _call_name(t) -> str:
    """The layer's name, and which call of it when it is called more than once."""
    return t.name if t.call.node == 0 else f"{t.name} (call {t.call.node})"


def _tooltip(t, findings: list, params: Optional[int]) -> str:
    lines = [f"{_call_name(t)} ({t.class_name})",
             "input " + (shapes_text(t.input_shapes) if t.input_shapes else "none"),
             "output " + shapes_text(t.output_shapes)]
    if params:
        lines.append(f"{params:,} parameters")
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


def _text(t: Text) -> str:
    return f'<text class="{t.cls}" x="{_num(t.x)}" y="{_num(t.y)}">{_esc(t.text)}</text>'


def graph_svg(i: int, result) -> str:
    """The layer graph of one linted file as an ``<svg>`` element, drawn from
    :func:`graph_layout`."""
    graph = graph_layout(result)
    layers = result.trace.layers
    by_layer: dict = {}
    for f in result.findings:
        by_layer.setdefault(f.layer, []).append(f)
    out = [f'<path class="e" d="{d}"/>\n' for d in graph.edges]
    out += [f'<path class="ld {note.severity}" d="{note.leader}"/>\n' for note in graph.notes
            if note.leader]  # under the nodes: a leader passing a node goes behind it
    for node in graph.nodes:
        t = layers[node.k]
        band = ""
        if node.band:
            band = (f'<rect class="fb" x="{_num(node.band[0])}" y="{node.y + 1}" '
                    f'width="{_num(node.band[1])}" height="{node.h - 2}"/>')
        out.append(
            f'<g id="f{i}-n{t.call.id}" class="{node.classes}">'
            f'<title>{_tooltip(t, by_layer.get(t.name, []), node.params)}</title>'
            f'<rect class="bg" x="{node.x}" y="{node.y}" width="{NODE_W}" height="{node.h}" '
            f'rx="5"/>{band}' + "".join(map(_text, node.texts)) + "</g>\n")
    for note in graph.notes:
        spans = []
        for n, line in enumerate(note.lines):
            cls = f"nh {note.severity}" if line.cls == "nh" else ""
            attr = f' class="{cls}"' if cls else ""
            space = " " if n < len(note.lines) - 1 else ""  # reads (and copies) as words
            spans.append(f'<tspan{attr} x="{_num(line.x)}" y="{_num(line.y)}">'
                         f'{_esc(line.text)}{space}</tspan>')
        out.append(f'<text class="nt">{"".join(spans)}</text>\n')
    title = f"layer graph of {result.path}" + (f", full width {graph.scale}" if graph.scale
                                                else "")
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{graph.width}" '
            f'height="{graph.height}" viewBox="0 0 {graph.width} {graph.height}" role="img" '
            f'aria-label="{_esc(title)}">\n' + "".join(out) + "</svg>\n")
