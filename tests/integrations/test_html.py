"""``--format html``: one self-contained page with each model's layer graph.

The page is read back with the standard HTML parser (one node per layer call, the shapes
and parameters on the nodes, a merge's input shapes, the funnel, findings, escaping); the
layout the page is drawn from is checked for overlapping text (U-Net, ResNet50, Sequential
models, the examples); and the page is rendered by headless Chromium through Playwright (no
console or page errors, no request leaves the page, the graph and a finding are visible,
the drawn text fits the layout's boxes, the screenshot is not blank). The browser tests
skip only when Chromium is not installed; ``.ci/run`` installs it.

The README's pictures: ``python docs/img/make_screenshots.py``.
"""

from __future__ import annotations

import base64
import glob
import gzip
import json
import os
import random
import re
import shutil
import struct
import subprocess
import sys
from html.parser import HTMLParser

import pytest

from shapelint.cli import main
from shapelint.lint import analyse, lint_path
from shapelint.report import html
from shapelint.rules.examples import example_config

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLES = sorted(glob.glob(os.path.join(ROOT, "examples", "*.keras")))
UNET = os.path.join(ROOT, "examples", "unet_100.keras")
HEALTHY = os.path.join(ROOT, "examples", "healthy_cnn.keras")
FIXTURES = os.path.join(ROOT, "tests", "fixtures")
EVIL_NAME = "<script>alert(1)</script>"
EVIL_CLASS = '"><img src=x onerror=alert(2)>'


def run(*args):
    return subprocess.run([sys.executable, "-m", "shapelint", "--format", "html", *args],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)


class Element:
    def __init__(self, tag: str, attrs: dict):
        self.tag, self.attrs, self.children = tag, attrs, []  # Elements and strings

    @property
    def classes(self) -> list:
        return self.attrs.get("class", "").split()

    @property
    def text(self) -> str:
        """The text of the element and all its descendants, as textContent."""
        return "".join(c if isinstance(c, str) else c.text for c in self.children)

    def iter(self):
        yield self
        for child in self.children:
            if not isinstance(child, str):
                yield from child.iter()

    def find_all(self, tag: str, cls: str = None) -> list:
        return [e for e in self.iter() if e.tag == tag and (cls is None or cls in e.classes)]


class _TreeBuilder(HTMLParser):
    VOID = {"meta", "br", "link", "img", "input", "hr"}  # HTML's; SVG elements close with />

    def __init__(self):
        super().__init__()
        self.root = Element("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        element = Element(tag, dict(attrs))
        self.stack[-1].children.append(element)
        if tag not in self.VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Element(tag, dict(attrs)))

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        assert self.stack[-1].tag == tag, f"</{tag}> closes <{self.stack[-1].tag}>"
        self.stack.pop()

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse(page: str) -> Element:
    builder = _TreeBuilder()
    builder.feed(page)
    builder.close()
    assert builder.stack == [builder.root], "unclosed elements"
    return builder.root


def page_of(*paths) -> str:
    return html.render([lint_path(p) for p in paths])


def nodes_by_name(tree: Element) -> dict:
    """Layer name (from the tooltip's first line, ``name (Class)``) -> its ``<g class="n">``."""
    return {g.find_all("title")[0].text.splitlines()[0].rsplit(" (", 1)[0]: g
            for g in tree.find_all("g", "n")}


# -- the page's content ------------------------------------------------------------------

@pytest.mark.parametrize("path", EXAMPLES, ids=os.path.basename)
def test_one_node_per_layer_call_and_one_edge_per_input(path):
    result = lint_path(path)
    tree = parse(html.render([result]))
    nodes = tree.find_all("g", "n")
    assert len(nodes) == len(result.trace.layers)
    assert [g.find_all("text", "nm")[0].text for g in nodes] == \
        [t.name for t in result.trace.layers]
    assert len({g.attrs["id"] for g in nodes}) == len(nodes)
    inputs = sum(len(t.call.args) for t in result.trace.layers)
    read = {r.call for t in result.trace.layers for r in t.call.args}
    sinks = sum(t.call.id not in read for t in result.trace.layers)
    assert len(tree.find_all("path", "e")) == inputs + sinks  # a stub arrow out of each sink


