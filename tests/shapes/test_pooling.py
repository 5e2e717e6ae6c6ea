"""Pooling shape rules against the real Keras layers."""

import subprocess
import sys

import pytest

keras = pytest.importorskip("keras")

import numpy as np  # noqa: E402
from hypothesis import HealthCheck, assume, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from reference import (  # noqa: E402
    assert_agrees, assert_symbolic_agrees, image_shape, keras_call, layer, predict, run_tf,
    symbolic, with_nones,
)

from shapelint.shapes.registry import LayerCall, Window, lookup  # noqa: E402

FORMATS = ("channels_last", "channels_first")
POOLS = [f"{kind}Pooling{n}D" for kind in ("Max", "Average") for n in (1, 2, 3)]
GLOBALS = [f"Global{kind}Pooling{n}D" for kind in ("Max", "Average") for n in (1, 2, 3)]
ADAPTIVE = [f"Adaptive{kind}Pooling{n}D" for kind in ("Max", "Average") for n in (1, 2, 3)]
CHEAP = settings(max_examples=200, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


# --- Max/Average pooling --------------------------------------------------------------

@st.composite
def pooling_cases(draw, max_rank=3):
    n = draw(st.integers(1, max_rank))
    cls = f"{draw(st.sampled_from(['Max', 'Average']))}Pooling{n}D"
    pool = tuple(draw(st.integers(1, 5)) for _ in range(n))
    strides = draw(st.one_of(st.none(), st.tuples(*[st.integers(1, 4)] * n)))
    kwargs = dict(pool_size=pool, strides=strides, padding=draw(st.sampled_from(["valid", "same"])),
                  data_format=draw(st.sampled_from(FORMATS)))
    spatial = [draw(st.integers(1, 7)) for _ in range(n)]
    shape = image_shape(draw(st.integers(1, 2)), spatial, draw(st.integers(1, 3)),
                        kwargs["data_format"])
    return cls, kwargs, shape


def tf_max_pool_may_die(cls, kwargs, shape):
    """TF's MaxPool can kill the process (SIGFPE) for a window wider than the input
    with valid padding (shown in a subprocess below): such cases are not run here."""
    spatial = shape[1:-1] if kwargs["data_format"] == "channels_last" else shape[2:]
    return (cls.startswith("Max") and kwargs["padding"] == "valid"
            and any(n < k for n, k in zip(spatial, kwargs["pool_size"])))


@CHEAP
@given(pooling_cases())
def test_pooling_matches_tf(case):
    cls, kwargs, shape = case
    if tf_max_pool_may_die(cls, kwargs, shape):
        assert predict(keras_call(layer(cls, **kwargs), [shape])) == ("error", "SL001")
    else:
        assert_agrees(layer(cls, **kwargs), [shape])


@CHEAP
@given(pooling_cases(), st.data())
def test_pooling_unknown_dims_match_keras_symbolic(case, data):
    cls, kwargs, shape = case
    assert_symbolic_agrees(layer(cls, **kwargs), with_nones(data.draw, shape))


def test_pooling_explicit_none_and_channels_first():
    lay = layer("MaxPooling2D", pool_size=2)
    assert predict(keras_call(lay, [(None, None, 7, 3)])) == ("ok", ((None, None, 3, 3),))
    lay = layer("AveragePooling2D", pool_size=(2, 3), strides=1, data_format="channels_first")
    assert_agrees(lay, [(2, 3, 5, 8)])
    assert predict(keras_call(lay, [(2, 3, None, 8)])) == ("ok", ((2, 3, None, 6),))
    # pool longer than a known input: Keras refuses even symbolically
    lay = layer("MaxPooling1D", pool_size=5)
    assert_symbolic_agrees(lay, (None, 4, 3))
    assert predict(keras_call(lay, [(None, 4, 3)])) == ("error", "SL001")
    assert predict(keras_call(lay, [(None, None, 3)])) == ("ok", ((None, None, 3),))


@pytest.mark.parametrize("strides", [None, "absent"])
def test_pooling_strides_default_to_pool_size(strides):
    config = dict(layer("MaxPooling2D", pool_size=(2, 3)).get_config())
    if strides is None:
        config["strides"] = None
    else:
        del config["strides"]
    rebuilt = keras.layers.MaxPooling2D.from_config(config)
    call = LayerCall("MaxPooling2D", "x", config, ((1, 7, 8, 1),))
    assert predict(call) == run_tf(rebuilt, [(1, 7, 8, 1)]) == ("ok", ((1, 3, 2, 1),))


@pytest.mark.parametrize("strides", [0, (1, 0)])
def test_pooling_zero_stride_is_an_error(strides):
    # Keras accepts strides=0 in the constructor; TF then refuses to run.
    assert_agrees(layer("MaxPooling2D", pool_size=2, strides=strides), [(1, 4, 4, 1)])
    assert predict(keras_call(layer("MaxPooling2D", pool_size=2, strides=strides),
                              [(1, 4, 4, 1)])) == ("error", "SL003")


def test_pooling_bad_padding_is_an_error():
    lay = layer("MaxPooling1D", pool_size=2, padding="causal")
    assert_agrees(lay, [(1, 6, 2)])
    assert predict(keras_call(lay, [(1, 6, 2)])) == ("error", "SL003")
    lay = layer("AveragePooling1D", pool_size=2, padding="SAME")
    assert_agrees(lay, [(1, 5, 2)])


@pytest.mark.parametrize("cls", POOLS + GLOBALS + ADAPTIVE)
@pytest.mark.parametrize("delta", [-1, 1])
def test_wrong_rank_is_sl003(cls, delta):
    rank = int(cls[-2]) + 2 + delta
    shape = (1,) + (4,) * (rank - 1)
    kwargs = {"output_size": 2} if cls.startswith("Adaptive") else {}
    if cls in POOLS:
        kwargs["pool_size"] = 2
    lay = layer(cls, **kwargs)
    assert predict(keras_call(lay, [shape])) == ("error", "SL003")
    if not cls.startswith("Adaptive"):
        assert_agrees(lay, [shape])


def test_adaptive_wrong_rank_runs_with_a_shape_unlike_the_declared_one():
    # TF dispatches adaptive pooling on the input's rank: a 2D layer runs on a 3D
    # input, but its output is not the shape the layer computes symbolically.
    lay = layer("AdaptiveAveragePooling2D", output_size=3)
    _, symbolic_shape = symbolic(lay, (1, 4, 2))
    out = lay(np.zeros((1, 4, 2), "float32"))
    assert tuple(out.shape) != symbolic_shape[0]
    assert predict(keras_call(lay, [(1, 4, 2)])) == ("error", "SL003")


# --- the dropped rows of the Window are real -------------------------------------------

@st.composite
def dropped_cases(draw):
    n_axes = draw(st.integers(1, 2))
    cls = f"{draw(st.sampled_from(['Max', 'Average']))}Pooling{n_axes}D"
    pool = tuple(draw(st.integers(1, 5)) for _ in range(n_axes))
    strides = tuple(draw(st.integers(1, 5)) for _ in range(n_axes))
    fmt = draw(st.sampled_from(FORMATS))
    pad = draw(st.sampled_from(["valid", "same"]))
    spatial = [draw(st.integers(1, 13)) for _ in range(n_axes)]
    return cls, dict(pool_size=pool, strides=strides, padding=pad, data_format=fmt), \
        image_shape(1, spatial, 2, fmt), draw(st.integers(0, 2**32 - 1))


def _check_dropped(cls, kwargs, shape, seed):
    lay = layer(cls, **kwargs)
    if predict(keras_call(lay, [shape]))[0] != "ok":
        return None
    result = lookup(cls)(keras_call(lay, [shape]))
    window = result.spatial
    assert isinstance(window, Window)
    x = np.random.default_rng(seed).uniform(-1.0, 0.0, shape).astype("float32")
    base = np.asarray(lay(x))
    for axis, dropped in zip(window.axes, window.dropped):
        n = shape[axis]
        assert 0 <= dropped < n
        index = [slice(None)] * len(shape)
        if dropped:
            # the last `dropped` rows are never read: any value there leaves the output alone
            index[axis] = slice(n - dropped, n)
            x2 = x.copy()
            x2[tuple(index)] = 1e6
            np.testing.assert_array_equal(np.asarray(lay(x2)), base)
        # the row just before them is read: a huge value there shows up in the output
        index[axis] = n - dropped - 1
        x3 = x.copy()
        x3[tuple(index)] = 1e6
        assert not np.array_equal(np.asarray(lay(x3)), base), (
            f"row {n - dropped - 1} of axis {axis} is not read: dropped={dropped} is too small")
    return window


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(dropped_cases())
def test_dropped_rows_are_exactly_the_unread_rows(case):
    assume(_check_dropped(*case) is not None)


@pytest.mark.parametrize("fmt", FORMATS)
def test_valid_pooling_drops_n_minus_k_mod_s_rows(fmt):
    # (10 − 3) mod 4 = 3 rows dropped on the first axis, (9 − 2) mod 3 = 1 on the second
    window = _check_dropped("MaxPooling2D", dict(pool_size=(3, 2), strides=(4, 3), data_format=fmt),
                            image_shape(1, (10, 9), 2, fmt), 0)
    assert window.dropped == (3, 1)
    assert window.axes == ((1, 2) if fmt == "channels_last" else (2, 3))
    assert window.kernel == (3, 2) and window.stride == (4, 3) and not window.transposed


def test_dropped_unknown_length_is_none():
    lay = layer("MaxPooling1D", pool_size=3, strides=2)
    assert lookup("MaxPooling1D")(keras_call(lay, [(None, None, 4)])).spatial.dropped == (None,)


# --- global and adaptive pooling -------------------------------------------------------

@CHEAP
@given(st.sampled_from(GLOBALS), st.booleans(), st.sampled_from(FORMATS),
       st.lists(st.integers(1, 5), min_size=3, max_size=3), st.integers(1, 4), st.data())
def test_global_pooling(cls, keepdims, fmt, spatial, channels, data):
    lay = layer(cls, keepdims=keepdims, data_format=fmt)
    shape = image_shape(2, spatial[: int(cls[-2])], channels, fmt)
    assert_agrees(lay, [shape])
    assert_symbolic_agrees(lay, with_nones(data.draw, shape))
    assert lookup(cls)(keras_call(lay, [shape])).spatial == "drop"


def tf_adaptive_max_crashes(cls, spatial, size):
    """TF's adaptive max pool dies (SIGFPE) when its ceil(n/o) + 1 window on the last
    spatial axis is wider than that axis: o == 1 or n == 1 (checked in subprocesses
    below; such cases must not run in this process)."""
    return "Max" in cls and (spatial[-1] == 1 or size[-1] == 1)


@CHEAP
@given(st.sampled_from(ADAPTIVE), st.sampled_from(FORMATS), st.data())
def test_adaptive_pooling(cls, fmt, data):
    n = int(cls[-2])
    size = data.draw(st.one_of(st.integers(1, 6), st.tuples(*[st.integers(1, 6)] * n)))
    spatial = data.draw(st.tuples(*[st.integers(1, 7)] * n))
    lay = layer(cls, output_size=size, data_format=fmt)
    shape = image_shape(1, spatial, data.draw(st.integers(1, 3)), fmt)
    if tf_adaptive_max_crashes(cls, spatial, lay.output_size):
        assert predict(keras_call(lay, [shape])) == ("error", "SL003")
        return
    assert_agrees(lay, [shape])
    # spatial dims unknown: Keras still declares output_size
    partial = with_nones(data.draw, shape)
    if "Max" in cls and lay.output_size[-1] == 1:
        assert predict(keras_call(lay, [partial])) == ("error", "SL003")
    else:
        assert_symbolic_agrees(lay, partial)


_CRASH_SCRIPT = """
import os, sys
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"; os.environ["CUDA_VISIBLE_DEVICES"] = ""
import numpy as np, keras
cls, shape, kwargs = sys.argv[1], eval(sys.argv[2]), eval(sys.argv[3])
try:
    getattr(keras.layers, cls)(**kwargs)(np.zeros(shape, "float32"))
    print("ran")
except Exception:
    print("raised")
"""


@pytest.mark.parametrize("cls, kwargs, shape", [
    ("AdaptiveMaxPooling2D", dict(output_size=1), (1, 5, 5, 3)),
    ("AdaptiveMaxPooling1D", dict(output_size=3, data_format="channels_first"), (1, 2, 1)),
    ("MaxPooling2D", dict(pool_size=(4, 5), strides=(2, 2)), (1, 7, 3, 2)),
])
def test_tf_process_dies_where_shapelint_reports(tmp_path, cls, kwargs, shape):
    script = tmp_path / "probe.py"
    script.write_text(_CRASH_SCRIPT)
    proc = subprocess.run([sys.executable, str(script), cls, repr(shape), repr(kwargs)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0 and "ran" not in proc.stdout, (proc.returncode, proc.stdout)
    assert predict(keras_call(layer(cls, **kwargs), [shape]))[0] == "error"


def test_adaptive_zero_output_size_is_an_error():
    lay = layer("AdaptiveMaxPooling1D", output_size=1)
    call = keras_call(lay, [(1, 8, 2)])
    call = LayerCall(call.class_name, call.name, {**call.config, "output_size": (0,)}, call.inputs)
    assert predict(call)[0] == "error"
    with pytest.raises(Exception):
        layer("AdaptiveMaxPooling1D", output_size=0)(np.zeros((1, 8, 2), "float32"))


# --- unknown rank, aliases -------------------------------------------------------------

@pytest.mark.parametrize("cls", POOLS + GLOBALS + ADAPTIVE)
def test_unknown_rank_does_not_crash(cls):
    kwargs = {"output_size": 2} if cls.startswith("Adaptive") else {}
    if cls in POOLS:
        kwargs["pool_size"] = 2
    lay = layer(cls, **kwargs)
    call = LayerCall(cls, lay.name, lay.get_config(), (None,))
    result = lookup(cls)(call)
    assert len(result.outputs) == 1


def test_every_pooling_alias_is_registered_by_its_class_name():
    names = [n for n in dir(keras.layers) if "Pool" in n]
    assert names
    for name in names:
        assert lookup(getattr(keras.layers, name).__name__) is not None, name
