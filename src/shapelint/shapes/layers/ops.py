"""TF ops and keras.ops applied to Keras tensors, read from the config as data.

Three serialized forms, one shape rule each, dispatching on the op's name:

- tf.keras 2 ``TFOpLambda`` / ``SlicingOpLambda``: the op in ``config.function``
  (``math.add``, ``reshape``, ``__operators__.getitem``); its first argument is the
  node (``Call.op_args[0]``), every other argument a node kwarg;
- tf.keras 2.0-2.3 ``TensorFlowOpLayer``: the TF graph op in ``config.node_def.op``
  (``AddV2``, ``ConcatV2``), its inputs in ``node_def.input``, the ones that are not
  tensors in ``config.constants`` by position, its attributes in ``node_def.attr``;
- Keras 3 op nodes (``module`` ``keras.src.ops.*``, registered as
  :data:`~shapelint.shapes.evaluate.OP_NODE`): the op's class, its constructor
  arguments in the config, its call arguments in ``op_args``.

Each form is read into one :class:`_Op` (a kind, its arguments), and one function per
kind computes the shape. Nothing is imported or called: an op not in the tables stays
unknown (:class:`UnknownOp`, SL109 naming the op). ``tf.shape(x)`` gives a
:class:`ValuedShape`, which carries the values it knows, so that a size computed from
it (``tf.image.resize(b, tf.shape(c)[1:3])``) is known.
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass, field
from typing import Any, Optional

from shapelint.loading.spec import TensorArg
from shapelint.shapes.layers._common import broadcast_shapes, format_shape
from shapelint.shapes.registry import (
    LayerCall, ShapeError, ShapeResult, UnknownOp, shape_rule,
)

OP_NODE = "keras.ops"  # as shapelint.shapes.evaluate.OP_NODE (which imports this package)


class ValuedShape(tuple):
    """The shape of a rank-1 integer tensor whose values are (partly) known: the output
    of ``tf.shape(x)`` and of slices of it. ``values`` holds an int or None per entry."""

    values: tuple

    def __new__(cls, shape, values):
        obj = super().__new__(cls, shape)
        obj.values = tuple(values)
        return obj

    def __eq__(self, other):
        # equal to the plain shape (TF's, the file's); two of them differ by their values,
        # so that the size sweep tells apart calls that get different sizes
        if isinstance(other, ValuedShape):
            return tuple.__eq__(self, other) and other.values == self.values
        return tuple.__eq__(self, other)

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash((tuple(self), self.values))


@dataclass
class _Tensor:
    shape: Any  # a shape tuple, or None when unknown

    @property
    def values(self) -> Optional[tuple]:
        return getattr(self.shape, "values", None)


@dataclass
class _Op:
    kind: str
    name: str  # as the file writes it, for messages
    args: list  # canonical positional arguments: _Tensor or literal values
    params: dict = field(default_factory=dict)


# -- op tables ------------------------------------------------------------------------
# tf.keras 2 TFOpLambda "function", after the prefixes in _TF_PREFIXES
_TF_UNARY = frozenset("""
relu relu6 elu selu gelu silu swish leaky_relu crelu sigmoid tanh softplus softsign exp expm1
log log1p log_sigmoid sqrt rsqrt square abs negative sign floor ceil round rint sin cos tan asin
acos atan sinh cosh asinh acosh atanh erf erfc reciprocal identity stop_gradient cast
saturate_cast clip_by_value clip_by_norm l2_normalize softmax log_softmax logical_not is_nan
is_inf is_finite zeros_like ones_like invert_permutation bias_add dropout hard_sigmoid real imag
conj angle lgamma digamma bitwise.invert reduce_logsumexp_keep cumsum cumprod
""".split()) - {"reduce_logsumexp_keep", "invert_permutation"}
_TF_BINARY = frozenset("""
add add_v2 subtract multiply divide truediv floordiv floormod mod pow maximum minimum
squared_difference equal not_equal less less_equal greater greater_equal logical_and
logical_or logical_xor divide_no_nan multiply_no_nan atan2 xdivy xlogy sub mul div ne eq
and or xor
""".split())
_TF_REDUCE = frozenset("""
reduce_mean reduce_sum reduce_max reduce_min reduce_prod reduce_all reduce_any
reduce_logsumexp reduce_std reduce_variance reduce_euclidean_norm count_nonzero
""".split())
_TF_KINDS = {"concat": "concat", "stack": "stack", "reshape": "reshape",
             "transpose": "transpose", "expand_dims": "expand_dims", "squeeze": "squeeze",
             "getitem": "getitem", "resize": "resize", "pad": "pad", "matmul": "matmul",
             "einsum": "einsum", "tile": "tile", "split": "split", "shape": "shape",
             "argmax": "argreduce", "argmin": "argreduce",
             "depth_to_space": "depth_to_space", "space_to_depth": "space_to_depth"}
_TF_PREFIXES = ("compat.v1.", "compat.v2.", "__operators__.", "math.", "nn.", "linalg.",
                "image.", "raw_ops.")

# tf.keras 2.0-2.3 TensorFlowOpLayer node_def "op"
_GRAPH_UNARY = frozenset("""
Relu Relu6 Elu Selu Sigmoid Tanh Exp Expm1 Log Log1p Sqrt Rsqrt Square Abs Neg Sign Floor Ceil
Round Rint Sin Cos Tan Softmax LogSoftmax Cast Identity Softplus Softsign LeakyRelu Reciprocal
Inv Erf Erfc ClipByValue StopGradient ZerosLike OnesLike LogicalNot IsNan IsInf IsFinite
BiasAdd Gelu Cumsum Cumprod
""".split())
_GRAPH_BINARY = frozenset("""
Add AddV2 Sub Mul RealDiv Div DivNoNan FloorDiv FloorMod Mod Maximum Minimum Pow
SquaredDifference Equal NotEqual Less LessEqual Greater GreaterEqual LogicalAnd LogicalOr
Atan2 MulNoNan Xdivy Xlogy
""".split())
_GRAPH_REDUCE = frozenset({"Mean", "Sum", "Max", "Min", "Prod", "All", "Any",
                           "EuclideanNorm"})
_GRAPH_RESIZE = frozenset({"ResizeBilinear", "ResizeNearestNeighbor", "ResizeBicubic",
                           "ResizeArea"})

# Keras 3 op node classes
_K3_UNARY = frozenset("""
Abs Absolute Exp Exp2 Expm1 Log Log1p Log2 Log10 Sqrt Rsqrt Square Negative Sign Floor Ceil
Round Trunc Sin Cos Tan Arcsin Arccos Arctan Arcsinh Arccosh Arctanh Sinh Cosh Tanh Clip
Reciprocal Cast Relu Relu6 Sigmoid Softplus Softsign Silu Swish Gelu Elu Selu Celu LeakyRelu
Softmax LogSoftmax LogSigmoid HardSigmoid HardSilu HardTanh Mish Normalize LogicalNot IsNan IsInf
IsFinite ZerosLike OnesLike StopGradient Erf Erfinv Conj Conjugate Real Imag Sparsemax
SoftShrink HardShrink TanhShrink SparsePlus Squareplus Threshold Cumsum Cumprod NanToNum Copy
Nonzero_ Sort
""".split()) - {"Nonzero_"}
_K3_BINARY = frozenset("""
Add Subtract Multiply Divide TrueDivide FloorDivide Power Maximum Minimum Equal NotEqual Less
LessEqual Greater GreaterEqual LogicalAnd LogicalOr LogicalXor Mod Arctan2 DivideNoNan Hypot
Heaviside Copysign Fmod BitwiseAnd BitwiseOr BitwiseXor
""".split())
_K3_REDUCE = frozenset({"Mean", "Sum", "Max", "Min", "Prod", "All", "Any", "Std", "Var",
                        "Amax", "Amin", "Logsumexp", "CountNonzero", "Median"})
_K3_KINDS = {"Concatenate": "concat", "Stack": "stack", "Reshape": "reshape",
             "Transpose": "transpose", "ExpandDims": "expand_dims", "Squeeze": "squeeze",
             "GetItem": "getitem", "Resize": "resize", "Pad": "pad", "Matmul": "matmul",
             "Einsum": "einsum", "Tile": "tile", "Split": "split", "Argmax": "argreduce",
             "Argmin": "argreduce"}


# -- reading the three forms ------------------------------------------------------------
def _resolve(value: Any, call: LayerCall) -> Any:
    """``value`` with every TensorArg (and tensor reference) made a _Tensor."""
    if isinstance(value, TensorArg):
        shapes = call.inputs
        return _Tensor(shapes[value.index] if value.index < len(shapes) else None)
    if isinstance(value, list):
        return [_resolve(v, call) for v in value]
    return value


def _tf_name(function: str) -> str:
    name = function
    changed = True
    while changed:
        changed = False
        for prefix in _TF_PREFIXES:
            if name.startswith(prefix):
                name, changed = name[len(prefix):], True
    return name


def _read_tfoplambda(call: LayerCall) -> _Op:
    function = call.config.get("function")
    if not isinstance(function, str):
        raise UnknownOp(repr(function)[:40], "names no function")
    name = _tf_name(function)
    args = [_resolve(a, call) for a in (call.op_args or [])]
    params = dict(call.kwargs)
    params.update({k: _Tensor(s) for k, s in call.kw_inputs.items()})
    first = args[0] if args else None
    if name in _TF_UNARY:
        return _Op("unary", function, [first], params)
    if name in _TF_BINARY:
        other = next((params[k] for k in ("y", "b", "bias") if k in params), None)
        if other is None:
            raise UnknownOp(function, "has no second operand in the file")
        return _Op("binary", function, [first, other], params)
    if name in _TF_REDUCE:
        params.setdefault("keepdims", params.pop("keep_dims", False))
        if "axis" not in params and "reduction_indices" in params:
            params["axis"] = params["reduction_indices"]
        return _Op("reduce", function, [first], params)
    if name in ("where", "where_v2", "select", "select_v2"):
        return _Op("where", function, [first, params.get("x"), params.get("y")], params)
    kind = _TF_KINDS.get(name)
    if kind is None:
        raise UnknownOp(function)
    if kind == "matmul":
        other = params.get("b")
        params["transpose_a"] = bool(params.get("transpose_a") or params.get("adjoint_a"))
        params["transpose_b"] = bool(params.get("transpose_b") or params.get("adjoint_b"))
        return _Op(kind, function, [first, other], params)
    if kind == "einsum":
        operands = [v for k, v in sorted(params.items()) if isinstance(v, _Tensor)]
        equation = first if isinstance(first, str) else params.get("equation")
        if not operands:
            raise UnknownOp(function, "has no operands in the file (tf.keras 2 does not "
                                      "save einsum's operands)")
        return _Op(kind, function, operands, {"equation": equation})
    if kind == "getitem":
        params["key"] = params.get("slice_spec")
    if kind == "squeeze" and "axis" not in params:
        params["axis"] = params.get("squeeze_dims")
    if kind == "split":
        params["sections"] = params.get("num_or_size_splits")
        params.setdefault("axis", 0)
    if kind == "stack":
        params.setdefault("axis", 0)
    if kind == "argreduce":
        params.setdefault("axis", params.get("dimension"))
        if params["axis"] is None:
            params["axis"] = 0
    if kind == "expand_dims" and "axis" not in params:
        params["axis"] = params.get("dim")
    if kind == "transpose":
        params["axes"] = params.get("perm")
    if kind == "reshape":
        params["shape"] = params.get("shape")
    if kind == "resize":
        params["size"] = params.get("size")
    if kind == "pad":
        params["pad"] = params.get("paddings")
    if kind == "tile":
        params["reps"] = params.get("multiples")
    if kind in ("depth_to_space", "space_to_depth"):
        if len(args) > 1:
            params.setdefault("block_size", args[1])
        params.setdefault("data_format", "NHWC")
    return _Op(kind, function, [first], params)


def _attr(attrs: dict, key: str, default: Any = None) -> Any:
    """A node_def attribute, as MessageToDict writes it."""
    value = attrs.get(key)
    if not isinstance(value, dict):
        return default
    if "b" in value:
        return bool(value["b"])
    if "i" in value:
        return int(value["i"])
    if "s" in value:
        try:
            return base64.b64decode(value["s"]).decode()
        except (ValueError, UnicodeDecodeError):
            return value["s"]
    if "list" in value and isinstance(value["list"], dict):
        return [int(i) for i in value["list"].get("i", [])]
    return default


def _read_graph_op(call: LayerCall) -> _Op:
    node = call.config.get("node_def")
    if not isinstance(node, dict) or not isinstance(node.get("op"), str):
        raise UnknownOp("?", "has no node_def")
    op = node["op"]
    attrs = node.get("attr") if isinstance(node.get("attr"), dict) else {}
    constants = call.config.get("constants") or {}
    names = node.get("input") if isinstance(node.get("input"), list) else []
    names = [n for n in names if not (isinstance(n, str) and n.startswith("^"))]
    tensors = iter(call.inputs)
    args: list = []
    for i in range(len(names)):
        key = str(i)
        if isinstance(constants, dict) and (key in constants or i in constants):
            args.append(constants.get(key, constants.get(i)))
        else:
            args.append(_Tensor(next(tensors, None)))
    if op in _GRAPH_UNARY:
        return _Op("unary", op, args[:1])
    if op in _GRAPH_BINARY:
        return _Op("binary", op, args[:2])
    if op in _GRAPH_REDUCE:
        return _Op("reduce", op, args[:1], {"axis": _at(args, 1),
                                             "keepdims": _attr(attrs, "keep_dims", False)})
    if op == "ConcatV2":
        return _Op("concat", op, [args[:-1]], {"axis": _at(args, len(args) - 1)})
    if op == "Pack":
        return _Op("stack", op, [args], {"axis": _attr(attrs, "axis", 0)})
    if op == "Reshape":
        return _Op("reshape", op, args[:1], {"shape": _at(args, 1)})
    if op == "Transpose":
        return _Op("transpose", op, args[:1], {"axes": _at(args, 1)})
    if op == "ExpandDims":
        return _Op("expand_dims", op, args[:1], {"axis": _at(args, 1)})
    if op == "Squeeze":
        return _Op("squeeze", op, args[:1], {"axis": _attr(attrs, "squeeze_dims") or None})
    if op in ("ArgMax", "ArgMin"):
        return _Op("argreduce", op, args[:1], {"axis": _at(args, 1)})
    if op in ("Pad", "PadV2", "MirrorPad"):
        return _Op("pad", op, args[:1], {"pad": _at(args, 1)})
    if op in _GRAPH_RESIZE:
        return _Op("resize", op, args[:1], {"size": _at(args, 1)})
    if op == "Tile":
        return _Op("tile", op, args[:1], {"reps": _at(args, 1)})
    if op == "MatMul":
        return _Op("matmul", op, args[:2], {"transpose_a": _attr(attrs, "transpose_a", False),
                                            "transpose_b": _attr(attrs, "transpose_b", False),
                                            "rank2": True})
    if op in ("BatchMatMul", "BatchMatMulV2", "BatchMatMulV3"):
        return _Op("matmul", op, args[:2], {"transpose_a": _attr(attrs, "adj_x", False),
                                            "transpose_b": _attr(attrs, "adj_y", False)})
    if op == "Einsum":
        return _Op("einsum", op, args, {"equation": _attr(attrs, "equation")})
    if op == "Split":
        return _Op("split", op, args[1:2], {"axis": _at(args, 0),
                                            "sections": _attr(attrs, "num_split")})
    if op == "SplitV":
        return _Op("split", op, args[:1], {"sections": _at(args, 1), "axis": _at(args, 2)})
    if op == "Shape":
        return _Op("shape", op, args[:1])
    if op in ("SelectV2", "Select"):
        return _Op("where", op, args[:3])
    if op == "StridedSlice":
        return _Op("getitem", op, args[:1], {"key": _strided_key(args, attrs)})
    if op in ("DepthToSpace", "SpaceToDepth"):
        kind = "depth_to_space" if op == "DepthToSpace" else "space_to_depth"
        return _Op(kind, op, args[:1], {"block_size": _attr(attrs, "block_size"),
                                        "data_format": _attr(attrs, "data_format", "NHWC")})
    raise UnknownOp(op)


def _at(args: list, i: int) -> Any:
    return args[i] if 0 <= i < len(args) else None


def _strided_key(args: list, attrs: dict) -> list:
    """A StridedSlice's begin/end/strides and masks as the ``x[...]`` key they came from."""
    begin, end, strides = _at(args, 1), _at(args, 2), _at(args, 3)
    if not all(isinstance(v, list) for v in (begin, end, strides)):
        raise UnknownOp("StridedSlice", "has begin, end or strides not given as constants")
    masks = {m: _attr(attrs, m, 0) for m in ("begin_mask", "end_mask", "ellipsis_mask",
                                              "new_axis_mask", "shrink_axis_mask")}
    key = []
    for i, (b, e, s) in enumerate(zip(begin, end, strides)):
        bit = 1 << i
        if masks["ellipsis_mask"] & bit:
            key.append(Ellipsis)
        elif masks["new_axis_mask"] & bit:
            key.append(None)
        elif masks["shrink_axis_mask"] & bit:
            key.append(b)
        else:
            key.append(slice(None if masks["begin_mask"] & bit else b,
                             None if masks["end_mask"] & bit else e, s))
    return key


