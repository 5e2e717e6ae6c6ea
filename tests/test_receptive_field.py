"""Model-level receptive field and jump against what TF actually computes.

Ground truth: every conv has an all-ones kernel and no bias, so every value is a
non-negative sum of inputs and nothing cancels (max pooling of non-negative values is
positive exactly when one of its inputs is). In a batch of one-hot stripes (sample ``x``
is 1 on row ``x`` of one spatial axis, 0 elsewhere) output position ``o`` depends on
row ``x`` iff it is positive in sample ``x``. Windows act on each axis separately, so a
stripe per row measures one axis; that axis is made long, the others short.

Only *interior* outputs count: every row they read is ``span`` rows from both ends, where
``bounds`` bounds every field from the configs alone, so their whole field is inside the
input and TF shows what the unbounded grid (shapelint's convention) gives.

receptive field = the largest ``last - first + 1`` over interior outputs;
jump = ``c / P`` for the smallest P such that output ``o + P`` reads the rows of ``o``
moved by ``c`` (an output reading nothing must match one reading nothing).

shapelint lints the same model from ``model.to_json()``; every layer is compared.
"""

import json
from fractions import Fraction

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from hypothesis import HealthCheck, assume, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from shapelint.loading import load_config  # noqa: E402
from shapelint.shapes.propagate import propagate  # noqa: E402

L = keras.layers
ONES = {"kernel_initializer": "ones", "use_bias": False}
TRANSPOSED = ("Conv1DTranspose", "Conv2DTranspose", "UpSampling1D", "UpSampling2D")
WINDOWS = ("Conv", "Pooling", "UpSampling")
SHOWN = ("kernel_size", "pool_size", "size", "strides", "padding", "dilation_rate",
         "output_padding", "cropping", "interpolation")


def conv(filters=1, **kw):
    return L.Conv1D(filters, **ONES, **kw)


def tconv(filters=1, **kw):
    return L.Conv1DTranspose(filters, **ONES, **kw)


# -- measuring TF ------------------------------------------------------------------------

def _window_params(layer, axis: int) -> tuple:
    """(effective kernel, stride, transposed) of a window layer on spatial axis ``axis``."""
    cfg, name = layer.get_config(), type(layer).__name__

    def at(value):  # an int or one per axis
        return int(value[axis] if isinstance(value, (list, tuple)) else value)

    if name.startswith("UpSampling"):
        return at(cfg["size"]), at(cfg["size"]), True
    kernel = at(cfg.get("kernel_size", cfg.get("pool_size")))
    stride = at(cfg.get("strides") or cfg["pool_size"])
    return at(cfg.get("dilation_rate", 1)) * (kernel - 1) + 1, stride, name in TRANSPOSED


def _windows(model) -> list:
    return [layer for layer in model.layers if any(w in type(layer).__name__ for w in WINDOWS)]


def _rows_moved(layer, axis: int) -> int:
    """Rows a Cropping or ZeroPadding layer removes or adds before the first, on ``axis``."""
    name = type(layer).__name__
    if name == "CenterCrop":
        cfg, shape = layer.get_config(), layer.input.shape
        first = 2 if cfg["data_format"] == "channels_first" else 1
        return (shape[first + axis] - cfg[("height", "width")[axis]]) // 2
    if not name.startswith(("Cropping", "ZeroPadding")):
        return 0
    cfg = layer.get_config()
    pairs = cfg["cropping" if name.startswith("Cropping") else "padding"]
    pair = pairs if isinstance(pairs[0], int) else pairs[axis]
    return int(pair[0])


