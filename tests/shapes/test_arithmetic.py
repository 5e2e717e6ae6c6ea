"""arithmetic.py: hand-checked examples, then every formula proven by running TF.

The TF proofs use 1D convs with all-ones kernels and no bias: an output row is
then non-zero for an input one-hot exactly when it reads that input row, so one
call on an identity batch gives, for every output row, the set of input rows it
reads (including the effect of padding, strides, dilation, transposition).
"""

from fractions import Fraction

import pytest

keras = pytest.importorskip("keras")

import numpy as np  # noqa: E402
from hypothesis import HealthCheck, assume, example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from shapelint.shapes import arithmetic as ar  # noqa: E402

L = keras.layers
SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --- hand-checked examples --------------------------------------------------------------

def test_effective_kernel():
    assert ar.effective_kernel(3) == 3
    assert ar.effective_kernel(3, 2) == 5
    assert ar.effective_kernel(1, 7) == 1


@pytest.mark.parametrize("args,expected", [
    ((10, 3), 8), ((10, 3, 2), 4), ((10, 3, 3), 3), ((10, 3, 1, "valid", 2), 6),
    ((2, 3), 0), ((1, 4), -2), ((10, 3, 3, "same"), 4), ((1, 5, 2, "same"), 1),
    ((7, 4, 2, "causal"), 4), ((None, 3, 2, "valid"), None),
])
def test_conv_output_length_examples(args, expected):
    assert ar.conv_output_length(*args) == expected


@pytest.mark.parametrize("args,expected", [
    ((5, 3, 2), 11), ((5, 2, 3), 15), ((5, 3, 2, "same"), 10), ((5, 3, 2, "same", 0), 9),
    ((5, 3, 3, "valid", 2), 17), ((5, 3, 1, "same", None, 2), 5), ((None, 3, 2), None),
])
def test_conv_transpose_output_length_examples(args, expected):
    assert ar.conv_transpose_output_length(*args) == expected


def test_unknown_padding():
    with pytest.raises(ValueError):
        ar.conv_output_length(5, 3, 1, "full")
    with pytest.raises(ValueError):
        ar.conv_transpose_output_length(5, 3, 1, "causal")


@pytest.mark.parametrize("args,expected", [
    ((5, 3, 2), (1, 1)), ((6, 3, 2), (0, 1)), ((10, 1), (0, 0)), ((4, 4), (1, 2)),
    ((5, 3, 1, 2), (2, 2)), ((7, 2, 3), (0, 1)), ((9, 2, 3), (0, 0)),
])
def test_same_padding_examples(args, expected):
    assert ar.same_padding(*args) == expected


def test_padding_before_examples():
    assert ar.padding_before(10, 3, 1, "causal", 2) == 4
    assert ar.padding_before(10, 3, 1, "valid") == 0
    assert ar.padding_before(None, 3, 2, "same") == 0
    assert ar.padding_before(4, 4, 1, "same") == 1
    assert ar.transpose_padding_before(5, 3, 2, "same") == 0  # 10 rows: crop 0 before, 1 after
    assert ar.transpose_padding_before(5, 4, 1, "same") == 1
    assert ar.transpose_padding_before(5, 3, 2, "valid") == 0


@pytest.mark.parametrize("args,expected", [
    ((10, 3, 2), 1), ((10, 3, 3), 1), ((11, 3, 2), 0), ((None, 3, 2), None), ((2, 3), 0),
    ((10, 3, 2, "same"), 0), ((6, 1, 4, "same"), 1), ((9, 2, 4, "causal"), 0),
    ((10, 2, 4, "causal"), 1),
])
def test_dropped_rows_examples(args, expected):
    assert ar.dropped_rows(*args) == expected


