"""The static pipeline: path -> ModelSpec -> ShapeTrace -> findings, one file at a time."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Optional

from shapelint.errors import ConfigError, NotAModel, UnreadableModel, UsageError
from shapelint.findings import Finding
from shapelint.formatting import format_shape
from shapelint.loading import MODEL_EXTENSIONS, build_spec, read_model_config
from shapelint.loading.graph import is_model_entry
from shapelint.loading.keys import MAX_NESTING
from shapelint.rules.engine import RuleSet, apply_rules, default_ruleset
from shapelint.shapes.propagate import ShapeTrace, propagate

# ~90 µs and ~9 KB per layer call: the cap is ~9 s and ~1 GB; real models have < 2,000
MAX_LAYER_CALLS = int(os.environ.get("SHAPELINT_MAX_LAYER_CALLS", 100_000))


@dataclass
class FileResult:
    path: str
    status: str  # "ok", "error" (unreadable) or "skipped" (not a model)
    error: Optional[str] = None
    trace: Optional[ShapeTrace] = None
    findings: list = field(default_factory=list)
    fail_on: str = "error"  # the lowest severity that fails this file (from its config)
    notes: list = field(default_factory=list)  # what the analysis could not do, and why

    @property
    def input_sizes(self):
        """The sizes.InputSizes found when a size range was asked for, else None."""
        return self.trace.input_sizes if self.trace is not None else None


def collect_paths(paths: list) -> list:
    """Files to lint: files as given, directories recursed for model extensions (sorted)."""
    out = []
    for path in paths:
        if os.path.isdir(path):
            found = []
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                found.extend(os.path.join(root, f) for f in files
                             if f.lower().endswith(MODEL_EXTENSIONS))
            out.extend(sorted(found))
        else:
            out.append(path)
    return out


def read_path(path: str, notes: Optional[list] = None) -> dict:
    """The model config in the file at ``path``, read as data.

    Raises :class:`NotAModel` (a JSON/YAML file that is no model: skipped) or
    :class:`UnreadableModel` with the one-line reason the command line prints; never
    anything else. ``notes``: a list to which what the reader noticed is appended (an
    archive with two ``config.json`` members)."""
    if not os.path.isfile(path):
        raise UnreadableModel("no such file" if not os.path.exists(path)
                              else "not a regular file")
    try:
        return read_model_config(path, notes)
    except (NotAModel, UnreadableModel):
        raise
    except Exception as e:  # noqa: BLE001 - a bug must not become a traceback in a hook
        raise UnreadableModel(f"internal error while reading the file "
                              f"({type(e).__name__}: {e}); please report it") from None


def lint_path(path: str, input_shapes: Optional[list] = None,
              ruleset: Optional[RuleSet] = None, cross_check: str = "recorded",
              sizes: Optional[list] = None, memory=None) -> FileResult:
    """Lint one model file; never raises for a bad file. ``memory``: see :func:`analyse`."""
    notes: list = []
    try:
        model_config = read_path(path, notes)
    except NotAModel as e:
        return FileResult(path, "skipped", error=str(e))
    except UnreadableModel as e:
        return FileResult(path, "error", error=str(e))
    result = analyse(model_config, path, input_shapes, ruleset, cross_check, sizes,
                     memory=memory)
    result.notes[:0] = notes
    return result


def count_layer_calls(model: dict, depth: int = 0) -> int:
    """The layer calls ``model`` expands to, counted on the config before anything is
    built: every call of a nested model expands it again, so a few KB of models that
    call their inner model twice, 40 deep, would be 2**40 calls. Malformed parts count 0
    (the graph builder names what is wrong with them)."""
    config = model.get("config")
    layers = config.get("layers") if isinstance(config, dict) else config
    if not isinstance(layers, list) or depth > MAX_NESTING:
        return 0
    total = int(depth == 0 and model.get("class_name") == "Sequential")  # its input layer
    for entry in layers:
        if not isinstance(entry, dict) or not isinstance(entry.get("class_name"), str):
            continue
        nodes = entry.get("inbound_nodes")
        calls = len(nodes) if isinstance(nodes, list) and nodes else 1
        total += calls * (1 + (count_layer_calls(entry, depth + 1) if is_model_entry(entry) else 0))
    return total


def analyse(model_config: dict, path: str, input_shapes: Optional[list] = None,
            ruleset: Optional[RuleSet] = None, cross_check: str = "recorded",
            sizes: Optional[list] = None, data=None, memory=None) -> FileResult:
    """Lint a model config: shapes, the cross-checks asked for, then the rules.

    ``cross_check``: ``recorded`` compares predictions with the shapes the file
    records, ``tf`` also with TensorFlow's (needs TF), ``off`` with neither.
    ``sizes``: size ranges (see :func:`shapelint.shapes.sizes.parse_ranges`) at which to
    find the input sizes the model runs at. ``data``: a
    :class:`shapelint.loading.data.DataSpec` to check against the inputs, outputs and
    compiled loss (SL201, SL202); the model is then analysed at the data's sizes where
    its inputs leave them open. ``memory``: a :class:`shapelint.rules.memory.Memory` (batch
    size and budget) for SL117, which runs only when it is given.
    """
    calls = count_layer_calls(model_config) if isinstance(model_config, dict) else 0
    if calls > MAX_LAYER_CALLS:
        shown = f"{calls:,}" if calls < 10 ** 12 else f"~10^{len(str(calls)) - 1}"
        return FileResult(path, "error", error=f"the model expands to {shown} layer calls "
                                               f"(nested models count once per call), over "
                                               f"the {MAX_LAYER_CALLS:,} limit (raise it with "
                                               "SHAPELINT_MAX_LAYER_CALLS)")
    try:
        spec = build_spec(model_config)
    except UnreadableModel as e:
        return FileResult(path, "error", error=str(e))
    except RecursionError:
        return FileResult(path, "error", error="the model config is nested too deeply")
    except (TypeError, AttributeError, KeyError, IndexError) as e:  # a shape no check foresaw
        return FileResult(path, "error", error=f"malformed model config ({type(e).__name__}: {e})")
    notes: list = []
    if input_shapes is not None:
        input_shapes = without_batch(spec, input_shapes, notes)
    spec.losses = _losses(model_config, spec)
    data_sizes = None
    if data is not None and input_shapes is None:
        from shapelint.rules.data import data_input_shapes

        input_shapes = data_sizes = data_input_shapes(spec, data)
    ruleset = ruleset or default_ruleset()
    try:
        trace = propagate(spec, input_shapes, ruleset.layers)
        trace.data = data  # read by the SL201/SL202 checks
        trace.memory = memory  # read by the SL117 check
        trace.compare_recorded = cross_check != "off"
        if cross_check == "tf":
            notes += _tf_cross_check(trace, model_config, input_shapes)
        if sizes:
            from shapelint.shapes.sizes import analyse_sizes

            trace.input_sizes = analyse_sizes(spec, trace, sizes, force=True)
            if trace.input_sizes is None:
                notes.append("no input size to sweep: the inputs have no spatial or unknown dims")
        findings = apply_rules(trace, ruleset)
        if data_sizes is not None:
            findings = _at_data_sizes(findings, data_sizes)
    except (UsageError, ConfigError):
        raise  # the wrong number of --input-shape, a declared layer's failing expression
    except Exception as e:  # noqa: BLE001 - a bug must not become a traceback in a hook
        return FileResult(path, "error", error=f"internal error ({type(e).__name__}: {e}); "
                                               "please report it with the model config")
    return FileResult(path, "ok", trace=trace, notes=notes, findings=findings)


def _losses(model_config: dict, spec) -> Optional[list]:
    """The compiled loss of each model output, from the config's ``compile_config``."""
    compile_config = model_config.get("compile_config") if isinstance(model_config, dict) else None
    if not compile_config:  # most saved models: none, or {} (Keras 3, not compiled)
        return None
    from shapelint.loading.compile import output_losses

    return output_losses(compile_config, [spec.calls[ref.call].name for ref in spec.outputs])


