"""A small, safe expression language for rule conditions (``when:`` in rule packs).

Parsed with :mod:`ast`, checked against a whitelist of node types, and turned into
nested Python closures (one per node, built once when the pack loads): no
``eval``/``exec``/``compile``, no attribute access, no imports, no calls but a fixed
set of pure functions. Names resolve to fields of the layer view and to rule params.

Allowed: literals, lists/tuples, names, ``and``/``or``/``not``, comparisons (also
``in``, ``is None``), ``+ - * // % /``, unary minus, ``x if c else y``, constant
subscripts (``strides[0]``), generator expressions
(``any(s > k for s, k in zip(strides, kernel))``) and calls of :data:`FUNCTIONS`.
"""

from __future__ import annotations

import ast
import operator
from typing import Any


class ExpressionError(ValueError):
    """A condition that is not in the allowed subset (raised when the pack loads)."""


def _known(*values) -> bool:
    """True when no value (or no item of a list/tuple value) is None."""
    for v in values:
        if v is None or (isinstance(v, (list, tuple)) and any(x is None for x in v)):
            return False
    return True


FUNCTIONS = {
    "any": any, "all": all, "len": len, "min": min, "max": max, "abs": abs, "sum": sum,
    "zip": lambda *xs: list(zip(*xs)), "known": _known,
}

_BINOPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
           ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod, ast.Div: operator.truediv}
_CMPOPS = {ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
           ast.Gt: operator.gt, ast.GtE: operator.ge, ast.In: lambda a, b: a in b,
           ast.NotIn: lambda a, b: a not in b, ast.Is: operator.is_, ast.IsNot: operator.is_not}
MAX_LENGTH = 2000


class Expression:
    """A compiled condition: ``Expression(text).evaluate(names) -> value``."""

    def __init__(self, text: str, names: frozenset = frozenset(), unknown: bool = False):
        """``names``: the names it may use (empty: any); ``unknown``: arithmetic on ``None``
        (an unknown dim) gives ``None``, as do ``min``/``max``/``abs``/``sum`` of one and a
        subscript of ``None`` (a shape of unknown rank)."""
        if not isinstance(text, str) or not text.strip():
            raise ExpressionError("a condition must be a non-empty string")
        if len(text) > MAX_LENGTH:
            raise ExpressionError(f"condition longer than {MAX_LENGTH} characters")
        try:
            tree = ast.parse(text.strip(), mode="eval")
        except SyntaxError as e:
            raise ExpressionError(f"syntax error in condition {text!r}: {e.msg}") from None
        self.text = text
        self._check(tree.body, set(names), local=set())
        self._run = _build(tree.body, unknown)

    def _check(self, node, names: set, local: set) -> None:
        """Reject anything outside the subset; with ``names``, also unknown names."""
        if isinstance(node, ast.Constant):
            if not isinstance(node.value, (int, float, str, bool, type(None))):
                raise ExpressionError(f"constant {node.value!r} is not allowed")
        elif isinstance(node, ast.Name):
            if names and node.id not in names and node.id not in local and node.id not in FUNCTIONS:
                raise ExpressionError(f"unknown name {node.id!r} in condition {self.text!r}")
        elif isinstance(node, ast.BoolOp) or isinstance(node, (ast.List, ast.Tuple)):
            for child in (node.values if isinstance(node, ast.BoolOp) else node.elts):
                self._check(child, names, local)
        elif isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            self._check(node.left, names, local)
            self._check(node.right, names, local)
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.Not, ast.USub)):
            self._check(node.operand, names, local)
        elif isinstance(node, ast.Compare) and all(type(op) in _CMPOPS for op in node.ops):
            for child in [node.left, *node.comparators]:
                self._check(child, names, local)
        elif isinstance(node, ast.IfExp):
            for child in (node.test, node.body, node.orelse):
                self._check(child, names, local)
        elif isinstance(node, ast.Subscript):
            index = node.slice
            if not (isinstance(index, ast.Constant) and isinstance(index.value, (int, str))
                    and not isinstance(index.value, bool)) and not (
                    isinstance(index, ast.UnaryOp) and isinstance(index.op, ast.USub)
                    and isinstance(index.operand, ast.Constant)):
                raise ExpressionError("only constant integer or string subscripts are allowed")
            self._check(node.value, names, local)
        elif isinstance(node, ast.Call):
            if (not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS
                    or node.keywords):
                raise ExpressionError(f"only calls of {', '.join(sorted(FUNCTIONS))} are allowed")
            for child in node.args:
                self._check(child, names, local)
        elif isinstance(node, ast.GeneratorExp) and len(node.generators) == 1:
            gen = node.generators[0]
            if gen.is_async:
                raise ExpressionError("async comprehensions are not allowed")
            self._check(gen.iter, names, local)
            bound = local | set(_target_names(gen.target))
            for child in [node.elt, *gen.ifs]:
                self._check(child, names, bound)
        else:
            raise ExpressionError(f"{type(node).__name__} is not allowed in a condition "
                                  f"({self.text!r})")

    def evaluate(self, names: dict) -> Any:
        return self._run(names)