def test_receptive_field_examples():
    # conv 3, conv 3, pool 2, conv 3: 1 + 2 + 2 + 1 + 2·2 = 10 rows, jump 2 (worked by hand)
    assert ar.chain_receptive_field([(3, 1, False, 0), (3, 1, False, 0), (2, 2, False, 0),
                                     (3, 1, False, 0)]) == (10, 2)
    # UpSampling(2) then a 2-tap conv: odd output rows straddle two input rows.
    assert ar.chain_receptive_field([(2, 2, True, 0), (2, 1, False, 0)]) == (2, Fraction(1, 2))
    # ... but a stride-2 2-tap conv aligned on the pairs only ever reads one.
    assert ar.chain_receptive_field([(2, 2, True, 0), (2, 2, False, 0)]) == (1, 1)
    assert ar.chain_receptive_field([(2, 2, True, 0), (2, 2, False, 1)]) == (2, 1)
    assert ar.chain_receptive_field([]) == (1, 1)


# --- TF helpers ------------------------------------------------------------------------

def ones_conv(k, s=1, d=1, padding="valid"):
    """A 1-channel Conv1D of ones (DepthwiseConv1D when stride and dilation are both > 1,
    which Conv1D refuses)."""
    common = dict(kernel_size=k, strides=s, dilation_rate=d, padding=padding, use_bias=False)
    if s > 1 and d > 1:
        return L.DepthwiseConv1D(depthwise_initializer="ones", **common)
    return L.Conv1D(1, kernel_initializer="ones", **common)


def ones_transpose(k, s=1, d=1, padding="valid", output_padding=None):
    return L.Conv1DTranspose(1, k, strides=s, dilation_rate=d, padding=padding,
                             output_padding=output_padding, use_bias=False,
                             kernel_initializer="ones")


def run(layers, x):
    y = x
    for layer in layers:
        y = layer(y)
    return np.asarray(y)


def reads(layers, n):
    """For each output row of the stack, the sorted input rows it reads."""
    y = run(layers, np.eye(n, dtype="float32")[:, :, None])[:, :, 0]  # (input row, output row)
    return [tuple(np.flatnonzero(y[:, o])) for o in range(y.shape[1])]


def try_length(layer, n):
    """TF's output length for an input of n rows, or None when TF refuses / gives 0."""
    try:
        y = layer(np.zeros((1, n, 1), "float32"))
    except Exception:  # noqa: BLE001
        return None
    return int(y.shape[1]) or None


@st.composite
def window_1d(draw, paddings=("valid", "same", "causal"), n_max=30):
    k = draw(st.integers(1, 6))
    s = draw(st.integers(1, 4))
    d = draw(st.integers(1, 4))
    padding = draw(st.sampled_from(paddings))
    if s > 1 and d > 1 and padding == "causal":  # only DepthwiseConv1D runs s, d > 1: no causal
        padding = "valid"
    return draw(st.integers(1, n_max)), k, s, d, padding


# --- lengths ------------------------------------------------------------------------------

@settings(max_examples=120, **SETTINGS)
@given(window_1d())
def test_conv_output_length_vs_tf(case):
    n, k, s, d, padding = case
    ours = ar.conv_output_length(n, k, s, padding, d)
    real = try_length(ones_conv(k, s, d, padding), n)
    if real is None:
        assert ours <= 0, case
    else:
        assert ours == real, case


@settings(max_examples=100, **SETTINGS)
@given(st.integers(1, 12), st.integers(1, 5), st.integers(1, 4), st.integers(1, 3),
       st.sampled_from(["valid", "same"]), st.data())
def test_conv_transpose_output_length_vs_tf(n, k, s, d, padding, data):
    if s > 1:
        d = 1  # Conv1DTranspose refuses stride > 1 with dilation > 1
    op = data.draw(st.one_of(st.none(), st.integers(0, s - 1)))
    ours = ar.conv_transpose_output_length(n, k, s, padding, op, d)
    real = try_length(ones_transpose(k, s, d, padding, op), n)
    if real is not None:
        assert ours == real
    else:  # TF refuses: only an empty output or 'same' asking for (n-1)*s rows
        even = ar.effective_kernel(k, d) % 2 == 0
        assert ours <= 0 or (padding == "same" and op == 0 and even), (n, k, s, d, padding, op)


# --- same padding ----------------------------------------------------------------------------

