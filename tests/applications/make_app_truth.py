"""Write the Keras/TF reference shapes of every keras.applications model.

For each model (``weights=None``) it writes ``truth/<App>.json.gz`` (compact JSON, gzipped:
the configs are large):

- ``default``: the model's config as Keras serializes it and, for every layer call, the
  output shapes Keras inferred when it built the model (batch dim ``null``);
- ``dynamic``: the ``include_top=False`` model's config (input size ``null``) and, for each
  of ``ODD_SIZES``, TF running it eagerly on zeros (batch 1), layer by layer: every layer
  call's output shapes, or the one-line error when TF refuses that size;
- ``params``: the parameter count.

and ``truth/INDEX.json``, ``{app: parameter count}`` of every file (``test_applications``
rebuilds the smallest models live in every run). ``--params`` writes only
``truth/PARAMS.json``: ``{app: {total, trainable, non_trainable}}`` as Keras counts the
weights of each model (about two minutes).

Run by hand after a Keras or TF upgrade (a few minutes), from the repository root:

    python tests/applications/make_app_truth.py            # every model
    python tests/applications/make_app_truth.py ResNet50   # only these
    python tests/applications/make_app_truth.py --params   # the parameter split only
"""

from __future__ import annotations

import argparse
import gc
import gzip
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TRUTH = os.path.join(HERE, "truth")
ODD_SIZES = (97, 141)


def shape_rows(shapes: dict) -> list:
    """``{(layer, node): [shape, ...]}`` as sorted ``[layer, node, [shape, ...]]`` rows."""
    return [[name, node, [list(s) for s in outs]] for (name, node), outs in sorted(shapes.items())]


def applications() -> list:
    import keras

    return sorted(name for name in dir(keras.applications) if name[0].isupper())


def truth(app: str) -> dict:
    """The reference of one app, computed with Keras and TF (see the module docstring)."""
    import keras
    import tensorflow as tf
    from keras_graph import eager_shapes, symbolic_shapes

    keras.backend.clear_session()  # auto-named layers are numbered as in a fresh process
    builder = getattr(keras.applications, app)
    model = builder(weights=None)
    default = {"config": json.loads(model.to_json()),
               "shapes": shape_rows(symbolic_shapes(model))}
    params = int(model.count_params())
    del model
    dynamic = builder(weights=None, include_top=False)
    channels = int(dynamic.inputs[0].shape[-1])
    odd = {}
    for n in ODD_SIZES:
        verdict, value = eager_shapes(dynamic, [(n, n, channels)])
        odd[str(n)] = ({"verdict": "ok", "shapes": shape_rows(value)} if verdict == "ok"
                       else {"verdict": "error", "error": value})
    result = {"app": app, "params": params,
              "versions": {"keras": keras.__version__, "tensorflow": tf.__version__},
              "default": default,
              "dynamic": {"config": json.loads(dynamic.to_json()),
                          "channels": channels, "odd_sizes": odd}}
    del dynamic
    gc.collect()
    return result


def read(app: str) -> dict:
    with gzip.open(os.path.join(TRUTH, f"{app}.json.gz"), "rt", encoding="utf-8") as f:
        return json.load(f)


def write_index() -> None:
    apps = sorted(f[:-len(".json.gz")] for f in os.listdir(TRUTH) if f.endswith(".json.gz"))
    with open(os.path.join(TRUTH, "INDEX.json"), "w", encoding="utf-8") as f:
        json.dump({app: read(app)["params"] for app in apps}, f, indent=1)
        f.write("\n")


def params_split(app: str) -> dict:
    """Keras's weight counts of one app: all, trainable and non-trainable."""
    import keras

    keras.backend.clear_session()
    model = getattr(keras.applications, app)(weights=None)
    split = {"total": int(model.count_params()),
             "trainable": sum(int(w.shape.num_elements()) for w in model.trainable_weights),
             "non_trainable": sum(int(w.shape.num_elements())
                                  for w in model.non_trainable_weights)}
    del model
    gc.collect()
    return split


def write_params(apps: list) -> None:
    found = {}
    for app in apps:
        found[app] = params_split(app)
        print(app, found[app], flush=True)
    with open(os.path.join(TRUTH, "PARAMS.json"), "w", encoding="utf-8") as f:
        json.dump(found, f, indent=1, sort_keys=True)
        f.write("\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("apps", nargs="*")
    parser.add_argument("--params", action="store_true", help="write truth/PARAMS.json only")
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
    if args.params:
        write_params(args.apps or applications())
        return
    sys.path.insert(0, os.path.dirname(HERE))  # tests/, for keras_graph
    os.makedirs(TRUTH, exist_ok=True)
    for app in args.apps or applications():
        result = truth(app)
        text = json.dumps(result, separators=(",", ":"), sort_keys=True, allow_nan=False)
        with open(os.path.join(TRUTH, f"{app}.json.gz"), "wb") as f:
            f.write(gzip.compress(text.encode() + b"\n", mtime=0))  # same bytes for the same truth
        odd = {n: v["verdict"] for n, v in result["dynamic"]["odd_sizes"].items()}
        print(app, len(result["default"]["shapes"]), "layer calls,", odd, flush=True)
    write_index()


if __name__ == "__main__":
    main()
