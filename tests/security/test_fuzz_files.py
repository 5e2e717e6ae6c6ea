"""Byte-level fuzzing of .keras files: random bytes, truncations, mutated zip headers,
mutated config.json inside a valid zip, in every compression a zip may use.

Each case is linted as a file and must get a clean answer (see ``fuzzing.assert_clean``).
``SHAPELINT_FUZZ_EXAMPLES=N`` runs N cases per test (200 by default).
"""

from __future__ import annotations

import glob
import io
import os
import struct
import zipfile

import pytest
from fuzzing import check_file, fuzz_settings
from hypothesis import given
from hypothesis import strategies as st

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLES = sorted(glob.glob(os.path.join(ROOT, "examples", "*.keras")))
CONFIGS = [zipfile.ZipFile(p).read("config.json") for p in EXAMPLES]
METHODS = [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA]


def small_keras(config: bytes, method: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as zf:
        zf.writestr("metadata.json", b'{"keras_version": "3.15.1"}')
        zf.writestr("config.json", config)
    return buffer.getvalue()


# seeds: two real files as Keras wrote them (config.json stored, weights beside it) and
# small archives of every example config in every compression method
SEEDS = [open(p, "rb").read() for p in EXAMPLES[:2]] + [
    small_keras(config, method) for config in CONFIGS for method in METHODS]


def header_fields(data: bytes) -> list:
    """(offset, width) of every integer field of the zip's headers: local headers, the
    central directory, the end record."""
    fields = []
    local = (4, 2, 2, 2, 2, 2, 4, 4, 4, 2, 2)
    central = (4, 2, 2, 2, 2, 2, 2, 4, 4, 4, 2, 2, 2, 2, 2, 4, 4)
    end = (4, 2, 2, 2, 2, 4, 4, 2)
    for signature, widths in ((b"PK\x03\x04", local), (b"PK\x01\x02", central),
                              (b"PK\x05\x06", end)):
        start = data.find(signature)
        while start != -1:
            offset = start
            for width in widths:
                fields.append((offset, width))
                offset += width
            start = data.find(signature, start + 1)
    return fields


INTERESTING = st.sampled_from([0, 1, 2, 7, 8, 12, 14, 99, 0x7F, 0xFF, 0xFFFF, 0x7FFFFFFF,
                               0xFFFFFFFF, 0xFFFFFFFE, 1 << 31, 1 << 20])


@pytest.fixture(scope="module")
def target(tmp_path_factory):
    return str(tmp_path_factory.mktemp("fuzz") / "model.keras")


@fuzz_settings
@given(st.binary(max_size=4096))
def test_random_bytes(target, data):
    check_file(target, data)


@fuzz_settings
@given(st.sampled_from(SEEDS), st.data())
def test_truncated(target, seed, data):
    cut = data.draw(st.integers(0, len(seed)))
    check_file(target, seed[:cut])


@fuzz_settings
@given(st.sampled_from(SEEDS[2:]), st.data())
def test_mutated_header_fields(target, seed, data):
    mutated = bytearray(seed)
    fields = header_fields(seed)
    for _ in range(data.draw(st.integers(1, 4))):
        offset, width = data.draw(st.sampled_from(fields))
        value = data.draw(INTERESTING) & ((1 << (8 * width)) - 1)
        mutated[offset:offset + width] = value.to_bytes(width, "little")
    check_file(target, bytes(mutated))


@fuzz_settings
@given(st.sampled_from(SEEDS), st.data())
def test_mutated_bytes_anywhere(target, seed, data):
    mutated = bytearray(seed)
    for _ in range(data.draw(st.integers(1, 8))):
        # half of the edits land in the last 200 bytes: the central directory and end record
        low = data.draw(st.sampled_from([0, max(0, len(seed) - 200)]))
        position = data.draw(st.integers(low, len(seed) - 1))
        mutated[position] = data.draw(st.integers(0, 255))
    check_file(target, bytes(mutated))


def mutate_text(data, text: bytes) -> bytes:
    out = bytearray(text)
    for _ in range(data.draw(st.integers(1, 6))):
        position = data.draw(st.integers(0, len(out)))
        action = data.draw(st.sampled_from(["insert", "delete", "replace", "splice"]))
        if action == "insert":
            out[position:position] = data.draw(st.sampled_from(
                [b"{", b"}", b"[", b"]", b",", b":", b'"', b"\\", b"\x00", b"\xff", b"-1",
                 b"1e999", b"NaN", b"null", b"[[[[[[[[", b"\xc3\x28", b"\xed\xa0\x80"]))
        elif action == "delete":
            del out[position:position + data.draw(st.integers(1, 64))]
        elif action == "replace" and position < len(out):
            out[position] = data.draw(st.integers(0, 255))
        else:  # copy a stretch of the text somewhere else
            start = data.draw(st.integers(0, len(text)))
            out[position:position] = text[start:start + data.draw(st.integers(1, 400))]
    return bytes(out)


@fuzz_settings
@given(st.sampled_from(CONFIGS), st.sampled_from(METHODS), st.data())
def test_mutated_config_in_valid_zip(target, config, method, data):
    check_file(target, small_keras(mutate_text(data, config), method))


@fuzz_settings
@given(st.sampled_from(CONFIGS), st.data())
def test_mutated_json_file(tmp_path_factory, config, data):
    path = str(tmp_path_factory.getbasetemp() / "model.json")
    check_file(path, mutate_text(data, config))


def test_header_fields_cover_every_header():
    """The field table must match the real layout, or the header fuzz edits noise."""
    seed = small_keras(CONFIGS[0], zipfile.ZIP_DEFLATED)
    fields = dict(header_fields(seed))
    end = seed.rfind(b"PK\x05\x06")
    count_offset = end + 10  # total entries in the end record
    assert fields[count_offset] == 2
    assert struct.unpack_from("<H", seed, count_offset)[0] == 2  # metadata.json, config.json
    assert len([o for o in fields if seed[o:o + 4] == b"PK\x01\x02"]) == 2
