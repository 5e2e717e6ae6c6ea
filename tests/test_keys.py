"""shapelint.loading.keys: the config facts the readers and the TF cross-check share."""

from __future__ import annotations

import pytest

from shapelint.errors import UnreadableModel
from shapelint.loading import load_config
from shapelint.loading.keys import (
    MAX_NESTING, declared_shape, is_model_class, is_shape, nested_call_name)


@pytest.mark.parametrize("value, expected", [
    ([None, 32, 32, 3], True), ((None, 8), True), ([], True),
    ([None, True], False),  # a bool is not a dimension
    ([None, 3.0], False), ([None, "3"], False), ("abc", False), (None, False), (3, False),
    ({"class_name": "__tuple__", "config": {"value": [None, 3]}}, False),
])
def test_is_shape(value, expected):
    assert is_shape(value) is expected


@pytest.mark.parametrize("config, expected", [
    ({"batch_shape": [None, 28, 28, 1]}, (None, 28, 28, 1)),
    ({"batch_input_shape": [4, 10]}, (4, 10)),
    ({"shape": [28, 28, 1]}, (None, 28, 28, 1)),
    ({"input_shape": [10], "batch_size": 8}, (8, 10)),
    # a full batch shape is read before a shape without the batch dim (as tf.keras 2's Layer)
    ({"input_shape": [3], "batch_input_shape": [2, 7]}, (2, 7)),
    ({"shape": [3], "batch_shape": [None, 5]}, (None, 5)),
    ({"batch_shape": [None, 5], "batch_input_shape": [None, 6]}, (None, 5)),
    # null means "not set": the next key decides
    ({"batch_shape": None, "shape": [6]}, (None, 6)),
    ({"name": "dense", "units": 3}, None),
    ({}, None),
])
def test_declared_shape(config, expected):
    assert declared_shape(config) == expected


@pytest.mark.parametrize("config, key", [
    ({"name": "x", "batch_shape": "abc", "shape": [3]}, "batch_shape"),
    ({"name": "x", "batch_input_shape": [None, "8"]}, "batch_input_shape"),
    ({"name": "x", "shape": 8}, "shape"),
    ({"name": "x", "input_shape": [True, 3], "batch_input_shape": None}, "input_shape"),
])
def test_a_malformed_declared_shape_is_an_error_not_a_fallback(config, key):
    """A later key is not what Keras would read, so it does not stand in for a broken one."""
    with pytest.raises(UnreadableModel, match=rf"layer 'x': {key}=.* is not a list of integers"):
        declared_shape(config)


def test_a_malformed_declared_shape_makes_the_model_unreadable():
    config = {"class_name": "Sequential", "config": {"name": "s", "layers": [
        {"class_name": "Dense", "config": {"name": "d", "units": 2,
                                           "batch_input_shape": [None, "8"],
                                           "input_shape": [8]}}]}}
    with pytest.raises(UnreadableModel, match="batch_input_shape"):
        load_config(config)


@pytest.mark.parametrize("name, expected", [
    ("Functional", True), ("Model", True), ("Sequential", True), ("Dense", False),
    ("sequential", False), (None, False), (["Sequential"], False), ({"a": 1}, False),
])
def test_is_model_class_takes_any_value(name, expected):
    assert is_model_class(name) is expected


def test_nested_call_names():
    assert nested_call_name("enc", 0) == "enc"
    assert nested_call_name("enc", 1) == "enc:1"
    assert nested_call_name("outer/enc", 3) == "outer/enc:3"


def test_nesting_limit_is_shared_by_the_loader():
    inner: dict = {"class_name": "Sequential", "config": {"name": "m0", "layers": [
        {"class_name": "InputLayer", "config": {"name": "x", "batch_shape": [None, 2]}}]}}
    for depth in range(1, MAX_NESTING + 2):
        inner = {"class_name": "Sequential", "config": {"name": f"m{depth}", "layers": [
            {"class_name": "InputLayer", "config": {"name": "x", "batch_shape": [None, 2]}},
            inner]}}
    with pytest.raises(UnreadableModel, match=f"nested more than {MAX_NESTING} deep"):
        load_config(inner)