def _tensor(name: str, node: int = 0) -> dict:
    return {"class_name": "__keras_tensor__", "config": {"keras_history": [name, node, 0]}}


def test_a_layer_called_twice_is_two_nodes():
    config = {"class_name": "Functional", "config": {"name": "shared", "layers": [
        {"class_name": "InputLayer", "name": n, "inbound_nodes": [],
         "config": {"name": n, "batch_shape": [None, 8, 8, 3]}} for n in ("a", "b")] + [
        {"class_name": "Conv2D", "name": "conv", "config": {"name": "conv", "filters": 4,
                                                            "kernel_size": 3},
         "inbound_nodes": [{"args": [_tensor("a")], "kwargs": {}},
                           {"args": [_tensor("b")], "kwargs": {}}]},
        {"class_name": "Add", "name": "sum", "config": {"name": "sum"},
         "inbound_nodes": [{"args": [[_tensor("conv", 0), _tensor("conv", 1)]], "kwargs": {}}]}],
        "input_layers": [["a", 0, 0], ["b", 0, 0]], "output_layers": [["sum", 0, 0]]}}
    tree = parse(html.render([analyse(config, "shared.json")]))
    names = [g.find_all("text", "nm")[0].text for g in tree.find_all("g", "n")]
    assert names == ["a", "b", "conv", "conv (call 1)", "sum"]
    shapes = [g.find_all("text", "sh")[0].text for g in tree.find_all("g", "n")]
    assert shapes == ["8×8×3"] * 2 + ["6×6×4"] * 3  # a 3×3 valid conv: 8 - 3 + 1 = 6
    assert [t.text for t in tree.find_all("text", "in")] == ["in: 6×6×4 + 6×6×4"]
    assert len(tree.find_all("path", "e")) == 2 + 2 + 1  # a→conv, b→conv:1, both→sum, sum↓


def test_nodes_carry_their_output_shape_and_parameters():
    tree = parse(page_of(HEALTHY))
    nodes = nodes_by_name(tree)
    shapes = {name: g.find_all("text", "sh")[0].text for name, g in nodes.items()}
    # examples/healthy_cnn.keras: 64×64×3, four conv+pool blocks, global pooling, Dense(10)
    assert shapes == {"image": "64×64×3", "conv1": "64×64×8", "pool1": "32×32×8",
                      "conv2": "32×32×16", "pool2": "16×16×16", "conv3": "16×16×32",
                      "pool3": "8×8×32", "conv4": "8×8×64", "pool4": "4×4×64", "gap": "64",
                      "classes": "10"}
    params = {name: g.find_all("text", "pm")[0].text for name, g in nodes.items()
              if g.find_all("text", "pm")}
    # Keras's count_params(): 3·3·c_in·c_out + c_out for the convs, 64·10 + 10 for Dense
    assert params == {"conv1": "224 params", "conv2": "1.17K params", "conv3": "4.64K params",
                      "conv4": "18.5K params", "classes": "650 params"}
    assert "18,496 parameters" in nodes["conv4"].find_all("title")[0].text
    assert not tree.find_all("text", "in")  # a chain has no merge


def test_a_merge_shows_all_its_input_shapes_at_the_merge():
    nodes = nodes_by_name(parse(page_of(UNET)))
    # the decoder's merges, each joining the upsampled map and the encoder's skip: the pairs
    # TF refuses at 100×100 (tests/rules/test_pitfalls.py), and the one that fits
    expected = {"dec4_concat": "in: 12×12×32 + 12×12×32",
                "dec3_concat": "in: 24×24×16 + 25×25×16",
                "dec2_concat": "in: 48×48×8 + 50×50×8",
                "dec1_concat": "in: 96×96×4 + 100×100×4"}
    merges = {name: [t.text for t in g.find_all("text", "in")] for name, g in nodes.items()}
    assert {name: lines for name, lines in merges.items() if lines} == \
        {name: [line] for name, line in expected.items()}
    assert nodes["dec3_concat"].find_all("text", "sh")[0].text == "24×24×32"


