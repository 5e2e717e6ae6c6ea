"""Python API: ``shapelint.check(model_or_path)`` right before ``model.fit``.

    import shapelint
    report = shapelint.check(model, input_shape=(100, 100, 3))
    report.raise_for_errors()        # ShapeLintError listing the findings

``check`` accepts a live ``keras.Model`` (read through its config: the model, its
weights and its layers are left untouched), a model file path, or a model config
dict. Nothing here imports TensorFlow or Keras unless it is given a live model or
asked for the TF cross-check.
"""

from __future__ import annotations

import html
import json
import os
import sys
from dataclasses import dataclass, field
from typing import Any, Optional, Union

from shapelint.errors import NotAModel, ShapeLintError, UnreadableModel, UsageError
from shapelint.findings import Finding

CROSS_CHECKS = ("auto", "tf", "recorded", "off")


@dataclass(frozen=True)
class LayerShapes:
    """One layer call, as in the JSON output's ``layers`` entries."""

    name: str
    class_name: str
    node: int
    input_shapes: list
    output_shapes: list
    recorded_output_shapes: Optional[list]
    tf_output_shapes: Optional[list]
    receptive_field: Optional[list]
    jump: Optional[list]
    dropped_border: Optional[list]
    params: Optional[int] = None  # the layer's weights, as Keras's count_params(); None: unknown
    trainable_params: Optional[int] = None
    macs: Optional[int] = None  # multiply-accumulates of this call per sample, bias not counted
    output_bytes: Optional[int] = None  # this call's outputs for one sample, float32


@dataclass
class Report:
    """The result of :func:`check`."""

    model: str
    findings: list = field(default_factory=list)
    layers: list = field(default_factory=list)
    inputs: list = field(default_factory=list)
    notes: list = field(default_factory=list)  # e.g. why the TF cross-check could not run
    _result: Any = None
    _input_sizes: Any = None
    _cost: Any = None

    @property
    def params(self) -> dict:
        """``{"total", "trainable", "non_trainable"}``: every layer counted once, as Keras's
        ``count_params()``; each is None when a layer's count is unknown."""
        return self._cost.params_dict() if self._cost is not None else \
            {"total": None, "trainable": None, "non_trainable": None}

    @property
    def macs(self) -> Optional[int]:
        """Multiply-accumulates of one sample through the model (None: unknown)."""
        return self._cost.macs if self._cost is not None else None

    def __repr__(self) -> str:
        from shapelint.report.text import plural

        infos = len(self.infos)
        counts = [plural(len(self.errors), "error"), plural(len(self.warnings), "warning")]
        counts += [plural(infos, "info")] if infos else []
        return (f"<Report model={self.model!r}: {', '.join(counts)}, "
                f"{plural(len(self.layers), 'layer call')}>")

    @property
    def input_sizes(self):
        """The input sizes the model runs at (an ``InputSizes``: ``.valid``, ``.rule``,
        ``.smallest``, ``.per_axis``), over the range given to ``check(sizes=...)``, else
        1..1024 (found on first use); ``None`` when no input dim can vary."""
        if self._input_sizes is None:
            found = self._result.input_sizes
            if found is None:
                from shapelint.shapes.sizes import analyse_sizes

                trace = self._result.trace
                found = analyse_sizes(trace.model, trace, None, force=True)
            self._input_sizes = found
        return self._input_sizes

    @property
    def errors(self) -> list:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list:
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def infos(self) -> list:
        return [f for f in self.findings if f.severity == "info"]

    @property
    def ok(self) -> bool:
        """No error finding: the model can run at the analysed input size."""
        return not self.errors

    def raise_for_errors(self) -> "Report":
        if self.errors:
            raise ShapeLintError(self.errors, self.model)
        return self

    def to_json(self) -> str:
        from shapelint.report import render

        return render("json", [self._result])

    def __str__(self) -> str:
        from shapelint.report import RenderOptions, render

        return render("text", [self._result], RenderOptions(summary=True)).rstrip("\n")

    def _repr_html_(self) -> str:
        """The notebook view: a headline that counts every severity, the findings coloured
        by severity, and the per-layer table (inline styles: a notebook loads no CSS)."""
        from shapelint.formatting import per_axis, printable
        from shapelint.report.text import counts_text, shapes_text

        def esc(value) -> str:
            return html.escape(printable(value))

        colours = {"error": "#d93025", "warning": "#b06000", "info": "#1a73e8"}
        cell = 'style="padding:1px 8px;text-align:left;border-bottom:1px solid #e8eaed"'
        rows = "".join(
            f"<tr><td {cell}>{esc(layer.name)}</td><td {cell}>{esc(layer.class_name)}</td>"
            f"<td {cell}><code>{esc(shapes_text(layer.output_shapes))}</code></td>"
            f"<td {cell}>{per_axis(layer.receptive_field)}</td>"
            f"<td {cell}>{per_axis(layer.jump)}</td></tr>"
            for layer in self.layers)
        items = "".join(
            f'<li><b style="color:{colours[f.severity]}">{f.rule} [{f.severity}]</b> '
            f"{esc(f.message)}" + (f"<br><i>fix: {esc(f.fix)}</i>" if f.fix else "") + "</li>"
            for f in self.findings)
        infos = len(self.infos)
        counts = {"errors": len(self.errors), "warnings": len(self.warnings), "info": infos}
        headline = counts_text(counts, lambda text, _: text, nonzero=True) or "no findings"
        worst = "error" if self.errors else "warning" if self.warnings else "info" if infos \
            else None
        colour = colours[worst] if worst else "#188038"
        head = "".join(f"<th {cell}>{h}</th>" for h in
                       ("layer", "class", "output shape", "RF", "jump"))
        return (f'<div style="font-family:system-ui,sans-serif"><b>shapelint</b>: '
                f'{esc(self.model)} — <b style="color:{colour}">{headline}</b>'
                f'<ul style="margin:4px 0 8px 16px;padding:0">{items}</ul>'
                f'<table style="border-collapse:collapse;font-size:90%"><tr>{head}</tr>{rows}'
                f"</table></div>")


