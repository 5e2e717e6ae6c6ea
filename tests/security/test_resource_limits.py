"""Absurd and malicious inputs get an answer in bounded time and memory: exit 2 with one
line naming what is wrong, or an error finding for a model that cannot run.

Each attack runs the CLI in a subprocess, measured: wall time (with a timeout) and the
child's peak resident memory (``os.wait4``), under a 4 GiB address-space cap that keeps a
regression from taking the machine down.
"""

from __future__ import annotations

import json
import os
import re
import zlib

import pytest
from hostile import (clean_env, conv_model, deflate_repeated, keras3_functional, many_members_zip,
                     nested_calls, nested_deep, raw_zip, run_cli, tf_keras2_chain, write_h5,
                     write_json, write_keras)
from optional import require

SECONDS = 10.0
MIB = 500.0
DEFLATED = 8
GIB = 1 << 30

ATTACKS = {}


def attack(name: str, exit_code: int, message: str):
    """Register a builder ``folder -> (file name, extra environment)``; ``message`` is a
    regular expression for the one stderr line (exit 2) or the finding (exit 1)."""
    def register(builder):
        ATTACKS[name] = (builder, exit_code, message)
        return builder
    return register


def small_model() -> dict:
    return tf_keras2_chain(2)


# -- archives --------------------------------------------------------------------------------------

@attack("zip bomb: config.json inflates to 3 GiB", 2,
        r"config\.json inflates to 3221225472 bytes, over the 67108864-byte limit "
        r"\(raise it with SHAPELINT_MAX_CONFIG_BYTES\)")
def _honest_bomb(folder):
    data = deflate_repeated(b" " * (1 << 24), 192)  # 3 GiB of spaces in ~3 MB
    raw_zip(os.path.join(folder, "bomb.keras"), [("config.json", data, DEFLATED, 3 * GIB, 0)])
    return "bomb.keras", {}


@attack("zip bomb whose header says 100 bytes", 2,
        r"corrupt \.keras archive: Bad CRC-32 for file 'config\.json'")
def _lying_bomb(folder):
    data = deflate_repeated(b" " * (1 << 24), 192)
    raw_zip(os.path.join(folder, "bomb.keras"), [("config.json", data, DEFLATED, 100, 0)])
    return "bomb.keras", {}


@attack("zip header declaring 10^18 bytes (ZIP64)", 2,
        r"config\.json inflates to 1000000000000000000 bytes, over the 67108864-byte limit.*")
def _declared_exabyte(folder):
    data = zlib.compress(json.dumps(small_model()).encode())[2:-4]
    raw_zip(os.path.join(folder, "huge.keras"), [("config.json", data, DEFLATED, 10 ** 18, 0)])
    return "huge.keras", {}


@attack("zip listing 200,000 members", 2,
        r"the zip lists 200000 members, over the 10000 a \.keras file may have")
def _many_members(folder):
    many_members_zip(os.path.join(folder, "many.keras"), 200_000)
    return "many.keras", {}


@attack("100 MB config.json in a .keras", 2,
        r"config\.json inflates to 104857600 bytes, over the 67108864-byte limit.*")
def _big_config_in_zip(folder):
    data = deflate_repeated(b" " * (1 << 20), 100)
    raw_zip(os.path.join(folder, "big.keras"), [("config.json", data, DEFLATED, 100 << 20, 0)])
    return "big.keras", {}


# -- big, deep and wide configs -------------------------------------------------------------------

@attack("100 MB config (.json)", 2,
        r"file is 100000000 bytes, over the 67108864-byte limit "
        r"\(raise it with SHAPELINT_MAX_CONFIG_BYTES\)")
def _big_json(folder):
    head = b'{"class_name": "Functional", "config": {"name": "'
    with open(os.path.join(folder, "big.json"), "wb") as f:
        f.write(head + b"a" * (100_000_000 - len(head) - 4) + b'"}}\n')
    return "big.json", {}


@attack("60 MB of empty JSON objects (each costs 24x its text to parse)", 2,
        r"the file holds up to 40000008 values, over the 4194304 limit "
        r"\(raise it with SHAPELINT_MAX_CONFIG_BYTES\)")
def _object_spam(folder):
    with open(os.path.join(folder, "spam.json"), "wb") as f:
        f.write(b'{"class_name": "Functional", "config": {"layers": [], "junk": [')
        f.write(b"{}," * 20_000_000 + b"{}]}}")
    return "spam.json", {}


@attack("10^5 layers", 2,
        r"the model expands to 100,001 layer calls \(nested models count once per call\), "
        r"over the 100,000 limit \(raise it with SHAPELINT_MAX_LAYER_CALLS\)")
def _wide(folder):
    write_json(os.path.join(folder, "wide.json"), tf_keras2_chain(100_000))
    return "wide.json", {}


@attack("a model calling its inner model twice, 40 deep (2^40 calls in 6 KB)", 2,
        r"the model expands to ~10\^12 layer calls .*over the 100,000 limit.*")
def _nested_calls(folder):
    write_json(os.path.join(folder, "calls.json"), nested_calls(40))
    return "calls.json", {}