def test_many_inputs_wrap_within_the_node():
    shapes = [[None, 8, 8, 1000 + i] for i in range(12)]
    lines = html.input_lines(shapes, html.NODE_W - 2 * html.PAD)
    assert len(lines) == html.MAX_IN_LINES and lines[0].startswith("in: 8×8×1000 + 8×8×1001")
    assert lines[-1].endswith("…")
    assert all(html.text_width(line, "in") <= html.NODE_W - 2 * html.PAD for line in lines)


def test_long_names_are_cut_to_the_node_with_the_full_name_in_the_tooltip():
    name, cls = "block_" + "x" * 194, "VeryLongCustomLayerClassName" * 3
    assert len(name) == 200
    config = example_config({"input": [16, 16, 3], "layers": [
        {"Conv2D": {"name": name, "filters": 4, "kernel_size": 3}},
        {cls: {"name": "custom"}}]})
    result = analyse(config, "long.json")
    tree = parse(html.render([result]))
    nodes = nodes_by_name(tree)
    drawn = nodes[name].find_all("text", "nm")[0].text
    assert drawn.endswith("…") and name.startswith(drawn[:-1]) and len(drawn) < 40
    assert nodes[name].find_all("title")[0].text.startswith(f"{name} (Conv2D)\n")
    drawn_class = nodes["custom"].find_all("text", "cl")[0].text
    assert drawn_class.endswith("…") and cls.startswith(drawn_class[:-1])
    graph = html.graph_layout(result)
    for node in graph.nodes:
        for text in node.texts:
            x0, y0, x1, y1 = text.box
            assert node.x + html.PAD - 0.01 <= x0 and x1 <= node.x + html.NODE_W - html.PAD + 0.01


def test_the_funnel_band_is_the_spatial_size_to_scale():
    nodes = nodes_by_name(parse(page_of(HEALTHY)))
    width = {name: float(g.find_all("rect", "fb")[0].attrs["width"])
             for name, g in nodes.items() if g.find_all("rect", "fb")}
    assert set(width) == {"image", "conv1", "pool1", "conv2", "pool2", "conv3", "pool3",
                          "conv4", "pool4"}  # no band for a map without spatial axes
    full = width["image"]
    for name, side in [("pool1", 32), ("pool2", 16), ("pool3", 8), ("pool4", 4)]:
        assert width[name] == pytest.approx(full * side / 64, abs=2.5), name
    node_width = float(nodes["image"].find_all("rect", "bg")[0].attrs["width"])
    assert full == pytest.approx(node_width, abs=2.5)  # the largest map fills its node


def test_findings_colour_their_layers_and_show_their_messages():
    tree = parse(page_of(UNET))
    nodes = nodes_by_name(tree)
    assert "error" in nodes["dec3_concat"].classes and "info" in nodes["enc3_pool"].classes
    flagged = [name for name, g in nodes.items() if {"error", "warning", "info"} & set(g.classes)]
    assert sorted(flagged) == ["dec1_concat", "dec2_concat", "dec3_concat", "enc3_pool"]
    notes = " ".join(t.text for t in tree.find_all("text", "nt"))
    assert "SL002 incompatible-merge [error]" in notes and "SL104 dropped-border [info]" in notes
    assert "(None, 24, 24, 16) and (None, 25, 25, 16) differ on axis 1 (24 vs 25)" in notes
    items = [li.text for li in tree.find_all("li")]
    assert len(items) == 4 and "fix: make both branches the same size" in items[1]
    link = tree.find_all("li")[1].find_all("a")[0]
    assert link.text == "dec3_concat"
    assert link.attrs["href"] == "#" + nodes["dec3_concat"].attrs["id"]


def test_hover_shows_receptive_field_jump_and_dropped_border():
    nodes = nodes_by_name(parse(page_of(UNET)))
    title = nodes["enc3_pool"].find_all("title")[0].text.splitlines()
    # the README's --summary table of this example: RF 22×22, jump 8×8, drops 1×1 px
    assert title[:3] == ["enc3_pool (MaxPooling2D)", "input (None, 25, 25, 16)",
                         "output (None, 12, 12, 16)"]
    assert "receptive field 22×22, jump 8×8" in title
    assert "dropped border 1×1 px" in title
    assert any(line.startswith("SL104 [info] enc3_pool: 25×25 → 12×12") for line in title)


