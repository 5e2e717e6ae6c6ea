"""Custom layers whose shapes a project declares (``layers:`` in its configuration), and
shape functions installed packages ship for their own layers (the ``shapelint.layers``
entry point group).

A declaration is one of three forms, read as data (nothing is ever executed):

    layers:
      MyScale: same                  # the output shape is the first input's shape
      MyPool: {like: MaxPooling2D}   # a built-in's shape rule, on this layer's own config
      MyProj:                        # one shape expression per output dim
        output: [batch, "input_shape[1] // config['pool']", 64]
      MySplit:                       # a list per output
        outputs: [input_shape, "input_shapes[1]"]

An ``output`` is a list of dims (each an int, ``null`` or an expression) or one expression
that gives the whole shape. Expressions use the rule packs' safe language
(:mod:`shapelint.rules.expr`) with the names :data:`NAMES`; arithmetic on an unknown dim
gives an unknown dim.

:class:`DeclaredLayers` is the table of one configuration; it travels with the RuleSet
of the linted file to :func:`~shapelint.shapes.evaluate.evaluate_call`, so files with
different configurations never see each other's declarations.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Optional

from shapelint.shapes.registry import LayerCall, ShapeError, ShapeFn, ShapeResult

NAMES = frozenset({"input_shape", "input_shapes", "batch", "config"})
FORMS = ("same", "{like: <built-in class>}", "{output: [...]}", "{outputs: [[...], ...]}")
ENTRY_POINT_GROUP = "shapelint.layers"


class DeclarationError(ValueError):
    """A declaration that cannot be used: ``key`` is where (``layers.MyProj.output[1]``)."""

    def __init__(self, key: str, problem: str):
        super().__init__(f"{key}: {problem}")
        self.key = key
        self.problem = problem


class DeclaredLayers:
    """Layer name (class or registered name) -> shape function, of one configuration."""

    def __init__(self, rules: Mapping[str, ShapeFn], source: str = ""):
        self.rules = dict(rules)
        self.source = source  # the configuration file, named in errors

    def rule_for(self, class_name: str, registered_name: Optional[str]) -> Optional[ShapeFn]:
        """The declared rule of a call: by its registered name first, then its class."""
        if registered_name and registered_name in self.rules:
            return self.rules[registered_name]
        return self.rules.get(class_name)

    def __len__(self) -> int:
        return len(self.rules)


def declared_layers(data: Any, source: str) -> DeclaredLayers:
    """The table of a configuration's ``layers:`` mapping; :class:`DeclarationError` names
    the key of the first declaration that cannot be used."""
    if not isinstance(data, dict):
        raise DeclarationError("layers", "must be a mapping of layer names to declarations")
    from shapelint.shapes.registry import known_classes

    builtin = set(known_classes())
    rules = {}
    for name, declaration in data.items():
        key = f"layers.{name}"
        if not isinstance(name, str) or not name.strip():
            raise DeclarationError(key, "a layer name must be a non-empty string")
        if name in builtin:
            raise DeclarationError(key, f"{name!r} is a built-in layer class with its own shape "
                                        "rule; declare a custom layer by its class name or its "
                                        "registered name ('package>Name')")
        rules[name] = parse(declaration, key, source)
    return DeclaredLayers(rules, source)


def parse(declaration: Any, key: str, source: str = "") -> ShapeFn:
    """The shape function of one declaration (any of :data:`FORMS`)."""
    if declaration == "same":
        return _same
    if isinstance(declaration, dict) and set(declaration) == {"like"}:
        return _like(declaration["like"], f"{key}.like")
    if isinstance(declaration, dict) and set(declaration) in ({"output"}, {"outputs"}):
        if "output" in declaration:
            return _Expressions([_output(declaration["output"], f"{key}.output")], key, source)
        outputs = declaration["outputs"]
        if not isinstance(outputs, list) or not outputs:
            raise DeclarationError(f"{key}.outputs", "must be a non-empty list, one shape per "
                                                     "output")
        return _Expressions([_output(o, f"{key}.outputs[{i}]") for i, o in enumerate(outputs)],
                            key, source)
    if isinstance(declaration, dict):
        keys = ", ".join(map(str, declaration)) or "none"
        problem = f"a declaration has one key: like, output or outputs (got {keys})"
    else:
        problem = f"{declaration!r} is not a declaration"
    raise DeclarationError(key, f"{problem}; the forms are {', '.join(FORMS)}")


def _same(call: LayerCall) -> ShapeResult:
    if not call.inputs:
        raise ShapeError("SL003", f"{call.class_name} is declared 'same' but is called on no "
                                  "tensor", "declare its output shape with {output: [...]}")
    return ShapeResult((call.inputs[0],), spatial="keep")


def _like(target: Any, key: str) -> ShapeFn:
    from shapelint.shapes.registry import known_classes, lookup

    rule = lookup(target) if isinstance(target, str) else None
    if rule is None:
        raise DeclarationError(key, f"{target!r} is not a built-in layer class with a shape rule "
                                    f"(such as MaxPooling2D, Conv2D, Dense; {len(known_classes())}"
                                    " in all)")

    def like(call: LayerCall) -> ShapeResult:
        return rule(LayerCall(class_name=target, name=call.name, config=call.config,
                              inputs=call.inputs, kw_inputs=call.kw_inputs, kwargs=call.kwargs))
    return like


def _output(spec: Any, key: str) -> Any:
    """One output's shape: a compiled expression (the whole shape), or a list of dims
    (each an int, None or a compiled expression)."""
    from shapelint.rules.expr import Expression, ExpressionError

    def compiled(text: str, where: str):
        try:
            return Expression(text, NAMES, unknown=True)
        except ExpressionError as e:
            raise DeclarationError(where, str(e).replace("condition", "expression")) from None

    if isinstance(spec, str):
        return compiled(spec, key)
    if not isinstance(spec, list) or not spec:
        raise DeclarationError(key, "an output is a list of dims (ints, null or expressions) "
                                    "or one expression that gives the whole shape")
    dims = []
    for i, dim in enumerate(spec):
        if dim is None or (isinstance(dim, int) and not isinstance(dim, bool)):
            dims.append(dim)
        elif isinstance(dim, str):
            dims.append(compiled(dim, f"{key}[{i}]"))
        else:
            raise DeclarationError(f"{key}[{i}]", f"{dim!r} is not an int, null or an expression")
    return dims


class _Expressions:
    """The shape function of an ``output``/``outputs`` declaration."""

    def __init__(self, outputs: list, key: str, source: str):
        self.outputs = outputs
        self.key = key
        self.source = source

    def __call__(self, call: LayerCall) -> ShapeResult:
        first = call.inputs[0] if call.inputs else None
        names = {"input_shape": _listed(first), "input_shapes": [_listed(s) for s in call.inputs],
                 "batch": first[0] if first else None, "config": call.config}
        many = len(self.outputs) > 1
        shapes = []
        for i, output in enumerate(self.outputs):
            key = f"{self.key}.outputs[{i}]" if many else f"{self.key}.output"
            if isinstance(output, list):
                shape = tuple(self._dim(d, names, call, f"{key}[{j}]") if not _literal(d) else d
                              for j, d in enumerate(output))
            else:
                shape = self._shape(output, names, call, key)
            shapes.append(shape)
        return ShapeResult(tuple(shapes), spatial=_spatial(first, shapes[0]))

    def _value(self, expression, names: dict, call: LayerCall, key: str):
        try:
            return expression.evaluate(names)
        except Exception as e:  # noqa: BLE001 - the expression is the project's: say where
            raise self._error(call, key, f"{expression.text!r} failed "
                                         f"({type(e).__name__}: {e})") from None

    def _dim(self, expression, names: dict, call: LayerCall, key: str):
        value = self._value(expression, names, call, key)
        if not _literal(value):
            raise self._error(call, key, f"{expression.text!r} gives {value!r}, not an int "
                                         "(use // for a whole-number division)")
        return value

    def _shape(self, expression, names: dict, call: LayerCall, key: str):
        value = self._value(expression, names, call, key)
        if value is None:
            return None
        if not isinstance(value, (list, tuple)) or not all(_literal(d) for d in value):
            raise self._error(call, key, f"{expression.text!r} gives {value!r}, not a shape "
                                         "(a list of ints and None)")
        return tuple(value)

    def _error(self, call: LayerCall, key: str, problem: str):
        from shapelint.errors import ConfigError

        where = f"{self.source}: " if self.source else ""
        return ConfigError(f"{where}{key}: layer {call.name!r}: {problem}")


def _literal(value) -> bool:
    return value is None or (isinstance(value, int) and not isinstance(value, bool))


def _listed(shape):
    return list(shape) if shape is not None else None


def _spatial(first, out) -> str:
    """Positions are kept when the first output has the first input's rank and its sizes
    on every axis but the batch and the last (channels_last); else they are mixed."""
    if first is not None and out is not None and len(first) == len(out) \
            and tuple(first[1:-1]) == tuple(out[1:-1]):
        return "keep"
    return "drop"


# -- the shapelint.layers entry point group ------------------------------------------------
_PLUGINS: dict = {}  # layer name -> shape function or None (no entry point); per process


def plugin_rule(class_name: str, registered_name: Optional[str]) -> Optional[ShapeFn]:
    """The shape function an installed package ships for this layer, if any.

    Entry points of the group ``shapelint.layers`` are named by the layer's class or
    registered name; each loads a declaration (``"same"``, ``{"like": ...}``,
    ``{"output": [...]}``) or a function ``(input_shapes, config) -> [output shapes]``.
    Looked up only for a layer no other rule knows, once per name and process.
    """
    for name in (registered_name, class_name):
        if not name:
            continue
        if name not in _PLUGINS:
            _PLUGINS[name] = _load_plugin(name)
        if _PLUGINS[name] is not None:
            return _PLUGINS[name]
    return None


def _load_plugin(name: str) -> Optional[ShapeFn]:
    from importlib.metadata import entry_points

    try:
        found = entry_points(group=ENTRY_POINT_GROUP)
    except TypeError:  # Python 3.9: a dict of groups
        found = entry_points().get(ENTRY_POINT_GROUP, ())
    for ep in found:
        if ep.name == name:
            where = f"entry point {ENTRY_POINT_GROUP}:{name} ({ep.value})"
            try:
                loaded = ep.load()
            except Exception as e:  # noqa: BLE001 - a broken package must not stop the lint
                return _broken(where, e)
            if callable(loaded):
                return _Function(loaded, where)
            try:
                return parse(loaded, where)
            except DeclarationError as e:
                return _broken(where, e)
    return None


class _Function:
    """A package's shape function ``(input_shapes, config) -> [output shapes]``: what it
    raises is a layer Keras would refuse (SL003)."""

    def __init__(self, function, where: str):
        self.function = function
        self.where = where

    def __call__(self, call: LayerCall) -> ShapeResult:
        try:
            outputs = self.function([_listed(s) for s in call.inputs], dict(call.config))
        except ShapeError:
            raise
        except Exception as e:  # noqa: BLE001
            raise ShapeError("SL003", f"the shape function of {self.where} refuses the layer "
                                      f"({type(e).__name__}: {e})", "check the layer's "
                                      "arguments against the package's documentation") from None
        if not isinstance(outputs, (list, tuple)) or not all(
                s is None or (isinstance(s, (list, tuple)) and all(_literal(d) for d in s))
                for s in outputs):
            raise ShapeError("SL003", f"the shape function of {self.where} returned "
                                      f"{outputs!r}, not a list of output shapes",
                             "report it to the package that ships the entry point")
        shapes = tuple(tuple(s) if s is not None else None for s in outputs)
        first = call.inputs[0] if call.inputs else None
        return ShapeResult(shapes, spatial=_spatial(first, shapes[0] if shapes else None))


def _broken(where: str, error: Exception) -> ShapeFn:
    def broken(call: LayerCall) -> ShapeResult:
        raise ShapeError("SL003", f"{where} cannot be loaded ({type(error).__name__}: {error})",
                         "fix or uninstall the package that ships it")
    return broken
