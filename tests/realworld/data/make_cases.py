"""Build the `data` set of the real-world corpus with real Keras 3.

Each case is a real, public report in which the model, its data and its loss do not agree,
reproduced as a Keras model compiled with the user's loss (bug.json), with its healthy twin
from the accepted fix (fixed.json). Some cases are healthy setups only (fixed.json alone).

For every model this script runs `compile`, one `train_on_batch` on zeros of the user's
x/y shapes (batch axis set to BATCH) and `predict`, and writes the outcome as tf_verdict.

Run:  python tests/realworld/data/make_cases.py     (rewrites every case byte-identically)
"""
from __future__ import annotations

import json
import math
import os
import re
import shutil
import sys
import warnings
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
# oneDNN kernels abort the process (glibc malloc assertion) when training mini_XCEPTION's
# SeparableConv2D blocks with TF 2.21 on CPU; the reference kernels run every case.
os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"

import numpy as np  # noqa: E402
import yaml  # noqa: E402

import keras  # noqa: E402
from keras import layers as L  # noqa: E402

HERE = Path(__file__).resolve().parent
# A batch size that no case uses as a dimension, so a silent broadcast of the batch axis
# against a feature axis cannot hide a mismatch (checked for every case below).
BATCH = 19

CASES = []


def case(fn):
    CASES.append(fn)
    return fn


# --------------------------------------------------------------------------- helpers


def seq(*layers_, name="sequential"):
    return keras.Sequential(list(layers_), name=name)


def data(loss, x_shape, y_shape, y_dtype="float32", y_max=None, from_logits=None):
    """The data and loss side of one model: what the user compiled with and fed."""
    d = {"loss": loss}
    if from_logits is not None:
        d["from_logits"] = from_logits
    d["x_shape"] = x_shape
    d["y_shape"] = y_shape
    d["y_dtype"] = y_dtype
    if y_max is not None:
        d["y_max"] = y_max
    return d


def loss_object(d):
    """The loss passed to compile, rebuilt from a data record."""
    loss = d["loss"]
    if isinstance(loss, dict):
        return {k: loss_object({"loss": v}) for k, v in loss.items()}
    if d.get("from_logits") is not None:
        cls = {
            "categorical_crossentropy": keras.losses.CategoricalCrossentropy,
            "sparse_categorical_crossentropy": keras.losses.SparseCategoricalCrossentropy,
            "binary_crossentropy": keras.losses.BinaryCrossentropy,
        }[loss]
        return cls(from_logits=d["from_logits"])
    return loss


def _array(shape, dtype, y_max=None):
    shape = tuple(BATCH if s is None else s for s in shape)
    a = np.zeros(shape, dtype=dtype)
    if y_max is not None and a.size:
        a.flat[a.size - 1] = y_max
    return a


def _arrays(shape, dtype, y_max=None):
    if isinstance(shape, dict):
        dt = dtype if isinstance(dtype, dict) else {k: dtype for k in shape}
        ym = y_max if isinstance(y_max, dict) else {k: y_max for k in shape}
        return {k: _array(v, dt[k], ym.get(k)) for k, v in shape.items()}
    return _array(shape, dtype, y_max)


def _shape_str(a):
    if isinstance(a, dict):
        return "{" + ", ".join(f"{k}: {_shape_str(v)}" for k, v in a.items()) + "}"
    if isinstance(a, (list, tuple)):
        return "[" + ", ".join(_shape_str(v) for v in a) + "]"
    return str(tuple(a.shape))


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _one_line(text):
    """The line of an error or warning message that says what went wrong."""
    text = _ANSI.sub("", str(text))
    lines = [ln.strip() for ln in text.splitlines()]
    lines = [ln for ln in lines if ln and not ln.startswith(("File ", "[[", "•", "Arguments received"))]
    lines = [ln for ln in lines if not ln.startswith(("Graph execution error", "Detected at node", "Exception encountered"))]
    line = lines[-1] if lines else text.strip()
    for ln in lines:  # prefer the line that names the shapes or labels
        if re.search(r"incompatible|must have|Received|Dimensions|expected|outside the valid range", ln):
            line = ln
            break
    line = re.sub(r" for '\{\{node [^']*'", "", line)
    line = re.sub(r"\s+\[\[\{\{node.*", "", line)
    line = re.sub(r"\s*\[Op:[^\]]*\]", "", line)
    line = re.sub(r"\s+", " ", line).strip()
    return line[:300]


def verdict(model, d):
    """Run compile, one train_on_batch and predict on zeros of the user's shapes."""
    x = _arrays(d["x_shape"], "float32")
    y = _arrays(d["y_shape"], d["y_dtype"], d.get("y_max"))
    keras.utils.set_random_seed(0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            model.compile(loss=loss_object(d), optimizer="adam")
        except Exception as e:  # noqa: BLE001 - the verdict records whatever Keras says
            return f"refused at compile: {type(e).__name__}: {_one_line(e)}"
        try:
            loss = model.train_on_batch(x, y)
        except Exception as e:  # noqa: BLE001
            return f"fails at train_on_batch: {type(e).__name__}: {_one_line(e)}"
        out = model.predict(x, verbose=0)
    msgs = []
    for w in caught:
        if issubclass(w.category, DeprecationWarning):
            continue
        m = _one_line(w.message)
        if m not in msgs:
            msgs.append(m)
    loss = loss[0] if isinstance(loss, (list, tuple)) else loss
    tail = f"output {_shape_str(out)} vs y {_shape_str(y)}"
    if loss is not None and not math.isfinite(float(loss)):
        tail += "; loss is not finite"
    if msgs:
        return f"trains with a warning: {' | '.join(msgs)}; {tail}"
    return f"trains silently; {tail}"


def _check_batch(d):
    shapes = []
    for k in ("x_shape", "y_shape"):
        v = d[k]
        shapes += list(v.values()) if isinstance(v, dict) else [v]
    for s in shapes:
        if BATCH in [dim for dim in s if dim is not None]:
            raise SystemExit(f"batch size {BATCH} is a dimension of {s}; choose another BATCH")


# --------------------------------------------------------------------------- YAML output


class _Dumper(yaml.SafeDumper):
    pass


class _Flow(list):
    pass


class _FlowDict(dict):
    pass


_Dumper.add_representer(_Flow, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True))
_Dumper.add_representer(_FlowDict, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v.items(), flow_style=True))


