"""Count, per corpus file, the layer calls whose output shape shapelint leaves unknown.

Run from the repository root (no TensorFlow needed):

    python tests/compat/unknown_calls.py

For every Keras file of MANIFEST.json it prints the layer calls shapelint has no shape
rule for (SL109: an unknown layer class or an op it does not read; the classes and ops
are listed), and the calls downstream of them whose output has a dim unknown beyond the
batch dim, then the totals. A call downstream of an unknown one whose shape is fully
known again (a Dense after a Flatten of unknown shape cannot be, but a
GlobalAveragePooling2D after an unknown op can) is not counted.
"""

from __future__ import annotations

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)), "src"))

from shapelint.lint import lint_path  # noqa: E402


def _open(shape) -> bool:
    """Unknown beyond the batch dim (or wholly unknown)."""
    return shape is None or None in tuple(shape)[1:]


def _what(call) -> str:
    """The class; for an op layer also the op it names; for a Keras 3 op node its module."""
    config = call.config or {}
    if call.class_name in ("TFOpLambda", "SlicingOpLambda"):
        return f"{call.class_name}({config.get('function')})"
    if call.class_name == "TensorFlowOpLayer":
        node_def = config.get("node_def")
        return f"TensorFlowOpLayer({node_def.get('op') if isinstance(node_def, dict) else '?'})"
    if (call.module or "").startswith("keras.src.ops"):
        return f"{call.module}.{call.class_name}"
    return call.class_name


def count(result) -> tuple:
    """(calls, unknown calls, open calls downstream of them, names of the unknown)."""
    trace = result.trace
    tainted: set = set()
    unknown, downstream, names = 0, 0, []
    for call, layer in zip(trace.model.calls, trace.layers):  # in call order
        sources = list(call.args) + list(call.kw_tensors.values()) + list(call.aliases or [])
        if not layer.known:
            unknown += 1
            tainted.add(call.id)
            names.append(_what(call))
        elif any(ref.call in tainted for ref in sources) and any(
                _open(s) for s in layer.output_shapes):
            downstream += 1
            tainted.add(call.id)
    return len(trace.layers), unknown, downstream, names


def main() -> int:
    with open(os.path.join(HERE, "MANIFEST.json"), encoding="utf-8") as f:
        entries = [e for e in json.load(f)["files"] if e.get("expect", "ok") == "ok"]
    totals = [0, 0, 0]
    print(f"{'file':58} {'calls':>5} {'unknown':>7} {'downstream':>10}  unknown classes")
    for entry in sorted(entries, key=lambda e: e["id"]):
        result = lint_path(os.path.join(HERE, "configs", entry["file"]))
        if result.status != "ok":
            print(f"{entry['id']:58} {result.status}: {result.error}")
            continue
        calls, unknown, downstream, names = count(result)
        for i, n in enumerate((calls, unknown, downstream)):
            totals[i] += n
        listed = ", ".join(f"{n} x{names.count(n)}" for n in dict.fromkeys(names))
        print(f"{entry['id']:58} {calls:5} {unknown:7} {downstream:10}  {listed}")
    print(f"{'total (' + str(len(entries)) + ' files)':58} {totals[0]:5} {totals[1]:7} "
          f"{totals[2]:10}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