def evil_result():
    config = example_config({"input": [16, 16, 3], "layers": [
        {"Conv2D": {"name": EVIL_NAME, "filters": 4, "kernel_size": 3}},
        {EVIL_CLASS: {"name": "custom & co"}},
    ]})
    config["config"]["name"] = "</svg><b>model</b>"
    return analyse(config, "dir/<i>model</i>.json")


def test_names_messages_and_paths_are_escaped():
    page = html.render([evil_result()])
    lowered = page.lower()
    assert "<script" not in lowered and "<img" not in lowered and "<i>" not in page
    assert "<b>model" not in page and "&lt;/svg&gt;&lt;b&gt;model&lt;/b&gt;" in page
    tree = parse(page)  # the page still parses: nothing closed an element early
    nodes = nodes_by_name(tree)
    assert set(nodes) == {"input", EVIL_NAME, "custom & co"}
    drawn = nodes[EVIL_NAME].find_all("text", "nm")[0].text  # cut to the node's width
    assert drawn.startswith("<script>alert(") and EVIL_NAME.startswith(drawn[:-1])
    assert nodes["custom & co"].find_all("text", "cl")[0].text.startswith('"><img src=x')
    assert "dir/<i>model</i>.json" in [h.text for h in tree.find_all("h2")]
    assert any("SL109" in t.text and EVIL_CLASS in t.text for t in tree.find_all("text", "nt"))


def test_several_files_one_page_a_section_each_and_a_file_or_stdout(tmp_path):
    bad = os.path.join(FIXTURES, "not_a_zip.keras")
    out = tmp_path / "report.html"
    written = run("examples", bad, "-o", str(out))
    assert written.returncode == 2 and written.stdout == ""  # an unreadable file: exit 2
    page = out.read_text(encoding="utf-8")
    tree = parse(page)
    sections = tree.find_all("section")
    assert len(sections) == len(EXAMPLES) + 1
    assert [s.find_all("h2")[0].text for s in sections] == \
        [os.path.relpath(p, ROOT) for p in EXAMPLES] + [bad]
    assert "unreadable: " in sections[-1].text and "not a zip archive" in sections[-1].text
    assert len(tree.find_all("svg")) == len(EXAMPLES) + 1  # one graph each, and the defs
    printed = run("examples", bad)
    assert printed.stdout == page  # the same bytes on stdout, run after run


def test_no_script_no_external_resources():
    page = page_of(*EXAMPLES)
    tree = parse(page)
    assert not tree.find_all("script") and not tree.find_all("link")
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in page and "url(" not in page.replace("url(#arrow)", "")
    csp = [m.attrs["content"] for m in tree.find_all("meta")
           if m.attrs.get("http-equiv") == "Content-Security-Policy"]
    assert csp == ["default-src 'none'; style-src 'unsafe-inline'"]


# -- layout ------------------------------------------------------------------------------

SEQUENTIAL_13 = os.path.join(FIXTURES, "legacy", "keras107_mnist_cnn.json")  # Keras 1's mnist_cnn
# a Sequential with three findings (SL116 twice, SL108) on a tall, narrow input
RADIOML = os.path.join(ROOT, "tests", "realworld", "qa", "ds_radioml_padding_channels_last",
                       "bug.json")
RESNET50 = os.path.join(ROOT, "tests", "applications", "truth", "ResNet50.json.gz")


def resnet50():
    """ResNet50 as keras.applications builds it (the config tests/applications stores)."""
    with gzip.open(RESNET50, "rt", encoding="utf-8") as f:
        return analyse(json.load(f)["default"]["config"], "ResNet50.json")


def graph_models():
    return {"unet_100": lint_path(UNET), "ResNet50": resnet50(),
            "sequential_13": lint_path(SEQUENTIAL_13), "radioml": lint_path(RADIOML),
            **{os.path.basename(p): lint_path(p) for p in EXAMPLES}}