def _flow(v):
    """Shapes and expected entries in flow style, everything else in block style."""
    if isinstance(v, list) and all(x is None or isinstance(x, (int, str)) for x in v):
        return _Flow(v)
    if isinstance(v, list):
        return [_flow(x) for x in v]
    if isinstance(v, dict):
        if set(v) <= {"code", "layer"}:
            return _FlowDict(v)
        return {k: _flow(x) for k, x in v.items()}
    return v


def _yaml(doc):
    return yaml.dump(_flow(doc), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110)


# --------------------------------------------------------------------------- writing


def _model_json(build):
    keras.backend.clear_session()
    model = build()
    return model


def write_case(spec):
    cid = spec["id"]
    folder = HERE / cid
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir()
    doc = {k: spec[k] for k in ("id", "source", "url", "title", "reported", "bug_class", "expected", "fix")}
    verdicts = {}
    healthy_only = spec.get("bug") is None
    for part in ("bug", "fixed"):
        if spec.get(part) is None:
            continue
        d = spec["bug_data" if part == "bug" else "fixed_data"]
        _check_batch(d)
        keras.backend.clear_session()
        model = spec[part]()
        model.compile(loss=loss_object(d), optimizer="adam")
        text = json.dumps(json.loads(model.to_json()), indent=1, sort_keys=True)
        (folder / f"{part}.json").write_text(text + "\n")
        verdicts[part] = verdict(model, d)
    doc["tf_verdict"] = verdicts
    if spec.get("input_shape"):
        doc["input_shape"] = spec["input_shape"]
    if healthy_only:
        doc["healthy_only"] = True
        doc.update(spec["fixed_data"])
    else:
        doc.update(spec["bug_data"])
        doc["fixed_data"] = spec["fixed_data"]
    if spec.get("notes"):
        doc["notes"] = spec["notes"]
    (folder / "case.yaml").write_text(_yaml(doc))
    return doc


def write_readme(docs):
    head = (HERE / "README.head.md").read_text()
    rows = ["| id | report | class | expected | TF verdict (bug) | TF verdict (fixed) |",
            "| --- | --- | --- | --- | --- | --- |"]
    for d in docs:
        codes = ", ".join(f"{e['code']} @ {e['layer']}" for e in d["expected"]) or "none (healthy)"
        tv = d["tf_verdict"]
        cell = lambda s: (s or "—").replace("|", "\\|")  # noqa: E731
        rows.append(f"| `{d['id']}` | [{d['source']}]({d['url']}) | {d['bug_class']} | {codes} | "
                    f"{cell(tv.get('bug'))} | {cell(tv.get('fixed'))} |")
    bugs = [d for d in docs if not d.get("healthy_only")]
    counts = {}
    for d in bugs:
        counts[d["bug_class"]] = counts.get(d["bug_class"], 0) + 1
    summary = [
        f"- bug reports: {len(bugs)}, each with its healthy twin; healthy-only setups: "
        f"{len(docs) - len(bugs)}; healthy models in all: {len(docs)}",
        "- bug reports by class: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())),
    ]
    kinds = {"error": 0, "warning": 0, "silent": 0}
    for d in bugs:
        v = d["tf_verdict"]["bug"]
        kinds["silent" if v.startswith("trains silently") else "warning" if v.startswith("trains with") else "error"] += 1
    summary.append(f"- Keras/TF on the bug: refuses {kinds['error']}, trains with a warning {kinds['warning']}, "
                   f"trains silently {kinds['silent']}")
    (HERE / "README.md").write_text(head.rstrip() + "\n\n" + "\n".join(summary) + "\n\n" + "\n".join(rows) + "\n")


def main(argv):
    only = set(argv[1:])
    docs = []
    for fn in CASES:
        spec = fn()
        spec["id"] = fn.__name__
        if only and spec["id"] not in only:
            continue
        docs.append(write_case(spec))
        print(spec["id"], "|", docs[-1]["tf_verdict"].get("bug"), "|", docs[-1]["tf_verdict"].get("fixed"))
    if not only:
        write_readme(docs)


# =========================================================================== cases


@case
def gh_keras_12910_cce_units_vs_onehot_width():
    def build(units):
        return lambda: seq(
            keras.Input((64, 64, 3)),
            L.Flatten(),
            L.Dense(512, activation="relu"),
            L.Dense(units, activation="softmax", name="dense_out"),
        )
    return dict(
        source="github",
        url="https://github.com/keras-team/keras/issues/12910",
        title="hey iam tying to make neural network using keras with loss function of categorical_crossentropy "
              "iam giving labels as(1080,6)but error occoured saying)",
        reported="A target array with shape (1080, 6) was passed for an output of shape (None, 10) while using as "
                 "loss `categorical_crossentropy`. This loss expects targets to have the same shape as the output.",
        bug_class="target-shape",
        expected=[{"code": "SL202", "layer": "dense_out"}],
        fix="The output layer gets one unit per class of the one-hot labels: Dense(6, softmax) instead of Dense(10).",
        bug=build(10), fixed=build(6),
        bug_data=data("categorical_crossentropy", [None, 64, 64, 3], [None, 6]),
        fixed_data=data("categorical_crossentropy", [None, 64, 64, 3], [None, 6]),
        notes="No answer with a fix is in the thread; the twin applies the change the error message asks for.",
    )


@case
def gh_keras_7749_sparse_ce_with_onehot_targets():
    def build():
        return seq(
            keras.Input((None, 2)),
            L.Dense(2, name="dense"),
            L.Activation("softmax", name="softmax"),
        )
    return dict(
        source="github",
        url="https://github.com/keras-team/keras/issues/7749",
        title="sparse_categorical_crossentropy requires a single output",
        reported="ValueError: Error when checking target: expected activation_1 to have shape (None, None, 1) but "
                 "got array with shape (1, 1, 2)",
        bug_class="loss-output",
        expected=[{"code": "SL202", "layer": "softmax"}],
        fix="One-hot targets go with categorical_crossentropy (sparse_categorical_crossentropy takes the integer "
            "class index).",
        bug=build, fixed=build,
        bug_data=data("sparse_categorical_crossentropy", [None, 1, 2], [None, 1, 2]),
        fixed_data=data("categorical_crossentropy", [None, 1, 2], [None, 1, 2]),
    )