def _read_keras3(call: LayerCall) -> _Op:
    cls = call.class_name
    config = dict(call.config)
    args = [_resolve(a, call) for a in (call.op_args or [])]
    for k, s in call.kw_inputs.items():
        config[k] = _Tensor(s)
    if cls in _K3_UNARY:
        return _Op("unary", cls, args[:1], config)
    if cls in _K3_BINARY:
        return _Op("binary", cls, args[:2], config)
    if cls in _K3_REDUCE:
        return _Op("reduce", cls, args[:1], config)
    if cls == "Where":
        return _Op("where", cls, args[:3], config)
    kind = _K3_KINDS.get(cls)
    if kind is None:
        raise UnknownOp(cls)
    if kind == "reshape":
        config["shape"] = config.get("newshape")
    elif kind == "split":
        config["sections"] = config.get("indices_or_sections")
        config["indices"] = True
    elif kind == "getitem":
        config["key"] = args[1] if len(args) > 1 else None
        args = args[:1]
    elif kind == "pad":
        config["pad"] = config.get("pad_width")
    elif kind == "tile":
        config["reps"] = config.get("repeats")
    elif kind == "einsum":
        config["equation"] = config.get("subscripts")
    elif kind == "matmul":
        config["numpy"] = True
    elif kind == "resize":
        config["channels_first"] = config.get("data_format") == "channels_first"
    elif kind == "stack":
        config.setdefault("axis", 0)
    return _Op(kind, cls, args, config)


