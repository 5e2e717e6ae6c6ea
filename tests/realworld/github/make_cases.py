"""Build the `github` set of the real-world corpus with real Keras 3.

Each builder below reproduces one shape bug that a user reported in a GitHub issue (or pull
request) and its healthy twin from the maintainers' reply or the accepted fix.  Running

    python tests/realworld/github/make_cases.py            # writes <case>/case.yaml, bug.json, fixed.json
    python tests/realworld/github/make_cases.py --readme   # also runs the shapelint CLI and writes README.md

rewrites the folder's files byte-identically.  `tf_verdict` is never written by hand: it is what
Keras/TF did when the model was built and run on zeros at the user's input size.

When Keras refuses to build the user's model (a negative dimension, a merge mismatch, a Reshape
whose size does not match, a nested model called on another size), bug.json comes from
`config_builder`: the same layers built with unknown (None) spatial dims, with the user's size
kept in `input_shape`, or with the user's declared input written back into the InputLayer
(`declare_input`), so that the file holds exactly the user's layers.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import yaml  # noqa: E402

import keras  # noqa: E402
from keras import layers  # noqa: E402

HERE = Path(__file__).resolve().parent
SHAPELINT = Path(sys.executable).with_name("shapelint")

CASE_KEYS = ("id", "source", "url", "title", "reported", "bug_class", "expected", "fix",
             "tf_verdict", "input_shape", "healthy_only")


# --------------------------------------------------------------------------- helpers

def one_line(exc: BaseException, limit: int = 240) -> str:
    """The exception's message on one line: its first non-empty lines joined, trimmed."""
    plain = re.sub(r"\x1b\[[0-9;]*m", "", f"{type(exc).__name__}: {exc}")
    lines = [ln.strip() for ln in plain.splitlines() if ln.strip()]
    kept = []
    for line in lines[:4]:
        if line.startswith(("Arguments received", "•")):
            break
        kept.append(line)
    text = " ".join(kept)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def shape_str(x) -> str:
    if isinstance(x, (list, tuple)):
        return ", ".join(shape_str(t) for t in x)
    return str(tuple(int(d) for d in x.shape))


def tf_run(build, run_shape):
    """Build with real Keras and run once on zeros at the user's size.

    Returns (model or None, verdict sentence)."""
    keras.backend.clear_session()
    keras.utils.set_random_seed(0)
    try:
        model = build()
    except Exception as exc:  # Keras refuses the model
        return None, f"refused at build: {one_line(exc)}"
    shapes = run_shape if isinstance(run_shape, list) and run_shape and isinstance(run_shape[0], (list, tuple)) else [run_shape]
    xs = [np.zeros((1, *s), dtype="float32") for s in shapes]
    at = ", ".join(str((1, *s)) for s in shapes)
    try:
        out = model(xs if len(xs) > 1 else xs[0], training=False)
    except Exception as exc:
        return model, f"builds; fails at run on zeros at {at}: {one_line(exc)}"
    return model, f"builds; runs on zeros at {at}; output {shape_str(out)}"


def model_dict(model) -> dict:
    return json.loads(model.to_json())


def declare_input(cfg: dict, batch_shape, input_name: str | None = None) -> dict:
    """Write the user's declared input size into the InputLayer of a config built with
    unknown dims (used only when Keras refuses the user's size)."""
    for layer in cfg["config"]["layers"]:
        if layer["class_name"] == "InputLayer" and (input_name is None or layer["name"] == input_name):
            layer["config"]["batch_shape"] = [None, *batch_shape]
            return cfg
    raise KeyError(input_name)


def forget_recorded_shapes(cfg: dict) -> dict:
    """Replace the non-batch dims of every shape the config records (layer inputs, build inputs) by
    None: used with declare_input when the layers were built at another size than the declared one."""
    def blank(shape):
        return [shape[0]] + [None] * (len(shape) - 1) if isinstance(shape, list) else shape

    def walk(node):
        if isinstance(node, dict):
            if node.get("class_name") == "__keras_tensor__":
                node["config"]["shape"] = blank(node["config"]["shape"])
            if "build_config" in node and isinstance(node["build_config"], dict):
                bc = node["build_config"]
                if isinstance(bc.get("input_shape"), list):
                    shp = bc["input_shape"]
                    bc["input_shape"] = [blank(s) for s in shp] if shp and isinstance(shp[0], list) else blank(shp)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(cfg)
    return cfg


def set_layer_config(cfg: dict, layer_name: str, **values) -> dict:
    """Change one layer's config values (the user's setting Keras would refuse)."""
    for layer in cfg["config"]["layers"]:
        if layer["name"] == layer_name:
            layer["config"].update(values)
            return cfg
    raise KeyError(layer_name)


def dump_json(obj, path: Path) -> None:
    path.write_text(json.dumps(obj, indent=1, sort_keys=False) + "\n", encoding="utf-8")


class _Flow(list):
    """A list written in YAML flow style ([224, 224, 3])."""


class _FlowMap(dict):
    """A mapping written in YAML flow style ({code: SL111, layer: dense_1})."""


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(_Flow, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True))
_Dumper.add_representer(_FlowMap, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v.items(), flow_style=True))


def dump_yaml(data: dict, path: Path) -> None:
    ordered = {k: data[k] for k in CASE_KEYS if k in data}
    if "expected" in ordered:
        ordered["expected"] = [_FlowMap(e) for e in ordered["expected"]]
    if "input_shape" in ordered:
        ordered["input_shape"] = _Flow(ordered["input_shape"])
    text = yaml.dump(ordered, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110,
                     default_flow_style=False)
    path.write_text(text, encoding="utf-8")


def write_case(folder: Path, spec: dict) -> dict:
    """Run one case's builders and write case.yaml, bug.json, fixed.json."""
    meta = dict(spec["meta"])
    run_shape = spec["run_shape"]
    case_dir = folder / meta["id"]
    case_dir.mkdir(parents=True, exist_ok=True)
    verdict = {}
    if not meta.get("healthy_only"):
        bug_model, verdict["bug"] = tf_run(spec["bug"], run_shape)
        if bug_model is not None and spec.get("bug_config") is None:
            bug_cfg = model_dict(bug_model)
        else:
            if spec.get("bug_config") is None:
                raise RuntimeError(f"{meta['id']}: Keras refuses the bug and no bug_config is given: {verdict['bug']}")
            keras.backend.clear_session()
            built = spec["bug_config"]()
            bug_cfg = built if isinstance(built, dict) else model_dict(built)
        dump_json(bug_cfg, case_dir / "bug.json")
    fixed_model, verdict["fixed"] = tf_run(spec["fixed"], spec.get("fixed_run_shape", run_shape))
    if fixed_model is None:
        raise RuntimeError(f"{meta['id']}: the healthy twin does not build: {verdict['fixed']}")
    dump_json(model_dict(fixed_model), case_dir / "fixed.json")
    meta["tf_verdict"] = verdict
    dump_yaml(meta, case_dir / "case.yaml")
    return meta