@case
def gh_keras_1894_grayscale_without_channel_axis():
    def build():
        return seq(
            keras.Input((31, 31, 1), name="input"),
            L.Conv2D(16, (7, 7), padding="valid", activation="tanh"),
            L.Conv2D(32, (3, 3), padding="valid", activation="tanh"),
            L.Conv2D(64, (3, 3), padding="valid", activation="tanh"),
            L.Flatten(),
            L.Dense(23, activation="tanh"),
            L.Dense(11, activation="sigmoid"),
            L.Dense(1, activation="sigmoid"),
        )
    return dict(
        source="github",
        url="https://github.com/keras-team/keras/issues/1894",
        title="Convolution2D: Wrong number of dimensions",
        reported="dataset = np.ndarray(shape=(nbimages, image_size, image_size)) fed to "
                 "Convolution2D(..., input_shape=(1, 31, 31)): wrong number of dimensions",
        bug_class="data-input",
        expected=[{"code": "SL201", "layer": "input"}],
        fix="The images get their channel axis: dataset reshaped to (nbimages, 31, 31, 1) (Theano layout: (nbimages, 1, 31, 31)).",
        bug=build, fixed=build,
        bug_data=data("binary_crossentropy", [None, 31, 31], [None, 1]),
        fixed_data=data("binary_crossentropy", [None, 31, 31, 1], [None, 1]),
        notes="Theano-era model (input_shape=(1, 31, 31), channels_first), written channels_last: TensorFlow's CPU "
              "kernels train no channels_first Conv2D, and the missing channel axis is the same bug. Keras 3 adds a "
              "missing trailing axis of size 1 to the input by itself, so it trains on (b, 31, 31) without a "
              "word: the old error is gone, the data still lack the axis the model declares. The report's "
              "activation='tang' typo is written as 'tanh'.",
    )


@case
def gh_keras_14729_cce_on_one_sigmoid_unit():
    def build(loss_fix):
        return lambda: seq(
            keras.Input((30,)),
            L.Flatten(),
            L.Dense(16, activation="relu", kernel_initializer="uniform"),
            L.Dropout(0.1),
            L.Dense(16, activation="relu", kernel_initializer="uniform"),
            L.Dropout(0.1),
            L.Dense(1, activation="sigmoid", kernel_initializer="uniform", name="dense_out"),
        )
    return dict(
        source="github",
        url="https://github.com/keras-team/keras/issues/14729",
        title="too low accuracy",
        reported="model3.compile(optimizer=keras.optimizers.Adam(), loss= keras.losses.categorical_crossentropy, "
                 "metrics= ['accuracy']) on Dense(1, activation=\"sigmoid\") with 0/1 labels: What to do to "
                 "increase the accuracy?",
        bug_class="loss-output",
        expected=[{"code": "SL203", "layer": "dense_out"}],
        fix="A single sigmoid unit with 0/1 labels is trained with binary_crossentropy.",
        bug=build(False), fixed=build(True),
        bug_data=data("categorical_crossentropy", [None, 30], [None], "int64", 1),
        fixed_data=data("binary_crossentropy", [None, 30], [None], "int64", 1),
        notes="The reply in the thread is cut in the stored copy; the twin uses binary_crossentropy, the loss "
              "Keras's own warning names for one sigmoid unit.",
    )


@case
def so_softmax_one_unit_bce_always_one_techfeed():
    def build(act):
        return lambda: seq(
            keras.Input((10, 4)),
            L.Conv1D(16, 4, padding="same"),
            L.BatchNormalization(),
            L.LeakyReLU(),
            L.Dropout(0.2),
            L.Conv1D(8, 4, padding="same"),
            L.BatchNormalization(),
            L.LeakyReLU(),
            L.Dropout(0.2),
            L.Flatten(),
            L.Dense(64),
            L.BatchNormalization(),
            L.LeakyReLU(),
            L.Dense(1),
            L.Activation(act, name="activation_out"),
        )
    return dict(
        source="qa",
        url="https://techfeed.net/es/456718/",
        title="¿Por qué un binario Keras CNN siempre predice 1?",
        reported="model.add(Dense(1)); model.add(Activation('softmax')); loss='binary_crossentropy' -> "
                 "confusion_matrix [[0 362] [0 608]]: every prediction is 1",
        bug_class="loss-output",
        expected=[{"code": "SL203", "layer": "activation_out"}],
        fix="Softmax over one unit is always 1.0; the answer replaces it with a sigmoid for binary_crossentropy.",
        bug=build("softmax"), fixed=build("sigmoid"),
        bug_data=data("binary_crossentropy", [None, 10, 4], [None, 1], "int64", 1),
        fixed_data=data("binary_crossentropy", [None, 10, 4], [None, 1], "int64", 1),
        notes="A stored translated copy of the Stack Overflow question 'Why does a binary Keras CNN always "
              "predict 1?'; Keras 1 argument names (nb_filter, filter_length, border_mode) written in Keras 3 form.",
    )


@case
def gh_tf_45813_regression_units3_vs_one_target():
    def build(units):
        return lambda: seq(
            keras.Input((9,)),
            L.Normalization(axis=-1, name="normalization"),
            L.Dense(units=units, name="dense"),
        )
    return dict(
        source="github",
        url="https://github.com/tensorflow/tensorflow/issues/45813",
        title="Shape of model output can differ from target data shape",
        reported="The output-shape of the Neural Network is now (batchsize, 3) however it successfully fits target "
                 "data of of shape (batchsize, 1).",
        bug_class="target-shape",
        expected=[{"code": "SL202", "layer": "dense"}],
        fix="The regression head keeps one unit per target: layers.Dense(units=1) as in the tutorial.",
        bug=build(3), fixed=build(1),
        bug_data=data("mean_absolute_error", [None, 9], [None, 1]),
        fixed_data=data("mean_absolute_error", [None, 9], [None, 1]),
        notes="The report edits the TensorFlow regression tutorial (Normalization then Dense(units=1), loss "
              "mean_absolute_error); the tutorial's 9-feature linear model stands for the edited cell.",
    )


