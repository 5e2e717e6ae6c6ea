"""One layer call, evaluated: what it gets, what it gives, what went wrong.

:func:`evaluate_call` is the one definition of running a call: it gathers the call's
input shapes, dispatches on what the call is (an input, a nested model, a layer with
or without a shape rule), and turns a failure into an error finding at that layer.
The lint (propagate.py) evaluates each call once; the size sweep (sizes.py) once per
distinct input shape. Never raises on a bad model.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Optional

from shapelint.errors import ConfigError
from shapelint.findings import Finding
from shapelint.formatting import format_shape
from shapelint.loading.spec import Call
from shapelint.shapes.registry import (
    LayerCall, MaybeShape, ShapeError, ShapeResult, UnknownOp, Window, lookup,
)

OP_NODE = "keras.ops"  # the registry key of every Keras 3 op node (their class names
# are those of layers: Add, Reshape, Concatenate, ...)
_OPS_MODULES = ("keras.src.ops.", "keras.ops.")


def rule_key(call: Call) -> str:
    """The registry key of ``call``'s shape rule: its class, or :data:`OP_NODE`."""
    if call.module is not None and call.module.startswith(_OPS_MODULES):
        return OP_NODE
    return call.class_name

# what a shape rule raises on a config it did not expect: a finding, never a crash
_CONFIG_ERRORS = (TypeError, ValueError, KeyError, IndexError, AttributeError, ZeroDivisionError)


@dataclass
class Evaluation:
    """The outcome of one call at one set of input shapes."""

    inputs: tuple  # shapes of the positional tensor arguments
    outputs: tuple  # output shapes; a length ≤ 0 becomes None; (None,) when nothing is known
    findings: list = field(default_factory=list)
    failed: bool = False  # the call cannot run at these shapes (an error finding says why)
    result: Optional[ShapeResult] = None  # the shape rule's answer, when it gave one
    known: bool = True  # False when the layer class has no shape rule
    recovered: bool = False  # failed, and ``outputs`` are the most plausible guess

    @property
    def window(self) -> Optional[Window]:
        """The window the layer slides over its input, if it has one."""
        spatial = self.result.spatial if self.result is not None else None
        return spatial if isinstance(spatial, Window) else None


def tensors_read(call: Call) -> list:
    """Every tensor :func:`evaluate_call` reads: the positional and keyword tensor
    arguments, and for a nested model the inner outputs it returns."""
    return [*call.args, *call.kw_tensors.values(), *(call.aliases or ())]


def evaluate_call(call: Call, shapes: Sequence[MaybeShape], *, fed: MaybeShape = None,
                  recorded: Optional[list] = None,
                  built_features: Optional[int] = None, layers=None) -> Evaluation:
    """Evaluate ``call`` on ``shapes``: the shapes of :func:`tensors_read`, in its order.

    ``fed``: the shape given for this model input (overriding the declared one);
    ``recorded``: the output shapes the file records, used after a layer without a shape
    rule; ``built_features``: the input features a Dense has weights for, when the
    declared input shapes fix them (any other count fails); ``layers``: the custom layers
    the configuration declares (:class:`~shapelint.shapes.declared.DeclaredLayers`).
    """
    positional, keywords = len(call.args), len(call.kw_tensors)
    inputs = tuple(shapes[:positional])
    if call.class_name == "InputLayer":
        return _input(call, inputs, fed)
    if call.aliases is not None:  # a nested model: its outputs are its inner outputs
        return Evaluation(inputs, tuple(shapes[positional + keywords:]))
    rule = rule_for(call, layers)
    if rule is None:
        return _unknown(call, inputs, recorded)
    kw_inputs = dict(zip(call.kw_tensors, shapes[positional:])) if keywords else {}
    view = LayerCall(class_name=call.class_name, name=call.name, config=call.config,
                     inputs=inputs, kw_inputs=kw_inputs, kwargs=call.kwargs,
                     op_args=call.op_args)
    try:
        if built_features is not None:
            _check_features(built_features, inputs)
        result = rule(view)
    except ConfigError:
        raise  # a declared layer's expression that fails: the configuration is at fault
    except UnknownOp as e:
        return _unknown(call, inputs, recorded, e)
    except ShapeError as e:
        failure = _failure(inputs, Finding.engine(e.code, call.name, f"{call.name}: {e.message}",
                                                  e.fix))
        return _recover(failure, call, rule, view, recorded) if e.code == "SL002" else failure
    except _CONFIG_ERRORS as e:
        return _failure(inputs, Finding.engine(
            "SL003", call.name,
            f"{call.name}: cannot read the {call.class_name} config ({type(e).__name__}: {e})",
            "check the layer's arguments against the Keras documentation"))
    outputs, findings = tuple(result.outputs), []
    if _non_positive(*outputs):
        outputs = tuple(_made_positive(call, shape, inputs, result, findings)
                        for shape in outputs)
    return Evaluation(inputs, outputs, findings, failed=bool(findings), result=result)