@attack("models nested 100 deep", 2, r"models nested more than 64 deep")
def _nested_models(folder):
    write_json(os.path.join(folder, "deep.json"), nested_deep(100))
    return "deep.json", {}


@attack("models nested 1000 deep", 2, r"the file is nested too deeply")
def _nested_models_1000(folder):
    model = nested_deep(1)
    text = json.dumps(model["config"]["layers"][1])
    for level in range(2, 1001):  # by hand: json.dumps itself would recurse too deep
        text = (f'{{"class_name": "Sequential", "config": {{"name": "s{level}", '
                f'"layers": [{text}]}}}}')
    with open(os.path.join(folder, "deep.json"), "w") as f:
        f.write('{"class_name": "Sequential", "config": {"name": "top", "layers": ['
                '{"class_name": "InputLayer", "config": {"name": "x", '
                f'"batch_input_shape": [null, 4]}}}}, {text}]}}}}')
    return "deep.json", {}


@attack("JSON nested 100,000 deep", 2, r"the file is nested too deeply")
def _deep_json(folder):
    with open(os.path.join(folder, "deep.json"), "w") as f:
        f.write('{"class_name": "Sequential", "config": ' + "[" * 100_000 + "]" * 100_000 + "}")
    return "deep.json", {}


# -- broken graphs ---------------------------------------------------------------------------------

def _edited(folder, name, edit):
    model = small_model()
    edit(model["config"]["layers"])
    write_json(os.path.join(folder, name), model)
    return name, {}


@attack("cyclic inbound_nodes", 2, r"cyclic inbound_nodes: layer 'l0' depends on itself")
def _cycle(folder):
    def edit(layers):
        layers[1]["inbound_nodes"] = [[["l1", 0, 0, {}]]]
    return _edited(folder, "cycle.json", edit)


@attack("dangling reference", 2, r"layer 'l1' refers to unknown layer 'ghost'")
def _dangling(folder):
    def edit(layers):
        layers[2]["inbound_nodes"] = [[["ghost", 0, 0, {}]]]
    return _edited(folder, "dangling.json", edit)


@attack("duplicate layer names", 2, r"duplicate layer name 'l0' in model 'chain'")
def _duplicate(folder):
    def edit(layers):
        layers[2]["name"] = layers[2]["config"]["name"] = "l0"
    return _edited(folder, "duplicate.json", edit)


@attack("a layer without class_name", 2,
        r"layer #1 is not a \{'class_name', 'config'\} mapping")
def _missing_class(folder):
    def edit(layers):
        del layers[1]["class_name"]
    return _edited(folder, "missing.json", edit)


@attack("an output index of 10^18", 2,
        r"tensor reference \['l0', 0, 1000000000000000000\] has a node or output index out "
        r"of range \(0\.\.1023\)")
def _huge_index(folder):
    def edit(layers):
        layers[2]["inbound_nodes"] = [[["l0", 0, 10 ** 18, {}]]]
    return _edited(folder, "index.json", edit)


# -- dimensions ------------------------------------------------------------------------------------

def _dims(folder, name, batch_shape, **conv):
    write_json(os.path.join(folder, name), conv_model(batch_shape, **conv))
    return name, {}


@attack("an input dim of 0", 1, r"SL003 \[error\]")
def _zero_dim(folder):
    return _dims(folder, "zero.json", [None, 0, 28, 1])


@attack("a negative input dim", 1, r"SL003 \[error\]")
def _negative_dim(folder):
    return _dims(folder, "negative.json", [None, -5, 28, 1])


@attack("a float input dim", 2,
        r"layer 'x': batch_input_shape=\[None, 28\.5, 28, 1\] is not a list of integers and "
        r"nulls")
def _float_dim(folder):
    return _dims(folder, "float.json", [None, 28.5, 28, 1])


@attack("a string input dim", 2,
        r"layer 'x': batch_input_shape=\[None, '28', 28, 1\] is not a list of integers and "
        r"nulls")
def _string_dim(folder):
    return _dims(folder, "string.json", [None, "28", 28, 1])


@attack("input dims of 10^18, kernel and stride of 10^18", 1,
        r"SL001 \[error\] l0: Conv2D maps \(None, 1000000000000000000, 1000000000000000000, 1\) "
        r"→ \(None, 0, 0, 4\)")
def _huge_dims(folder):
    return _dims(folder, "huge.json", [None, 10 ** 18, 10 ** 18, 1],
                 kernel_size=[10 ** 18 + 1, 10 ** 18 + 1], strides=[10 ** 18, 10 ** 18])


@attack("a kernel of 0", 1, r"SL003 \[error\]")
def _zero_kernel(folder):
    return _dims(folder, "zero_kernel.json", [None, 28, 28, 1], kernel_size=[0, 0])


# -- YAML and HDF5 ---------------------------------------------------------------------------------

@attack("YAML alias bomb (10^10 values in 1 KB)", 2,
        r"the YAML aliases expand the file to more than 1048576 values .*")