@case
def gh_keras_14627_mse_flat_targets_healthy():
    def build():
        return seq(
            keras.Input((13,)),
            L.Dense(64, activation="relu"),
            L.Dense(64, activation="relu"),
            L.Dense(1, name="dense_out"),
        )
    return dict(
        source="github",
        url="https://github.com/keras-team/keras/issues/14627",
        title="Why the loss function (mse) calculated by keras not the same as mine",
        reported="model output shape is [404, 1] and the label shape is [404] ... the label can be broadcast to "
                 "prediction's shape ([404, 404] in this case)",
        bug_class="target-shape",
        expected=[],
        fix="Healthy in Keras 3: y of shape (b,) against a (b, 1) output differs only by a squeezable trailing 1.",
        bug=None, fixed=build,
        fixed_data=data("mse", [None, 13], [None]),
        notes="Healthy setup: the report was a tf.keras 2 broadcast; Keras 3 lines (b,) up with (b, 1).",
    )


@case
def gh_keras_3009_sparse_ce_integer_targets_healthy():
    def build():
        return seq(
            keras.Input((2,)),
            L.Dense(32),
            L.Activation("relu"),
            L.Dense(10),
            L.Activation("softmax"),
        )
    return dict(
        source="github",
        url="https://github.com/keras-team/keras/issues/3009",
        title="Error when checking model target with sparse_categorical_crossentropy in 1.0.4",
        reported="model.compile(loss='sparse_categorical_crossentropy', optimizer='sgd'); "
                 "model.fit([[0,1], [1,1], [1,0]], [1,2,3])",
        bug_class="target-shape",
        expected=[],
        fix="Healthy: integer targets (b,) below the 10 softmax units meet sparse_categorical_crossentropy "
            "(the error was a Keras 1.0.4 regression).",
        bug=None, fixed=build,
        fixed_data=data("sparse_categorical_crossentropy", [None, 2], [None], "int64", 3),
        notes="Healthy setup from a real report.",
    )



@case
def gh_keras_3109_cce_with_integer_labels():
    def build():
        return seq(
            keras.Input((2,)),
            L.Dense(64),
            L.Activation("relu"),
            L.Dense(10),
            L.Activation("softmax", name="activation_out"),
        )
    return dict(
        source="github",
        url="https://github.com/keras-team/keras/issues/3109",
        title="Error when checking model target: expected activation_2 to have shape (None, 10) but got array "
              "with shape (3, 1)",
        reported="Error when checking model target: expected activation_2 to have shape (None, 10) but got array "
                 "with shape (3, 1)",
        bug_class="target-shape",
        expected=[{"code": "SL202", "layer": "activation_out"}],
        fix="y_train = to_categorical(y_train, 10): the integer labels become one-hot rows of the 10 outputs.",
        bug=build, fixed=build,
        bug_data=data("categorical_crossentropy", [None, 2], [None], "int64", 7),
        fixed_data=data("categorical_crossentropy", [None, 2], [None, 10]),
        notes="Model and data from the reply that reproduces and fixes the error (X_train (3, 2), "
              "y_train [2, 3, 7]).",
    )


@case
def gh_iic2613_99_dense_on_unflattened_mfcc():
    def build(flatten):
        return lambda: seq(
            keras.Input((130, 13, 1)),
            *([L.Flatten()] if flatten else []),
            L.Dense(64, activation="relu"),
            L.Dense(10, activation="softmax", name="dense_out"),
        )
    return dict(
        source="github",
        url="https://github.com/IIC2613-Inteligencia-Artificial-2022-1/Syllabus/issues/99",
        title="Dimensiones Red Neuronal",
        reported="ValueError: Shapes (None, 10) and (None, 130, 13, 10) are incompatible",
        bug_class="target-shape",
        expected=[{"code": "SL202", "layer": "dense_out"}, {"code": "SL111", "layer": "dense_out"}],
        fix="A Flatten before the Dense layers turns the (130, 13, 1) input into one vector per sample, so the "
            "softmax output is (None, 10) like y_train.",
        bug=build(False), fixed=build(True),
        bug_data=data("categorical_crossentropy", [None, 130, 13, 1], [None, 10]),
        fixed_data=data("categorical_crossentropy", [None, 130, 13, 1], [None, 10]),
        notes="The first Dense layer's unit count is not in the report; 64 stands in. The reply lists checks "
              "without a fix; the twin flattens, the usual fix for Dense on an unflattened input.",
    )


@case
def gh_keras_core_323_multi_output_dict_targets_healthy():
    def build():
        inp = keras.Input((5,), name="input")
        dense1 = L.Dense(10, activation="relu", name="dense1")(inp)
        out1 = L.Dense(2, name="out1")(dense1)
        out2 = L.Dense(3, name="out2")(dense1)
        return keras.Model(inputs=inp, outputs={"out1": out1, "out2": out2}, name="functional")
    return dict(
        source="github",
        url="https://github.com/keras-team/keras-core/issues/323",
        title="Error when training a multi-output model: AttributeError: 'dict' object has no attribute 'dtype'",
        reported="history = model.fit(X, {\"out1\": Y1, \"out2\": Y2})   #!!! AttributeError: 'dict' object has no "
                 "attribute 'dtype'",
        bug_class="target-shape",
        expected=[],
        fix="Healthy: dict targets keyed by the output names, Y1 (b, 2) and Y2 (b, 3) under mse (the error was a "
            "keras-core bug, fixed there).",
        bug=None, fixed=build,
        fixed_data=data("mse", [None, 5], {"out1": [None, 2], "out2": [None, 3]}),
        notes="Healthy multi-output setup from a real report.",
    )