def rule_for(call: Call, layers=None):
    """The shape rule of a call: the configuration's declaration (by registered name, then
    class name), else the built-in rule, else what an installed package ships for it."""
    if layers is not None:
        rule = layers.rule_for(call.class_name, call.registered_name)
        if rule is not None:
            return rule
    rule = lookup(rule_key(call))
    if rule is None:
        from shapelint.shapes.declared import plugin_rule

        rule = plugin_rule(call.class_name, call.registered_name)
    return rule


def _check_features(built: int, inputs: tuple) -> None:
    """A Dense built for ``built`` input features (propagate.built_features) takes no other
    count."""
    shape = inputs[0] if inputs else None
    if shape is None or shape[-1] is None or shape[-1] == built:
        return
    raise ShapeError("SL003", f"Dense has weights for {built} input features (the size it was "
                     f"built at), gets {shape[-1]}", "feed the size it was built at, or put "
                     "a global pooling layer instead of Flatten before the Dense, so that its "
                     "input does not depend on the input size")


def _failure(inputs: tuple, finding: Finding) -> Evaluation:
    return Evaluation(inputs, (None,), [finding], failed=True)


ELEMENTWISE_MERGES = frozenset({"Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum"})


def _recover(failure: Evaluation, call: Call, rule, view: LayerCall,
             recorded: Optional[list]) -> Evaluation:
    """A merge that cannot run goes on with its most plausible output, so the errors after
    it are found in the same run: the merge of its inputs made to agree with one branch —
    the one that agrees with the output the file records, else the first."""
    inputs = view.inputs
    if call.class_name not in ELEMENTWISE_MERGES | {"Concatenate"} or any(
            s is None for s in inputs) or len({len(s) for s in inputs}) != 1:
        return failure
    wanted = recorded[0] if recorded and recorded[0] is not None else None
    chosen = next((s for s in inputs if wanted is not None and len(s) == len(wanted)
                   and all(a == b for a, b in zip(s[1:-1], wanted[1:-1]))), inputs[0])
    if call.class_name == "Concatenate":
        axis = call.config.get("axis", -1)
        axis = axis + len(chosen) if isinstance(axis, int) and axis < 0 else axis
        aligned = tuple(tuple(d if i == axis else c for i, (c, d) in enumerate(zip(chosen, s)))
                        for s in inputs)
    else:
        aligned = tuple(chosen for _ in inputs)
    try:
        result = rule(LayerCall(class_name=view.class_name, name=view.name, config=view.config,
                                inputs=aligned, kw_inputs=view.kw_inputs, kwargs=view.kwargs))
    except (ShapeError, *_CONFIG_ERRORS):
        return failure
    return Evaluation(failure.inputs, tuple(result.outputs), failure.findings, failed=True,
                      result=result, recovered=True)


