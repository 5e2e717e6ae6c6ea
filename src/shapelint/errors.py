"""Exceptions that end the analysis of one file (reported as one line, exit code 2)."""


class UnreadableModel(Exception):
    """The file cannot be read as a Keras model: the message says why, in one line."""


class NotAModel(Exception):
    """A JSON/YAML file that is not a Keras model config: skipped, not an error."""


class UsageError(ValueError):
    """What was asked cannot apply to this model (e.g. two --input-shape for a model with
    one input): the whole run stops with exit code 2."""


class ConfigError(ValueError):
    """An invalid configuration: the message names the file and the key (and the layer,
    for a declared layer whose shape expression fails on it)."""


class ShapeLintError(ValueError):
    """What :func:`shapelint.check` and the callback raise.

    Either the model has error findings (``.findings`` holds them), or shapelint could
    not analyse it at all (``.findings`` is empty and ``.reason`` holds the one-line
    reason the command line prints, e.g. ``missing.keras: no such file``).
    """

    def __init__(self, findings=(), model: str = "model", *, reason: str = ""):
        self.findings = list(findings)
        self.model = model
        self.reason = reason
        if reason:
            message = reason
        else:
            lines = [f"{model}: {len(self.findings)} shape error(s):"]
            lines += [f"  {f.rule} {f.message}" + (f"\n      fix: {f.fix}" if f.fix else "")
                      for f in self.findings]
            message = "\n".join(lines)
        super().__init__(message)
