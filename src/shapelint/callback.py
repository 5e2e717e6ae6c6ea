"""``ShapeLintCallback``: check the model, its data and its loss before ``fit``'s first step.

    model.fit(dataset, callbacks=[shapelint.ShapeLintCallback()])

Keras builds the train function before ``on_train_begin``, and no callback hook sees
the data; but ``set_model`` runs earlier, and the TF backend traces
``model.train_step`` with the real batch spec right before the first step. So the
callback checks the model, its compiled loss and the first batch's x and y while
``train_step`` is traced (at the declared input size in ``on_train_begin`` when the
model brings its own ``train_step`` attribute): a broken setup raises
:class:`ShapeLintError` before any step runs.

When the batch spec leaves sizes open (``tf.data.Dataset.from_generator`` with
``(None, None, 3)`` images), the traced step also gets a check of each new concrete
batch shape (a ``tf.numpy_function`` that every input tensor waits for), so a batch the
model cannot take stops training before any layer runs or any weight changes; TF wraps
the error, and ``fit`` raises the :class:`ShapeLintError` again (its message names the
rule and the data's size either way). Not under ``jit_compile=True`` (XLA cannot call
Python). ``train_step`` is restored when training ends. If shapelint itself cannot
analyse the model (a subclassed model, a config it cannot read, a bug of its own), the
callback warns and training goes on.
"""

from __future__ import annotations

import warnings

import keras

from shapelint.api import ShapeLintError, _check, check

# concrete batch shapes checked at run time, at most (each is cached)
MAX_RUN_TIME_SHAPES = 16