@settings(max_examples=60, **SETTINGS)
@given(window_1d(("same",), n_max=20), st.integers(0, 2**16))
def test_same_padding_is_zero_padding_then_valid(case, seed):
    """Conv1D 'same' == ZeroPadding1D(same_padding) + the same conv 'valid'; and the
    mirror padding (after, before) differs when the two sides differ."""
    n, k, s, d, _ = case
    assume(not (s > 1 and d > 1))
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(2, n, 3)).astype("float32")
    kernel = rng.normal(size=(k, 3, 2)).astype("float32")

    def conv(padding):
        layer = L.Conv1D(2, k, strides=s, dilation_rate=d, padding=padding, use_bias=False)
        layer.build((None, None, 3))
        layer.set_weights([kernel])
        return layer

    before, after = ar.same_padding(n, k, s, d)
    same = run([conv("same")], x)
    padded = run([L.ZeroPadding1D((before, after)), conv("valid")], x)
    np.testing.assert_allclose(same, padded, rtol=1e-5, atol=1e-5)
    if before != after and np.abs(same).max() > 0:  # (a tiny input may be read by no tap)
        mirrored = run([L.ZeroPadding1D((after, before)), conv("valid")], x)
        assert mirrored.shape != same.shape or not np.allclose(mirrored, same, atol=1e-4)


@settings(max_examples=25, **SETTINGS)
@given(st.lists(st.integers(1, 9), min_size=2, max_size=2), st.lists(st.integers(1, 4), min_size=2,
       max_size=2), st.lists(st.integers(1, 3), min_size=2, max_size=2))
def test_same_padding_2d(sizes, kernel, strides):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(1, *sizes, 2)).astype("float32")
    same = L.Conv2D(3, kernel, strides=strides, padding="same", use_bias=False)
    valid = L.Conv2D(3, kernel, strides=strides, padding="valid", use_bias=False)
    same.build((None, None, None, 2))
    valid.build((None, None, None, 2))
    valid.set_weights(same.get_weights())
    pads = tuple(ar.same_padding(n, k, s) for n, k, s in zip(sizes, kernel, strides))
    np.testing.assert_allclose(run([same], x), run([L.ZeroPadding2D(pads), valid], x),
                               rtol=1e-5, atol=1e-5)


# --- which rows each output reads ----------------------------------------------------------

@settings(max_examples=100, **SETTINGS)
@given(window_1d(n_max=16))
def test_forward_rows_read(case):
    """Output row o reads exactly rows o·s − pad_before + j·d (j < k) that exist."""
    n, k, s, d, padding = case
    assume(ar.conv_output_length(n, k, s, padding, d) > 0)
    pad = ar.padding_before(n, k, s, padding, d)
    expected = [tuple(sorted({o * s - pad + j * d for j in range(k)} & set(range(n))))
                for o in range(ar.conv_output_length(n, k, s, padding, d))]
    assert reads([ones_conv(k, s, d, padding)], n) == expected


@settings(max_examples=80, **SETTINGS)
@given(st.integers(1, 10), st.integers(1, 5), st.integers(1, 4), st.integers(1, 3),
       st.sampled_from(["valid", "same"]))
def test_transpose_rows_read(n, k, s, d, padding):
    """Transposed: output row o reads input rows x with x·s + j·d − pad_before = o."""
    if s > 1:
        d = 1
    pad = ar.transpose_padding_before(n, k, s, padding, None, d)
    m = ar.conv_transpose_output_length(n, k, s, padding, None, d)
    expected = [tuple(x for x in range(n) if any(x * s + j * d - pad == o for j in range(k)))
                for o in range(m)]
    assert reads([ones_transpose(k, s, d, padding)], n) == expected


# --- dropped rows ------------------------------------------------------------------------------