@case
def gh_keras_3046_lstm_fed_2d_frames():
    def build():
        return seq(
            keras.Input((None, 39), name="input"),
            L.LSTM(32, return_sequences=True),
            L.LSTM(32, return_sequences=True),
            L.LSTM(32),
            L.Dense(39, activation="softmax"),
        )
    return dict(
        source="github",
        url="https://github.com/keras-team/keras/issues/3046",
        title="lstm for phoneme classification",
        reported="'Wrong number of dimensions: expected 3, got 2 with shape (64, 39).'",
        bug_class="data-input",
        expected=[{"code": "SL201", "layer": "input"}],
        fix="The MFCC frames are fed as sequences: X_train reshaped to (samples, timesteps, 39).",
        bug=build, fixed=build,
        bug_data=data("categorical_crossentropy", [None, 39], [None, 39]),
        fixed_data=data("categorical_crossentropy", [None, 1, 39], [None, 39]),
        notes="The twin feeds one frame per sequence (timesteps 1), the smallest reshape that gives the LSTM its "
              "3-D input; the thread explains the (batch_size, timesteps, data_dim) layout.",
    )


@case
def so_cce_integer_next_word_labels_developerload():
    num, steps = 50, 10

    def build():
        return seq(
            keras.Input((steps,)),
            L.Embedding(num, 64),
            L.Bidirectional(L.LSTM(32)),
            L.Dense(num, activation="softmax", name="dense_out"),
        )
    return dict(
        source="qa",
        url="https://www.developerload.com/error-while-using-categoricalcrossentropy",
        title="Error while using categorical_crossentropy",
        reported="ValueError: You are passing a target array of shape (453, 1) while using as loss "
                 "`categorical_crossentropy`. `categorical_crossentropy` expects targets to be binary matrices "
                 "(1s and 0s) of shape (samples, classes).",
        bug_class="target-shape",
        expected=[{"code": "SL202", "layer": "dense_out"}],
        fix="Y = to_categorical(Y, num_classes=num): one-hot next-word targets for the num-way softmax.",
        bug=build, fixed=build,
        bug_data=data("categorical_crossentropy", [None, steps], [None, 1], "int64", num - 1),
        fixed_data=data("categorical_crossentropy", [None, steps], [None, num]),
        notes="A stored copy of a Stack Overflow question with its answer. The vocabulary size (num) and "
              "max_len - 1 are not in the question; 50 and 10 stand in.",
    )



def _mini_xception(input_shape, num_classes):
    """mini_XCEPTION from oarriaga/face_classification (src/models/cnn.py)."""
    reg = keras.regularizers.l2(0.01)
    img_input = keras.Input(input_shape, name="input")
    x = L.Conv2D(8, (3, 3), strides=(1, 1), kernel_regularizer=reg, use_bias=False)(img_input)
    x = L.BatchNormalization()(x)
    x = L.Activation("relu")(x)
    x = L.Conv2D(8, (3, 3), strides=(1, 1), kernel_regularizer=reg, use_bias=False)(x)
    x = L.BatchNormalization()(x)
    x = L.Activation("relu")(x)
    for filters in (16, 32, 64, 128):
        residual = L.Conv2D(filters, (1, 1), strides=(2, 2), padding="same", use_bias=False)(x)
        residual = L.BatchNormalization()(residual)
        x = L.SeparableConv2D(filters, (3, 3), padding="same", use_bias=False)(x)
        x = L.BatchNormalization()(x)
        x = L.Activation("relu")(x)
        x = L.SeparableConv2D(filters, (3, 3), padding="same", use_bias=False)(x)
        x = L.BatchNormalization()(x)
        x = L.MaxPooling2D((3, 3), strides=(2, 2), padding="same")(x)
        x = L.add([x, residual])
    x = L.Conv2D(num_classes, (3, 3), padding="same")(x)
    x = L.GlobalAveragePooling2D()(x)
    output = L.Activation("softmax", name="predictions")(x)
    return keras.Model(img_input, output, name="functional")


@case
def gh_face_classification_85_rgb_into_grayscale_model():
    return dict(
        source="github",
        url="https://github.com/oarriaga/face_classification/issues/85",
        title="Using new training model",
        reported="ValueError: Error when checking : expected input_1 to have shape (None, 64, 64, 1) but got array "
                 "with shape (1, 64, 64, 3)",
        bug_class="data-input",
        expected=[{"code": "SL201", "layer": "input"}],
        fix="The maintainer: change the model input_shape in the training script to fit the images, "
            "(64, 64, 3).",
        bug=lambda: _mini_xception((64, 64, 1), 2), fixed=lambda: _mini_xception((64, 64, 3), 2),
        bug_data=data("categorical_crossentropy", [None, 64, 64, 3], [None, 2]),
        fixed_data=data("categorical_crossentropy", [None, 64, 64, 3], [None, 2]),
        notes="mini_XCEPTION and its compile (categorical_crossentropy, 2 gender classes) from the repository's "
              "train_gender_classifier.py; the SeparableConv2D kernel_regularizer, which Keras 3 does not accept "
              "there, is left out (no effect on shapes).",
    )


@case
def gh_keras_11441_softmax_one_unit_sparse_ce_regression():
    def build(bug):
        return lambda: seq(
            keras.Input((1,), name="input"),
            L.Dense(10, activation="relu"),
            L.Dense(32, activation="relu"),
            L.Dense(1, activation="softmax" if bug else None, name="dense_out"),
        )
    return dict(
        source="github",
        url="https://github.com/keras-team/keras/issues/11441",
        title="Keras InvalidArgumentError while model.fit",
        reported="InvalidArgumentError on model.fit(train1, train2) with Dense(1, activation = 'softmax') and "
                 "loss=\"sparse_categorical_crossentropy\" (train1 = years, train2 = population)",
        bug_class="loss-output",
        expected=[{"code": "SL203", "layer": "dense_out"}, {"code": "SL202", "layer": "dense_out"}],
        fix="Predicting a population from the year is regression: a linear Dense(1) output trained with "
            "mean_squared_error.",
        bug=build(True), fixed=build(False),
        bug_data=data("sparse_categorical_crossentropy", [None, 1], [None], "int64", 1400000000),
        fixed_data=data("mean_squared_error", [None, 1], [None]),
        notes="The thread's reply is cut in the stored copy; the twin is the regression head the data call for. "
              "y_max is China's population, the order of the labels fed.",
    )


