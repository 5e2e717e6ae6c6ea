"""A small, safe expression language for rule conditions (``when:`` in rule packs).

Parsed with :mod:`ast` and evaluated by walking a whitelist of node types: no
``eval``/``exec``, no attribute access, no imports, no calls but a fixed set of
pure functions. Names resolve to fields of the layer view and to rule params.

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

    def __init__(self, text: str, names: frozenset = frozenset()):
        if not isinstance(text, str) or not text.strip():
            raise ExpressionError("a condition must be a non-empty string")
        if len(text) > MAX_LENGTH:
            raise ExpressionError(f"condition longer than {MAX_LENGTH} characters")
        try:
            tree = ast.parse(text.strip(), mode="eval")
        except SyntaxError as e:
            raise ExpressionError(f"syntax error in condition {text!r}: {e.msg}") from None
        self.text = text
        self._tree = tree.body
        self._check(self._tree, set(names), local=set())

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
            if not (isinstance(index, ast.Constant) and isinstance(index.value, int)) and not (
                    isinstance(index, ast.UnaryOp) and isinstance(index.op, ast.USub)
                    and isinstance(index.operand, ast.Constant)):
                raise ExpressionError("only constant integer subscripts are allowed")
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
        return _eval(self._tree, names)


def _target_names(target) -> list:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, ast.Tuple) and all(isinstance(e, ast.Name) for e in target.elts):
        return [e.id for e in target.elts]
    raise ExpressionError("a comprehension target must be a name or a tuple of names")


def _eval(node, env: dict) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        if node.id in env:
            return env[node.id]
        if node.id in FUNCTIONS:
            return FUNCTIONS[node.id]
        raise ExpressionError(f"unknown name {node.id!r}")
    if isinstance(node, ast.BoolOp):
        if isinstance(node.op, ast.And):
            value = True
            for child in node.values:
                value = _eval(child, env)
                if not value:
                    return value
            return value
        value = False
        for child in node.values:
            value = _eval(child, env)
            if value:
                return value
        return value
    if isinstance(node, (ast.List, ast.Tuple)):
        return [_eval(e, env) for e in node.elts]
    if isinstance(node, ast.BinOp):
        left, right = _eval(node.left, env), _eval(node.right, env)
        if isinstance(node.op, ast.Mult) and not (_is_number(left) and _is_number(right)):
            raise ExpressionError("'*' takes numbers only")  # no 'x' * 10**9
        return _BINOPS[type(node.op)](left, right)
    if isinstance(node, ast.UnaryOp):
        value = _eval(node.operand, env)
        return (not value) if isinstance(node.op, ast.Not) else -value
    if isinstance(node, ast.Compare):
        left = _eval(node.left, env)
        for op, comparator in zip(node.ops, node.comparators):
            right = _eval(comparator, env)
            if not _CMPOPS[type(op)](left, right):
                return False
            left = right
        return True
    if isinstance(node, ast.IfExp):
        return _eval(node.body, env) if _eval(node.test, env) else _eval(node.orelse, env)
    if isinstance(node, ast.Subscript):
        return _eval(node.value, env)[_eval(node.slice, env)]
    if isinstance(node, ast.Call):
        return FUNCTIONS[node.func.id](*[_eval(a, env) for a in node.args])
    if isinstance(node, ast.GeneratorExp):
        return _generate(node, env)
    raise ExpressionError(f"{type(node).__name__} is not allowed")  # unreachable after _check


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _generate(node: ast.GeneratorExp, env: dict) -> list:
    gen = node.generators[0]
    names = _target_names(gen.target)
    out = []
    for item in _eval(gen.iter, env):
        scope = dict(env)
        if len(names) == 1 and isinstance(gen.target, ast.Name):
            scope[names[0]] = item
        else:
            scope.update(zip(names, item))
        if all(_eval(cond, scope) for cond in gen.ifs):
            out.append(_eval(node.elt, scope))
    return out