# -- the shape of each kind ---------------------------------------------------------------
def _shape(value: Any, op: _Op) -> Any:
    """The shape of an argument: a tensor's, or a literal's (a number is a scalar)."""
    if isinstance(value, _Tensor):
        return value.shape
    if isinstance(value, bool) or isinstance(value, (int, float)):
        return ()
    if isinstance(value, list):
        inner = {_shape(v, op) for v in value} if value else {()}
        if len(inner) != 1 or None in inner:
            raise UnknownOp(op.name, "has a constant argument it cannot read")
        return (len(value), *next(iter(inner)))
    if isinstance(value, dict) and value.get("class_name") == "__numpy__":
        inner = value.get("config", {}).get("value")
        return _shape(inner, op)
    raise UnknownOp(op.name, "has an argument it cannot read")


def _tensor_shape(value: Any, op: _Op) -> Any:
    if not isinstance(value, _Tensor):
        raise UnknownOp(op.name, "has no tensor argument in the file")
    return value.shape


def _first_shape(op: _Op) -> Any:
    """The shape of the op's first argument, which must be a tensor."""
    return _tensor_shape(op.args[0] if op.args else None, op)


def _axis(axis: Any, rank: int, op: _Op, extra: int = 0) -> int:
    """``axis`` of a ``rank``-dim tensor (``extra`` more allowed: expand_dims, stack)."""
    if isinstance(axis, bool) or not isinstance(axis, int):
        raise UnknownOp(op.name, f"has an axis it cannot read ({axis!r:.30})")
    n = rank + extra
    if not -n <= axis < n:
        raise ShapeError("SL003", f"{op.name}: axis {axis} is out of range for a rank-{rank} "
                                  "input", f"use an axis in [{-n}, {n - 1}]")
    return axis % n