@case
def gh_keras_12674_autoencoder_23px_to_20px():
    def build(fixed):
        def make():
            size = 24 if fixed else 23
            inp = keras.Input((size, size, 1), name="input")
            x = L.Conv2D(16, (3, 3), activation="relu", padding="same")(inp)
            x = L.MaxPooling2D((2, 2), padding="same")(x)
            x = L.Conv2D(8, (3, 3), activation="relu", padding="same")(x)
            x = L.MaxPooling2D((2, 2), padding="same")(x)
            x = L.Conv2D(8, (3, 3), activation="relu", padding="same")(x)
            encoded = L.MaxPooling2D((2, 2), padding="same")(x)
            x = L.Conv2D(8, (3, 3), activation="relu", padding="same")(encoded)
            x = L.UpSampling2D((2, 2))(x)
            x = L.Conv2D(8, (3, 3), activation="relu", padding="same")(x)
            x = L.UpSampling2D((2, 2))(x)
            x = L.Conv2D(16, (3, 3), activation="relu", padding="same" if fixed else "valid")(x)
            x = L.UpSampling2D((2, 2))(x)
            decoded = L.Conv2D(1, (3, 3), activation="sigmoid", padding="same", name="decoded")(x)
            return keras.Model(inp, decoded, name="functional")
        return make
    return dict(
        source="github",
        url="https://github.com/keras-team/keras/issues/12674",
        title="Getting ValueError for unknown reason",
        reported="ValueError: Error when checking target: expected conv2d_7 to have shape (20, 20, 1) but got "
                 "array wit…",
        bug_class="target-shape",
        expected=[{"code": "SL202", "layer": "decoded"}, {"code": "SL112", "layer": "decoded"}],
        fix="Three 2x poolings need a side divisible by 8 and 'same' padding on every decoder conv: profiles "
            "zero-padded to 24x24 and the 'valid' Conv2D(16) made 'same'.",
        bug=build(False), fixed=build(True),
        bug_data=data("binary_crossentropy", [None, 23, 23, 1], [None, 23, 23, 1]),
        fixed_data=data("binary_crossentropy", [None, 24, 24, 1], [None, 24, 24, 1]),
        notes="No answer is in the stored thread; the twin is the minimal change that makes the autoencoder "
              "return its input size.",
    )


@case
def gh_keras_7303_sparse_ce_with_onehot_3570_classes():
    def build(fixed):
        return lambda: seq(
            keras.Input((79,)),
            L.Dense(1024, activation="relu"),
            L.Dense(2048, activation="relu"),
            L.Dense(3570, activation="softmax" if fixed else "sigmoid", name="dense_out"),
        )
    return dict(
        source="github",
        url="https://github.com/keras-team/keras/issues/7303",
        title="sparse_categorical_crossentropy loss function output shape didn't match",
        reported="ValueError: Error when checking model target: expected dense_42 to have shape (None, 1) but got "
                 "array with shape (1055, 3570)",
        bug_class="target-shape",
        expected=[{"code": "SL202", "layer": "dense_out"}],
        fix="One-hot targets of 3570 classes go with categorical_crossentropy over a softmax output.",
        bug=build(False), fixed=build(True),
        bug_data=data("sparse_categorical_crossentropy", [None, 79], [None, 3570]),
        fixed_data=data("categorical_crossentropy", [None, 79], [None, 3570]),
        notes="No accepted answer is in the stored thread; the twin pairs the one-hot targets with "
              "categorical_crossentropy and a softmax output.",
    )



@case
def gh_keras_6351_lstm_fixed_timesteps_vs_test_sequences():
    def build(steps):
        return lambda: seq(
            keras.Input((steps, 215), name="input"),
            L.LSTM(100, return_sequences=True),
            L.Dense(215),
        )
    return dict(
        source="github",
        url="https://github.com/keras-team/keras/issues/6351",
        title="Expected 3 dimensions but got array with shape (11, 2)",
        reported="ValueError: Error when checking input: expected lstm_1_input to have shape (973, 215) but got "
                 "array with shape (61, 215)",
        bug_class="data-input",
        expected=[{"code": "SL201", "layer": "input"}],
        fix="An LSTM that must read 973-day training and 61-day test sequences declares a free time axis: "
            "input_shape=(None, 215).",
        bug=build(973), fixed=build(None),
        bug_data=data("mean_squared_error", [None, 61, 215], [None, 61, 215]),
        fixed_data=data("mean_squared_error", [None, 61, 215], [None, 61, 215]),
        notes="A comment in the thread (ZisisFl, 2019-01-17); the data are the test split passed as "
              "validation_data. The thread has no fix for it; the twin frees the time axis.",
    )


@case
def gh_keras_5324_denoising_autoencoder_channels_first_data():
    def build(fixed):
        def make():
            inp = keras.Input((28, 28, 1) if fixed else (1, 28, 28), name="input")
            x = L.Conv2D(32, (3, 3), activation="relu", padding="same")(inp)
            x = L.MaxPooling2D((2, 2), padding="same")(x)
            x = L.Conv2D(32, (3, 3), activation="relu", padding="same")(x)
            encoded = L.MaxPooling2D((2, 2), padding="same")(x)
            x = L.Conv2D(32, (3, 3), activation="relu", padding="same")(encoded)
            x = L.UpSampling2D((2, 2))(x)
            x = L.Conv2D(32, (3, 3), activation="relu", padding="same")(x)
            x = L.UpSampling2D((2, 2))(x)
            decoded = L.Conv2D(1, (3, 3), activation="sigmoid", padding="same", name="decoded")(x)
            return keras.Model(inp, decoded, name="functional")
        return make
    return dict(
        source="github",
        url="https://github.com/keras-team/keras/issues/5324",
        title="cannot run keras test autoencoders code: Error when checking model target",
        reported="ValueError Error when checking model target: expected convolution2d_5 to have shape "
                 "(None, 4, 28, 1) but got array with shape (60000, 1, 28, 28)",
        bug_class="channels-order",
        expected=[{"code": "SL202", "layer": "decoded"}, {"code": "SL113", "layer": "input"}],
        fix="With the TensorFlow backend (channels_last) the images are (28, 28, 1): Input(shape=(28, 28, 1)) "
            "and x_train reshaped to (len(x_train), 28, 28, 1).",
        bug=build(False), fixed=build(True),
        bug_data=data("binary_crossentropy", [None, 1, 28, 28], [None, 1, 28, 28]),
        fixed_data=data("binary_crossentropy", [None, 28, 28, 1], [None, 28, 28, 1]),
        notes="The Keras blog's denoising autoencoder, written for Theano's (1, 28, 28) layout, run under "
              "TensorFlow's channels_last: the (1, 28, 28) input is read as 1x28 pixels of 28 channels.",
    )