class ShapeLintCallback(keras.callbacks.Callback):
    """Raise :class:`ShapeLintError` before the first training step of a broken setup.

    ``config``: a configuration file or dict (see :func:`shapelint.check`);
    ``verbose``: print warnings (errors always raise), each once;
    ``run_time_check``: check concrete batches whose sizes the data spec leaves open.
    """

    def __init__(self, config=None, cross_check: str = "recorded", verbose: bool = True,
                 run_time_check: bool = True):
        super().__init__()
        self.config = config
        self.cross_check = cross_check
        self.verbose = verbose
        self.run_time_check = run_time_check
        self.report = None  # the last report
        self._checked_key = None
        self._original_train_step = None
        self._printed: set = set()
        self._run_time_reports: dict = {}  # concrete shapes -> error message or ""
        self._run_time_error = None
        self._guarded = False
        self._seen = None  # (ranks, tf.Variables): the last batch shape checked at run time

    def set_model(self, model):
        super().set_model(model)
        if self._original_train_step is None and "train_step" not in vars(model):
            original = model.train_step
            self._original_train_step = original

            def train_step(data):
                guard = self._check_batch(data)
                if guard is None:
                    return original(data)
                import tensorflow as tf

                with tf.control_dependencies([guard]):  # every op of the step waits for it
                    return original(data)

            model.train_step = train_step

    def on_train_begin(self, logs=None):
        if self._original_train_step is None:  # no wrapped train_step to see the batch
            self._check(None)
        self._wrap_train_function()

    def on_train_end(self, logs=None):
        self._restore()

    def _restore(self) -> None:
        """Give the model back its own train_step (and drop a train function traced with
        a run-time check)."""
        if self._original_train_step is not None and "train_step" in vars(self.model):
            del self.model.train_step
        self._original_train_step = None
        if self._guarded:
            self.model.train_function = None
            self._guarded = False

    def _wrap_train_function(self) -> None:
        """Let an error of the run-time check leave fit as the ShapeLintError it is."""
        inner = getattr(self.model, "train_function", None)
        if inner is None or getattr(inner, "_shapelint", False):
            return

        def train_function(iterator):
            try:
                return inner(iterator)
            except Exception as e:
                error, self._run_time_error = self._run_time_error, None
                if error is not None:
                    self._restore()
                    raise error from e
                raise

        train_function._shapelint = True
        self.model.train_function = train_function

    def _check_batch(self, data):
        """At trace time: check the batch spec; where it leaves sizes open, return the
        run-time check of each concrete batch (an op the step must wait for), else None."""
        from shapelint.loading.data import flatten, read_data

        try:
            spec = read_data(data)
        except (TypeError, ValueError, AttributeError):
            return None
        self._check(spec)
        arrays = flatten(spec.x) + flatten(spec.y)
        if self.run_time_check and any(None in a.shape[1:] for a in arrays):
            return self._guard(data)
        return None

    def _guard(self, data):
        import tensorflow as tf

        if tf.executing_eagerly() or getattr(self.model, "jit_compile", False) is True:
            return None
        flat = tf.nest.flatten(data)
        if not all(isinstance(t, tf.Tensor) for t in flat):
            return None
        dtypes = [t.dtype.name for t in flat]
        shapes = [tf.shape(t, out_type=tf.int64) for t in flat]
        ranks = tuple(len(t.shape) for t in flat)
        if self._seen is None or self._seen[0] != ranks:  # one set per run, reused by retraces
            with tf.init_scope():
                self._seen = (ranks, [tf.Variable(tf.fill([r], tf.constant(-1, tf.int64)),
                                                  trainable=False, name="shapelint_seen")
                                      for r in ranks])
        seen = self._seen[1]

        def run_time_check(*concrete):
            return self._run_time_check(data, dtypes, concrete)

        def check_new_shape():
            ok = tf.numpy_function(run_time_check, shapes, tf.bool, stateful=True,
                                   name="shapelint_check")
            with tf.control_dependencies([ok]):
                updates = [v.assign(s) for v, s in zip(seen, shapes)]
            with tf.control_dependencies(updates):
                return tf.identity(ok)

        # Python runs only for a batch shape unlike the last one checked
        same = tf.reduce_all(tf.stack([tf.reduce_all(tf.equal(v, s)) for v, s in zip(seen, shapes)]))
        self._guarded = True
        return tf.cond(same, lambda: tf.constant(True), check_new_shape)

    def _run_time_check(self, structure, dtypes, shapes):
        """Check one concrete batch (its shapes); raise ShapeLintError when it cannot run."""
        import numpy as np
        import tensorflow as tf

        from shapelint.loading.data import read_data

        key = tuple(tuple(int(d) for d in s) for s in shapes)
        if key not in self._run_time_reports and len(self._run_time_reports) < MAX_RUN_TIME_SHAPES:
            arrays = [_Shaped(k, d) for k, d in zip(key, dtypes)]
            spec = read_data(tf.nest.pack_sequence_as(structure, arrays))
            error = None
            try:
                self._check(spec, raise_errors=False)
                if self.report is not None and self.report.errors:
                    error = ShapeLintError(self.report.errors, self.report.model)
            except Exception:  # noqa: BLE001 - shapelint's own failure never ends a fit
                error = None
            self._run_time_reports[key] = error
        error = self._run_time_reports.get(key)
        if error is not None:
            self._run_time_error = error
            raise error
        return np.bool_(True)

    def _check(self, data, raise_errors: bool = True) -> None:
        key = _key(data)
        if key == self._checked_key and self.report is not None:
            return
        try:
            if data is None:
                report = check(self.model, config=self.config, cross_check=self.cross_check)
            else:  # sizes the batch spec leaves open are checked per batch, not swept
                report = _check(self.model, None, self.config, self.cross_check, None, data,
                                ignore=("SL110",))
        except Exception as e:  # noqa: BLE001 - shapelint's own failure never ends a fit
            reason = str(e).splitlines()[0] if str(e) else type(e).__name__
            if reason not in self._printed:  # once, not once per traced step
                self._printed.add(reason)
                warnings.warn(f"shapelint could not check the model, training goes on: {reason}",
                              RuntimeWarning, stacklevel=2)
            return
        self.report = report
        self._checked_key = key
        if self.verbose:
            for f in report.warnings:
                if (f.rule, f.layer) not in self._printed:
                    self._printed.add((f.rule, f.layer))
                    print(f"shapelint: {f.rule} [warning] {f.message}")
        if report.errors and raise_errors:
            if data is not None:  # raised while fit traces its train function
                self._restore()
                self.model.train_function = None
            raise ShapeLintError(report.errors, report.model)


class _Shaped:
    """A concrete batch array's shape and dtype, without its values."""

    def __init__(self, shape, dtype):
        self.shape = shape
        self.dtype = dtype


def _key(data):
    return None if data is None else repr(data)
