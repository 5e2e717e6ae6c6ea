"""Walk a ModelSpec in topological order and predict every call's shapes.

Each call is evaluated by :func:`~shapelint.shapes.evaluate.evaluate_call`. Never raises
on a bad model: an impossible shape becomes an error finding at that layer
(SL001/SL002/SL003) and the walk goes on with unknown dims after it.
Alongside the shapes it tracks, per spatial axis, the receptive field and the jump
(effective stride) relative to the model input, and the border rows each window
layer never reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import reduce
from typing import Optional

from shapelint.errors import UsageError
from shapelint.loading.spec import Call, ModelSpec, TensorRef
from shapelint.shapes.arithmetic import AxisField
from shapelint.shapes.evaluate import evaluate_call, tensors_read
from shapelint.shapes.registry import ShapeResult, Window

# Geometry of a tensor: {axis: AxisField} for the spatial axes a window layer has
# touched; {} for a tensor still in input coordinates (every axis reads itself);
# None once positions were mixed (Flatten, Dense over space, ...).
Geometry = Optional[dict]


class Moved(dict):
    """The geometry of a tensor that only crops and zero padding moved from input
    coordinates: each position still reads one input position, so, like the input, it
    shows no receptive field; the shift is kept for the merges it meets."""


def _in_input_coordinates(geom: Geometry) -> bool:
    return geom is not None and (not geom or isinstance(geom, Moved))


def _one_row_each(geom: dict) -> bool:
    return all(f.period == 1 and f.shift == 1 and f.first == f.last for f in geom.values())


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
    recovered: bool = False  # the call fails; its outputs are the most plausible guess

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
    declared: Optional[object] = None  # the custom layers declared (shapes.declared)

    @property
    def inputs(self) -> list:
        return [self.layers[ref.call].output_shapes[0] for ref in self.model.inputs]

    @property
    def outputs(self) -> list:
        return [_pick(self.layers[ref.call].output_shapes, ref.index) for ref in self.model.outputs]


def propagate(model: ModelSpec, input_shapes: Optional[list] = None,
              layers=None) -> ShapeTrace:
    """Predict the shapes of every call of ``model``.

    ``input_shapes`` (one per model input, batch excluded, ``None`` dims allowed)
    overrides the declared input shapes; ``layers``: the custom layers the configuration
    declares (:class:`~shapelint.shapes.declared.DeclaredLayers`).
    """
    if input_shapes is not None and len(input_shapes) != len(model.inputs):
        raise UsageError(f"the model has {len(model.inputs)} input(s), "
                         f"got {len(input_shapes)} input shape(s)")
    overrides = {}
    for ref, shape in zip(model.inputs, input_shapes or []):
        overrides[ref.call] = (None,) + tuple(shape)
    walker = _Walker(model, overrides, layers)
    walker.built_features = built_features(propagate(model, layers=layers)) if overrides \
        else recorded_features(model)
    for call in model.calls:
        walker.visit(call)
    return ShapeTrace(model=model, layers=walker.traces, findings=walker.findings,
                      input_overridden=input_shapes is not None, declared=layers)


def built_features(trace: ShapeTrace) -> dict:
    """Call id -> the input features each Dense has weights for, where the declared input
    shapes fix them (a Dense after a Flatten), or else where the file records the shape
    it was built for: at other input sizes it cannot run."""
    found = recorded_features(trace.model)
    for t in trace.layers:
        if t.class_name == "Dense" and t.input_shapes and t.input_shapes[0]:
            last = t.input_shapes[0][-1]
            if isinstance(last, int):
                found[t.call.id] = last
    return found


def recorded_features(model: ModelSpec) -> dict:
    """Call id -> the input features a Dense was built for, as its ``build_config`` records
    (a model saved with unknown input sizes after being built at one size)."""
    return {c.id: c.built_input[-1] for c in model.calls
            if c.class_name == "Dense" and c.built_input and isinstance(c.built_input[-1], int)}


def _pick(shapes: list, index: int):
    return shapes[index] if 0 <= index < len(shapes) else None


class _Walker:
    """Evaluates each call in topological order, and carries each tensor's geometry."""

    def __init__(self, model: ModelSpec, overrides: dict, layers=None):
        self.model = model
        self.overrides = overrides
        self.layers = layers
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
        recorded = self.recorded_outputs(call)
        shapes = [self.shape_of(ref) for ref in tensors_read(call)]
        done = evaluate_call(call, shapes, fed=self.overrides.get(call.id),
                             recorded=recorded, built_features=self.built_features.get(call.id),
                             layers=self.layers)
        trace = LayerTrace(call=call, input_shapes=list(done.inputs),
                           output_shapes=list(done.outputs), recorded_output_shapes=recorded,
                           known=done.known, recovered=done.recovered)
        self.traces.append(trace)
        self.findings.extend(done.findings)
        if call.class_name == "InputLayer":  # the geometry of the tensor bound to it
            self.geometry[TensorRef(call.id)] = self.geometry_of(call.args[0]) if call.args else {}
        elif call.aliases is not None:  # a nested model: its inner outputs' geometry
            first = self.geometry_of(call.aliases[0]) if call.aliases else None
            self._set_geometry(call, trace, first)
            for i, ref in enumerate(call.aliases):
                self.geometry[TensorRef(call.id, i)] = self.geometry_of(ref)
        elif not done.known:
            if len(call.args) == 1 and trace.output_shapes == trace.input_shapes:
                self._set_geometry(call, trace, self.geometry_of(call.args[0]))  # same grid
        elif done.result is not None:  # (a call that failed has no geometry)
            self._apply_geometry(call, trace, done.result, done.inputs)

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
            trace.window = spatial
            trace.dropped_border = list(spatial.dropped) if spatial.dropped else None
        reads = result.reads or (spatial if isinstance(spatial, Window) else None)
        if reads is not None:
            geom = _through_window(in_geoms[0] if in_geoms else {}, reads,
                                   inputs[0] if inputs else None)
        elif spatial == "keep":
            geom = _merge_geometries(in_geoms)
        else:
            geom = None
        if (geom and not isinstance(spatial, Window) and _one_row_each(geom)
                and all(map(_in_input_coordinates, in_geoms))):
            geom = Moved(geom)  # a crop or padding of the input, or a merge of such
        self._set_geometry(call, trace, geom)

    def _set_geometry(self, call: Call, trace: LayerTrace, geom: Geometry) -> None:
        for i in range(len(trace.output_shapes)):
            self.geometry[TensorRef(call.id, i)] = geom
        if geom and not isinstance(geom, Moved):
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