def overlaps(boxes: list) -> list:
    """The pairs of ``(box, label)`` whose boxes ``(x0, y0, x1, y1)`` share some area."""
    found = []
    ordered = sorted(boxes, key=lambda b: b[0][1])
    for n, (a, label_a) in enumerate(ordered):
        for b, label_b in ordered[n + 1:]:
            if b[1] >= a[3]:
                break
            if a[0] < b[2] and b[0] < a[2]:
                found.append((label_a, label_b))
    return found


def segments(path: str) -> list:
    """The straight pieces of an SVG path of ``M x,y`` and ``V``/``H`` moves, as boxes."""
    moves = re.findall(r"([MVH])([-\d.]+)(?:,([-\d.]+))?", path)
    x, y = float(moves[0][1]), float(moves[0][2])
    found = []
    for move, a, _ in moves[1:]:
        x2, y2 = (x, float(a)) if move == "V" else (float(a), y)
        found.append((min(x, x2), min(y, y2), max(x, x2) + 1e-6, max(y, y2) + 1e-6))
        x, y = x2, y2
    return found


def test_overlaps_finds_boxes_that_share_area_and_only_those():
    assert overlaps([((0, 0, 10, 10), "a"), ((9, 9, 20, 20), "b")]) == [("a", "b")]
    assert overlaps([((0, 0, 10, 10), "a"), ((10, 0, 20, 10), "b"), ((0, 10, 10, 20), "c")]) == []
    assert overlaps([((0, 0, 100, 10), "a"), ((55, 30, 70, 40), "b"), ((50, 5, 60, 35), "c")]) == \
        [("a", "c"), ("c", "b")]


@pytest.mark.parametrize("name", ["unet_100", "ResNet50", "sequential_13", "radioml"] +
                         [os.path.basename(p) for p in EXAMPLES])
def test_no_two_texts_overlap_and_node_texts_stay_in_their_node(name):
    result = graph_models()[name]
    graph = html.graph_layout(result)
    assert len(graph.nodes) == len(result.trace.layers)
    texts = [(t.box, f"{t.cls} {t.text!r}") for t in graph.texts()]
    assert len(texts) >= 3 * len(graph.nodes)  # name, class, shape: nothing left out
    assert overlaps(texts) == []
    node_boxes = [(n.box, f"node {n.k}") for n in graph.nodes]
    assert overlaps(node_boxes) == []
    for node in graph.nodes:
        for t in node.texts:
            x0, y0, x1, y1 = t.box
            assert node.x < x0 and x1 < node.x + html.NODE_W, t
            assert node.y < y0 and y1 < node.y + node.h, t
    notes = [(t.box, f"note {t.text!r}") for n in graph.notes for t in n.lines]
    assert overlaps(notes + node_boxes) == []  # a finding's text covers no node
    for box, _ in texts:
        assert 0 <= box[0] and box[2] <= graph.width and 0 <= box[1] and box[3] <= graph.height
    lines = [(segment, f"edge {d}") for d in graph.edges for segment in segments(d)]
    assert len(lines) >= len(graph.edges)
    crossed = [(label, edge) for box, label in texts for line, edge in lines
               if box[0] < line[2] and line[0] < box[2] and box[1] < line[3] and line[1] < box[3]]
    assert crossed == []  # no line runs through a text
    findings = {f.layer for f in result.findings}
    assert len(graph.notes) == len(findings & {t.name for t in result.trace.layers})


def test_the_overlap_check_fails_on_a_layout_that_overlaps(monkeypatch):
    """The same check on the U-Net laid out with lines closer than the font's height."""
    monkeypatch.setattr(html, "NOTE_LINE", 7)
    graph = html.graph_layout(lint_path(UNET))
    assert overlaps([(t.box, t.text) for t in graph.texts()]) != []



def test_layout_of_a_diamond():
    #   0 -> 1, 0 -> 2, (1, 2) -> 3
    rank, column, columns = html.layout([[], [0], [0], [1, 2]])
    assert rank == [0, 1, 1, 2]
    assert columns == 2 and column[1] != column[2] and column[3] == min(column[1], column[2])


