"""Walk a ModelSpec in topological order and predict every call's shapes.

Never raises on a bad model: an impossible shape becomes an error finding at that
layer (SL001/SL002/SL003) and the walk goes on with unknown dims after it.
Alongside the shapes it tracks, per spatial axis, the receptive field and the jump
(effective stride) relative to the model input, and the border rows each window
layer never reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import reduce
from typing import Optional

from shapelint.errors import UsageError
from shapelint.findings import Finding
from shapelint.loading.spec import Call, ModelSpec, TensorRef
from shapelint.shapes.arithmetic import AxisField
from shapelint.formatting import format_shape
from shapelint.shapes.registry import LayerCall, ShapeError, ShapeResult, Window, lookup

# Geometry of a tensor: {axis: AxisField} for the spatial axes a window layer has
# touched; {} for a tensor still in input coordinates (every axis reads itself);
# None once positions were mixed (Flatten, Dense over space, ...).
Geometry = Optional[dict]

@dataclass
class LayerTrace:
    """Everything shapelint knows about one layer call."""

    call: Call
    input_shapes: list
    output_shapes: list
    recorded_output_shapes: Optional[list] = None
    tf_output_shapes: Optional[list] = None
    receptive_field: Optional[list] = None
    jump: Optional[list] = None
    dropped_border: Optional[list] = None
    window: Optional[Window] = None
    known: bool = True  # False when the layer class has no shape rule

    @property
    def name(self) -> str:
        return self.call.name

    @property
    def class_name(self) -> str:
        return self.call.class_name


@dataclass
class ShapeTrace:
    model: ModelSpec
    layers: list
    findings: list = field(default_factory=list)
    input_overridden: bool = False  # shapes were given, not the model's declared ones
    compare_recorded: bool = True  # cross-check with the shapes the file records
    input_sizes: Optional[object] = None  # sizes.InputSizes, when a size range was swept

    @property
    def inputs(self) -> list:
        return [self.layers[ref.call].output_shapes[0] for ref in self.model.inputs]

    @property
    def outputs(self) -> list:
        return [_pick(self.layers[ref.call].output_shapes, ref.index) for ref in self.model.outputs]


def propagate(model: ModelSpec, input_shapes: Optional[list] = None) -> ShapeTrace:
    """Predict the shapes of every call of ``model``.

    ``input_shapes`` (one per model input, batch excluded, ``None`` dims allowed)
    overrides the declared input shapes.
    """
    if input_shapes is not None and len(input_shapes) != len(model.inputs):
        raise UsageError(f"the model has {len(model.inputs)} input(s), "
                         f"got {len(input_shapes)} input shape(s)")
    overrides = {}
    for ref, shape in zip(model.inputs, input_shapes or []):
        overrides[ref.call] = (None,) + tuple(shape)
    walker = _Walker(model, overrides)
    if overrides:
        walker.built_features = built_features(propagate(model))
    for call in model.calls:
        walker.visit(call)
    return ShapeTrace(model=model, layers=walker.traces, findings=walker.findings,
                      input_overridden=input_shapes is not None)


def built_features(trace: ShapeTrace) -> dict:
    """Call id -> the input features each Dense has weights for, where the declared input
    shapes fix them (a Dense after a Flatten): at other input sizes it cannot run."""
    found = {}
    for t in trace.layers:
        if t.class_name == "Dense" and t.input_shapes and t.input_shapes[0]:
            last = t.input_shapes[0][-1]
            if isinstance(last, int):
                found[t.call.id] = last
    return found


def wrong_features(built: Optional[int], inputs: tuple) -> Optional[str]:
    """Why a Dense built for ``built`` features cannot take ``inputs`` (None if it can)."""
    shape = inputs[0] if inputs else None
    if built is None or shape is None or shape[-1] is None or shape[-1] == built:
        return None
    return (f"Dense has weights for {built} input features (at the declared input size), "
            f"gets {shape[-1]}")


def _pick(shapes: list, index: int):
    return shapes[index] if 0 <= index < len(shapes) else None


class _Walker:
    def __init__(self, model: ModelSpec, overrides: dict):
        self.model = model
        self.overrides = overrides
        self.traces: list = []
        self.findings: list = []
        self.geometry: dict = {}  # TensorRef -> Geometry
        self.recorded: dict = {}  # call id -> {output index: recorded shape}
        self.built_features: dict = {}  # see built_features(); set when inputs are overridden
        for ref, shape in model.recorded.items():
            self.recorded.setdefault(ref.call, {})[ref.index] = shape

    def shape_of(self, ref: TensorRef):
        return _pick(self.traces[ref.call].output_shapes, ref.index)

    def geometry_of(self, ref: TensorRef) -> Geometry:
        return self.geometry.get(ref)

    def recorded_outputs(self, call: Call) -> Optional[list]:
        found = self.recorded.get(call.id)
        if not found:
            return None
        return [found.get(i) for i in range(max(found) + 1)]

    def visit(self, call: Call) -> None:
        inputs = [self.shape_of(r) for r in call.args]
        recorded = self.recorded_outputs(call)
        trace = LayerTrace(call=call, input_shapes=inputs, output_shapes=[None],
                           recorded_output_shapes=recorded)
        self.traces.append(trace)
        if call.class_name == "InputLayer":
            self._visit_input(call, trace, inputs)
            return
        if call.aliases is not None:  # a nested model: outputs are its inner outputs
            trace.output_shapes = [self.shape_of(r) for r in call.aliases]
            self._set_geometry(call, trace, self.geometry_of(call.aliases[0]) if call.aliases else None)
            for i, ref in enumerate(call.aliases):
                self.geometry[TensorRef(call.id, i)] = self.geometry_of(ref)
            return
        fn = lookup(call.class_name)
        if fn is None:
            self._visit_unknown(call, trace, recorded)
            return
        view = LayerCall(class_name=call.class_name, name=call.name, config=call.config,
                         inputs=tuple(inputs),
                         kw_inputs={k: self.shape_of(r) for k, r in call.kw_tensors.items()},
                         kwargs=call.kwargs)
        try:
            reason = wrong_features(self.built_features.get(call.id), view.inputs)
            if reason:
                raise ShapeError("SL003", reason, "feed the declared input size, or put a global "
                                 "pooling layer instead of Flatten before the Dense, so that its "
                                 "input does not depend on the input size")
            result = fn(view)
        except ShapeError as e:
            self.findings.append(Finding.engine(e.code, call.name, f"{call.name}: {e.message}", e.fix))
            trace.output_shapes = [None]
            return
        except (TypeError, ValueError, KeyError, IndexError, AttributeError, ZeroDivisionError) as e:
            # a config the shape rule did not expect: report it, never crash
            self.findings.append(Finding.engine(
                "SL003", call.name,
                f"{call.name}: cannot read the {call.class_name} config ({type(e).__name__}: {e})",
                "check the layer's arguments against the Keras documentation"))
            trace.output_shapes = [None]
            return
        trace.output_shapes = [self._check_positive(call, trace, s, inputs, result)
                               for s in result.outputs]
        self._apply_geometry(call, trace, result, inputs)

    def _visit_input(self, call: Call, trace: LayerTrace, inputs: list) -> None:
        if call.id in self.overrides:
            shape = self.overrides[call.id]
        elif inputs and inputs[0] is not None:
            shape = inputs[0]  # an inner model's input, bound to the outer tensor
        else:
            shape = call.declared_shape
            if shape is not None and any(d is not None and d <= 0 for d in shape[1:]):
                self.findings.append(Finding.engine(
                    "SL003", call.name,
                    f"{call.name}: the input is declared as {format_shape(shape)}: a length ≤ 0",
                    "declare positive sizes, or None for a size known only at run time"))
                shape = (shape[0],) + tuple(None if d is not None and d <= 0 else d
                                            for d in shape[1:])
        trace.output_shapes = [tuple(shape) if shape is not None else None]
        ref = TensorRef(call.id)
        self.geometry[ref] = self.geometry_of(call.args[0]) if call.args else {}

    def _visit_unknown(self, call: Call, trace: LayerTrace, recorded: Optional[list]) -> None:
        trace.known = False
        trace.output_shapes = list(recorded) if recorded else [None]
        if len(call.args) == 1 and trace.output_shapes == trace.input_shapes:
            self._set_geometry(call, trace, self.geometry_of(call.args[0]))  # same grid
        where = ("shapes after it come from the shapes recorded in the file" if recorded
                 else "shapes after it are unknown")
        self.findings.append(Finding.engine(
            "SL109", call.name,
            f"{call.name}: layer class {call.class_name!r} has no shape rule; {where}",
            "pass --input-shape or save the model with Keras 3 so that shapes are recorded"
            if not recorded else ""))

    def _check_positive(self, call: Call, trace: LayerTrace, shape, inputs, result: ShapeResult):
        if shape is None:
            return None
        bad = [i for i, d in enumerate(shape) if d is not None and d <= 0]
        if not bad:
            return tuple(shape)
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
        self.findings.append(Finding.engine("SL001", call.name, message, fix))
        return tuple(None if d is not None and d <= 0 else d for d in shape)

    def _apply_geometry(self, call: Call, trace: LayerTrace, result: ShapeResult, inputs) -> None:
        in_geoms = [self.geometry_of(r) for r in call.args]
        spatial = result.spatial
        if spatial is None:
            first_in = inputs[0] if inputs else None
            first_out = trace.output_shapes[0] if trace.output_shapes else None
            same_rank = (first_in is not None and first_out is not None
                         and len(first_in) == len(first_out))
            spatial = "keep" if same_rank else "drop"
        if isinstance(spatial, Window):
            geom = _through_window(in_geoms[0] if in_geoms else {}, spatial,
                                   inputs[0] if inputs else None)
            trace.window = spatial
            trace.dropped_border = list(spatial.dropped) if spatial.dropped else None
        elif spatial == "keep":
            geom = _merge_geometries(in_geoms)
        else:
            geom = None
        self._set_geometry(call, trace, geom)

    def _set_geometry(self, call: Call, trace: LayerTrace, geom: Geometry) -> None:
        for i in range(len(trace.output_shapes)):
            self.geometry[TensorRef(call.id, i)] = geom
        if geom:
            axes = sorted(geom)
            trace.receptive_field = [geom[a].rf for a in axes]
            trace.jump = [geom[a].jump_number for a in axes]


def _through_window(geom: Geometry, window: Window, in_shape) -> Geometry:
    if geom is None:
        return None
    out = dict(geom)
    dilations = window.dilation or (1,) * len(window.axes)
    for i, (axis, kernel, stride, dilation) in enumerate(
            zip(window.axes, window.kernel, window.stride, dilations)):
        pad = window.pad_before(i, in_shape[axis] if in_shape is not None else None)
        out[axis] = geom.get(axis, AxisField()).through(kernel, stride, window.transposed, pad,
                                                         dilation)
        if out[axis] is None:
            return None  # too costly to track exactly: unknown
    return out


def _merge_geometries(geoms: list) -> Geometry:
    """Fields of merged maps. Unknown if any input's is: its positions were lost, or it is
    a globally pooled vector broadcast over the map, or the layer before failed."""
    if any(g is None for g in geoms):
        return None
    merged: dict = {}
    for axis in sorted({a for g in geoms for a in g}):
        fields = [g.get(axis, AxisField()) for g in geoms]  # an untouched axis reads itself
        merged[axis] = reduce(AxisField.merge, fields)
    return merged