@case
def gh_tf_28718_linear_head_with_probability_bce():
    def build():
        return seq(
            keras.Input((5, 5, 1280), name="features"),
            L.GlobalAveragePooling2D(),
            L.Dense(1, name="prediction"),
        )
    return dict(
        source="github",
        url="https://github.com/tensorflow/tensorflow/issues/28718",
        title="Transfer Learning Using Pretrained ConvNets tutorial should use sigmoid activation",
        reported="You don't need an activation function here because this prediction will be treated as a logit "
                 "… Later we use loss=\"binary_crossentropy\" in model.compile. binary_crossentropy by default has "
                 "from_logits=False and expect a probability",
        bug_class="loss-output",
        expected=[{"code": "SL203", "layer": "prediction"}],
        fix="The maintainers keep the linear head and set from_logits=True in the binary crossentropy.",
        bug=build, fixed=build,
        bug_data=data("binary_crossentropy", [None, 5, 5, 1280], [None, 1], "int64", 1),
        fixed_data=data("binary_crossentropy", [None, 5, 5, 1280], [None, 1], "int64", 1, from_logits=True),
        notes="The tutorial's frozen MobileNetV2 base (160x160 images to a 5x5x1280 map) is left out: the model "
              "starts at that feature map, so the head and the loss are as in the tutorial.",
    )


@case
def gh_tf_docs_1627_softmax_before_logits_loss():
    def build(softmax):
        return lambda: seq(
            keras.Input((32, 32, 3)),
            L.Conv2D(32, (3, 3), activation="relu"),
            L.MaxPooling2D((2, 2)),
            L.Conv2D(64, (3, 3), activation="relu"),
            L.MaxPooling2D((2, 2)),
            L.Conv2D(64, (3, 3), activation="relu"),
            L.Flatten(),
            L.Dense(64, activation="relu"),
            L.Dense(10, activation="softmax" if softmax else None, name="dense_out"),
        )
    return dict(
        source="github",
        url="https://github.com/tensorflow/docs/pull/1627",
        title="Softmax fix in CNN",
        reported="Fixed softmax activation (added missing `activation` argument to last `Dense` layer) in CNN "
                 "tutorial.",
        bug_class="loss-output",
        expected=[{"code": "SL203", "layer": "dense_out"}],
        fix="The reviewer: the loss is SparseCategoricalCrossentropy(from_logits=True), so the output layer stays "
            "linear (logits) and needs no softmax.",
        bug=build(True), fixed=build(False),
        bug_data=data("sparse_categorical_crossentropy", [None, 32, 32, 3], [None, 1], "uint8", 9,
                      from_logits=True),
        fixed_data=data("sparse_categorical_crossentropy", [None, 32, 32, 3], [None, 1], "uint8", 9,
                        from_logits=True),
        notes="The bug is the pull request's proposed change to the TensorFlow CNN tutorial (CIFAR-10, labels "
              "(n, 1) uint8); the twin is the tutorial as kept.",
    )


@case
def so_three_classes_one_sigmoid_unit_bce_19633():
    def build(fixed):
        return lambda: seq(
            keras.Input((150, 150, 3)),
            L.Conv2D(32, (3, 3)),
            L.Activation("relu"),
            L.MaxPooling2D(pool_size=(2, 2)),
            L.Conv2D(32, (3, 3)),
            L.Activation("relu"),
            L.MaxPooling2D(pool_size=(2, 2)),
            L.Conv2D(64, (3, 3)),
            L.Activation("relu"),
            L.MaxPooling2D(pool_size=(2, 2)),
            L.Flatten(),
            L.Dense(64),
            L.Activation("relu"),
            L.Dropout(0.5),
            L.Dense(3 if fixed else 1),
            L.Activation("softmax" if fixed else "sigmoid", name="activation_out"),
        )
    return dict(
        source="qa",
        url="https://python.19633.com/sv/python-tag-6/Keras-6/1006050775.html",
        title="Keras: three classes trained with Dense(1), sigmoid and binary_crossentropy",
        reported="model.add(Dense(1)) … sigmoid … binary_crossentropy on three classes (answer: the problem is "
                 "caused by a mismatch between the number of output classes (three) and the final activation "
                 "and loss)",
        bug_class="target-shape",
        expected=[{"code": "SL202", "layer": "activation_out"}],
        fix="Dense(3) with softmax, categorical_crossentropy, and class_mode='categorical' in the generators so "
            "the targets are one-hot rows of 3.",
        bug=build(False), fixed=build(True),
        bug_data=data("binary_crossentropy", [None, 150, 150, 3], [None], "float32", 2),
        fixed_data=data("categorical_crossentropy", [None, 150, 150, 3], [None, 3]),
        notes="A stored translated copy of a Stack Overflow answer (the question's own text is not in the copy; "
              "the title here describes it). The image size is not in the answer; the Keras blog's 150x150 "
              "stands in. The labels 0..2 of class_mode='binary' meet one sigmoid unit: the shapes agree, the "
              "label range (y_max 2 under binary_crossentropy) does not.",
    )


