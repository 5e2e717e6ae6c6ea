"""Write the TensorFlow ground truth of which input sizes each model runs at.

For each model of ``size_models.MODELS`` and each size n in 1..N (n on every unknown input dim,
batch 1), n is valid when both

- Keras builds the model at that size: its own shape inference (``compute_output_spec``
  through every layer) raises nothing and gives no length ≤ 0, and
- TensorFlow runs it eagerly on zeros with every layer's output kept: it raises nothing
  and no output has a length ≤ 0 (TF lets empty tensors flow through pooling and
  concatenation).

Both are needed: eager TF on CPU runs some "valid" depthwise convs on maps smaller than
their kernel and returns a wrong shape without an error, which Keras's shape inference
and TF's graph mode (what ``fit`` uses) refuse. Sizes where eager TF runs but Keras
refuses are recorded as ``eager_only``, and each is confirmed by running the model in
graph mode (``tf.function``): ``graph_refuses`` lists those where it fails too.
Some pooling kernels crash the TF process on tiny inputs; each model runs in a child
process that is restarted after such a crash, and the size is recorded as not valid.

    python tests/sizes/make_truth.py [--max 160] [MODEL ...]

writes tests/sizes/truth/<model>.json. Slow (minutes): not run in CI, which compares
shapelint with these files and runs TF live on the small models only.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from size_models import MODELS  # noqa: E402


def tf_runs(every_output, size: int, graph: bool = False) -> bool:
    """TF runs the model at ``size`` with every layer output non-empty: eagerly, or in
    graph mode (``tf.function``, as ``fit`` does)."""
    from size_models import zeros_at

    call = every_output
    if graph:
        import tensorflow as tf

        call = tf.function(every_output)
    try:
        outputs = call([zeros_at(every_output, size)])
    except Exception:  # noqa: BLE001 - any failure of TF is "does not run"
        return False
    return all(all(int(d) > 0 for d in tuple(o.shape)) for o in outputs)


def keras_builds(every_output, size: int) -> bool:
    """Keras's shape inference goes through every layer at ``size``, no length ≤ 0."""
    import keras

    shape = [1] + [size if d is None else d for d in every_output.inputs[0].shape[1:]]
    try:
        specs = every_output.compute_output_spec(
            [keras.KerasTensor(shape, dtype=every_output.inputs[0].dtype)])
    except Exception:  # noqa: BLE001
        return False
    return all(all(d is None or int(d) > 0 for d in s.shape) for s in specs)


def worker(name: str, start: int, stop: int) -> None:
    """Child process: print ``size eager keras graph`` (1/0/-) for each size."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras
    from size_models import build

    model = build(name)
    every_output = keras.Model(model.inputs, [layer.output for layer in model.layers[1:]])
    for size in range(start, stop + 1):
        eager, builds = tf_runs(every_output, size), keras_builds(every_output, size)
        graph = "-" if eager == builds else str(int(tf_runs(every_output, size, graph=True)))
        print(size, int(eager), int(builds), graph, flush=True)


def truth(name: str, stop: int) -> dict:
    valid, eager_only, graph_refuses, crashed, size = [], [], [], [], 1
    while size <= stop:
        proc = subprocess.run([sys.executable, __file__, "--worker", name, str(size), str(stop)],
                              capture_output=True, text=True)
        done = [line.split() for line in proc.stdout.splitlines() if line.strip()]
        for n, eager, builds, graph in done:
            if eager == "1" and builds == "1":
                valid.append(int(n))
            elif eager == "1":
                eager_only.append(int(n))
                if graph == "0":
                    graph_refuses.append(int(n))
        size = int(done[-1][0]) + 1 if done else size
        if proc.returncode != 0 and size <= stop:
            crashed.append(size)  # the process died running this size
            size += 1
    return {"model": name, "sizes": [1, stop], "valid": valid, "eager_only": eager_only,
            "graph_refuses": graph_refuses, "crashed": crashed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("models", nargs="*", default=list(MODELS))
    parser.add_argument("--max", type=int, default=160)
    parser.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker[0], int(args.worker[1]), int(args.worker[2]))
        return
    import keras
    import tensorflow as tf

    for name in args.models:
        result = truth(name, args.max)
        result["versions"] = {"keras": keras.__version__, "tensorflow": tf.__version__}
        with open(os.path.join(HERE, "truth", f"{name}.json"), "w") as f:
            json.dump(result, f, indent=1)
            f.write("\n")
        print(name, len(result["valid"]), "valid; eager only:", result["eager_only"],
              "graph refuses:", result["graph_refuses"], "crashed:", result["crashed"], flush=True)


if __name__ == "__main__":
    main()