def _ints(value: Any) -> Optional[list]:
    """A literal list of ints (or None where a shape tensor does not know a value);
    None when it is not given as data."""
    if isinstance(value, dict) and value.get("class_name") == "__tuple__":
        value = value.get("config", {}).get("value")
    if isinstance(value, _Tensor):
        return list(value.values) if value.values is not None else None
    if isinstance(value, (list, tuple)) and all(
            v is None or (isinstance(v, int) and not isinstance(v, bool)) for v in value):
        return list(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return [value]
    return None


def _unary(op: _Op) -> tuple:
    return (_first_shape(op),)


def _binary(op: _Op) -> tuple:
    if len(op.args) < 2:
        raise UnknownOp(op.name, "has fewer than two operands in the file")
    a, b = (_shape(v, op) for v in op.args[:2])
    if a is None or b is None:
        return (None,)
    out = broadcast_shapes(tuple(a), tuple(b))
    if out is None:
        raise ShapeError("SL002", f"{op.name}: {format_shape(a)} and {format_shape(b)} cannot "
                                  "be broadcast together",
                         "make the operands the same size, or 1 where one should be repeated")
    return (out,)


def _where(op: _Op) -> tuple:
    """``where(condition, x, y)``: the three broadcast together (x, y absent: indices)."""
    if len(op.args) < 3 or op.args[1] is None or op.args[2] is None:
        raise UnknownOp(op.name, "without x and y gives the indices, of data-dependent shape")
    shapes = [_shape(v, op) for v in op.args[:3]]
    if any(s is None for s in shapes):
        return (None,)
    out = broadcast_shapes(tuple(shapes[0]), tuple(shapes[1]))
    out = None if out is None else broadcast_shapes(out, tuple(shapes[2]))
    if out is None:
        raise ShapeError("SL002", f"{op.name}: {', '.join(format_shape(s) for s in shapes)} "
                                  "cannot be broadcast together",
                         "make the condition and both branches the same size, or 1 where "
                         "one should be repeated")
    return (out,)


def _concat(op: _Op, stack: bool = False) -> tuple:
    values = op.args[0] if op.args else None
    if isinstance(values, _Tensor):
        values = [values]
    if not isinstance(values, list) or not values:
        raise UnknownOp(op.name, "has no list of tensors in the file")
    shapes = [_shape(v, op) for v in values]
    if any(s is None for s in shapes):
        return (None,)
    ranks = {len(s) for s in shapes}
    if len(ranks) != 1:
        raise ShapeError("SL002", f"{op.name}: inputs of different ranks: "
                         + ", ".join(format_shape(s) for s in shapes),
                         "give every input the same rank")
    rank = ranks.pop()
    axis = _axis(op.params.get("axis", 0 if stack else None), rank, op, 1 if stack else 0)
    out = []
    for i in range(rank):
        dims = [s[i] for s in shapes]
        known = {d for d in dims if d is not None}
        if not stack and i == axis:
            out.append(None if None in dims else sum(dims))
            continue
        if len(known) > 1:
            raise ShapeError("SL002", f"{op.name}: inputs differ on axis {i} "
                             f"({', '.join(format_shape(s) for s in shapes)})",
                             "make the inputs the same size on every axis but the joined one")
        out.append(known.pop() if known else None)
    if stack:
        out.insert(axis, len(shapes))
    return (tuple(out),)


def _reshape(op: _Op) -> tuple:
    shape = _first_shape(op)
    target = _ints(op.params.get("shape"))
    if target is None:
        raise UnknownOp(op.name, "has a target shape that is not given as data")
    if sum(1 for d in target if d == -1) > 1:
        raise ShapeError("SL003", f"{op.name}: target {target} has more than one -1",
                         "give at most one -1")
    if any(d is not None and d < -1 for d in target):
        raise ShapeError("SL003", f"{op.name}: target {target} has a negative size",
                         "use sizes ≥ 0 and at most one -1")
    if shape is None or None in target:
        return (tuple(None if d is None or d == -1 else d for d in target),)
    known_out = math.prod(d for d in target if d != -1)
    if None not in shape:
        total = math.prod(shape)
        if -1 in target:
            if known_out == 0 or total % known_out:
                raise _size_error(op, shape, target)
            return (tuple(total // known_out if d == -1 else d for d in target),)
        if total != known_out:
            raise _size_error(op, shape, target)
        return (tuple(target),)
    known_in = math.prod(d for d in shape if d is not None)
    if -1 not in target and known_in and known_out % known_in:
        raise _size_error(op, shape, target)
    return (tuple(None if d == -1 else d for d in target),)


def _size_error(op: _Op, shape, target) -> ShapeError:
    return ShapeError("SL003", f"{op.name}: cannot reshape {format_shape(shape)} "
                      f"({_count(shape)} values) to {list(target)}",
                      "make the target hold as many values as the input")


def _count(shape) -> str:
    return str(math.prod(shape)) if None not in shape else "unknown"


def _transpose(op: _Op) -> tuple:
    shape = _first_shape(op)
    axes = op.params.get("axes")
    if shape is None:
        return (None,)
    if axes is None:
        return (tuple(reversed(shape)),)
    perm = _ints(axes)
    if perm is None or None in perm:
        raise UnknownOp(op.name, "has a permutation that is not given as data")
    if sorted(p % len(shape) if -len(shape) <= p < len(shape) else p
              for p in perm) != list(range(len(shape))):
        raise ShapeError("SL003", f"{op.name}: {perm} is not a permutation of the "
                                  f"{len(shape)} axes of {format_shape(shape)}",
                         "list every axis once")
    return (tuple(shape[p] for p in perm),)


def _expand_dims(op: _Op) -> tuple:
    shape = _first_shape(op)
    if shape is None:
        return (None,)
    axes = op.params.get("axis")
    axes = [axes] if not isinstance(axes, (list, tuple)) else list(axes)
    out = list(shape)
    rank = len(shape) + len(axes)
    for a in sorted(_axis(a, len(shape), op, len(axes)) for a in axes):
        out.insert(a, 1)
    return (tuple(out) if len(out) == rank else None,)


def _squeeze(op: _Op) -> tuple:
    shape = _first_shape(op)
    if shape is None:
        return (None,)
    axis = op.params.get("axis")
    if axis is None or axis == []:
        if None in shape:
            return (None,)
        return (tuple(d for d in shape if d != 1),)
    axes = {_axis(a, len(shape), op) for a in (axis if isinstance(axis, list) else [axis])}
    for a in axes:
        if shape[a] is not None and shape[a] != 1:
            raise ShapeError("SL003", f"{op.name}: cannot squeeze axis {a} of "
                                      f"{format_shape(shape)}: its size is {shape[a]}, not 1",
                             "squeeze only axes of size 1")
    return (tuple(d for i, d in enumerate(shape) if i not in axes),)


def _reduce(op: _Op, arg: bool = False) -> tuple:
    shape = _first_shape(op)
    if shape is None:
        return (None,)
    axis = op.params.get("axis")
    keep = bool(op.params.get("keepdims", False))
    if isinstance(axis, dict) and axis.get("class_name") == "__tuple__":
        axis = axis.get("config", {}).get("value")
    if axis is None:
        axes = set(range(len(shape)))
    elif isinstance(axis, (list, tuple)):
        axes = {_axis(a, len(shape), op) for a in axis}
    else:
        axes = {_axis(axis, len(shape), op)}
    return (tuple(1 if i in axes else d for i, d in enumerate(shape) if keep or i not in axes),)


def _slice_item(item: Any) -> Any:
    """One item of a ``x[...]`` key as Python: a slice, Ellipsis, None (newaxis), an int."""
    if isinstance(item, dict):
        if item.get("class_name") == "__ellipsis__":
            return Ellipsis
        config = item.get("config") if item.get("class_name") == "__slice__" else item
        if isinstance(config, dict) and set(config) <= {"start", "stop", "step"}:
            parts = [config.get(k) for k in ("start", "stop", "step")]
            if all(p is None or (isinstance(p, int) and not isinstance(p, bool)) for p in parts):
                return slice(*parts)
    if item is None or item is Ellipsis or isinstance(item, slice) or item == "...":
        return Ellipsis if item == "..." else item
    if isinstance(item, int) and not isinstance(item, bool):
        return item
    raise ValueError(item)


def _getitem(op: _Op) -> tuple:
    shape = _first_shape(op)
    key = op.params.get("key")
    if isinstance(key, dict) and key.get("class_name") == "__tuple__":
        key = key.get("config", {}).get("value")
    items = key if isinstance(key, list) else [key]
    try:
        items = [_slice_item(i) for i in items]
    except ValueError:
        raise UnknownOp(op.name, "has a slice that is not given as data") from None
    if shape is None:
        return (None,)
    values = getattr(shape, "values", None)
    if sum(1 for i in items if i is Ellipsis) > 1:
        raise ShapeError("SL003", f"{op.name}: more than one ellipsis", "use one '...'")
    used = sum(1 for i in items if i is not None and i is not Ellipsis)
    if used > len(shape):
        raise ShapeError("SL003", f"{op.name}: {used} indices for {format_shape(shape)} "
                                  f"({len(shape)} axes)", "index at most every axis once")
    if Ellipsis in items:
        at = items.index(Ellipsis)
        items = items[:at] + [slice(None)] * (len(shape) - used) + items[at + 1:]
    else:
        items = items + [slice(None)] * (len(shape) - used)
    out, axis, picked = [], 0, []
    for item in items:
        if item is None:
            out.append(1)
            continue
        n = shape[axis]
        if isinstance(item, slice):
            if item.step == 0:
                raise ShapeError("SL003", f"{op.name}: a slice step of 0", "use a step ≠ 0")
            if n is None:
                out.append(None)
            else:
                rng = range(*item.indices(n))
                out.append(len(rng))
                if axis == 0 and values is not None:
                    picked = [values[i] for i in rng]
        else:
            if n is not None and not -n <= item < n:
                raise ShapeError("SL003", f"{op.name}: index {item} is out of range for axis "
                                          f"{axis} of {format_shape(shape)} (size {n})",
                                 f"use an index in [{-n}, {n - 1}]")
            if axis == 0 and values is not None and n is not None:
                picked = [values[item]]
        axis += 1
    if values is not None and len(shape) == 1 and isinstance(items[0], slice) and len(out) == 1:
        return (ValuedShape(tuple(out), picked),)
    return (tuple(out),)


def _resize(op: _Op) -> tuple:
    shape = _first_shape(op)
    size = _ints(op.params.get("size"))
    if size is not None and len(size) != 2:
        raise ShapeError("SL003", f"{op.name}: size {size} must hold 2 values (height, width)",
                         "give size=(height, width)")
    if size is None:
        size = [None, None]
    if shape is None:
        return (None,)
    if len(shape) not in (3, 4):
        raise ShapeError("SL003", f"{op.name}: images must be 3D or 4D, got "
                                  f"{format_shape(shape)}", "feed (batch, height, width, channels)")
    first = 1 if op.params.get("channels_first") else 0
    lead = len(shape) - 3
    out = list(shape)
    out[lead + first], out[lead + first + 1] = size
    return (tuple(out),)


def _pad(op: _Op) -> tuple:
    shape = _first_shape(op)
    pad = op.params.get("pad")
    if isinstance(pad, dict) and pad.get("class_name") == "__tuple__":
        pad = pad.get("config", {}).get("value")
    if shape is None:
        return (None,)
    if isinstance(pad, int) and not isinstance(pad, bool):
        pad = [[pad, pad]] * len(shape)
    if not isinstance(pad, list) or not all(
            isinstance(p, list) and len(p) == 2 and all(isinstance(v, int) for v in p)
            for p in pad):
        if isinstance(pad, list) and len(pad) == len(shape):
            return (tuple(None for _ in shape),)
        raise UnknownOp(op.name, "has paddings that are not given as data")
    if len(pad) == 1 and len(shape) > 1:
        pad = pad * len(shape)
    if len(pad) != len(shape):
        raise ShapeError("SL003", f"{op.name}: {len(pad)} padding pairs for "
                                  f"{format_shape(shape)} ({len(shape)} axes)",
                         "give one (before, after) pair per axis")
    return (tuple(None if d is None else d + a + b for d, (a, b) in zip(shape, pad)),)


def _matmul(op: _Op) -> tuple:
    if len(op.args) < 2:
        raise UnknownOp(op.name, "has fewer than two operands in the file")
    a, b = (_tensor_shape(v, op) for v in op.args[:2])
    if a is None or b is None:
        return (None,)
    a, b = list(a), list(b)
    numpy = op.params.get("numpy")
    squeeze_a = squeeze_b = False
    if numpy and len(a) == 1:
        a, squeeze_a = [1, a[0]], True
    if numpy and len(b) == 1:
        b, squeeze_b = [b[0], 1], True
    if len(a) < 2 or len(b) < 2:
        raise ShapeError("SL003", f"{op.name}: operands {format_shape(a)} and "
                                  f"{format_shape(b)} must have rank ≥ 2",
                         "feed matrices (rank ≥ 2)")
    if op.params.get("transpose_a"):
        a[-2], a[-1] = a[-1], a[-2]
    if op.params.get("transpose_b"):
        b[-2], b[-1] = b[-1], b[-2]
    if a[-1] is not None and b[-2] is not None and a[-1] != b[-2]:
        raise ShapeError("SL002", f"{op.name}: {format_shape(a)} @ {format_shape(b)}: inner "
                                  f"sizes differ ({a[-1]} vs {b[-2]})",
                         "make the last axis of the first operand as long as the "
                         "second-to-last of the second (or set transpose_a/transpose_b)")
    if op.params.get("rank2") and (len(a) != 2 or len(b) != 2):
        raise ShapeError("SL003", f"{op.name}: MatMul takes rank-2 operands",
                         "use BatchMatMul for batches")
    lead = broadcast_shapes(tuple(a[:-2]), tuple(b[:-2]))
    if lead is None:
        raise ShapeError("SL002", f"{op.name}: batch axes of {format_shape(a)} and "
                                  f"{format_shape(b)} cannot be broadcast together",
                         "make the leading axes agree")
    out = [*lead, a[-2], b[-1]]
    if squeeze_b:
        out.pop(-1)
    if squeeze_a:
        out.pop(-2 if not squeeze_b else -1)
    return (tuple(out),)


def _einsum(op: _Op) -> tuple:
    equation = op.params.get("equation")
    if not isinstance(equation, str) or not op.args:
        raise UnknownOp(op.name, "has no equation or operands in the file")
    equation = equation.replace(" ", "")
    lhs, arrow, rhs = equation.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(op.args):
        raise UnknownOp(op.name, f"has {len(op.args)} operands for {len(terms)} terms")
    shapes = [_tensor_shape(v, op) for v in op.args]
    if any(s is None for s in shapes):
        return (None,)
    sizes: dict = {}
    ellipsis: tuple = ()
    for term, shape in zip(terms, shapes):
        letters = term.replace("...", ".")
        if letters.count(".") > 1 or (len(letters) > len(shape)) or (
                "." not in letters and len(letters) != len(shape)):
            raise ShapeError("SL003", f"{op.name}: term {term!r} does not fit "
                                      f"{format_shape(shape)}", "write one letter per axis")
        if "." in letters:
            at = letters.index(".")
            rest = len(shape) - (len(letters) - 1)
            part = tuple(shape[at:at + rest])
            merged = broadcast_shapes(ellipsis, part)
            if merged is None:
                raise ShapeError("SL002", f"{op.name}: the '...' axes do not broadcast",
                                 "make the '...' axes agree")
            ellipsis = merged
            dims = list(shape[:at]) + [None] + list(shape[at + rest:])
        else:
            dims = list(shape)
        for letter, d in zip(letters, dims):
            if letter == ".":
                continue
            old = sizes.get(letter)
            if old is not None and d is not None and old != d and 1 not in (old, d):
                raise ShapeError("SL002", f"{op.name}: index {letter!r} is {old} in one "
                                          f"operand and {d} in another",
                                 "make the axes that share a letter the same size")
            sizes[letter] = d if old is None or old == 1 else old
    if not arrow:
        counts = {c: lhs.count(c) for c in set(lhs) if c.isalpha()}
        rhs = ("..." if "..." in lhs else "") + "".join(
            sorted(c for c, n in counts.items() if n == 1))
    out: list = []
    for c in rhs.replace("...", "."):
        if c == ".":
            out.extend(ellipsis)
        elif c in sizes:
            out.append(sizes[c])
        else:
            raise ShapeError("SL003", f"{op.name}: output index {c!r} is in no input",
                             "use only the inputs' letters in the output")
    return (tuple(out),)


def _tile(op: _Op) -> tuple:
    shape = _first_shape(op)
    reps = _ints(op.params.get("reps"))
    if reps is None:
        raise UnknownOp(op.name, "has multiples that are not given as data")
    if shape is None:
        return (None,)
    if len(reps) < len(shape) and op.kind == "tile" and op.params.get("repeats") is not None:
        reps = [1] * (len(shape) - len(reps)) + reps  # numpy.tile
    if len(reps) > len(shape) and op.params.get("repeats") is not None:
        shape = (1,) * (len(reps) - len(shape)) + tuple(shape)
    if len(reps) != len(shape):
        raise ShapeError("SL003", f"{op.name}: {len(reps)} multiples for "
                                  f"{format_shape(shape)} ({len(shape)} axes)",
                         "give one multiple per axis")
    return (tuple(None if d is None or r is None else d * r for d, r in zip(shape, reps)),)


def _split(op: _Op) -> tuple:
    shape = _first_shape(op)
    sections = op.params.get("sections")
    if shape is None:
        raise UnknownOp(op.name, "splits a tensor of unknown rank (how many outputs is unknown)")
    axis = _axis(op.params.get("axis", 0), len(shape), op)
    n = shape[axis]
    if isinstance(sections, int) and not isinstance(sections, bool):
        if sections <= 0:
            raise ShapeError("SL003", f"{op.name}: {sections} parts", "split into ≥ 1 parts")
        if n is not None and n % sections:
            raise ShapeError("SL003", f"{op.name}: axis {axis} of {format_shape(shape)} "
                                      f"(size {n}) does not split into {sections} equal parts",
                             "split into a divisor of the axis's size, or give the sizes")
        sizes = [None if n is None else n // sections] * sections
    else:
        given = _ints(sections)
        if given is None or None in given:
            raise UnknownOp(op.name, "has sizes that are not given as data")
        if op.params.get("indices"):  # keras.ops.split: the indices to split at
            bounds = [0, *given, n]
            if n is None:
                sizes = [None if b is None or a is None else b - a
                         for a, b in zip(bounds, bounds[1:])]
            else:
                sizes = [max(0, min(b, n) - min(a, n)) for a, b in zip(bounds, bounds[1:])]
        else:
            sizes = list(given)
            if sizes.count(-1) == 1:
                rest = sum(s for s in sizes if s != -1)
                sizes = [None if n is None else n - rest if s == -1 else s for s in sizes]
            if n is not None and None not in sizes and sum(sizes) != n:
                raise ShapeError("SL003", f"{op.name}: sizes {given} do not add up to "
                                          f"{n} (axis {axis} of {format_shape(shape)})",
                                 "make the sizes add up to the axis's size")
    return tuple(tuple(s if i == axis else d for i, d in enumerate(shape)) for s in sizes)


def _depth_space(op: _Op, to_space: bool) -> tuple:
    """``tf.nn.depth_to_space`` (channels of b*b pixels to a b x b block of pixels) and
    ``space_to_depth`` (the reverse) of a 4-D tensor, NHWC or NCHW."""
    shape = _first_shape(op)
    b = op.params.get("block_size")
    if isinstance(b, bool) or not isinstance(b, int):
        raise UnknownOp(op.name, "has a block size that is not given as data")
    if b < 2:
        raise ShapeError("SL003", f"{op.name}: block size {b}", "use a block size ≥ 2")
    fmt = op.params.get("data_format") or "NHWC"
    if fmt not in ("NHWC", "NCHW"):
        raise UnknownOp(op.name, f"has data format {fmt!r}")
    if shape is None:
        return (None,)
    if len(shape) != 4:
        raise ShapeError("SL003", f"{op.name}: needs a 4-D tensor, got {format_shape(shape)}",
                         "give it a (batch, height, width, channels) tensor")
    c, hw = (1, (2, 3)) if fmt == "NCHW" else (3, (1, 2))
    out = list(shape)
    if to_space:
        if shape[c] is not None and shape[c] % (b * b):
            raise ShapeError("SL003", f"{op.name}: {shape[c]} channels of "
                                      f"{format_shape(shape)} do not fill {b}x{b} blocks "
                                      f"({b * b} channels each)",
                             f"make the channels a multiple of {b * b}")
        out[c] = None if shape[c] is None else shape[c] // (b * b)
        for i in hw:
            out[i] = None if shape[i] is None else shape[i] * b
    else:
        for i in hw:
            if shape[i] is not None and shape[i] % b:
                raise ShapeError("SL003", f"{op.name}: axis {i} of {format_shape(shape)} "
                                          f"(size {shape[i]}) is not a multiple of the "
                                          f"block size {b}",
                                 f"make height and width multiples of {b}")
            out[i] = None if shape[i] is None else shape[i] // b
        out[c] = None if shape[c] is None else shape[c] * b * b
    return (tuple(out),)


def _shape_of(op: _Op) -> tuple:
    shape = _first_shape(op)
    if shape is None:
        return ((None,),)
    return (ValuedShape((len(shape),), shape),)


_KINDS = {
    "unary": _unary, "binary": _binary, "concat": _concat,
    "stack": lambda op: _concat(op, stack=True), "reshape": _reshape,
    "transpose": _transpose, "expand_dims": _expand_dims, "squeeze": _squeeze,
    "reduce": _reduce, "argreduce": _reduce, "getitem": _getitem, "resize": _resize,
    "pad": _pad, "matmul": _matmul, "einsum": _einsum, "tile": _tile, "split": _split,
    "shape": _shape_of, "where": _where,
    "depth_to_space": lambda op: _depth_space(op, to_space=True),
    "space_to_depth": lambda op: _depth_space(op, to_space=False),
}
_SPATIAL = {"unary": "keep", "binary": "keep", "where": "keep", "resize": "drop", "reshape": "drop",
            "transpose": "drop", "matmul": "drop", "einsum": "drop", "reduce": "drop",
            "depth_to_space": "drop", "space_to_depth": "drop"}


def _result(op: _Op) -> ShapeResult:
    try:
        outputs = _KINDS[op.kind](op)
    except (TypeError, ValueError, KeyError, IndexError, AttributeError, ZeroDivisionError):
        # arguments of a form not foreseen: the op is not read (SL109), never an error
        raise UnknownOp(op.name, "has arguments shapelint cannot read") from None
    return ShapeResult(tuple(outputs), spatial=_SPATIAL.get(op.kind))


def _read(reader, call: LayerCall) -> _Op:
    try:
        return reader(call)
    except (TypeError, ValueError, KeyError, IndexError, AttributeError):
        raise UnknownOp(str(call.config.get("function") or call.class_name)[:60],
                        "has a config shapelint cannot read") from None


@shape_rule("TFOpLambda", "SlicingOpLambda")
def tf_op_lambda(call: LayerCall) -> ShapeResult:
    return _result(_read(_read_tfoplambda, call))


@shape_rule("TensorFlowOpLayer")
def tensorflow_op_layer(call: LayerCall) -> ShapeResult:
    return _result(_read(_read_graph_op, call))


@shape_rule(OP_NODE)
def keras_op(call: LayerCall) -> ShapeResult:
    return _result(_read(_read_keras3, call))
