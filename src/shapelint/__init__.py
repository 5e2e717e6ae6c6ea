"""shapelint: find shape bugs in Keras models before training, without running them."""

__version__ = "0.1.0"
