"""shapelint: find shape bugs in Keras models before training, without running them.

    import shapelint
    shapelint.check(model, input_shape=(100, 100, 3)).raise_for_errors()
    model.fit(x, y, callbacks=[shapelint.ShapeLintCallback()])

Importing shapelint imports neither TensorFlow nor Keras; the names below load on
first use.
"""

__version__ = "0.1.0"

_LAZY = {
    "check": "shapelint.api", "Report": "shapelint.api", "ShapeLintError": "shapelint.api",
    "LayerShapes": "shapelint.api", "Finding": "shapelint.findings",
    "ShapeLintCallback": "shapelint.callback",
}

__all__ = ["__version__", *_LAZY]


def __dir__():
    return sorted({*globals(), *_LAZY})


def __getattr__(name):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'shapelint' has no attribute {name!r}")