def shapelint_findings(path: Path, input_shape=None) -> list[dict]:
    cmd = [str(SHAPELINT), str(path), "--format", "json"]
    if input_shape:
        cmd += ["--input-shape", ",".join(str(d) for d in input_shape)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    try:
        data = json.loads(proc.stdout)
    except json.JSONDecodeError:
        return [{"rule": "exit", "layer": str(proc.returncode), "severity": proc.stderr.strip()[:80]}]
    out = []
    files = data.get("files", data if isinstance(data, list) else [data])
    for f in files:
        for finding in f.get("findings", []):
            out.append(finding)
    return out


def fmt_findings(findings: list[dict], severities=("error", "warning")) -> str:
    keep = [f for f in findings if f.get("severity") in severities]
    if not keep:
        return "—"
    return "<br>".join(f"{f.get('rule')} {f.get('layer')}" for f in keep)


def caught(expected: list[dict], findings: list[dict]) -> str:
    got = {(f.get("rule"), f.get("layer")) for f in findings}
    hits = sum((e["code"], e["layer"]) in got for e in expected)
    return f"{hits}/{len(expected)}"


def write_readme(folder: Path, metas: list[dict], header: str) -> None:
    rows = ["| id | report | bug class | expected | shapelint on bug.json | caught | shapelint on fixed.json |",
            "|---|---|---|---|---|---|---|"]
    n_caught = n_expected = n_twin_noisy = n_full = 0
    for meta in metas:
        case_dir = folder / meta["id"]
        ishape = meta.get("input_shape")
        exp = meta.get("expected") or []
        if meta.get("healthy_only"):
            bug_cell, hit = "(healthy only)", "—"
        else:
            bug = shapelint_findings(case_dir / "bug.json", ishape)
            bug_cell = fmt_findings(bug)
            hit = caught(exp, bug)
            n_caught += int(hit.split("/")[0])
            n_expected += len(exp)
            n_full += int(hit.split("/")[0]) == len(exp)
        fixed = shapelint_findings(case_dir / "fixed.json", None)
        fixed_cell = fmt_findings(fixed)
        n_twin_noisy += fixed_cell != "—"
        exp_cell = "<br>".join(f"{e['code']} {e['layer']}" for e in exp) or "—"
        rows.append(f"| `{meta['id']}` | [link]({meta['url']}) | {meta['bug_class']} | {exp_cell} | "
                    f"{bug_cell} | {hit} | {fixed_cell} |")
    n_bug_cases = sum(1 for m in metas if not m.get("healthy_only"))
    summary = (f"\nshapelint finds {n_caught} of the {n_expected} expected (code, layer) pairs on bug.json, "
               f"all of them in {n_full} of the {n_bug_cases} bug cases; "
               f"{n_twin_noisy} of the {len(metas)} fixed.json files get a warning or an error.\n")
    (folder / "README.md").write_text(header + "\n" + "\n".join(rows) + "\n" + summary, encoding="utf-8")


def main(cases, folder: Path, readme_header: str) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readme", action="store_true", help="also run shapelint and write README.md")
    parser.add_argument("--only", default="", help="comma-separated case ids")
    args = parser.parse_args()
    only = {s for s in args.only.split(",") if s}
    metas = []
    for builder in cases:
        spec = builder()
        if only and spec["meta"]["id"] not in only:
            continue
        meta = write_case(folder, spec)
        print(f"{meta['id']}: bug: {meta['tf_verdict'].get('bug', '-')}\n    fixed: {meta['tf_verdict']['fixed']}")
        metas.append(meta)
    if args.readme:
        write_readme(folder, metas, readme_header)


CASES = []


def case(fn):
    CASES.append(fn)
    return fn


def seq(input_shape, layer_list, name=None, input_name=None):
    """A functional model from a list of layers applied in order (a Sequential, written functionally)."""
    inp = keras.Input(input_shape, name=input_name)
    x = inp
    for layer in layer_list:
        x = layer(x)
    return keras.Model(inp, x, name=name)


# --------------------------------------------------------------------------- cases


@case
def gh_keras_contrib_229_densenet_dense_unflattened():
    """keras-contrib DenseNetImageNet121 used without a pooled top: Dense on the 7x7x1024 map."""
    meta = dict(
        id="gh_keras_contrib_229_densenet_dense_unflattened",
        source="github",
        url="https://github.com/keras-team/keras-contrib/issues/229",
        title="DenseNet is not flatten at the last layer:",
        reported="activation_121 (Activation) (None, 7, 7, 1024) … dense_1 (Dense) (None, 7, 7, 2) 2050",
        bug_class="dense-on-unflattened-map",
        expected=[{"code": "SL111", "layer": "dense_1"}],
        fix="pool the 7×7 map before the classifier (GlobalAveragePooling2D, the library's include_top head).",
        input_shape=[224, 224, 3],
    )

    def body(top):
        # DenseNet-121's body trimmed to a stem and its four down-samplings: same 7x7x1024 map at the top.
        inp = keras.Input((224, 224, 3), name="input_1")
        x = layers.Conv2D(64, 7, strides=2, padding="same", use_bias=False, name="initial_conv2D")(inp)
        x = layers.BatchNormalization(name="initial_bn")(x)
        x = layers.Activation("relu")(x)
        x = layers.MaxPooling2D(3, strides=2, padding="same")(x)
        for i, filters in enumerate((128, 256, 512)):
            x = layers.Conv2D(filters, 1, use_bias=False, name=f"tr_{i}_conv2D")(x)
            x = layers.AveragePooling2D(2, strides=2, name=f"tr_{i}_pool")(x)
        x = layers.Conv2D(1024, 1, use_bias=False, name="dense_3_conv2D")(x)
        x = layers.BatchNormalization(name="final_bn")(x)
        x = layers.Activation("relu", name="activation_121")(x)
        if top:
            x = layers.GlobalAveragePooling2D(name="global_average_pooling2d")(x)
        x = layers.Dense(2, activation="softmax", name="dense_1")(x)
        return keras.Model(inp, x, name="densenet")

    return dict(meta=meta, run_shape=[224, 224, 3], bug=lambda: body(False), fixed=lambda: body(True))


@case
def gh_artificio_12_autoencoder_460x692():
    """convAE of artificio's image_retrieval on 458x690 images: the decoder returns 460x692."""
    meta = dict(
        id="gh_artificio_12_autoencoder_460x692",
        source="github",
        url="https://github.com/ankonzoid/artificio/issues/12",
        title="Decoders shape is changing",
        reported=("ValueError: A target array with shape (73, 458, 690, 3) was passed for an output of shape "
                  "(None, 460, 692, 3) while using as loss `binary_crossentropy`."),
        bug_class="output-size-mismatch",
        expected=[{"code": "SL112", "layer": "decoded"}],
        fix="'same' padding on every decoder conv and images resized to a multiple of 8 (464×696).",
        input_shape=[458, 690, 3],
    )

    def ae(h, w, last_padding):
        inp = keras.Input((h, w, 3), name="input_1")
        x = layers.Conv2D(16, 3, activation="relu", padding="same")(inp)
        x = layers.MaxPooling2D(2, padding="same")(x)
        x = layers.Conv2D(8, 3, activation="relu", padding="same")(x)
        x = layers.MaxPooling2D(2, padding="same")(x)
        x = layers.Conv2D(8, 3, activation="relu", padding="same")(x)
        x = layers.MaxPooling2D(2, padding="same", name="encoded")(x)
        x = layers.Conv2D(8, 3, activation="relu", padding="same")(x)
        x = layers.UpSampling2D(2)(x)
        x = layers.Conv2D(8, 3, activation="relu", padding="same")(x)
        x = layers.UpSampling2D(2)(x)
        x = layers.Conv2D(16, 3, activation="relu", padding=last_padding)(x)
        x = layers.UpSampling2D(2)(x)
        out = layers.Conv2D(3, 3, activation="sigmoid", padding="same", name="decoded")(x)
        return keras.Model(inp, out, name="autoencoder")

    return dict(meta=meta, run_shape=[458, 690, 3], bug=lambda: ae(458, 690, "valid"),
                fixed=lambda: ae(464, 696, "same"), fixed_run_shape=[464, 696, 3])


@case
def gh_keras_12674_autoencoder_23_to_20():
    meta = dict(
        id="gh_keras_12674_autoencoder_23_to_20",
        source="github",
        url="https://github.com/keras-team/keras/issues/12674",
        title="Getting ValueError for unknown reason",
        reported="ValueError: Error when checking target: expected conv2d_7 to have shape (20, 20, 1) but got array wit…",
        bug_class="output-size-mismatch",
        expected=[{"code": "SL112", "layer": "conv2d_7"}],
        fix="the one 'valid' conv made 'same' and the 23×23 profiles zero-padded to 24×24 (a multiple of 8).",
        input_shape=[23, 23, 1],
    )

    def ae(n, pad):
        inp = keras.Input((n, n, 1), name="input_1")
        x = layers.Conv2D(16, 3, activation="relu", padding="same", name="conv2d_1")(inp)
        x = layers.MaxPooling2D(2, padding="same")(x)
        x = layers.Conv2D(8, 3, activation="relu", padding="same", name="conv2d_2")(x)
        x = layers.MaxPooling2D(2, padding="same")(x)
        x = layers.Conv2D(8, 3, activation="relu", padding="same", name="conv2d_3")(x)
        encoded = layers.MaxPooling2D(2, padding="same")(x)
        x = layers.Conv2D(8, 3, activation="relu", padding="same", name="conv2d_4")(encoded)
        x = layers.UpSampling2D(2)(x)
        x = layers.Conv2D(8, 3, activation="relu", padding="same", name="conv2d_5")(x)
        x = layers.UpSampling2D(2)(x)
        x = layers.Conv2D(16, 3, activation="relu", padding=pad, name="conv2d_6")(x)
        x = layers.UpSampling2D(2)(x)
        decoded = layers.Conv2D(1, 3, activation="sigmoid", padding="same", name="conv2d_7")(x)
        return keras.Model(inp, decoded)

    return dict(meta=meta, run_shape=[23, 23, 1], bug=lambda: ae(23, "valid"),
                fixed=lambda: ae(24, "same"), fixed_run_shape=[24, 24, 1])


@case
def gh_keras_5423_conv1d_pool_dense_unflattened():
    meta = dict(
        id="gh_keras_5423_conv1d_pool_dense_unflattened",
        source="github",
        url="https://github.com/keras-team/keras/issues/5423",
        title=("ValueError: Error when checking model target: expected dense_1 to have 3 dimensions, "
               "but got array with shape (8544, 5)"),
        reported="expected dense_1 to have 3 dimensions, but got array with shape (8544, 5)",
        bug_class="dense-on-unflattened-map",
        expected=[{"code": "SL111", "layer": "dense_1"}],
        fix="Flatten the pooled (1, 100) map before the Dense classifier.",
        input_shape=[98, 900],
    )
    max_len, h, vec = 100, 3, 300

    def net(flatten):
        ls = [layers.Conv1D(100, h, padding="same", name="convolution1d_1"),
              layers.MaxPooling1D(max_len - h + 1, name="maxpooling1d_1"),
              layers.Dropout(0.5)]
        if flatten:
            ls.append(layers.Flatten())
        ls.append(layers.Dense(5, activation="softmax", name="dense_1"))
        return seq((max_len - h + 1, h * vec), ls)

    return dict(meta=meta, run_shape=[98, 900], bug=lambda: net(False), fixed=lambda: net(True))


@case
def gh_keras_applications_142_vgg16_called_at_112():
    meta = dict(
        id="gh_keras_applications_142_vgg16_called_at_112",
        source="github",
        url="https://github.com/keras-team/keras-applications/issues/142",
        title="Pretrained VGG has multi input sizes?",
        reported=("VGG16(include_top=False, input_shape=(224,224,3)) called on Input(shape=(112,112,3)): "
                  "\"Some mistakes in the input shapes were found, but the model still runs unexpectedly.\""),
        bug_class="nested-model-input",
        expected=[{"code": "SL003", "layer": "vgg16"}],
        fix="build the base at the size it is used: VGG16(include_top=False, input_shape=(112, 112, 3)).",
        input_shape=[112, 112, 3],
    )

    def outer(base_size, outer_shape):
        base = keras.applications.VGG16(include_top=False, weights=None, input_shape=(base_size, base_size, 3))
        inp = keras.Input(outer_shape, name="input_1")
        return keras.Model(inp, base(inp), name="fake_model")

    return dict(meta=meta, run_shape=[112, 112, 3], bug=lambda: outer(224, (112, 112, 3)),
                bug_config=lambda: outer(224, (None, None, 3)), fixed=lambda: outer(112, (112, 112, 3)))


@case
def gh_tensorflow_31650_submodel_on_narrower_slice():
    meta = dict(
        id="gh_tensorflow_31650_submodel_on_narrower_slice",
        source="github",
        url="https://github.com/tensorflow/tensorflow/issues/31650",
        title="tf.keras.backend.function ignores input shapes?",
        reported=("sub built on Input(shape=(1,5,1)) is called on x[:,:,8:,:] of a (1,10,1) input: \"I expected "
                  "an error to be thrown, as the wrong input shape was fed to the model.\""),
        bug_class="nested-model-input",
        expected=[{"code": "SL003", "layer": "sub"}],
        fix="slice the second half as x[:, :, 5:, :] so both calls of sub get the (1, 5, 1) it was built for.",
        input_shape=[1, 10, 1],
    )

    def main_model(second_start, width):
        # The user's Lambda slices x[:, :, :5, :] and x[:, :, k:, :] written as the equivalent Cropping2D.
        sub_in = keras.Input((1, 5, 1), name="sub_in")
        s = layers.Conv2D(1, 1, name="sub_conv")(sub_in)
        s = layers.Flatten(name="sub_flatten")(s)
        sub = keras.Model(sub_in, s, name="sub")
        main_in = keras.Input((1, width, 1), name="main_in")
        right = 10 - 5
        a = layers.Cropping2D(((0, 0), (0, right)), name="main_in1")(main_in)
        b = layers.Cropping2D(((0, 0), (second_start, 0)), name="main_in2")(main_in)
        x = layers.Concatenate(name="concatenate")([sub(a), sub(b)])
        return keras.Model(main_in, x, name="main")

    return dict(meta=meta, run_shape=[1, 10, 1], bug=lambda: main_model(8, 10),
                bug_config=lambda: main_model(8, None), fixed=lambda: main_model(5, 10))


@case
def gh_dcase2018_baseline_18_bn_axis1_channels_last():
    meta = dict(
        id="gh_dcase2018_baseline_18_bn_axis1_channels_last",
        source="github",
        url="https://github.com/DCASE-REPO/dcase2018_baseline/issues/18",
        title="Task1: clarification of axis used in BatchNormalization layer",
        reported=('The input format used in this task is "channel_last", i.e., input(Batch, MelBands, Time, 1), '
                  'and the batch normalization is performed on "axis=1".'),
        bug_class="normalization-axis",
        expected=[{"code": "SL115", "layer": "batch_normalization"},
                  {"code": "SL115", "layer": "batch_normalization_1"}],
        fix="maintainer: the correct axis for the batch normalization is the last axis, axis=-1.",
        input_shape=[40, 500, 1],
    )

    def net(axis):
        return seq((40, 500, 1), [
            layers.Conv2D(32, 7, padding="same", data_format="channels_last"),
            layers.BatchNormalization(axis=axis, name="batch_normalization"),
            layers.Activation("relu"),
            layers.MaxPooling2D((5, 5), data_format="channels_last"),
            layers.Dropout(0.3),
            layers.Conv2D(64, 7, padding="same", data_format="channels_last"),
            layers.BatchNormalization(axis=axis, name="batch_normalization_1"),
            layers.Activation("relu"),
            layers.MaxPooling2D((4, 100), data_format="channels_last"),
            layers.Dropout(0.3),
            layers.Flatten(),
            layers.Dense(100, kernel_initializer="uniform", activation="relu"),
            layers.Dropout(0.3),
            layers.Dense(10, kernel_initializer="uniform", activation="softmax"),
        ])

    return dict(meta=meta, run_shape=[40, 500, 1], bug=lambda: net(1), fixed=lambda: net(-1))


@case
def gh_stochastic_depth_keras_1_bn_default_axis_channels_first():
    meta = dict(
        id="gh_stochastic_depth_keras_1_bn_default_axis_channels_first",
        source="github",
        url="https://github.com/dblN/stochastic_depth_keras/issues/1",
        title="Incorrect use of BatchNorm",
        reported=("You are using image tensors with the Theano dimension ordering conventions: (samples, channels, "
                  "width, height). You want to do BatchNorm on the channels, therefore you should use "
                  "BatchNormalization(axis=1) instead of BatchNormalization()"),
        bug_class="normalization-axis",
        expected=[{"code": "SL115", "layer": "batch_normalization"},
                  {"code": "SL115", "layer": "batch_normalization_1"},
                  {"code": "SL115", "layer": "batch_normalization_2"}],
        fix="BatchNormalization(axis=1) after every channels_first convolution.",
        input_shape=[3, 32, 32],
    )
    cf = "channels_first"

    def net(axis):
        # Stem and one same-size residual block of the 110-layer net (the Lambda gates left out).
        inp = keras.Input((3, 32, 32), name="input_1")
        x = layers.Conv2D(16, 3, padding="same", data_format=cf)(inp)
        x = layers.BatchNormalization(axis=axis, name="batch_normalization")(x)
        x = layers.Activation("relu")(x)
        c = layers.Conv2D(16, 3, padding="same", data_format=cf)(x)
        c = layers.BatchNormalization(axis=axis, name="batch_normalization_1")(c)
        c = layers.Activation("relu")(c)
        c = layers.Conv2D(16, 3, padding="same", data_format=cf)(c)
        c = layers.BatchNormalization(axis=axis, name="batch_normalization_2")(c)
        x = layers.Activation("relu")(layers.Add()([c, x]))
        x = layers.AveragePooling2D((8, 8), data_format=cf)(x)
        x = layers.Flatten()(x)
        out = layers.Dense(10, activation="softmax")(x)
        return keras.Model(inp, out)

    return dict(meta=meta, run_shape=[3, 32, 32], bug=lambda: net(-1), fixed=lambda: net(1))


@case
def gh_seld_dcase2021_8_bn_default_axis_channels_first():
    meta = dict(
        id="gh_seld_dcase2021_8_bn_default_axis_channels_first",
        source="github",
        url="https://github.com/sharathadavanne/seld-dcase2021/issues/8",
        title="BatchNormalization axis",
        reported=("the BN will affect the default axis which is -1 and so, since for the conv2D the 'Channels_first' "
                  "data format is used, the BN will be applied on the \"frequency\" axis and not on the channels axis."),
        bug_class="normalization-axis",
        expected=[{"code": "SL115", "layer": "batch_normalization"},
                  {"code": "SL115", "layer": "batch_normalization_1"},
                  {"code": "SL115", "layer": "batch_normalization_2"}],
        fix="maintainer: \"this seems to be a mistake\"; BatchNormalization(axis=1) on the channels_first maps.",
        input_shape=[7, 300, 64],
    )
    cf = "channels_first"

    def net(axis):
        # SELDnet with the 2021 defaults: 7x300x64 features, 64 filters, pools (5,4) (1,4) (1,2), ACCDOA output.
        inp = keras.Input((7, 300, 64), name="input_1")
        x = inp
        for i, (tp, fp) in enumerate(((5, 4), (1, 4), (1, 2))):
            x = layers.Conv2D(64, (3, 3), padding="same", data_format=cf)(x)
            x = layers.BatchNormalization(axis=axis, name="batch_normalization" + ("" if i == 0 else f"_{i}"))(x)
            x = layers.Activation("relu")(x)
            x = layers.MaxPooling2D((tp, fp), data_format=cf)(x)
            x = layers.Dropout(0.05)(x)
        x = layers.Permute((2, 1, 3))(x)
        x = layers.Reshape((60, -1))(x)
        for _ in range(2):
            x = layers.Bidirectional(layers.GRU(128, activation="tanh", return_sequences=True), merge_mode="mul")(x)
        x = layers.TimeDistributed(layers.Dense(128))(x)
        x = layers.Dropout(0.05)(x)
        x = layers.TimeDistributed(layers.Dense(36))(x)
        out = layers.Activation("tanh", name="doa_out")(x)
        return keras.Model(inp, out)

    return dict(meta=meta, run_shape=[7, 300, 64], bug=lambda: net(-1), fixed=lambda: net(1))


@case
def gh_defoggan_1_bn_last_axis_channels_first():
    meta = dict(
        id="gh_defoggan_1_bn_last_axis_channels_first",
        source="github",
        url="https://github.com/TeamSAIDA/DefogGAN/issues/1",
        title="the axis of BatchNormalization problem",
        reported=("Conv2D(depth * 2, (3, 3), … data_format='channels_first')(img_input) BatchNormalization(axis=-1, …) "
                  "I think the axis of BatchNormalization operation after conv2d shoud be 1，not be -1."),
        bug_class="normalization-axis",
        expected=[{"code": "SL115", "layer": "b1"}, {"code": "SL115", "layer": "b2"},
                  {"code": "SL115", "layer": "b3"}, {"code": "SL115", "layer": "b4"}],
        fix="reply: axis should be 1 if the previous layer data_format was channels_first.",
        input_shape=[82, 32, 32],
    )
    cf = "channels_first"

    def gen(axis):
        # The generator's four conv/BN blocks (train_GAN.py, build_generator), up to act4.
        depth = 82
        inp = keras.Input((82, 32, 32), name="input")
        x = inp
        for i, (mult, stride) in enumerate(((2, 1), (2, 2), (4, 1), (4, 2)), start=1):
            x = layers.Conv2D(depth * mult, (3, 3), strides=stride, activation="relu", padding="same",
                              data_format=cf, name=f"c{i}")(x)
            x = layers.BatchNormalization(axis=axis, momentum=0.99, epsilon=0.001, name=f"b{i}")(x)
            x = layers.Activation("relu", name=f"act{i}")(x)
        return keras.Model(inp, x, name="generator")

    return dict(meta=meta, run_shape=[82, 32, 32], bug=lambda: gen(-1), fixed=lambda: gen(1))


@case
def gh_keras_2167_reshape_channels_first_map():
    meta = dict(
        id="gh_keras_2167_reshape_channels_first_map",
        source="github",
        url="https://github.com/keras-team/keras/issues/2167",
        title="Is it possible to define order in Reshape layer?",
        reported=("I have 1024 7*7 convolutional feature maps and I want to reshape them to a 49*1024 tensor … "
                  "I want to put features from the same image patch into a row"),
        bug_class="reshape-moves-channels",
        expected=[{"code": "SL118", "layer": "reshape"}],
        fix="answer: Permute((2,3,1)) followed by Reshape((49, 1024)).",
        input_shape=[1024, 7, 7],
    )

    def net(permute):
        # Theano ordering: the 1024 maps come channels_first from a conv (a 1x1 conv stands in for it).
        inp = keras.Input((1024, 7, 7), name="input_1")
        x = layers.Conv2D(1024, 1, data_format="channels_first", name="conv")(inp)
        if permute:
            x = layers.Permute((2, 3, 1), name="permute")(x)
        x = layers.Reshape((49, 1024), name="reshape")(x)
        return keras.Model(inp, x)

    return dict(meta=meta, run_shape=[1024, 7, 7], bug=lambda: net(False), fixed=lambda: net(True))


@case
def gh_keras_10185_transpose_39_to_40():
    meta = dict(
        id="gh_keras_10185_transpose_39_to_40",
        source="github",
        url="https://github.com/keras-team/keras/issues/10185",
        title="how to Specified output_shape in conv2d_transpose ?",
        reported="eg. size 39 -> maxpooling 20 -> conv2d_transpose 39 ,but keras calc auto to 40 .",
        bug_class="output-size-mismatch",
        expected=[{"code": "SL112", "layer": "conv2d_transpose"}],
        fix="output_padding=0 on the 'same' stride-2 transpose, which then returns 2·20−1 = 39.",
        input_shape=[39, 39, 3],
    )

    def net(out_pad, n):
        return seq((n, n, 3), [
            layers.MaxPooling2D(2, padding="same", name="max_pooling2d"),
            layers.Conv2DTranspose(3, 3, strides=2, padding="same", output_padding=out_pad, name="conv2d_transpose"),
        ])

    return dict(meta=meta, run_shape=[39, 39, 3], bug=lambda: net(None, None),
                fixed=lambda: net(0, 39))


@case
def gh_keras_19964_unet_358_concat():
    meta = dict(
        id="gh_keras_19964_unet_358_concat",
        source="github",
        url="https://github.com/keras-team/keras/issues/19964",
        title=("ValueError: A `Concatenate` layer requires inputs with matching shapes except for the concatenation "
               "axis. Received: input_shape=[(None, 88, 88, 128), (None, 89, 89, 128)]"),
        reported=("ValueError: A `Concatenate` layer requires inputs with matching shapes except for the "
                  "concatenation axis. Received: input_shape=[(None, 88, 88, 128), (None, 89, 89, 128)]"),
        bug_class="merge-mismatch",
        expected=[{"code": "SL002", "layer": "concatenate"}],
        fix="the user's earlier 256×256 input, where every pooling divides evenly.",
        input_shape=[358, 358, 1],
    )

    def unet(n, n_levels=4, initial_features=32, n_blocks=2):
        inputs = keras.Input((n, n, 1), name="input_1")
        x = inputs
        convpars = dict(kernel_size=3, activation="relu", padding="same")
        skips = {}
        for level in range(n_levels):
            for _ in range(n_blocks):
                x = layers.Conv2D(initial_features * 2 ** level, **convpars)(x)
            if level < n_levels - 1:
                skips[level] = x
                x = layers.MaxPool2D(2)(x)
        for k, level in enumerate(reversed(range(n_levels - 1))):
            x = layers.Conv2DTranspose(initial_features * 2 ** level, strides=2, **convpars)(x)
            x = layers.Concatenate(name="concatenate" + ("" if k == 0 else f"_{k}"))([x, skips[level]])
            for _ in range(n_blocks):
                x = layers.Conv2D(initial_features * 2 ** level, **convpars)(x)
        out = layers.Conv2D(1, 1, activation="sigmoid", padding="same")(x)
        return keras.Model(inputs, out)

    return dict(meta=meta, run_shape=[358, 358, 1], bug=lambda: unet(358),
                bug_config=lambda: unet(None), fixed=lambda: unet(256), fixed_run_shape=[256, 256, 1])


@case
def gh_inception_v4_3_concat_axis_th():
    meta = dict(
        id="gh_inception_v4_3_concat_axis_th",
        source="github",
        url="https://github.com/titu1994/Inception-v4/issues/3",
        title="Concat Operation",
        reported=('"concat" mode can only merge layers with matching output shapes except for the concat axis. '
                  "Layer shapes: [(None, 73, 73, 64), (None, 73, 73, 96)]"),
        bug_class="merge-mismatch",
        expected=[{"code": "SL002", "layer": "concatenate"}],
        fix="commit bbfce5f: the merges concatenate on the channel axis of the TF ordering (axis=-1).",
        input_shape=[299, 299, 3],
    )

    def stem(axis):
        inp = keras.Input((299, 299, 3), name="input_1")
        x = layers.Conv2D(32, 3, strides=2, padding="valid", activation="relu")(inp)
        x = layers.Conv2D(32, 3, padding="valid", activation="relu")(x)
        x = layers.Conv2D(64, 3, padding="same", activation="relu")(x)
        x1 = layers.MaxPooling2D(3, strides=2, padding="valid")(x)
        x2 = layers.Conv2D(96, 3, strides=2, padding="valid", activation="relu")(x)
        out = layers.Concatenate(axis=axis, name="concatenate")([x1, x2])
        return keras.Model(inp, out, name="inception_v4_stem")

    # Keras refuses axis=1 at any size; the file is the stem with the user's axis written back.
    return dict(meta=meta, run_shape=[299, 299, 3], bug=lambda: stem(1),
                bug_config=lambda: set_layer_config(model_dict(stem(-1)), "concatenate", axis=1),
                fixed=lambda: stem(-1))


@case
def gh_hybridsn_3_window5_conv3d():
    meta = dict(
        id="gh_hybridsn_3_window5_conv3d",
        source="github",
        url="https://github.com/gokriznastic/HybridSN/issues/3",
        title="Error while create model",
        reported=("Negative dimension size caused by subtracting 3 from 1 for 'conv3d_6/convolution' (op: 'Conv3D') "
                  "with input shapes: [?,1,1,20,16], [3,3,3,16,32]."),
        bug_class="negative-dimension",
        expected=[{"code": "SL001", "layer": "conv3d_3"}],
        fix="the notebook's windowSize=25 patches (the three 3×3 spatial kernels need at least 7).",
        input_shape=[5, 5, 30, 1],
    )

    def hybridsn(s):
        inp = keras.Input((s, s, 30, 1), name="input_1")
        x = layers.Conv3D(8, (3, 3, 7), activation="relu", name="conv3d_1")(inp)
        x = layers.Conv3D(16, (3, 3, 5), activation="relu", name="conv3d_2")(x)
        x = layers.Conv3D(32, (3, 3, 3), activation="relu", name="conv3d_3")(x)
        d = x.shape
        x = layers.Reshape((d[1], d[2], d[3] * d[4]))(x)
        x = layers.Conv2D(64, (3, 3), activation="relu")(x)
        x = layers.Flatten()(x)
        x = layers.Dense(256, activation="relu")(x)
        x = layers.Dropout(0.4)(x)
        x = layers.Dense(128, activation="relu")(x)
        x = layers.Dropout(0.4)(x)
        out = layers.Dense(16, activation="softmax")(x)
        return keras.Model(inp, out)

    # The user's 5x5 patches are refused at the third Conv3D: the file holds the model built at
    # windowSize=25 with the user's 5x5x30x1 input declared.
    return dict(meta=meta, run_shape=[5, 5, 30, 1], bug=lambda: hybridsn(5),
                bug_config=lambda: declare_input(forget_recorded_shapes(model_dict(hybridsn(25))), [5, 5, 30, 1]),
                fixed=lambda: hybridsn(25), fixed_run_shape=[25, 25, 30, 1])


@case
def gh_cnngesture_56_theano_input_tf_ordering():
    meta = dict(
        id="gh_cnngesture_56_theano_input_tf_ordering",
        source="github",
        url="https://github.com/asingh33/CNNGestureRecognizer/issues/56",
        title=("ValueError: Negative dimension size caused by subtracting 3 from 1 for 'conv2d_1/convolution' "
               "(op: 'Conv2D') with input shapes: [?,1,200,200], [3,3,200,32]."),
        reported=("ValueError: Negative dimension size caused by subtracting 3 from 1 for 'conv2d_1/convolution' "
                  "(op: 'Conv2D') with input shapes: [?,1,200,200], [3,3,200,32]."),
        bug_class="channels-order",
        expected=[{"code": "SL113", "layer": "input_1"}, {"code": "SL001", "layer": "conv2d_1"}],
        fix="keep the Theano ordering the code was written for (K.set_image_dim_ordering('th')): channels_first layers.",
        input_shape=[1, 200, 200],
    )

    def net(fmt, shape):
        return seq(shape, [
            layers.Conv2D(32, (3, 3), padding="valid", data_format=fmt, name="conv2d_1"),
            layers.Activation("relu"),
            layers.Conv2D(32, (3, 3), data_format=fmt, name="conv2d_2"),
            layers.Activation("relu"),
            layers.MaxPooling2D((2, 2), data_format=fmt),
            layers.Dropout(0.5),
            layers.Flatten(),
            layers.Dense(128),
            layers.Activation("relu"),
            layers.Dropout(0.5),
            layers.Dense(5),
            layers.Activation("softmax"),
        ], input_name="input_1")

    return dict(meta=meta, run_shape=[1, 200, 200], bug=lambda: net("channels_last", (1, 200, 200)),
                bug_config=lambda: declare_input(forget_recorded_shapes(model_dict(net("channels_last", (8, 200, 200)))),
                                                 [1, 200, 200]),
                fixed=lambda: net("channels_first", (1, 200, 200)))


@case
def gh_keras_io_610_ocr_reshape_768():
    meta = dict(
        id="gh_keras_io_610_ocr_reshape_768",
        source="github",
        url="https://github.com/keras-team/keras-io/issues/610",
        title="ValueError: total size of new array must be unchanged, input_shape = [50, 50, 64], output_shape = [50, 768]",
        reported="ValueError: total size of new array must be unchanged, input_shape = [50, 50, 64], output_shape = [50, 768]",
        bug_class="reshape-size",
        expected=[{"code": "SL003", "layer": "reshape"}],
        fix="reply: the target must keep the size, [50, 50*64] instead of [50, 768].",
        input_shape=[200, 200, 1],
    )

    def ocr(h, target):
        # The captcha OCR example's prediction path with 200x200 images (the CTC layer is training-only).
        inp = keras.Input((200, h, 1), name="image")
        x = layers.Conv2D(32, 3, activation="relu", kernel_initializer="he_normal", padding="same", name="Conv1")(inp)
        x = layers.MaxPooling2D(2, name="pool1")(x)
        x = layers.Conv2D(64, 3, activation="relu", kernel_initializer="he_normal", padding="same", name="Conv2")(x)
        x = layers.MaxPooling2D(2, name="pool2")(x)
        x = layers.Reshape(target, name="reshape")(x)
        x = layers.Dense(64, activation="relu", name="dense1")(x)
        x = layers.Dropout(0.2)(x)
        x = layers.Bidirectional(layers.LSTM(128, return_sequences=True, dropout=0.25))(x)
        x = layers.Bidirectional(layers.LSTM(64, return_sequences=True, dropout=0.25))(x)
        out = layers.Dense(20, activation="softmax", name="dense2")(x)
        return keras.Model(inp, out, name="ocr_model_v1")

    return dict(meta=meta, run_shape=[200, 200, 1], bug=lambda: ocr(200, (50, 768)),
                bug_config=lambda: declare_input(model_dict(ocr(None, (50, 768))), [200, 200, 1]),
                fixed=lambda: ocr(200, (50, 50 * 64)))


@case
def gh_segmentation_models_154_unet_valid_no_crop():
    meta = dict(
        id="gh_segmentation_models_154_unet_valid_no_crop",
        source="github",
        url="https://github.com/qubvel/segmentation_models/issues/154",
        title="How to tackle Unet concatenation problem",
        reported=("It tries to concatenate the first Conv2DTranspose result with shape of (56, 56, 512) and the 4th "
                  "Conv2D result with shape(64, 64, 512)."),
        bug_class="merge-mismatch",
        expected=[{"code": "SL002", "layer": "concatenate"}],
        fix="crop each skip map to the up-sampled size before concatenating, as the U-Net paper does (64→56 …).",
        input_shape=[572, 572, 3],
    )

    def block(x, f):
        for _ in range(2):
            x = layers.Conv2D(f, 3, strides=1)(x)
            x = layers.BatchNormalization()(x)
            x = layers.Activation("relu")(x)
        return x

    def unet(n, crop):
        inp = keras.Input((n, n, 3), name="input_1")
        x, skips = inp, []
        for f in (64, 128, 256, 512):
            x = block(x, f)
            skips.append(x)
            x = layers.MaxPooling2D(2, strides=2, padding="same")(x)
        x = block(x, 1024)
        for k, f in enumerate((512, 256, 128, 64)):
            x = layers.Conv2DTranspose(f, 2, strides=2)(x)
            skip = skips[-1 - k]
            if crop:
                c = (skip.shape[1] - x.shape[1]) // 2
                skip = layers.Cropping2D(c)(skip)
            x = layers.Concatenate(name="concatenate" + ("" if k == 0 else f"_{k}"))([x, skip])
            x = block(x, f)
        out = layers.Conv2D(1, 1, activation="sigmoid")(x)
        return keras.Model(inp, out)

    return dict(meta=meta, run_shape=[572, 572, 3], bug=lambda: unet(572, False),
                bug_config=lambda: unet(None, False), fixed=lambda: unet(572, True))


@case
def gh_chess_alpha_zero_pr90_bn_last_axis_channels_first():
    n_res = 7  # configs/normal.py: cnn_filter_num 256, first kernel 5, kernel 3, 7 residual layers, value_fc 256
    bns = (["input_batchnorm"] + [f"res{i}_batchnorm{j}" for i in range(1, n_res + 1) for j in (1, 2)]
           + ["policy_batchnorm", "value_batchnorm"])
    meta = dict(
        id="gh_chess_alpha_zero_pr90_bn_last_axis_channels_first",
        source="github",
        url="https://github.com/Zeta36/chess-alpha-zero/pull/90",
        title="Update BN axis",
        reported=("If channels first, then batch normalization should be on the axis 1 (channel axis). \"axis=-1\" is "
                  "in the case where channels are on the last dimension (batch, width, height, channels)."),
        bug_class="normalization-axis",
        expected=[{"code": "SL115", "layer": name} for name in bns],
        fix="the merged pull request (commit 76f8bfe): BatchNormalization(axis=1) after every channels_first conv.",
        input_shape=[18, 8, 8],
    )
    cf = "channels_first"

    def chess(axis):
        # src/chess_zero/agent/model_chess.py at 06fc455 (the parent of the fix), n_labels = 1968 UCI moves.
        in_x = keras.Input((18, 8, 8), name="input_1")
        x = layers.Conv2D(256, 5, padding="same", data_format=cf, use_bias=False, name="input_conv-5-256")(in_x)
        x = layers.BatchNormalization(axis=axis, name="input_batchnorm")(x)
        x = layers.Activation("relu", name="input_relu")(x)
        for i in range(1, n_res + 1):
            res = x
            x = layers.Conv2D(256, 3, padding="same", data_format=cf, use_bias=False, name=f"res{i}_conv1-3-256")(x)
            x = layers.BatchNormalization(axis=axis, name=f"res{i}_batchnorm1")(x)
            x = layers.Activation("relu", name=f"res{i}_relu1")(x)
            x = layers.Conv2D(256, 3, padding="same", data_format=cf, use_bias=False, name=f"res{i}_conv2-3-256")(x)
            x = layers.BatchNormalization(axis=axis, name=f"res{i}_batchnorm2")(x)
            x = layers.Add(name=f"res{i}_add")([res, x])
            x = layers.Activation("relu", name=f"res{i}_relu2")(x)
        res_out = x
        x = layers.Conv2D(2, 1, data_format=cf, use_bias=False, name="policy_conv-1-2")(res_out)
        x = layers.BatchNormalization(axis=axis, name="policy_batchnorm")(x)
        x = layers.Activation("relu", name="policy_relu")(x)
        x = layers.Flatten(name="policy_flatten")(x)
        policy_out = layers.Dense(1968, activation="softmax", name="policy_out")(x)
        x = layers.Conv2D(4, 1, data_format=cf, use_bias=False, name="value_conv-1-4")(res_out)
        x = layers.BatchNormalization(axis=axis, name="value_batchnorm")(x)
        x = layers.Activation("relu", name="value_relu")(x)
        x = layers.Flatten(name="value_flatten")(x)
        x = layers.Dense(256, activation="relu", name="value_dense")(x)
        value_out = layers.Dense(1, activation="tanh", name="value_out")(x)
        return keras.Model(in_x, [policy_out, value_out], name="chess_model")

    return dict(meta=meta, run_shape=[18, 8, 8], bug=lambda: chess(-1), fixed=lambda: chess(1))


@case
def gh_densenet_deeplearningimplementations_61_theano_axes():
    meta = dict(
        id="gh_densenet_deeplearningimplementations_61_theano_axes",
        source="github",
        url="https://github.com/tdeboissiere/DeepLearningImplementations/issues/61",
        title="DenseNet NB axis error",
        reported=("The current DenseNet implementation makes the axis parameter of BatchNormalization function 1. "
                  "However, this parameter should be decided by the data format, thus channel first or channel last."),
        bug_class="merge-mismatch",
        expected=[{"code": "SL002", "layer": "concatenate"},
                  {"code": "SL115", "layer": "batch_normalization"}],
        fix="pull request #62: the BatchNormalization and concatenation axis follow the data format (-1 for channels_last).",
        input_shape=[32, 32, 3],
    )

    def densenet(axis, depth=10, nb_dense_block=3, growth_rate=12, nb_filter=16, dropout_rate=0.2):
        # DenseNet/densenet.py (Theano axes: BN axis=1, concat axis=1) on CIFAR-10 images read channels_last
        # (TF ordering, img_dim = X_train.shape[1:] = (32, 32, 3)); depth 10 instead of 40: 2 layers per block.
        count = {"bn": 0, "cat": 0}

        def bn():
            name = "batch_normalization" + ("" if count["bn"] == 0 else f"_{count['bn']}")
            count["bn"] += 1
            return layers.BatchNormalization(axis=axis, name=name)

        def concat():
            name = "concatenate" + ("" if count["cat"] == 0 else f"_{count['cat']}")
            count["cat"] += 1
            return layers.Concatenate(axis=axis, name=name)

        def conv_factory(x, f):
            x = layers.Activation("relu")(bn()(x))
            x = layers.Conv2D(f, 3, kernel_initializer="he_uniform", padding="same")(x)
            return layers.Dropout(dropout_rate)(x)

        def transition(x, f):
            x = layers.Activation("relu")(bn()(x))
            x = layers.Conv2D(f, 1, kernel_initializer="he_uniform", padding="same")(x)
            x = layers.Dropout(dropout_rate)(x)
            return layers.AveragePooling2D((2, 2), strides=(2, 2))(x)

        def denseblock(x, nb_layers, f):
            feats = [x]
            for _ in range(nb_layers):
                x = conv_factory(x, growth_rate)
                feats.append(x)
                x = concat()(feats)
                f += growth_rate
            return x, f

        inp = keras.Input((32, 32, 3), name="input_1")
        nb_layers = (depth - 4) // 3
        x = layers.Conv2D(nb_filter, 3, kernel_initializer="he_uniform", padding="same", name="initial_conv2D")(inp)
        for _ in range(nb_dense_block - 1):
            x, nb_filter = denseblock(x, nb_layers, nb_filter)
            x = transition(x, nb_filter)
        x, nb_filter = denseblock(x, nb_layers, nb_filter)
        x = layers.Activation("relu")(bn()(x))
        x = layers.AveragePooling2D((8, 8))(x)
        x = layers.Flatten()(x)
        out = layers.Dense(10, activation="softmax")(x)
        return keras.Model(inp, out, name="DenseNet")

    def bug_config():
        # Keras refuses the concatenation on axis 1 at any size: the file is the network built with the
        # channel axis, with the user's axis=1 written back into every BatchNormalization and Concatenate.
        cfg = model_dict(densenet(-1))
        for layer in cfg["config"]["layers"]:
            if layer["class_name"] == "Concatenate":
                layer["config"]["axis"] = 1
            if layer["class_name"] == "BatchNormalization":
                layer["config"]["axis"] = 1
        return forget_recorded_shapes(cfg)

    return dict(meta=meta, run_shape=[32, 32, 3], bug=lambda: densenet(1), bug_config=bug_config,
                fixed=lambda: densenet(-1))


README_HEADER = """# Real-world corpus: GitHub issues

Shape bugs users reported in GitHub issue trackers (keras-team/keras, tensorflow/tensorflow,
keras-team/keras-contrib, keras-team/keras-applications, keras-team/keras-io and model repositories),
each reproduced with Keras 3 by `make_cases.py` (one builder per case), with the healthy twin from the
maintainers' reply or the accepted fix. `case.yaml` holds the provenance, the user's words, the bug
class, the codes a correct linter gives (`expected`), the fix, and `tf_verdict` from real Keras/TF runs.

Regenerate: `/work/main/.venv/bin/python tests/realworld/github/make_cases.py --readme`
(the README table runs `shapelint <file> --format json`, with `--input-shape` from `input_shape` on
bug.json; cells list warnings and errors as `code layer`; *caught* counts expected (code, layer) pairs
found).

Reproduction notes (where the file is not a verbatim transcription of the user's code):
- `gh_keras_contrib_229_…`: DenseNet-121's dense blocks are trimmed to a stem and the transitions
  that reach the same 7×7×1024 map the report shows before `dense_1`.
- `gh_artificio_12_…`: the repository's current convAE has 'same' padding everywhere; the report's
  summary (460×692 from 458×690 through three poolings) matches the Keras-blog decoder the code had then,
  whose third decoder conv has no padding; that is what bug.json holds.
- `gh_tensorflow_31650_…`: the user's Lambda slices are written as the equivalent Cropping2D layers.
- `gh_keras_2167_…`: a 1×1 channels_first conv stands in for the conv that produced the 1024 maps.
- `gh_stochastic_depth_keras_1_…`, `gh_defoggan_1_…`: the first blocks of the networks, where the
  normalization axis is set, and the head; the many identical blocks after them are left out.
- Keras refuses the bug at the user's size in `gh_keras_applications_142_…`,
  `gh_tensorflow_31650_…`, `gh_keras_19964_…`, `gh_segmentation_models_154_…`,
  `gh_keras_10185_…` (declared `None` by the user) — bug.json is built with unknown (None) sizes
  and `input_shape` holds the user's size; in `gh_cnngesture_56_…`, `gh_keras_io_610_…`,
  `gh_hybridsn_3_…` the user's declared input is written back into the InputLayer of a buildable
  twin (built at another size, its recorded layer-input shapes set to unknown); in `gh_inception_v4_3_…`
  the user's `axis=1` is written back into the Concatenate, in `gh_densenet_deeplearningimplementations_61_…`
  into every Concatenate and BatchNormalization (recorded shapes set to unknown).
- `gh_densenet_deeplearningimplementations_61_…`: depth 10 (2 layers per dense block) instead of 40;
  the refused merge is the first one.
- `gh_chess_alpha_zero_pr90_…`: `n_labels` (1968 UCI moves) is the value of the repository's
  `create_uci_labels()`; regularizers left out.
- Expected layers for SL112 name the layer that produces the model's output (the catalog defines the
  rule by the output differing from the input), not the layer a fix changes.
"""


if __name__ == "__main__":
    main(CASES, HERE, README_HEADER)