def check(model_or_path: Any, input_shape: Union[tuple, list, None] = None,
          config: Union[str, dict, None] = None, cross_check: str = "auto",
          sizes: Union[str, tuple, None] = None, *, data: Any = None, x: Any = None,
          y: Any = None) -> Report:
    """Lint a live ``keras.Model``, a model file path or a model config dict.

    ``input_shape``: the input shape without the batch dim (a list of them for a
    multi-input model), overriding the declared one. ``config``: a configuration file
    path or a dict in the ``[tool.shapelint]`` schema; default: the nearest
    configuration file above the model file (or the working directory).
    ``cross_check``: ``"recorded"`` compares with the shapes the file records,
    ``"tf"`` also with the shapes TensorFlow infers, ``"auto"`` does both when
    TensorFlow is already imported in this process (always so for a live model),
    ``"off"`` neither. ``sizes``: the input sizes to try for :attr:`Report.input_sizes`,
    ``(lo, hi)`` or a ``--sizes`` string (``"1:512"``, ``"1:512x1:256"``).

    ``data`` (what ``fit`` takes: a ``tf.data.Dataset``, whose ``element_spec`` is
    read and which is never iterated; an ``(x, y)`` tuple of arrays or tensors; a
    ``keras.utils.PyDataset``, of which the first batch is read; dicts of named inputs
    or outputs), or ``x`` and ``y``: the data to check against the model's inputs
    (SL201), outputs and compiled loss (SL202). The model is analysed at the data's
    sizes where its inputs leave them open.
    """
    data_spec = None
    if data is not None or x is not None or y is not None:
        from shapelint.loading.data import DataSpec, read_data

        data_spec = data if isinstance(data, DataSpec) else read_data(data, x, y)
    return _check(model_or_path, input_shape, config, cross_check, sizes, data_spec)