def _input(call: Call, inputs: tuple, fed: MaybeShape) -> Evaluation:
    """A model input takes the shape fed to it, an inner model's input the outer tensor
    bound to it, else its declared shape (a length ≤ 0 there is an error). An inner
    model called on a tensor whose known dims differ from its declared input fails (Keras
    refuses it) and goes on with the declared shape."""
    findings = []
    if fed is not None:
        shape = fed
    elif inputs and inputs[0] is not None:
        shape = inputs[0]
        declared = call.declared_shape
        if declared is not None and _conflict(shape, declared):
            model, _, inner = call.name.rpartition("/")
            model = re.sub(r":\d+$", "", model)  # call k of the nested model: its name
            findings.append(Finding.engine(
                "SL003", model or call.name,
                f"{model or call.name}: the nested model is called on {format_shape(shape)}, "
                f"but its input {inner or call.name!r} is declared as {format_shape(declared)}",
                "feed it the size it was built for (resize or crop before the call), or build "
                "it with that size: both models must agree on the tensor they share"))
            return Evaluation(inputs, (tuple(declared),), findings, failed=True, recovered=True)
    else:
        shape = call.declared_shape
        if shape is not None and any(d is not None and d <= 0 for d in shape[1:]):
            findings.append(Finding.engine(
                "SL003", call.name,
                f"{call.name}: the input is declared as {format_shape(shape)}: a length ≤ 0",
                "declare positive sizes, or None for a size known only at run time"))
            shape = (shape[0],) + tuple(None if d is not None and d <= 0 else d
                                        for d in shape[1:])
    return Evaluation(inputs, (tuple(shape) if shape is not None else None,), findings,
                      failed=bool(findings))


def _conflict(shape: tuple, declared: tuple) -> bool:
    """Known dims that differ (the batch aside), or another rank."""
    return len(shape) != len(declared) or any(
        a is not None and b is not None and a != b for a, b in zip(shape[1:], declared[1:]))


def _unknown(call: Call, inputs: tuple, recorded: Optional[list],
             op: Optional[UnknownOp] = None) -> Evaluation:
    """A layer class without a shape rule (or an op without one): its outputs are the
    recorded ones, if any."""
    where = ("shapes after it come from the shapes recorded in the file" if recorded
             else "shapes after it are unknown")
    what = (f"layer class {call.class_name!r} has no shape rule" if op is None else
            f"{call.class_name} op {op.op!r} " + (op.why or "has no shape rule"))
    note = Finding.engine(
        "SL109", call.name,
        f"{call.name}: {what}; {where}",
        "" if recorded else "pass --input-shape or save the model with Keras 3 so that shapes "
        "are recorded" if op is None else "use a built-in Keras layer for this step (Reshape, "
        "Concatenate, Permute, ...), or save the model with Keras 3 so that shapes are recorded")
    return Evaluation(inputs, tuple(recorded) if recorded else (None,), [note], known=False)


def _non_positive(*shapes) -> bool:
    """Whether some length of some of ``shapes`` is ≤ 0 (plain loops: this runs on every
    evaluation of the size sweep)."""
    for shape in shapes:
        if shape is not None:
            for d in shape:
                if d is not None and d <= 0:
                    return True
    return False


def _made_positive(call: Call, shape, inputs: tuple, result: ShapeResult, findings: list):
    """``shape`` with every length ≤ 0 made unknown: an SL001 finding."""
    if not _non_positive(shape):
        return shape
    bad = [i for i, d in enumerate(shape) if d is not None and d <= 0]
    source = inputs[0] if inputs else None
    window = result.spatial if isinstance(result.spatial, Window) else None
    message = (f"{call.name}: {call.class_name} maps {format_shape(source)} → "
               f"{format_shape(shape)}: length ≤ 0 on {'axis' if len(bad) == 1 else 'axes'} "
               f"{', '.join(map(str, bad))}")
    fix = "feed a larger input, or remove a downsampling layer before this one"
    if window is not None and source is not None and set(bad) <= set(window.axes):
        picks = [window.axes.index(a) for a in bad]
        sizes = "×".join(str(source[a]) for a in bad)
        kernel = "×".join(str(window.kernel[k]) for k in picks)
        stride = "×".join(str(window.stride[k]) for k in picks)
        message += (f" (input {sizes}, {'window' if window.transposed else 'kernel'} "
                    f"{kernel}, stride {stride}, padding '{window.padding}')")
        if window.padding == "valid":
            fix = (f"this layer needs at least {kernel} on those axes: use padding='same' here "
                   "or earlier, feed a larger input, or remove a downsampling layer before it")
    findings.append(Finding.engine("SL001", call.name, message, fix))
    return tuple(None if d is not None and d <= 0 else d for d in shape)
