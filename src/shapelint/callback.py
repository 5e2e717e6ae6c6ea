"""``ShapeLintCallback``: check the model before ``fit`` runs its first step.

    model.fit(dataset, callbacks=[shapelint.ShapeLintCallback()])

Keras builds the train function before ``on_train_begin``, and no callback hook sees
the data; but ``set_model`` runs earlier, and the TF backend traces
``model.train_step`` with the real batch spec right before the first step. So the
callback checks the model at its declared input size in ``on_train_begin``, and
again at the real batch's size while ``train_step`` is traced: a broken model
raises :class:`ShapeLintError` before any step runs. ``train_step`` is restored when
training ends. If shapelint itself cannot analyse the model (a subclassed model, a
config it cannot read, a bug of its own), the callback warns and training goes on.
"""

from __future__ import annotations

import warnings

import keras

from shapelint.api import ShapeLintError, check


class ShapeLintCallback(keras.callbacks.Callback):
    """Raise :class:`ShapeLintError` before the first training step of a broken model.

    ``config``: a configuration file or dict (see :func:`shapelint.check`);
    ``verbose``: print warnings (errors always raise).
    """

    def __init__(self, config=None, cross_check: str = "recorded", verbose: bool = True):
        super().__init__()
        self.config = config
        self.cross_check = cross_check
        self.verbose = verbose
        self.report = None  # the last report
        self._checked_shapes = None
        self._original_train_step = None

    def set_model(self, model):
        super().set_model(model)
        if self._original_train_step is None and "train_step" not in vars(model):
            original = model.train_step
            self._original_train_step = original

            def train_step(data):
                self._check_batch(data)
                return original(data)

            model.train_step = train_step

    def on_train_begin(self, logs=None):
        self._check(None)

    def on_train_end(self, logs=None):
        self._restore()

    def _restore(self) -> None:
        """Give the model back its own train_step (and drop a half-traced train function)."""
        if self._original_train_step is not None and "train_step" in vars(self.model):
            del self.model.train_step
        self._original_train_step = None

    def _check_batch(self, data) -> None:
        x = data[0] if isinstance(data, (tuple, list)) and data else data
        shapes = [tuple(None if d is None else int(d) for d in t.shape[1:])
                  for t in keras.tree.flatten(x)]
        if shapes != self._checked_shapes:
            self._check(shapes)

    def _check(self, input_shapes) -> None:
        try:
            report = check(self.model, input_shape=input_shapes, config=self.config,
                           cross_check=self.cross_check)
        except Exception as e:  # noqa: BLE001 - shapelint's own failure never ends a fit
            warnings.warn(f"shapelint could not check the model, training goes on: "
                          f"{str(e).splitlines()[0] if str(e) else type(e).__name__}",
                          RuntimeWarning, stacklevel=2)
            return
        self.report = report
        self._checked_shapes = input_shapes
        if self.verbose:
            for f in report.warnings:
                print(f"shapelint: {f.rule} [warning] {f.message}")
        if report.errors:
            if input_shapes is not None:  # raised while fit traces its train function
                self._restore()
                self.model.train_function = None
            raise ShapeLintError(report.errors, report.model)