def _check(model_or_path, input_shape, config, cross_check, sizes, data_spec,
           ignore: tuple = ()) -> Report:
    """:func:`check` with the data read; ``ignore``: codes the caller does not want on
    top of the configuration's (the callback's run-time check makes SL110 moot)."""
    if cross_check not in CROSS_CHECKS:
        raise ValueError(f"cross_check must be one of {', '.join(CROSS_CHECKS)}")
    from dataclasses import replace

    from shapelint.lint import FileResult, analyse

    input_shapes = _input_shapes(input_shape)
    if sizes is not None:
        from shapelint.shapes.sizes import parse_ranges

        sizes = parse_ranges(sizes) if isinstance(sizes, str) else [tuple(sizes)]
    path = os.fspath(model_or_path) if isinstance(model_or_path, (str, os.PathLike)) else None
    ruleset, _ = _ruleset(config, path)
    if ignore:
        ruleset = replace(ruleset, ignore=tuple(ruleset.ignore) + tuple(ignore))
    notes: list = []
    try:
        model_config, name = _model_config(model_or_path, path, notes)
    except (NotAModel, UnreadableModel) as e:
        raise ShapeLintError(model=path or "model", reason=f"{path or 'model'}: {e}") from None
    try:
        result: FileResult = analyse(model_config, path or name, input_shapes, ruleset,
                                     cross_check=_resolve_cross_check(cross_check), sizes=sizes,
                                     data=data_spec)
    except UsageError as e:  # e.g. two input shapes for a model with one input
        raise ShapeLintError(model=path or name, reason=f"{path or name}: {e}") from None
    if result.status != "ok":  # what the command line reports as an unreadable file
        raise ShapeLintError(model=path or name, reason=f"{result.path}: {result.error}")
    result.notes[:0] = notes
    trace = result.trace
    from shapelint.shapes.params import model_cost

    cost = model_cost(trace)
    return Report(
        model=trace.model.name, findings=list(result.findings),
        layers=[LayerShapes(name=t.name, class_name=t.class_name, node=t.call.node,
                            input_shapes=t.input_shapes, output_shapes=t.output_shapes,
                            recorded_output_shapes=t.recorded_output_shapes,
                            tf_output_shapes=t.tf_output_shapes,
                            receptive_field=t.receptive_field, jump=t.jump,
                            dropped_border=t.dropped_border, params=c.params,
                            trainable_params=c.trainable_params, macs=c.macs,
                            output_bytes=c.output_bytes)
                for t, c in zip(trace.layers, cost.calls)],
        inputs=trace.inputs, notes=list(result.notes), _result=result, _cost=cost)


def _input_shapes(input_shape) -> Optional[list]:
    if input_shape is None:
        return None
    shapes = list(input_shape)
    if shapes and all(isinstance(s, (list, tuple)) for s in shapes):
        return [tuple(s) for s in shapes]
    return [tuple(shapes)]


def _resolve_cross_check(mode: str) -> str:
    if mode == "auto":
        return "tf" if ("keras" in sys.modules or "tensorflow" in sys.modules) else "recorded"
    return mode


def _ruleset(config, path: Optional[str]):
    from shapelint.config import Resolver, ruleset_from_settings

    if isinstance(config, dict):
        return ruleset_from_settings(config, "check(config=...)")
    return Resolver(config).for_path(path or os.getcwd())


def _model_config(model, path: Optional[str], notes: list) -> tuple:
    """(model config dict, display name) of a path, a config dict or a live model."""
    from shapelint.lint import read_path
    from shapelint.loading import model_config_from

    if path is not None:
        return read_path(path, notes), path
    if isinstance(model, dict):
        return model_config_from(model), "model"
    if hasattr(model, "get_config") and hasattr(model, "layers"):
        return _live_config(model), getattr(model, "name", "model")
    raise TypeError("check() takes a keras.Model, a model file path or a model config dict, "
                    f"not {type(model).__name__}")


def _live_config(model) -> dict:
    """The serialized config of a live model: what its .keras file would hold (with the
    shapes Keras recorded), read without touching weights or building anything."""
    try:  # get_config, not serialize_keras_object: no compile config (losses, optimizer)
        data = {"class_name": "Sequential" if _is_sequential(model) else "Functional",
                "config": json.loads(json.dumps(model.get_config(), default=_jsonable))}
    except NotImplementedError:
        data = None
    except Exception as e:  # noqa: BLE001 - a custom layer's get_config can raise anything
        raise UnreadableModel(f"model.get_config() failed ({type(e).__name__}: {e})") from None
    config = data.get("config") if isinstance(data, dict) else None
    loss = getattr(model, "loss", None)
    if loss is not None and isinstance(data, dict):  # what a saved file's compile_config holds
        from shapelint.loading.compile import serialize_live

        data["compile_config"] = {"loss": serialize_live(loss)}
    if not isinstance(config, dict) or not isinstance(config.get("layers"), list):
        names = ", ".join(f"{layer.name} ({type(layer).__name__})" for layer in model.layers)
        raise UnreadableModel(
            f"{type(model).__name__} is a subclassed model: its call() is Python code, so "
            "shapelint cannot see how its layers connect (it has: "
            f"{names or 'no layers yet'}); build it as a Functional or Sequential model")
    return data


def _is_sequential(model) -> bool:
    return any(c.__name__ == "Sequential" for c in type(model).__mro__)


def _jsonable(value):
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, (set, tuple)):
        return list(value)
    return str(value)


__all__ = ["CROSS_CHECKS", "Finding", "LayerShapes", "Report", "ShapeLintError", "check"]