def _at_data_sizes(findings: list, shapes: list) -> list:
    """Findings about the model's layers, found at sizes the data gave, say so: "at your
    data's 28×28"."""
    from dataclasses import replace

    from shapelint.rules.data import data_size_text

    text = f" (at your data's {data_size_text(shapes)})"
    return [replace(f, message=f.message + text)
            if not f.rule.startswith("SL2") and f.severity != "info" else f for f in findings]


def without_batch(spec, input_shapes: list, notes: list) -> list:
    """The given input shapes without a batch dim given by mistake.

    Keras hands out shapes with the batch (``model.input_shape`` is ``(None, 100, 100,
    3)``), while shapelint takes them without it: a shape with exactly one dim more than
    the declared input, whose first dim is None or a number, has its first dim read as
    the batch and dropped, with a note saying so."""
    if len(input_shapes) != len(spec.inputs):
        return input_shapes  # propagate() says what is wrong
    fixed = []
    for ref, shape in zip(spec.inputs, input_shapes):
        call = spec.calls[ref.call]
        declared = call.declared_shape
        shape = tuple(shape)
        if declared is not None and len(shape) == len(declared) and shape \
                and (shape[0] is None or isinstance(shape[0], int)):
            notes.append(f"the input shape given for {call.name!r}, {format_shape(shape)}, "
                         f"has one dim more than the input takes ({len(declared) - 1}, "
                         "batch excluded): its first dim was read as the batch and dropped")
            shape = shape[1:]
        fixed.append(shape)
    return fixed


def _tf_cross_check(trace: ShapeTrace, model_config: dict, input_shapes) -> list:
    """Fill each layer's ``tf_output_shapes``; returns notes (why TF could not say)."""
    from shapelint.crosscheck import tf_output_shapes

    predicted = {t.name: t.output_shapes for t in trace.layers}
    result = tf_output_shapes(model_config, input_shapes, predicted)
    for t in trace.layers:
        shapes = result.shapes.get((t.name, t.call.node))
        t.tf_output_shapes = [tuple(s) if s is not None else None for s in shapes] \
            if shapes is not None else None
    notes = []
    if result.error:
        notes.append(f"TensorFlow could not build the model, so its shapes were compared only "
                     f"up to the failure: {result.error}")
    if result.replaced:
        notes.append("layers TensorFlow was not allowed to build (not built-in Keras layers): "
                     + ", ".join(result.replaced))
    return notes


def count(results: list) -> dict:
    totals = {"files": len(results), "errors": 0, "warnings": 0, "info": 0}
    key = {"error": "errors", "warning": "warnings", "info": "info"}
    for result in results:
        for finding in result.findings:
            totals[key[finding.severity]] += 1
    return totals


__all__ = ["FileResult", "Finding", "ShapeTrace", "analyse", "collect_paths", "count", "lint_path"]