@settings(max_examples=100, **SETTINGS)
@given(window_1d(), st.integers(0, 2**16))
def test_dropped_rows_vs_tf(case, seed):
    """Changing the last `dropped` rows leaves the output as is; changing the row just
    before them changes it. Strided dilated cases run as DepthwiseConv1D."""
    n, k, s, d, padding = case
    assume(ar.conv_output_length(n, k, s, padding, d) > 0)
    dropped = ar.dropped_rows(n, k, s, padding, d)
    layer = ones_conv(k, s, d, padding)
    x = np.random.default_rng(seed).integers(0, 10, size=(1, n, 1)).astype("float32")
    base = run([layer], x)
    if dropped:
        changed = x.copy()
        changed[:, n - dropped:] += 1000
        np.testing.assert_allclose(run([layer], changed), base, atol=1e-3)
    if dropped < n:  # (a 'same' dilated conv on a tiny input may read no row at all)
        last = x.copy()
        last[:, n - dropped - 1] += 1000
        assert np.abs(run([layer], last) - base).max() > 500, case


def test_dropped_rows_2d():
    """Per axis: a 3×3 stride-2 valid Conv2D on 10×9 never reads the last row (0 columns)."""
    layer = L.Conv2D(1, 3, strides=2, use_bias=False, kernel_initializer="ones")
    assert (ar.dropped_rows(10, 3, 2), ar.dropped_rows(9, 3, 2)) == (1, 0)
    x = np.zeros((1, 10, 9, 1), "float32")
    base = run([layer], x)
    x[:, 9] = 1
    np.testing.assert_array_equal(run([layer], x), base)
    x[:, :, 8] = 1
    assert np.abs(run([layer], x) - base).max() > 0


# --- receptive field and jump ---------------------------------------------------------------

@st.composite
def chains(draw, transposed=True, max_layers=3):
    """1 to max_layers 1D window layers: conv, and (if ``transposed``) transposed conv /
    upsampling. Small sizes keep the identity-batch probe cheap."""
    steps = []
    for _ in range(draw(st.integers(1, max_layers))):
        kind = draw(st.sampled_from(("conv", "conv", "convT", "up") if transposed else ("conv",)))
        s = draw(st.sampled_from([1, 1, 2, 2, 3]))
        if kind == "up":
            steps.append(("up", s, s, 1, "valid"))
            continue
        k = draw(st.integers(1, 4))
        d = draw(st.integers(1, 3)) if s == 1 else 1
        paddings = ("valid", "same", "causal") if kind == "conv" else ("valid", "same")
        steps.append((kind, k, s, d, draw(st.sampled_from(paddings))))
    return steps


def probe(steps):
    """Build the layers, pick an input length big enough to have an interior, and return
    (chain steps for arithmetic, reads of every output row, margin of rows to skip)."""
    margin, jump_bound, period_bound = 1, 1, 1
    for kind, k, s, d, _ in steps:  # margin: an upper bound of any output row's span
        margin += (ar.effective_kernel(k, d) - 1) * jump_bound
        if kind == "conv":
            jump_bound *= s
        else:
            period_bound *= s
    n = 3 * margin + jump_bound * (4 * period_bound + 6)
    layers, chain, length = [], [], n
    for kind, k, s, d, padding in steps:
        if kind == "conv":
            layers.append(ones_conv(k, s, d, padding))
            pad = ar.padding_before(length, k, s, padding, d)
            chain.append((ar.effective_kernel(k, d), s, False, pad, d))
            length = ar.conv_output_length(length, k, s, padding, d)
        elif kind == "convT":
            layers.append(ones_transpose(k, s, d, padding))
            pad = ar.transpose_padding_before(length, k, s, padding, None, d)
            chain.append((ar.effective_kernel(k, d), s, True, pad, d))
            length = ar.conv_transpose_output_length(length, k, s, padding, None, d)
        else:
            layers.append(L.UpSampling1D(s))
            chain.append((s, s, True, 0))  # nearest: output row o reads input row o // s
            length *= s
    return chain, reads(layers, n), margin, n


def interior(rows, margin, n):
    """Output rows whose reads are clear of both borders (so not cut by padding)."""
    return {o: r for o, r in enumerate(rows) if r and r[0] >= margin and r[-1] <= n - 1 - margin}