@case
def keras_io_mnist_convnet_onehot_healthy():
    def build():
        return seq(
            keras.Input((28, 28, 1)),
            L.Conv2D(32, kernel_size=(3, 3), activation="relu"),
            L.MaxPooling2D(pool_size=(2, 2)),
            L.Conv2D(64, kernel_size=(3, 3), activation="relu"),
            L.MaxPooling2D(pool_size=(2, 2)),
            L.Flatten(),
            L.Dropout(0.5),
            L.Dense(10, activation="softmax"),
        )
    return dict(
        source="blog",
        url="https://github.com/keras-team/keras-io/blob/master/examples/vision/mnist_convnet.py",
        title="Simple MNIST convnet",
        reported="y_train = keras.utils.to_categorical(y_train, num_classes); "
                 "model.compile(loss=\"categorical_crossentropy\", …)",
        bug_class="target-shape",
        expected=[],
        fix="Healthy: one-hot (b, 10) targets under categorical_crossentropy, images with their channel axis.",
        bug=None, fixed=build,
        fixed_data=data("categorical_crossentropy", [None, 28, 28, 1], [None, 10]),
        notes="Healthy setup: the keras.io example (see also keras-team/keras-io pull request 916, where the "
              "maintainer keeps categorical_crossentropy because the labels are one-hot).",
    )


@case
def keras_io_timeseries_fordA_sparse_ce_healthy():
    def build():
        inp = keras.Input((500, 1), name="input")
        x = inp
        for _ in range(3):
            x = L.Conv1D(filters=64, kernel_size=3, padding="same")(x)
            x = L.BatchNormalization()(x)
            x = L.ReLU()(x)
        x = L.GlobalAveragePooling1D()(x)
        out = L.Dense(2, activation="softmax")(x)
        return keras.Model(inp, out, name="functional")
    return dict(
        source="blog",
        url="https://keras.io/examples/timeseries/timeseries_classification_from_scratch",
        title="Timeseries classification from scratch",
        reported="FordA series reshaped to (n, 500, 1), labels mapped to 0/1, "
                 "loss=\"sparse_categorical_crossentropy\"",
        bug_class="target-shape",
        expected=[],
        fix="Healthy: integer labels (b,) below the 2 softmax units under sparse_categorical_crossentropy.",
        bug=None, fixed=build,
        fixed_data=data("sparse_categorical_crossentropy", [None, 500, 1], [None], "int64", 1),
        notes="Healthy setup from the keras.io example (three Conv1D/BatchNormalization/ReLU blocks, global "
              "average pooling, softmax over num_classes = 2).",
    )


@case
def gh_dlwp_189_imdb_one_sigmoid_unit_healthy():
    def build():
        return seq(
            keras.Input((10000,)),
            L.Dense(16, activation="relu"),
            L.Dense(16, activation="relu"),
            L.Dense(1, activation="sigmoid"),
        )
    return dict(
        source="github",
        url="https://github.com/fchollet/deep-learning-with-python-notebooks/issues/189",
        title="IMDB example, why we have 1 neuron in the last layer",
        reported="In case of IMDB example, why did we initialize the last layer with only 1 neuron? Though we have "
                 "two classes",
        bug_class="loss-output",
        expected=[],
        fix="Healthy: for binary classification one sigmoid unit with 0/1 labels and binary_crossentropy is "
            "sufficient (the replies).",
        bug=None, fixed=build,
        fixed_data=data("binary_crossentropy", [None, 10000], [None], "float32", 1),
        notes="Healthy setup: the book's IMDB model (multi-hot 10000-word input).",
    )


@case
def gh_keras_6636_mnist_cnn_softmax_cce_healthy():
    def build():
        return seq(
            keras.Input((28, 28, 1)),
            L.Conv2D(32, kernel_size=(3, 3), activation="relu"),
            L.Conv2D(64, (3, 3), activation="relu"),
            L.MaxPooling2D(pool_size=(2, 2)),
            L.Dropout(0.25),
            L.Flatten(),
            L.Dense(128, activation="relu"),
            L.Dropout(0.5),
            L.Dense(10, activation="softmax"),
        )
    return dict(
        source="github",
        url="https://github.com/keras-team/keras/issues/6636",
        title="MNIST_CNN example uses double softmax?",
        reported="model.add(Dense(num_classes, activation='softmax')); "
                 "model.compile(loss=keras.losses.categorical_crossentropy, …) — are we violating the warning?",
        bug_class="loss-output",
        expected=[],
        fix="Healthy: keras.losses.categorical_crossentropy takes the result of a softmax (from_logits=False), "
            "as the reply says.",
        bug=None, fixed=build,
        fixed_data=data("categorical_crossentropy", [None, 28, 28, 1], [None, 10]),
        notes="Healthy setup: the Keras mnist_cnn.py example the report quotes.",
    )



@case
def gh_tcav_121_sigmoid_head_with_logits_sparse_ce():
    def build(sigmoid):
        return lambda: seq(
            keras.Input((638,), name="merged_features"),
            L.Dense(1000),
            L.BatchNormalization(),
            L.Dense(256),
            L.BatchNormalization(),
            L.Dense(23, activation="sigmoid" if sigmoid else None, name="pred"),
        )
    return dict(
        source="github",
        url="https://github.com/tensorflow/tcav/issues/121",
        title="Question regarding discrete model prediction layer activation function and model loss function",
        reported="why is the from_logits parameter set to true in the SparseCategoricalCrossentropy loss function, "
                 "if the prediction layer of the model already has a sigmoid activation function?",
        bug_class="loss-output",
        expected=[{"code": "SL203", "layer": "pred"}],
        fix="With SparseCategoricalCrossentropy(from_logits=True) the prediction layer outputs logits: Dense(23) "
            "without the sigmoid.",
        bug=build(True), fixed=build(False),
        bug_data=data("sparse_categorical_crossentropy", [None, 638], [None], "int64", 22, from_logits=True),
        fixed_data=data("sparse_categorical_crossentropy", [None, 638], [None], "int64", 22, from_logits=True),
        notes="kdd99_model.py splits 41 features and embeds the 3 categorical ones (200 wide each) before the "
              "dense head; the model here starts at the concatenated 38 + 3 x 200 = 638 features, so the head "
              "and the loss are as in the repository. The issue is unanswered; the twin drops the sigmoid the "
              "question points at.",
    )


if __name__ == "__main__":
    main(sys.argv)