def random_dag(rng: random.Random, n: int) -> list:
    parents = [[]]
    for k in range(1, n):
        count = rng.choice([1, 1, 1, 2, 3]) if k > 1 else 1
        parents.append(sorted({max(0, k - 1 - int(rng.expovariate(0.3))) for _ in range(count)}))
    return parents


@pytest.mark.parametrize("seed", range(30))
def test_layout_never_puts_a_node_on_another_nodes_line(seed):
    parents = random_dag(random.Random(seed), 60)
    rank, column, columns = html.layout(parents)
    readers = {k: [c for c in range(len(parents)) if k in parents[c]] for k in range(len(parents))}
    for k, srcs in enumerate(parents):
        assert all(rank[k] > rank[p] for p in srcs)
    for k in range(len(parents)):
        last = max((rank[c] for c in readers[k]), default=rank[k])
        for q in range(len(parents)):
            if q == k or column[q] != column[k]:
                continue
            # a node in k's column lies outside k's line, or is the reader it ends in
            assert not rank[k] <= rank[q] <= last or (rank[q] == last and q in readers[k]), \
                (k, q)
    assert columns == max(column) + 1


def test_ten_thousand_layers_render_compact():
    layers = [{"Conv2D": {"name": "stem", "filters": 8, "kernel_size": 3, "padding": "same"}}]
    previous = "stem"
    for b in range(2500):  # residual blocks: conv, relu, conv, add(block input, conv)
        layers += [{"Conv2D": {"name": f"b{b}_c1", "filters": 8, "kernel_size": 3,
                               "padding": "same", "inputs": [previous]}},
                   {"ReLU": {"name": f"b{b}_r"}},
                   {"Conv2D": {"name": f"b{b}_c2", "filters": 8, "kernel_size": 3,
                               "padding": "same"}},
                   {"Add": {"name": f"b{b}_add", "inputs": [previous, f"b{b}_c2"]}}]
        previous = f"b{b}_add"
    result = analyse(example_config({"input": [16, 16, 8], "layers": layers}), "big.json")
    assert len(result.trace.layers) == 10002
    page = html.render([result])  # its speed: benchmarks/scaling.py
    tree = parse(page)
    assert len(tree.find_all("g", "n")) == 10002
    graph, = [svg for svg in tree.find_all("svg") if svg.attrs.get("role") == "img"]
    assert int(graph.attrs["width"]) < 3 * 250  # the blocks use two columns, not one each
    assert len(page.encode()) < 1000 * 10002, len(page.encode())


# -- in a real browser -------------------------------------------------------------------

CHROMIUM = os.environ.get("SHAPELINT_CHROMIUM") or shutil.which("chromium") \
    or shutil.which("chromium-browser")
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM:
        reason = "Chromium is not installed (apt-get install chromium; .ci/run installs it)"
        if os.environ.get("SHAPELINT_REQUIRE_BROWSER"):  # CI: a skip would hide the test
            pytest.fail(reason)
        pytest.skip(reason)
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="playwright is not installed: pip install -e '.[test]'")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