def _target_names(target) -> list:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, ast.Tuple) and all(isinstance(e, ast.Name) for e in target.elts):
        return [e.id for e in target.elts]
    raise ExpressionError("a comprehension target must be a name or a tuple of names")


def _build(node, unknown: bool = False):
    """The closure ``env -> value`` of a checked node (children built once, here)."""
    if isinstance(node, ast.Constant):
        value = node.value
        return lambda env: value
    if isinstance(node, ast.Name):
        return _name(node.id)
    if isinstance(node, ast.BoolOp):
        parts = [_build(child, unknown) for child in node.values]
        return _short_circuit(parts, isinstance(node.op, ast.And))
    if isinstance(node, (ast.List, ast.Tuple)):
        items = [_build(e, unknown) for e in node.elts]
        return lambda env: [item(env) for item in items]
    if isinstance(node, ast.BinOp):
        return _binary(_BINOPS[type(node.op)], isinstance(node.op, ast.Mult), unknown,
                       _build(node.left, unknown), _build(node.right, unknown))
    if isinstance(node, ast.UnaryOp):
        operand = _build(node.operand, unknown)
        if isinstance(node.op, ast.Not):
            return lambda env: not operand(env)
        if unknown:
            return lambda env: None if (value := operand(env)) is None else -value
        return lambda env: -operand(env)
    if isinstance(node, ast.Compare):
        return _compare(_build(node.left, unknown), [_CMPOPS[type(op)] for op in node.ops],
                        [_build(c, unknown) for c in node.comparators])
    if isinstance(node, ast.IfExp):
        test, body, orelse = (_build(n, unknown) for n in (node.test, node.body, node.orelse))
        return lambda env: body(env) if test(env) else orelse(env)
    if isinstance(node, ast.Subscript):
        value, index = _build(node.value, unknown), _build(node.slice, unknown)
        if unknown:  # a dim of a shape of unknown rank
            return lambda env: None if (whole := value(env)) is None else whole[index(env)]
        return lambda env: value(env)[index(env)]
    if isinstance(node, ast.Call):
        function, args = FUNCTIONS[node.func.id], [_build(a, unknown) for a in node.args]
        if unknown and node.func.id in _NUMERIC:
            return _numeric(function, args)
        return lambda env: function(*[arg(env) for arg in args])
    if isinstance(node, ast.GeneratorExp):
        return _generator(node, unknown)
    raise ExpressionError(f"{type(node).__name__} is not allowed")  # unreachable after _check


def _name(name: str):
    def lookup(env: dict) -> Any:
        if name in env:
            return env[name]
        if name in FUNCTIONS:
            return FUNCTIONS[name]
        raise ExpressionError(f"unknown name {name!r}")
    return lookup


def _short_circuit(parts: list, is_and: bool):
    """``and`` stops at the first falsy value, ``or`` at the first truthy one."""
    def run(env: dict) -> Any:
        value = is_and
        for part in parts:
            value = part(env)
            if bool(value) != is_and:
                return value
        return value
    return run


def _binary(op, numbers_only: bool, unknown: bool, left, right):
    def run(env: dict) -> Any:
        a, b = left(env), right(env)
        if unknown and (a is None or b is None):
            return None
        if numbers_only and not (_is_number(a) and _is_number(b)):
            raise ExpressionError("'*' takes numbers only")  # no 'x' * 10**9
        return op(a, b)
    return run


def _compare(left, ops: list, comparators: list):
    def run(env: dict) -> bool:
        a = left(env)
        for op, comparator in zip(ops, comparators):
            b = comparator(env)
            if not op(a, b):
                return False
            a = b
        return True
    return run


_NUMERIC = frozenset({"min", "max", "abs", "sum"})


def _numeric(function, args: list):
    """``min``/``max``/``abs``/``sum`` that give None when a number they read is None."""
    def run(env: dict) -> Any:
        values = [arg(env) for arg in args]
        flat = values[0] if len(values) == 1 and isinstance(values[0], (list, tuple)) else values
        return None if any(v is None for v in flat) else function(*values)
    return run


def _generator(node: ast.GeneratorExp, unknown: bool = False):
    """A generator expression, evaluated to a list: one scope (a copy of the names) per
    evaluation, its loop names rebound per item."""
    gen = node.generators[0]
    names = _target_names(gen.target)
    single = isinstance(gen.target, ast.Name)
    source, element = _build(gen.iter, unknown), _build(node.elt, unknown)
    conditions = [_build(c, unknown) for c in gen.ifs]

    def run(env: dict) -> list:
        scope = dict(env)
        out = []
        for item in source(env):
            if single:
                scope[names[0]] = item
            else:
                scope.update(zip(names, item))
            if all(condition(scope) for condition in conditions):
                out.append(element(scope))
        return out
    return run


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
