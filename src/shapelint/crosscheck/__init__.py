"""Output shapes as Keras/TensorFlow infers them, from a model config stripped of foreign code.

:func:`tf_output_shapes` is the entry point. It runs four steps, each in a module of
its own:

1. :mod:`~shapelint.crosscheck.sanitize` — the trust boundary: a new config keeping
   only what an allow-list of Keras's own classes and functions names; everything else
   becomes a stand-in layer that returns shapelint's predicted shape. This is the code
   to audit: nothing else decides what Keras is given.
2. :mod:`~shapelint.crosscheck.adapt` — what Keras 1, tf.keras 2 and TF.js wrote that
   Keras 3 refuses or reads differently, adapted on the sanitized values; the input
   shapes asked for are set.
3. :mod:`~shapelint.crosscheck.build` — Keras builds the model symbolically in safe mode
   (no weights are loaded or even allocated), and every layer call's output shape is read
   off the graph, with shapelint's qualified names for layers inside nested models.
4. :mod:`~shapelint.crosscheck.keras_internals` — the one adapter through which steps 1
   and 3 use Keras's private API, tested against the Keras versions it was checked on.

Keras is imported lazily: this package imports without TensorFlow installed.
"""

from __future__ import annotations

import contextlib
import os
import sys
from dataclasses import dataclass, field
from typing import Optional


@dataclass
class TFShapes:
    shapes: dict  # {(qualified layer name, node index): [output shape tuples]}
    error: Optional[str] = None  # one line: why Keras could not build the model
    replaced: list = field(default_factory=list)  # qualified names of stand-in layers
    layer: Optional[str] = None  # the layer Keras was building when it refused
    guessed: list = field(default_factory=list)  # stand-ins without a predicted shape: their
    # input shape was passed on, and calls depending on them are left out of ``shapes``


def tf_output_shapes(model_config: dict, input_shapes: Optional[list] = None,
                     predicted: Optional[dict] = None) -> TFShapes:
    """Keras's output shape at every layer call of ``model_config``; never raises.

    ``input_shapes`` (one per model input, batch excluded) overrides the declared
    input shapes; ``predicted`` maps a layer's qualified name (or ``(name, node)``) to
    shapelint's predicted output shapes, which stand-in layers return.
    """
    try:
        keras = _import_keras()
    except Exception as e:  # noqa: BLE001 - a broken TF install is reported, not raised
        return TFShapes({}, _one_line(e))
    from shapelint.crosscheck import keras_internals
    from shapelint.crosscheck.adapt import Keras3, set_inputs, shapelint_name
    from shapelint.crosscheck.build import Build
    from shapelint.crosscheck.sanitize import Sanitizer, allow_list

    shapes: dict = {}
    sanitizer = build = None
    try:
        sanitizer = Sanitizer(allow_list(keras), Keras3(keras))
        config = sanitizer.top(model_config)
        set_inputs(config, input_shapes)
        build = Build(keras, sanitizer.slots, predicted or {})
        build.shapes(build.model(config), shapes)
    except Exception as e:  # noqa: BLE001 - Keras refusing the model is the answer
        if not shapes and build is not None:
            with contextlib.suppress(Exception):
                build.partial(e.__traceback__, shapes)
        failed = keras_internals.failed_operation(keras, e.__traceback__)
        return TFShapes(shapes, _one_line(e), sanitizer.replaced if sanitizer else [],
                        shapelint_name(failed) if failed else None,
                        build.guessed_names if build else [])
    return TFShapes(shapes, None, sanitizer.replaced, guessed=build.guessed_names)


def _one_line(e: BaseException) -> str:
    lines = [line.strip() for line in str(e).splitlines() if line.strip()]
    return f"{type(e).__name__}: {lines[0][:300]}" if lines else type(e).__name__


# -- importing Keras quietly ---------------------------------------------------------------

def _import_keras():
    if "keras" in sys.modules and "tensorflow" in sys.modules:
        return sys.modules["keras"]
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    with _stderr_silenced():  # TF's C++ side prints before its log level is read
        import keras
    with contextlib.suppress(Exception):
        import absl.logging
        absl.logging.set_verbosity(absl.logging.ERROR)
    with contextlib.suppress(Exception):
        import tensorflow as tf
        tf.get_logger().setLevel("ERROR")
    return keras


@contextlib.contextmanager
def _stderr_silenced():
    try:
        fd = sys.stderr.fileno()
        saved = os.dup(fd)
    except (AttributeError, OSError, ValueError):  # no real stderr (e.g. captured): nothing to do
        yield
        return
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), fd)
        yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)


__all__ = ["TFShapes", "tf_output_shapes"]