def open_page(browser, path, width=1300):
    """The page at ``path``, with everything it logged, threw, asked for or popped up."""
    page = browser.new_page(viewport={"width": width, "height": 1000})
    seen = {"console": [], "errors": [], "requests": [], "dialogs": []}
    page.on("console", lambda m: seen["console"].append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.on("request", lambda r: seen["requests"].append(r.url))
    page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
    page.goto(path.as_uri())
    return page, seen


def png_size(data: bytes) -> tuple:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def distinct_colours(browser, png: bytes) -> int:
    """Distinct RGBA values of a PNG, decoded by the browser on a blank page."""
    page = browser.new_page()
    try:
        return page.evaluate("""async (src) => {
            const img = new Image(); img.src = src; await img.decode();
            const canvas = document.createElement('canvas');
            canvas.width = img.width; canvas.height = img.height;
            const ctx = canvas.getContext('2d'); ctx.drawImage(img, 0, 0);
            const px = new Uint32Array(ctx.getImageData(0, 0, img.width, img.height).data.buffer);
            return new Set(px).size;
        }""", "data:image/png;base64," + base64.b64encode(png).decode())
    finally:
        page.close()


def test_the_unet_report_renders_in_chromium(browser, tmp_path):
    out = tmp_path / "report.html"
    assert run(os.path.relpath(UNET, ROOT), "-o", str(out)).returncode == 1  # its SL002 error
    page, seen = open_page(browser, out)
    try:
        assert seen["errors"] == []
        assert [m for m in seen["console"] if m.startswith(("error", "warning"))] == []
        assert seen["requests"] == [out.as_uri()]  # nothing but the page itself
        expected = len(lint_path(UNET).trace.layers)
        assert page.locator("svg g.n").count() == expected
        graph = page.locator("div.graph")
        box = graph.bounding_box()
        assert box["height"] > 23 * 40  # the nodes are laid out, not collapsed
        node = page.locator("svg g.n.error")
        assert node.count() == 3  # the decoder's three merges
        assert node.first.locator("text.nm").text_content() == "dec3_concat"
        message = page.locator("svg text.nt", has_text="differ on axis 1 (24 vs 25)")
        assert message.count() == 1 and message.is_visible()
        assert page.locator("li", has_text="SL002 [error]").first.is_visible()
        title = page.evaluate("""[...document.querySelectorAll('svg g.n')]
            .find(g => g.querySelector('text.nm').textContent === 'enc3_pool')
            .querySelector('title').textContent""")
        assert "receptive field 22×22, jump 8×8" in title
        shot = page.screenshot(full_page=True)
        assert png_size(shot) == tuple(page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]"))
        assert distinct_colours(browser, shot) > 50  # text, nodes, bands, severity colours
    finally:
        page.close()


@pytest.mark.parametrize("name", ["unet_100", "ResNet50", "radioml"])
def test_the_browser_draws_each_text_within_its_layout_box(browser, tmp_path, name):
    """The widths the layout estimates bound what Chromium draws, text by text, so the
    layout's boxes (no two overlap: above) hold the drawn text."""
    result = graph_models()[name]
    out = tmp_path / "report.html"
    out.write_text(html.render([result]), encoding="utf-8")
    texts = html.graph_layout(result).texts()
    page, seen = open_page(browser, out)
    try:
        drawn = page.evaluate("""(lengths) => {
            const svg = document.querySelector('svg[role=img]');
            const items = [...svg.querySelectorAll('g.n text, text.nt tspan')];
            return items.map((e, i) => [e.textContent,
                                        e.getSubStringLength(0, lengths[i] ?? 0)]);
        }""", [len(t.text) for t in texts])
        assert len(drawn) == len(texts)
        for t, (content, width) in zip(texts, drawn):
            assert content.rstrip(" ") == t.text
            x0, _, x1, _ = t.box
            assert width <= x1 - x0 + 0.5, (t.text, width, x1 - x0)
            assert width >= 0.6 * (x1 - x0) - 1, (t.text, width, x1 - x0)  # not far off
    finally:
        page.close()


def test_no_script_runs_from_a_hostile_model(browser, tmp_path):
    out = tmp_path / "evil.html"
    out.write_text(html.render([evil_result()]), encoding="utf-8")
    page, seen = open_page(browser, out)
    try:
        assert seen["dialogs"] == [] and seen["errors"] == []
        assert page.evaluate("document.scripts.length + document.images.length") == 0
        node = page.locator("svg g.n", has=page.locator("text.nm", has_text="<script>alert("))
        assert node.locator("text.nm").text_content().startswith("<script>alert(")
        assert node.locator("title").text_content().startswith(EVIL_NAME + " (Conv2D)\n")
        assert seen["requests"] == [out.as_uri()]
    finally:
        page.close()


def test_input_sizes_are_shown_when_asked(tmp_path):
    out = tmp_path / "report.html"
    assert main([os.path.join(ROOT, "examples", "unet_96.keras"), "--sizes", "1:64",
                 "--format", "html", "-o", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert '<pre class="sizes">' in page
    assert "tried 1..64: multiples of 16 (smallest 16)" in page