def bounds(model, axis: int) -> tuple:
    """(span, period, gap) on spatial axis ``axis``, from the configs alone.

    Output o of a window reads inputs within ``o·s ± (ke − 1)`` (forward, pad ≤ ke − 1) or
    ``(o ± (ke − 1))/s`` (transposed), so it reads rows within ``o·j − A … o·j + B``, A and
    B growing by at most ``(ke − 1)·j`` per window, j ≤ ``gap`` = the product of the forward
    strides so far, and by at most ``c·j`` for a crop or padding of c rows before the
    first: a field spans at most ``1 + 2·Σ (ke − 1 or c)·gap`` rows, merges included
    (``model.layers`` is in topological order). A forward stride keeps or divides the
    period of the fields, a transposed one multiplies it, a merge takes the lcm: the
    product of the transposed strides is a multiple of the true period.
    """
    reach, period, gap = 0, 1, 1
    windows = _windows(model)
    for layer in model.layers:
        moved = _rows_moved(layer, axis)
        reach += moved * gap
        if layer not in windows:
            continue
        ke, stride, transposed = _window_params(layer, axis)
        reach += (ke - 1) * gap
        if transposed:
            period *= stride
        else:
            gap *= stride
    return 1 + 2 * reach, period, gap


def input_length(probe, axis: int = 0, multiple: int = 1) -> int:
    """A length for ``axis`` whose middle holds two periods of fully interior outputs."""
    span, period, gap = bounds(probe, axis)
    n = 3 * span + (2 * period + 4) * gap
    return -(-n // multiple) * multiple


def dependencies(model, axis: int, fmt: str) -> list:
    """[bool array [input row, output position] along ``axis``] per layer, in order."""
    shape = tuple(model.inputs[0].shape[1:])
    spatial = [i + (fmt == "channels_first") for i in range(len(shape) - 1)]
    a = spatial[axis]
    x = np.zeros((shape[a], *shape), dtype="float32")
    for row in range(shape[a]):
        index = [row] + [slice(None)] * len(shape)
        index[1 + a] = row
        x[tuple(index)] = 1.0
    probed = [layer for layer in model.layers if type(layer).__name__ != "InputLayer"]
    outs = keras.Model(model.inputs, [layer.output for layer in probed])([x])
    outs = [np.asarray(out) for out in (outs if isinstance(outs, (list, tuple)) else [outs])]
    return [(out > 0).any(axis=tuple(i for i in range(1, out.ndim) if i != 1 + a))
            for out in outs]


def measure(dep: np.ndarray, span: int, period: int) -> tuple:
    """(receptive field, jump) of the interior outputs of a [row, o] dependency matrix.

    Outputs between two interior ones are interior too (fields move monotonically). The
    smallest P with ``rows(o + P) = rows(o) + c`` on ``P + period`` consecutive outputs
    holds for every output.
    """
    n, m = dep.shape
    reads = [np.flatnonzero(dep[:, o]) for o in range(m)]
    inside = [o for o in range(m)
              if len(reads[o]) and reads[o][0] >= span and reads[o][-1] < n - span]
    assert inside, "input too small: no interior output"
    rows = [(int(r[0]), int(r[-1])) if len(r) else None
            for r in reads[inside[0]:inside[-1] + 1]]
    rf = max(b - a + 1 for a, b in filter(None, rows))
    assert rf <= span, f"field {rf} exceeds the bound {span}: the measure is not sound"
    for p in range(1, len(rows) - period + 1):
        shifts = {"mismatch" if (s is None) != (t is None) else
                  None if s is None else (t[0] - s[0], t[1] - s[1])
                  for s, t in zip(rows, rows[p:])} - {None}
        if len(shifts) == 1 and "mismatch" not in shifts:
            (first, last), = shifts
            if first == last:
                return rf, Fraction(first, p)
    raise AssertionError(f"no period found in {len(rows)} interior outputs: input too small")


# -- comparing with shapelint ------------------------------------------------------------

def as_printed(value: Fraction):
    return int(value) if value.denominator == 1 else round(float(value), 6)


def compare(model, linted, axis: int, measured: list) -> None:
    """shapelint on ``linted`` (``model`` itself, or it with unknown lengths) vs TF."""
    trace = propagate(load_config(json.loads(linted.to_json())))
    assert trace.findings == [], trace.findings
    ours = {t.name: t for t in trace.layers}
    assert [type(a) for a in model.layers] == [type(b) for b in linted.layers]
    layers = [(a, b) for a, b in zip(model.layers, linted.layers)
              if type(a).__name__ != "InputLayer"]
    rank = len(model.inputs[0].shape) - 2
    for (layer, twin), (rf, jump) in zip(layers, measured):
        t = ours[twin.name]
        params = {k: v for k, v in layer.get_config().items() if k in SHOWN}
        where = f"{layer.name} ({type(layer).__name__} {params}), axis {axis}"
        if t.receptive_field is None:
            assert layer not in _windows(model), f"no receptive field for {where}"
            assert (rf, jump) == (1, 1), f"{where}: TF says rf {rf}, jump {jump}"
            continue
        assert len(t.receptive_field) == rank, where
        got, want = (t.receptive_field[axis], t.jump[axis]), (rf, as_printed(jump))
        assert got == want and type(got[1]) is type(want[1]), f"{where}: {got} != TF {want}"


def short_length(probe, axis: int, multiple: int = 1) -> int:
    """A length for which every layer has a positive output length along ``axis``."""
    span, _, gap = bounds(probe, axis)
    return -(-(span + 2 * gap) // multiple) * multiple


def check(build, rank=1, multiple=1, fmt="channels_last", unknown=False) -> list:
    """Lint and measure ``build(*lengths)``, one model per spatial axis (that axis long,
    the others short). ``unknown``: also lint it with that length None.
    Returns TF's [(rf, jump) per axis] for each layer but the input, in model order."""
    probe = build(*[4096 * multiple] * rank)  # symbolic only: any length builds
    per_axis = []
    for axis in range(rank):
        lengths = [short_length(probe, a, multiple) for a in range(rank)]
        lengths[axis] = input_length(probe, axis, multiple)
        model = build(*lengths)
        measured = [measure(dep, *bounds(model, axis)[:2])
                    for dep in dependencies(model, axis, fmt)]
        compare(model, model, axis, measured)
        if unknown:
            lengths[axis] = None
            compare(model, build(*lengths), axis, measured)
        per_axis.append(measured)
    return [list(layer) for layer in zip(*per_axis)]


def sequential(n, layers, channels=1):
    return keras.Sequential([keras.Input((n, channels)), *layers])


def check_sequential(make_layers, multiple=1, unknown=False):
    return check(lambda n: sequential(n, make_layers()), multiple=multiple, unknown=unknown)


# -- hand-written models -----------------------------------------------------------------

def test_conv_chain_valid_same_causal_strides_dilation():
    fields = check_sequential(lambda: [
        conv(kernel_size=3),
        conv(kernel_size=4, strides=2, padding="same"),
        conv(kernel_size=3, dilation_rate=2, padding="causal"),
        conv(kernel_size=2, strides=3, padding="same"),
        conv(kernel_size=5, dilation_rate=3, padding="same"),
    ])
    # by hand: r = 1 + 2·1 + 3·1 + 4·2 + 1·2 + 12·6, jump 1·2·3
    assert fields[-1] == [(1 + 2 + 3 + 8 + 2 + 72, 6)]


def test_pooling_chain():
    check_sequential(lambda: [
        L.MaxPooling1D(2),
        L.AveragePooling1D(3, strides=2, padding="same"),
        conv(kernel_size=3, padding="same"),
        L.MaxPooling1D(2, strides=3, padding="same"),
        L.AveragePooling1D(1, strides=2),
    ])


def test_depthwise_and_separable_with_stride_and_dilation():
    fields = check_sequential(lambda: [
        L.DepthwiseConv1D(3, strides=2, dilation_rate=2, depthwise_initializer="ones",
                          use_bias=False),
        L.SeparableConv1D(1, 2, strides=3, dilation_rate=3, depthwise_initializer="ones",
                          pointwise_initializer="ones", use_bias=False),
    ])
    assert fields == [[(5, 2)], [(5 + 3 * 2, 6)]]


@pytest.mark.parametrize("padding,output_padding", [
    ("valid", None), ("valid", 1), ("same", None), ("same", 1), ("same", 2)])
def test_transposed_conv_chain(padding, output_padding):
    check_sequential(lambda: [
        conv(kernel_size=3, strides=2),
        tconv(kernel_size=5, strides=3, padding=padding, output_padding=output_padding),
        conv(kernel_size=2, padding="same"),
        tconv(kernel_size=2, strides=2, padding="same"),
        L.MaxPooling1D(3),
    ])


def test_transposed_kernel_smaller_than_stride_and_upsampling():
    fields = check_sequential(lambda: [
        tconv(kernel_size=1, strides=3),  # outputs 1, 2 (mod 3) read nothing
        conv(kernel_size=2, strides=2),
        L.UpSampling1D(2),
        conv(kernel_size=4, padding="causal"),
        L.AveragePooling1D(3),
    ])
    assert fields[1] == [(1, Fraction(2, 3))]


def tiny_unet(n, up="transpose"):
    x = keras.Input((n, 1))
    c1 = conv(kernel_size=3, padding="same")(x)
    p1 = L.MaxPooling1D(2)(c1)
    c2 = conv(kernel_size=3, padding="same")(p1)
    p2 = L.MaxPooling1D(2)(c2)
    b = conv(kernel_size=3, padding="same")(p2)
    u2 = (tconv(kernel_size=2, strides=2) if up == "transpose" else L.UpSampling1D(2))(b)
    m2 = conv(kernel_size=3, padding="same")(L.Concatenate()([c2, u2]))
    u1 = (tconv(kernel_size=3, strides=2, padding="same") if up == "transpose"
          else L.UpSampling1D(2))(m2)
    m1 = conv(kernel_size=3, padding="same")(L.Concatenate()([c1, u1]))
    return keras.Model(x, m1)


@pytest.mark.parametrize("up", ["transpose", "upsampling"])
def test_tiny_unet(up):
    check(lambda n: tiny_unet(n, up), multiple=4, unknown=True)


def two_branches(n):
    x = keras.Input((n, 1))
    a = conv(kernel_size=4, padding="causal")(x)  # o reads o - 3 … o
    b = conv(kernel_size=6, padding="same")(x)  # o - 2 … o + 3: one more row after
    s = L.Add()([a, b])
    c = conv(kernel_size=3, strides=2, padding="same")(s)
    d = L.MaxPooling1D(2)(s)  # same grid as c, one row apart
    e = conv(kernel_size=2, padding="causal", dilation_rate=2)(L.Add()([c, d]))
    return keras.Model(x, L.Concatenate()([e, d]))


def test_add_of_branches_with_different_kernels_and_offsets():
    fields = check(two_branches, multiple=2, unknown=True)
    assert fields[2] == [(7, 1)]  # the Add: o - 3 … o + 3


def skip_over_a_subsampling(n):
    x = keras.Input((n, 1))
    y = L.UpSampling1D(2)(conv(kernel_size=1, strides=2)(x))  # odd o reads o - 1 only
    return keras.Model(x, L.Add()([x, y]))  # ... and row o through the skip


def test_skip_from_the_input_adds_its_own_row():
    fields = check(skip_over_a_subsampling, multiple=2)
    assert fields[-1] == [(2, 1)]


def conv2d_model(h, w, fmt="channels_last"):
    kw = dict(ONES, data_format=fmt)
    x = keras.Input((h, w, 1) if fmt == "channels_last" else (1, h, w))
    a = L.Conv2D(1, (3, 2), strides=(1, 2), padding="same", **kw)(x)
    b = L.MaxPooling2D((2, 3), strides=(2, 1), padding="same", data_format=fmt)(a)
    c = L.Conv2DTranspose(1, (3, 4), strides=(2, 3), padding="same", output_padding=(1, 2),
                          **kw)(b)
    d = L.UpSampling2D((1, 2), data_format=fmt)(L.Conv2D(1, 2, dilation_rate=(2, 1), **kw)(c))
    return keras.Model(x, L.AveragePooling2D(2, padding="same", data_format=fmt)(d))


@pytest.mark.parametrize("fmt", ["channels_last", "channels_first"])
def test_2d_model(fmt):
    check(lambda h, w: conv2d_model(h, w, fmt), rank=2, fmt=fmt)


# -- known gaps (strict: they fail loudly once fixed) --------------------------------------

def test_dilation_after_a_sparse_transposed_conv():
    # TF: the taps o and o + 3 have different parities, one of them reads nothing: rf 1
    check_sequential(lambda: [tconv(kernel_size=1, strides=2),
                              conv(kernel_size=2, dilation_rate=3)])


def cropped_skip(n):
    x = keras.Input((n, 1))
    a = L.Cropping1D((0, 1))(conv(kernel_size=2)(x))  # o reads o, o + 1
    return keras.Model(x, L.Add()([a, L.Cropping1D((2, 0))(x)]))  # o reads o + 2


def padded_skip(n):
    x = keras.Input((n, 1))
    a = L.ZeroPadding1D((2, 0))(conv(kernel_size=2)(x))  # o reads o - 2, o - 1
    return keras.Model(x, L.Add()([a, L.ZeroPadding1D((0, 1))(x)]))  # o reads o


@pytest.mark.parametrize("build", [cropped_skip, padded_skip])
def test_crop_or_pad_before_a_merge(build):
    check(build)


def shifted_input(n):
    x = keras.Input((n, 1))
    s = L.Cropping1D((0, 1))(L.ZeroPadding1D((1, 0))(x))  # o reads o - 1: no field shown
    return keras.Model(x, L.Add()([x, s]))  # o reads o - 1, o


def test_input_merged_with_itself_shifted():
    assert check(shifted_input)[-1] == [(2, 1)]


def centre_crop_and_corner(h, w):
    x = keras.Input((h, w, 1))
    a = L.CenterCrop(h - 6, w - 3)(x)  # o reads o + 3 (rows), o + 1 (cols)
    b = L.Cropping2D(((0, 6), (0, 3)))(x)  # o reads o
    return keras.Model(x, L.Add()([a, b]))


def test_center_crop_before_a_merge():
    assert check(centre_crop_and_corner, rank=2)[-1] == [(4, 1), (2, 1)]


def test_crop_and_padding_of_the_input_show_no_field():
    # each of their positions reads one input position, as the input's own do: like the
    # input, no field is shown (so no rule takes them for a branch's last spatial layer)
    trace = propagate(load_config(json.loads(shifted_input(64).to_json())))
    assert [(t.class_name, t.receptive_field, t.jump) for t in trace.layers] == [
        ("InputLayer", None, None), ("ZeroPadding1D", None, None),
        ("Cropping1D", None, None), ("Add", [2], [1])]


def nasnet_adjust(h, w, fmt):
    # NASNet's adjust block: the second path reads the pixels one down and right
    x = keras.Input((h, w, 1) if fmt == "channels_last" else (1, h, w))
    a = L.AveragePooling2D(1, strides=2, data_format=fmt)(x)
    b = L.ZeroPadding2D(((0, 1), (0, 1)), data_format=fmt)(x)
    b = L.Cropping2D(((1, 0), (1, 0)), data_format=fmt)(b)
    b = L.AveragePooling2D(1, strides=2, data_format=fmt)(b)
    axis = -1 if fmt == "channels_last" else 1
    return keras.Model(x, L.Concatenate(axis=axis)([a, b]))


@pytest.mark.parametrize("fmt", ["channels_last", "channels_first"])
def test_nasnet_adjust_block(fmt):
    assert check(lambda h, w: nasnet_adjust(h, w, fmt), rank=2, multiple=2, fmt=fmt)[-1] \
        == [(2, 2), (2, 2)]


@pytest.mark.parametrize("interpolation,size", [
    ("bilinear", 2), ("bilinear", 3), ("bilinear", (4, 5)), ("bilinear", (6, 1)), ("area", 3)])
def test_bilinear_upsampling(interpolation, size):
    # half-pixel centres: o reads floor and ceil of (o + ½)/s − ½ (one row when s is odd
    # and that is whole): a 'same' transposed window of kernel 2s − (s mod 2). 'area'
    # reads one row, as 'nearest'.
    def build(h, w):
        x = keras.Input((h, w, 1))
        return keras.Model(x, L.UpSampling2D(size, interpolation=interpolation)(x))
    check(build, rank=2)


def test_bilinear_upsampling_merged_with_its_skip():
    def build(h, w):
        x = keras.Input((h, w, 1))
        down = L.Conv2D(1, 3, strides=(2, 3), padding="same", **ONES)(x)
        up = L.UpSampling2D((2, 3), interpolation="bilinear")(down)
        y = L.Concatenate()([x, up])
        return keras.Model(x, L.Conv2D(1, 2, padding="same", **ONES)(y))
    check(build, rank=2, multiple=6)


def test_unknown_length_transposed_output_padding():
    # the crop of a 'same' transposed conv is (k - k % 2 - op) // 2 whatever the length
    check_sequential(lambda: [tconv(kernel_size=4, strides=3, padding="same", output_padding=1),
                              conv(kernel_size=1, strides=3)], unknown=True)


# -- random stacks -----------------------------------------------------------------------

PAD = st.sampled_from(["valid", "same"])
STRIDE = st.sampled_from([1, 1, 2, 3])


@st.composite
def conv_step(draw):
    cls = draw(st.sampled_from(["Conv1D", "Conv1D", "DepthwiseConv1D", "SeparableConv1D"]))
    stride = draw(STRIDE)
    strided_dilation = cls != "Conv1D"  # depthwise and separable accept both at once
    dilation = draw(st.integers(1, 3)) if stride == 1 or strided_dilation else 1
    padding = draw(st.sampled_from(["valid", "same", "causal"] if cls == "Conv1D" else
                                   ["valid", "same"]))
    return ("conv", cls, dict(kernel_size=draw(st.integers(1, 5)), strides=stride,
                              dilation_rate=dilation, padding=padding))


@st.composite
def pool_step(draw):
    cls = draw(st.sampled_from(["MaxPooling1D", "AveragePooling1D"]))
    return ("pool", cls, dict(pool_size=draw(st.integers(1, 3)), strides=draw(STRIDE),
                              padding=draw(PAD)))


@st.composite
def tconv_step(draw):
    kernel, stride, padding = draw(st.integers(1, 5)), draw(STRIDE), draw(PAD)
    output_padding = draw(st.none() | st.integers(0, stride - 1))
    if padding == "same" and output_padding == 0 and kernel % 2 == 0:
        output_padding = None  # TF cannot map (n-1)·s rows back onto n: Keras fails
    return ("tconv", dict(kernel_size=kernel, strides=stride, padding=padding,
                          output_padding=output_padding))


@st.composite
def skip_step(draw):
    """A merge of the running tensor with a same-grid branch of it."""
    merge = draw(st.sampled_from(["Add", "Concatenate"]))
    if draw(st.booleans()):
        return ("skip_conv", merge, dict(kernel_size=draw(st.integers(1, 5)),
                                         dilation_rate=draw(st.integers(1, 2)),
                                         padding=draw(st.sampled_from(["same", "causal"]))))
    return ("skip_unet", merge, dict(size=draw(st.integers(2, 3)),
                                     pool=draw(st.sampled_from(["MaxPooling1D", "conv"])),
                                     up=draw(st.sampled_from([0, 1, 2, 3, 4]))))


STEP = st.one_of(conv_step(), pool_step(), tconv_step(),
                 st.tuples(st.just("up"), st.integers(1, 3)), skip_step())


def _layer(cls, **kw):
    if cls == "DepthwiseConv1D":
        return L.DepthwiseConv1D(depthwise_initializer="ones", use_bias=False, **kw)
    if cls == "SeparableConv1D":
        return L.SeparableConv1D(1, depthwise_initializer="ones", pointwise_initializer="ones",
                                 use_bias=False, **kw)
    return conv(**kw) if cls == "Conv1D" else getattr(L, cls)(**kw)


def build_stack(steps, n):
    x = y = keras.Input((n, 1))
    for step in steps:
        kind = step[0]
        if kind in ("conv", "pool"):
            y = _layer(step[1], **step[2])(y)
        elif kind == "tconv":
            y = tconv(**step[1])(y)
        elif kind == "up":
            y = L.UpSampling1D(step[1])(y)
        elif kind == "skip_conv":
            y = getattr(L, step[1])()([y, conv(**step[2])(y)])
        else:  # a U-Net level: down by s, up by s, merged with the tensor it started from
            s = step[2]["size"]
            down = (L.MaxPooling1D(s) if step[2]["pool"] == "MaxPooling1D"
                    else conv(kernel_size=s, strides=s))(y)
            if y.shape[1] is not None and y.shape[1] % s:
                y = L.Cropping1D((0, y.shape[1] % s))(y)  # the tail only: positions unchanged
            k = step[2]["up"]  # 0: UpSampling1D, else a 'same' transposed kernel k
            up = tconv(kernel_size=k, strides=s, padding="same") if k else L.UpSampling1D(s)
            y = getattr(L, step[1])()([y, up(down)])
    return keras.Model(x, y)


def _regular(step) -> bool:
    """Keeps every length a multiple of the strides when the input length is one."""
    if step[0] in ("conv", "pool"):
        return step[2]["padding"] != "valid"
    if step[0] == "tconv":
        return step[1]["padding"] == "same" and step[1]["output_padding"] is None
    return True


@settings(max_examples=250, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(st.lists(STEP, min_size=2, max_size=5))
def test_random_stacks(steps):
    # (every stack is checked: the Window carries the dilation of its taps)
    probe = build_stack(steps, 4096)
    assume(input_length(probe) <= 1200)
    # with unknown lengths a 'same' pad is taken for a length that is a multiple of s
    regular = all(map(_regular, steps))
    multiple = bounds(probe, 0)[2] if regular else 1
    check(lambda n: build_stack(steps, n), multiple=multiple, unknown=regular)


@st.composite
def step_2d(draw):
    kind = draw(st.sampled_from(["Conv2D", "MaxPooling2D", "Conv2DTranspose", "UpSampling2D"]))
    pair = st.tuples(st.integers(1, 4), st.integers(1, 4))
    stride = draw(st.tuples(st.integers(1, 2), st.integers(1, 2)))
    if kind == "UpSampling2D":
        return kind, dict(size=draw(st.tuples(st.integers(1, 3), st.integers(1, 2))))
    if kind == "MaxPooling2D":
        return kind, dict(pool_size=draw(pair), strides=stride, padding=draw(PAD))
    kw = dict(ONES, filters=1, kernel_size=draw(pair), strides=stride, padding=draw(PAD))
    if kind == "Conv2D" and stride == (1, 1):
        kw["dilation_rate"] = draw(st.tuples(st.integers(1, 3), st.integers(1, 2)))
    return kind, kw


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(st.lists(step_2d(), min_size=2, max_size=4),
       st.sampled_from(["channels_last", "channels_first"]))
def test_random_2d_stacks(steps, fmt):
    def build(h, w):
        x = y = keras.Input((h, w, 1) if fmt == "channels_last" else (1, h, w))
        for cls, kw in steps:
            y = getattr(L, cls)(data_format=fmt, **kw)(y)
        return keras.Model(x, y)
    probe = build(4096, 4096)
    assume(max(input_length(probe, axis) for axis in (0, 1)) <= 600)
    check(build, rank=2, fmt=fmt)
