"""The structural fuzz of ``test_fuzz_configs``, seeded with keras.applications models:
hundreds of layers, residual merges, ZeroPadding, DepthwiseConv2D, recorded shapes.

``SHAPELINT_FUZZ_EXAMPLES=N`` runs N/2 cases (100 by default: each lints a whole model).
"""

from __future__ import annotations

import json

from fuzzing import FUZZ_EXAMPLES, check_document, fuzz_settings, mutate_config
from hypothesis import given, settings
from hypothesis import strategies as st

NAMES = ["MobileNetV2", "ResNet50"]


def test_seeds_lint_clean(application_configs):
    for name in NAMES:
        result = check_document(json.loads(application_configs[0][name]))
        assert result.status == "ok", name
        assert [f for f in result.findings if f.severity == "error"] == [], name
        assert len(result.trace.layers) > 150


@settings(fuzz_settings, max_examples=max(1, FUZZ_EXAMPLES // 2))  # ~50 ms a case
@given(st.sampled_from(NAMES), st.data())
def test_mutated_application_configs(application_configs, name, data):
    # the fixture is a dict of two whole configs: kept out of hypothesis's report by
    # reading it through a one-element list
    document = json.loads(application_configs[0][name])
    mutate_config(data, document)
    check_document(document)