def measured_jump(inner, rows):
    """Smallest p with first(o+p) − first(o) one constant c over the interior: c/p."""
    last = max(inner)
    for p in range(1, len(inner)):
        if any(o + p <= last and not rows[o + p] for o in inner):
            continue  # p is not a period of the rows that read nothing (inside the interior)
        pairs = [o for o in inner if o + p in inner]
        diffs = {inner[o + p][0] - inner[o][0] for o in pairs}
        if len(diffs) == 1 and len(pairs) > p:
            return Fraction(diffs.pop(), p)
    raise AssertionError("no period found")


@settings(max_examples=60, **SETTINGS)
@given(chains(transposed=False))
def test_receptive_field_forward_stack(steps):
    """Forward convs: every interior output row reads a span of exactly rf rows, and
    neighbouring rows start jump rows apart."""
    chain, rows, margin, n = probe(steps)
    rf, jump = ar.chain_receptive_field(chain)
    assert ar.chain_receptive_field([step[:4] for step in chain]) == (rf, jump)  # spans only
    inner = interior(rows, margin, n)
    assert len(inner) >= 2
    assert {r[-1] - r[0] + 1 for r in inner.values()} == {rf}
    assert {inner[o + 1][0] - inner[o][0] for o in inner if o + 1 in inner} == {jump}


def assert_chain_matches_tf(steps):
    """The largest span an interior output row reads is the chain's rf, and the first
    rows advance by jump on average (exactly c rows every p output rows, jump = c/p)."""
    chain, rows, margin, n = probe(steps)
    rf, jump = ar.chain_receptive_field(chain)
    inner = interior(rows, margin, n)
    assert inner
    assert max(r[-1] - r[0] + 1 for r in inner.values()) == rf, (chain, rf)
    assert measured_jump(inner, rows) == jump, chain


@settings(max_examples=150, **SETTINGS)
@given(chains(transposed=True))
@example(steps=[("conv", 1, 2, 1, "valid"), ("convT", 1, 2, 1, "valid"),
                ("conv", 2, 3, 1, "same")])  # the last rows read nothing: not a period break
def test_receptive_field_with_transposed(steps):
    """Any mix of convs, transposed convs and upsampling."""
    assert_chain_matches_tf(steps)


@pytest.mark.parametrize("steps", [
    # the field after a transposed layer depends on how the next stride aligns with it
    [("convT", 4, 2, 1, "same"), ("conv", 2, 2, 1, "valid")],  # same: crops 1 row first
    [("convT", 4, 2, 1, "valid"), ("conv", 2, 2, 1, "valid")],
    [("convT", 5, 2, 1, "same"), ("conv", 3, 2, 1, "same")],
    [("up", 2, 2, 1, "valid"), ("conv", 2, 2, 1, "valid")],
    [("up", 2, 2, 1, "valid"), ("conv", 2, 2, 1, "same")],
    [("conv", 3, 2, 1, "valid"), ("up", 3, 3, 1, "valid"), ("conv", 2, 1, 1, "valid")],
    [("convT", 1, 3, 1, "valid"), ("conv", 2, 1, 1, "valid")],  # rows reading nothing
    [("convT", 1, 3, 1, "valid"), ("conv", 3, 1, 2, "valid")],  # ... and dilated taps
    [("convT", 3, 2, 1, "valid"), ("convT", 3, 2, 1, "same"), ("conv", 3, 3, 1, "causal")],
])
def test_receptive_field_alignment_examples(steps):
    assert_chain_matches_tf(steps)


def test_field_after_upsampling_depends_on_alignment():
    """UpSampling1D(2) then a 2-tap conv: odd rows read 2 input rows (a per-layer
    rf/jump rule would say 1.5: the exact field tracks each position)."""
    chain, rows, margin, n = probe([("up", 2, 2, 1, "valid"), ("conv", 2, 1, 1, "valid")])
    inner = interior(rows, margin, n)
    assert max(r[-1] - r[0] + 1 for r in inner.values()) == 2
    assert ar.chain_receptive_field(chain) == (2, Fraction(1, 2))
