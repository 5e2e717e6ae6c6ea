"""``--format json``: the JSON output contract of DESIGN.md."""

from __future__ import annotations

import json
import re

from shapelint import __version__
from shapelint.lint import count
from shapelint.shapes.propagate import LayerTrace


def shape_list(shape):
    return None if shape is None else list(shape)


def shapes_list(shapes):
    return None if shapes is None else [shape_list(s) for s in shapes]


def layer_dict(trace: LayerTrace) -> dict:
    return {
        "name": trace.name,
        "class_name": trace.class_name,
        "node": trace.call.node,
        "input_shapes": shapes_list(trace.input_shapes),
        "output_shapes": shapes_list(trace.output_shapes),
        "recorded_output_shapes": shapes_list(trace.recorded_output_shapes),
        "tf_output_shapes": shapes_list(trace.tf_output_shapes),
        "receptive_field": trace.receptive_field,
        "jump": trace.jump,
        "dropped_border": trace.dropped_border,
    }


def file_dict(result) -> dict:
    trace = result.trace
    return {
        "path": result.path,
        "model": trace.model.name if trace else None,
        "status": result.status,
        "error": result.error if result.status == "error" else None,
        "inputs": shapes_list(trace.inputs) if trace else None,
        "layers": [layer_dict(t) for t in trace.layers] if trace else [],
        "findings": [f.to_dict() for f in result.findings],
        "input_sizes": None,
        "notes": list(result.notes),
    }


def render(results: list) -> str:
    document = {
        "version": __version__,
        "files": [file_dict(r) for r in results],
        "summary": count(results),
    }
    text = json.dumps(document, indent=2, ensure_ascii=False)
    return _FLAT_LIST.sub(lambda m: "[" + ", ".join(m.group(1).split()).replace(",,", ",") + "]",
                          text) + "\n"


# a list of numbers/nulls (a shape, a receptive field) that json.dumps spread over lines
_FLAT_LIST = re.compile(r"\[\n\s*((?:-?[0-9.]+|null)(?:,\s*(?:-?[0-9.]+|null))*)\s*\]")
