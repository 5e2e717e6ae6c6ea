"""``--format json``: the JSON output contract of DESIGN.md."""

from __future__ import annotations

import json
import re
from typing import Optional

from shapelint import __version__
from shapelint.formatting import UNSAFE
from shapelint.lint import count
from shapelint.report import RenderOptions
from shapelint.shapes.propagate import LayerTrace


def shape_list(shape):
    return None if shape is None else list(shape)


def shapes_list(shapes):
    return None if shapes is None else [shape_list(s) for s in shapes]


def layer_dict(trace: LayerTrace, cost=None) -> dict:
    """One layer call; ``cost``: its :class:`~shapelint.shapes.params.CallCost`."""
    entry = {
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
    if cost is not None:
        entry.update(params=cost.params, trainable_params=cost.trainable_params,
                     macs=cost.macs, output_bytes=cost.output_bytes)
    return entry


def file_dict(result, batch_size: int = 1) -> dict:
    trace = result.trace
    cost = None
    if trace is not None:
        from shapelint.shapes.params import model_cost

        cost = model_cost(trace, batch_size)
    entry = {
        "path": result.path,
        "model": trace.model.name if trace else None,
        "status": result.status,
        "error": result.error if result.status == "error" else None,
        "inputs": shapes_list(trace.inputs) if trace else None,
        "layers": [layer_dict(t, c) for t, c in zip(trace.layers, cost.calls)] if trace else [],
        "findings": [f.to_dict() for f in result.findings],
        "input_sizes": result.input_sizes.to_dict() if result.input_sizes else None,
        # a skipped file's reason (e.g. "not a Keras model config ...") is a note
        "notes": list(result.notes) + ([result.error] if result.status == "skipped" else []),
        "params": cost.params_dict() if cost else None,
        "macs": cost.macs if cost else None,
        "activation_bytes": cost.activation_bytes if cost else None,
    }
    if cost is not None and cost.unknown:
        shown = ", ".join(cost.unknown[:5]) + (", ..." if len(cost.unknown) > 5 else "")
        entry["notes"].append(f"parameter counts unknown for {len(cost.unknown)} layer(s) "
                              f"({shown}): the file's params are null")
    return entry


def render(results: list, options: RenderOptions = RenderOptions()) -> str:
    document = {
        "version": __version__,
        "files": [file_dict(r, options.batch_size) for r in results],
        "summary": count(results),
    }
    out: list = []
    _encode(document, "\n", out)
    return escape_raw("".join(out)) + "\n"


# JSON escapes C0 controls inside strings; the rest of formatting.UNSAFE it may leave raw.
# Written as \uXXXX they parse back to the same text, and the file is safe to print to a
# terminal.
_RAW = re.compile("[" + "".join(chr(c) for c in UNSAFE if c >= 0x7F) + "]")


def escape_raw(text: str) -> str:
    """JSON text with DEL, C1 controls, line separators, bidi and invisible characters
    escaped."""
    return _RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


# The text is that of json.dumps(indent=2, ensure_ascii=False), except that a list of
# numbers/nulls (a shape, a receptive field) is written on one line: [null, 32, 32, 3].
# Written directly because json.dumps with an indent runs in pure Python and was the
# slowest step on large models.
_NUMBER = re.compile(r"-?[0-9.]+")
_string = json.encoder.encode_basestring  # what ensure_ascii=False uses
_CONTAINERS = (dict, list, tuple)


def _scalar(value) -> str:
    if isinstance(value, str):
        return _string(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    return json.dumps(value)  # floats (inf/nan as json writes them); anything else raises


def _one_line(values) -> Optional[str]:
    """``[1, null, 2.5]`` if every item is a number or null, else None."""
    tokens = []
    for v in values:
        if v is None:
            tokens.append("null")
        elif v is True or v is False:
            return None
        elif isinstance(v, int):
            tokens.append(int.__repr__(v))
        elif isinstance(v, float) and _NUMBER.fullmatch(float.__repr__(v)):
            tokens.append(float.__repr__(v))
        else:
            return None
    return "[" + ", ".join(tokens) + "]"


def _encode(value, newline: str, out: list) -> None:
    """Append the text of a dict or list at the indentation ``newline`` (a newline and
    spaces)."""
    if not value:
        out.append("{}" if isinstance(value, dict) else "[]")
        return
    is_list = not isinstance(value, dict)
    if is_list:
        line = _one_line(value)
        if line is not None:
            out.append(line)
            return
    inner = newline + "  "
    sep = ("[" if is_list else "{") + inner
    for key, item in enumerate(value) if is_list else value.items():
        if is_list:
            out.append(sep)
        else:
            out.append(sep + _string(key if isinstance(key, str) else _scalar(key)) + ": ")
        if isinstance(item, _CONTAINERS):
            _encode(item, inner, out)
        else:
            out.append(_scalar(item))
        sep = "," + inner
    out.append(newline + ("]" if is_list else "}"))
