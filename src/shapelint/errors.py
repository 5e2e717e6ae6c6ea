"""Exceptions that end the analysis of one file (reported as one line, exit code 2)."""


class UnreadableModel(Exception):
    """The file cannot be read as a Keras model: the message says why, in one line."""


class NotAModel(Exception):
    """A JSON/YAML file that is not a Keras model config: skipped, not an error."""


class UsageError(ValueError):
    """What was asked cannot apply to this model (e.g. two --input-shape for a model with
    one input): the whole run stops with exit code 2."""
