"""Shape functions for the built-in Keras layers, one module per layer family.

Importing this package registers every function in :mod:`shapelint.shapes.registry`.
"""

from shapelint.shapes.layers import (  # noqa: F401
    applications,
    attention,
    conv,
    core,
    merging,
    ops,
    pooling,
    preprocessing,
    preserving,
    reshaping,
    rnn,
    wrappers,
)