def _yaml_bomb(folder):
    lines = ["a0: &a0 [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 10)]
    lines += ["class_name: Functional", "config: {name: m, layers: [], junk: *a9}"]
    with open(os.path.join(folder, "bomb.yaml"), "w") as f:
        f.write("\n".join(lines) + "\n")
    return "bomb.yaml", {}


@attack("YAML that contains itself", 2, r"the YAML file contains itself through an alias")
def _yaml_loop(folder):
    with open(os.path.join(folder, "loop.yaml"), "w") as f:
        f.write("class_name: Sequential\nconfig: &c {name: s, layers: [*c]}\n")
    return "loop.yaml", {}


@attack("3 MB of YAML", 2, r"file is \d+ bytes, over the 2097152-byte limit for YAML .*")
def _big_yaml(folder):
    with open(os.path.join(folder, "big.yaml"), "w") as f:
        f.write("class_name: Functional\nconfig:\n  layers: []\n  junk:\n")
        f.write("".join(f"  - {{a: {i}, b: [1, 2, 3]}}\n" for i in range(110_000)))
    return "big.yaml", {}


@attack("HDF5 model_config that is an array of 1000 strings", 2,
        r"the HDF5 model_config attribute is not a string")
def _h5_array(folder):
    require("h5py")
    write_h5(os.path.join(folder, "array.h5"), small_model(), model_config_shape=(1000,))
    return "array.h5", {}


@attack("HDF5 model_config over the (lowered) size cap", 2,
        r"the HDF5 model_config attribute is \d+ bytes, over the 100000-byte limit .*")
def _h5_big(folder):
    require("h5py")
    model = keras3_functional([])
    model["config"]["junk"] = "a" * 200_000
    write_h5(os.path.join(folder, "big.h5"), model)
    return "big.h5", {"SHAPELINT_MAX_CONFIG_BYTES": "100000"}


@attack("a FIFO named model.json (opening it would wait forever)", 2, r"not a regular file")
def _fifo(folder):
    os.mkfifo(os.path.join(folder, "model.json"))
    return "model.json", {}


@attack("model.keras linked to /dev/zero (endless zeros)", 2, r"not a regular file")
def _dev_zero(folder):
    os.symlink("/dev/zero", os.path.join(folder, "model.keras"))
    return "model.keras", {}


@attack("HDF5 model_config that is not UTF-8", 2, r"the model_config attribute is not UTF-8 text")
def _h5_not_utf8(folder):
    h5py = require("h5py")
    import numpy as np
    with h5py.File(os.path.join(folder, "bytes.h5"), "w") as f:  # h5py reads it as surrogates
        f.attrs.create("model_config", np.array('{"class_name": "\xff\xfe"}'.encode("latin-1"),
                                                dtype=h5py.string_dtype("utf-8")))
    return "bytes.h5", {}


@attack("a .keras whose config.json is a pickle", 2, r"config\.json is not UTF-8 text")
def _pickle(folder):
    import pickle
    write_keras(os.path.join(folder, "pickle.keras"), pickle.dumps({"class_name": "Sequential"}))
    return "pickle.keras", {}


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_attack_gets_a_bounded_one_line_answer(name, tmp_path):
    builder, exit_code, message = ATTACKS[name]
    target, env = builder(str(tmp_path))
    run = run_cli([target], cwd=str(tmp_path), env=clean_env(**env), timeout=60)
    print(f"{name}: exit {run.returncode}, {run.seconds:.2f} s, {run.peak_mib:.0f} MiB")
    assert not run.timed_out, f"no answer in 60 s ({run.peak_mib:.0f} MiB)"
    assert "Traceback" not in run.stderr
    assert run.returncode == exit_code, run.stderr
    if exit_code == 2:
        assert run.error_lines() == [run.error_lines()[0]], run.stderr  # one line
        assert re.fullmatch(rf"shapelint: error: {re.escape(target)}: {message}",
                            run.error_lines()[0]), run.error_lines()[0]
    else:
        assert run.stderr == ""
        assert re.search(rf"^{re.escape(target)}:\S+: .*{message}", run.stdout, re.M), run.stdout
    assert run.seconds < SECONDS, f"{run.seconds:.1f} s"
    assert run.peak_mib < MIB, f"{run.peak_mib:.0f} MiB"


def test_the_caps_can_be_raised(tmp_path):
    """A user with a bigger model raises the caps: the same files then lint."""
    write_json(str(tmp_path / "wide.json"), tf_keras2_chain(2000))
    strict = run_cli(["wide.json"], cwd=str(tmp_path),
                     env=clean_env(SHAPELINT_MAX_LAYER_CALLS="1000",
                                   SHAPELINT_MAX_CONFIG_BYTES="100000"))
    assert strict.returncode == 2
    assert "over the 100000-byte limit" in strict.stderr
    raised = run_cli(["wide.json"], cwd=str(tmp_path),
                     env=clean_env(SHAPELINT_MAX_LAYER_CALLS="1000"))
    assert raised.returncode == 2 and "over the 1,000 limit" in raised.stderr
    default = run_cli(["wide.json"], cwd=str(tmp_path))
    assert default.returncode == 0, default.stderr
