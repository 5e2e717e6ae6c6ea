"""Walk a ModelSpec in topological order and predict every call's shapes.

Never raises on a bad model: an impossible shape becomes an error finding at that
layer (SL001/SL002/SL003) and the walk goes on with unknown dims after it.
Alongside the shapes it tracks, per spatial axis, the receptive field and the jump
(effective stride) relative to the model input, and the border rows each window
layer never reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Optional

from shapelint.findings import Finding
from shapelint.loading.spec import Call, ModelSpec, TensorRef
from shapelint.shapes import arithmetic as ar
from shapelint.shapes.layers._common import format_shape
from shapelint.shapes.registry import LayerCall, ShapeError, ShapeResult, Window, lookup

# Geometry of a tensor: {axis: (receptive field, jump)} for the spatial axes a window
# layer has touched; {} for a tensor still in input coordinates (every axis rf 1,
# jump 1); None once positions were mixed (Flatten, Dense over space, ...).
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
        raise ValueError(f"the model has {len(model.inputs)} input(s), "
                         f"got {len(input_shapes)} input shape(s)")
    overrides = {}
    for ref, shape in zip(model.inputs, input_shapes or []):
        overrides[ref.call] = (None,) + tuple(shape)
    walker = _Walker(model, overrides)
    for call in model.calls:
        walker.visit(call)
    return ShapeTrace(model=model, layers=walker.traces, findings=walker.findings)


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
        details = []
        window = result.spatial if isinstance(result.spatial, Window) else None
        for axis in bad:
            detail = f"length {shape[axis]} on axis {axis}"
            if window is not None and axis in window.axes:
                k = window.axes.index(axis)
                n = source[axis] if source is not None else None
                detail += (f" (input {n}, kernel {window.kernel[k]}, stride {window.stride[k]}, "
                           f"padding '{window.padding}')")
            details.append(detail)
        fix = "feed a larger input, use padding='same', or remove a downsampling layer"
        if window is not None and window.padding == "valid":
            axis = bad[0]
            if axis in window.axes:
                need = window.kernel[window.axes.index(axis)]
                fix = (f"the input needs length ≥ {need} on axis {axis}: feed a larger input, "
                       "use padding='same', or remove a downsampling layer before it")
        self.findings.append(Finding.engine(
            "SL001", call.name,
            f"{call.name}: {call.class_name} maps {format_shape(source)} → {format_shape(shape)}: "
            + "; ".join(details), fix))
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
            geom = _through_window(in_geoms[0] if in_geoms else {}, spatial)
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
            trace.receptive_field = [_number(geom[a][0]) for a in axes]
            trace.jump = [_number(geom[a][1]) for a in axes]


def _through_window(geom: Geometry, window: Window) -> Geometry:
    if geom is None:
        return None
    out = dict(geom)
    for axis, kernel, stride in zip(window.axes, window.kernel, window.stride):
        rf, jump = geom.get(axis, (1, Fraction(1)))
        out[axis] = ar.receptive_field(rf, jump, kernel, stride, window.transposed)
    return out


def _merge_geometries(geoms: list) -> Geometry:
    known = [g for g in geoms if g is not None]
    if not known:
        return None if geoms else {}
    merged: dict = {}
    for g in known:
        for axis, (rf, jump) in g.items():
            old = merged.get(axis)
            merged[axis] = (rf, jump) if old is None else (max(old[0], rf), max(old[1], jump))
    return merged


def _number(value):
    value = Fraction(value)
    return int(value) if value.denominator == 1 else round(float(value), 6)
