"""Command line: ``shapelint [OPTIONS] PATH...``.

Exit codes: 0 no finding at or above ``--fail-on``; 1 findings at or above it;
2 usage error or a file that could not be read (one line on stderr, no traceback).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import sys
import time
from typing import Optional

from shapelint import __version__
from shapelint.errors import UsageError
from shapelint.findings import SEVERITIES
from shapelint.formatting import printable
from shapelint.report import FORMATS, RenderOptions, render

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2

EPILOG = """\
examples:
  shapelint model.keras                      lint one model
  shapelint models/ --summary                every model under models/, with a shape table
  shapelint unet.keras --input-shape 100,100,3
                                             lint at another input size
  shapelint model.h5 --format json -o report.json
  shapelint unet.keras --sizes 1:512         the input sizes the model runs at
  shapelint models/ --format sarif -o shapelint.sarif
                                             SARIF 2.1.0 for code scanning
  shapelint unet.keras --format html -o report.html
                                             a page with the layer graph, shapes and findings

exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage error or unreadable file.
Model files: .keras (only config.json is read), .h5/.hdf5 (needs h5py), and model configs
in .json/.yaml/.yml (model.to_json(), TF.js layers-model). Nothing in a file is executed.
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2
        self.exit(EXIT_ERROR, f"shapelint: error: {message}\n(see shapelint --help)\n")


def parse_input_shape(text: str) -> tuple:
    """``32,32,3`` -> (32, 32, 3); ``None`` (or ``?``) for an unknown dim. Also the
    forms Python and Keras print: ``(32, 32, 3)``, ``[32, 32, 3]``, ``32x32x3``."""
    inner = text.strip()
    if inner[:1] + inner[-1:] in ("()", "[]"):
        inner = inner[1:-1]
    parts = [part.strip() for part in inner.replace("x", ",").split(",")]
    if len(parts) > 1 and not parts[-1]:  # (32,): a one-dim tuple as Python prints it
        parts.pop()
    dims = []
    for part in parts:
        if part.lower() in ("none", "?", "null"):
            dims.append(None)
            continue
        try:
            value = int(part)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{text!r} is not a shape like 32,32,3 (integers or None, batch excluded)") from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"{text!r}: dimensions must be positive")
        dims.append(value)
    return tuple(dims)


class _SizesAction(argparse.Action):
    """``--sizes`` with an optional range: ``--sizes model.keras`` keeps the path a path."""

    def __call__(self, parser, namespace, value, option_string=None):
        from shapelint.shapes.sizes import DEFAULT_RANGE, SizeRangeError, parse_ranges

        if value is None or not any(c.isdigit() for c in value) or os.path.exists(value):
            if value is not None:
                namespace.leading_paths = [value]
            value = "{}:{}".format(*DEFAULT_RANGE)
        try:
            setattr(namespace, self.dest, parse_ranges(value))
        except SizeRangeError as e:
            parser.error(f"--sizes: {e}")


def _codes(text: str) -> list:
    return [c.strip() for c in text.split(",") if c.strip()]


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="shapelint",
        description="Find shape bugs in Keras models before training, without running them.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="model files or directories (recursed)")
    out = parser.add_argument_group("output")
    out.add_argument("--format", choices=tuple(FORMATS), metavar="FORMAT",
                     help="output format: " + "; ".join(
                         f"{name}: {words}" for name, (_, words) in FORMATS.items()))
    out.add_argument("-o", "--output", metavar="FILE",
                     help="write the report to FILE, replaced only once the run has "
                          "finished (a symlink is replaced, not followed); refused when FILE "
                          "is one of the linted files or the configuration, or ends in "
                          ".keras/.h5/.hdf5")
    out.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                     help="text format: color the output (auto: on a terminal unless NO_COLOR "
                          "is set; default)")
    out.add_argument("--timing", action="store_true",
                     help="text format: add the elapsed time to the summary line (always "
                          "there on a terminal)")
    out.add_argument("--summary", action="store_true",
                     help="print a per-layer table: output shape, receptive field, jump")
    out.add_argument("-q", "--quiet", action="store_true",
                     help="text format: only findings, no fixes, no totals")
    model = parser.add_argument_group("model")
    model.add_argument("--cross-check", choices=("auto", "tf", "recorded", "off"), default="auto",
                       help="compare predicted shapes with those the file records (recorded), "
                            "also with TensorFlow's (tf: needs TensorFlow, builds the model "
                            "from its config without weights or custom code), or neither (off); "
                            "auto = recorded on the command line (default)")
    model.add_argument("--input-shape", action="append", type=parse_input_shape,
                       metavar="DIMS", dest="input_shapes",
                       help="shape of a model input without the batch dim, e.g. 32,32,3 "
                            "(repeat once per input; overrides the declared input shape)")
    model.add_argument("--sizes", nargs="?", action=_SizesAction, metavar="MIN:MAX",
                       help="find every input size in MIN:MAX (default 1:1024) at which the model "
                            "runs, for its unknown input dims (square: all take the same n), or "
                            "for its spatial dims when all are declared; one range per dim for "
                            "non-square sizes: 1:512x1:256")
    model.add_argument("--batch-size", type=_batch_size, metavar="N",
                       help="batch size for the JSON output's output_bytes and activation_bytes "
                            "and the SL117 training-memory estimate (default 1)")
    model.add_argument("--memory-budget", type=_memory_budget, metavar="SIZE",
                       help="SL117 warns when training at --batch-size keeps more than SIZE "
                            "(e.g. 16GiB, 512MiB, 8GB)")
    rules = parser.add_argument_group("rules")
    rules.add_argument("--select", type=_codes, metavar="CODES",
                       help="only these rules: codes, prefixes or rule names, comma-separated, "
                            "any case (SL0,sl101,checkerboard-transpose)")
    rules.add_argument("--ignore", type=_codes, metavar="CODES", default=[],
                       help="skip these rules, written as for --select (added to the "
                            "configured ignores)")
    rules.add_argument("--fail-on", choices=SEVERITIES,
                       help="lowest severity that makes the exit code 1 (default: error)")
    rules.add_argument("--exit-zero", action="store_true",
                       help="exit 0 even when there are findings (unreadable files still exit 2)")
    rules.add_argument("--allow-no-model", action="store_true",
                       help="exit 0, not 2, when no given file is a Keras model (for hooks "
                            "that pass every JSON/YAML file; they are skipped)")
    rules.add_argument("--config", metavar="FILE",
                       help="configuration file (.shapelint.yaml or pyproject.toml); default: "
                            "the nearest one above each linted file")
    rules.add_argument("--list-rules", action="store_true",
                       help="list the rules in force (text, or JSON with --format json)")
    rules.add_argument("--explain", metavar="CODE", help="explain a rule (code or name)")
    parser.add_argument("--version", action="version", version=f"shapelint {__version__}")
    return parser


def main(argv: Optional[list] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.paths = getattr(args, "leading_paths", []) + args.paths
    if args.format is None:
        args.format = "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"
    from shapelint.config import ConfigError, Resolver
    from shapelint.rules.pack import PackError

    if args.output:
        problem = _output_problem(args.output, args.paths, args.config)
        if problem:
            print(f"shapelint: error: -o {printable(args.output)}: {problem}", file=sys.stderr)
            return EXIT_ERROR
    resolver = Resolver(args.config, args.select, args.ignore, args.fail_on)
    try:
        if args.list_rules or args.explain:
            return _document_rules(args, resolver)
        if not args.paths:
            parser.error("give at least one PATH (or --list-rules / --explain CODE)")
        return _lint(args, resolver)
    except (ConfigError, PackError) as e:
        print(f"shapelint: error: {printable(e)}", file=sys.stderr)
        return EXIT_ERROR


def _document_rules(args, resolver) -> int:
    from shapelint.rules import catalog

    ruleset, _ = resolver.for_path(args.paths[0] if args.paths else os.getcwd())
    if args.explain:
        try:
            text = catalog.explain(ruleset, args.explain)
        except KeyError:
            from shapelint.config import did_you_mean

            print(f"shapelint: error: no rule {args.explain!r}{did_you_mean(args.explain, ruleset)} "
                  "(see shapelint --list-rules)", file=sys.stderr)
            return EXIT_ERROR
    elif args.format == "json":
        text = catalog.list_rules_json(ruleset)
    else:
        text = catalog.list_rules_text(ruleset)
    return _emit(text, args.output)


def _batch_size(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"not a batch size: {text!r} (a whole number ≥ 1)")
    return value


def _memory_budget(text: str) -> int:
    from shapelint.rules.memory import parse_bytes

    try:
        return parse_bytes(text)
    except UsageError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _memory(args):
    """What memory is asked about (SL117 runs only then), or None."""
    if args.batch_size is None and args.memory_budget is None:
        return None
    from shapelint.rules.memory import Memory

    return Memory(args.batch_size or 1, args.memory_budget)


def _lint(args, resolver) -> int:
    from shapelint.lint import collect_paths, lint_path

    cross_check = "recorded" if args.cross_check == "auto" else args.cross_check
    if cross_check == "tf" and not _tensorflow_installed():
        print("shapelint: error: --cross-check tf needs TensorFlow: pip install 'shapelint[tf]'",
              file=sys.stderr)
        return EXIT_ERROR
    started = time.perf_counter()
    results, rulesets = [], []
    for path in collect_paths(args.paths):
        ruleset, fail_on = resolver.for_path(path)
        if all(ruleset is not seen for seen in rulesets):
            rulesets.append(ruleset)
        try:
            with _gc_paused(cross_check != "tf"):
                result = lint_path(path, args.input_shapes, ruleset, cross_check, args.sizes,
                                   memory=_memory(args))
        except UsageError as e:  # e.g. wrong number of --input-shape
            print(f"shapelint: error: {printable(path)}: {printable(e)}", file=sys.stderr)
            return EXIT_ERROR
        result.fail_on = fail_on
        results.append(result)
    with _gc_paused(True):
        output = _render(results, args, rulesets, time.perf_counter() - started)
    status = _emit(output, args.output)
    if status:
        return status
    for r in results:
        if r.status == "error":
            print(f"shapelint: error: {printable(r.path)}: {printable(r.error)}",
                  file=sys.stderr)
    if all(r.status == "skipped" for r in results) and not args.allow_no_model:
        print("shapelint: error: no Keras model in the given paths", file=sys.stderr)
        return EXIT_ERROR
    if any(r.status == "error" for r in results):
        return EXIT_ERROR
    failing = any(SEVERITIES.index(f.severity) <= SEVERITIES.index(r.fail_on)
                  for r in results for f in r.findings)
    return EXIT_FINDINGS if failing and not args.exit_zero else EXIT_CLEAN


def _render(results: list, args, rulesets: list, elapsed: float) -> str:
    """The report in the format asked for.

    ``rulesets``: the rule sets the files were linted with; ``elapsed``: seconds so far.
    """
    terminal = not args.output and sys.stdout.isatty()
    color = args.color == "always" or (args.color == "auto" and terminal
                                       and not os.environ.get("NO_COLOR"))
    options = RenderOptions(rulesets=tuple(rulesets), summary=args.summary, quiet=args.quiet,
                            color=color, align=terminal,
                            elapsed=elapsed if terminal or args.timing else None,
                            batch_size=args.batch_size or 1,
                            unreadable_lines=bool(args.output))  # else stderr says it
    return render(args.format, results, options)


@contextlib.contextmanager
def _gc_paused(pause: bool):
    """No cyclic garbage collection inside (if ``pause``): the static lint of one file
    allocates many objects and hardly any cycles, and the collector's passes over them
    cost ~40% of the time on large models."""
    enabled = gc.isenabled()
    if pause:
        gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _tensorflow_installed() -> bool:
    import importlib.util

    return importlib.util.find_spec("tensorflow") is not None


MODEL_FILE_EXTENSIONS = (".keras", ".h5", ".hdf5")  # never the name of a report


def _output_problem(output: str, paths: list, config: Optional[str]) -> Optional[str]:
    """Why the report may not be written to ``output``, or None: a linter never replaces
    a model, a file it reads, or its configuration."""
    from shapelint.lint import collect_paths

    if output.lower().endswith(MODEL_FILE_EXTENSIONS):
        return ("refusing to write a report to a model file name (.keras, .h5, .hdf5); "
                "give the report its own name, e.g. report.txt")
    if os.path.isdir(output):
        return "is a directory; give a file name"
    for path in [*paths, *collect_paths(paths), *([config] if config else [])]:
        if _same_file(output, path):
            what = "the configuration file" if path == config else "a file being linted"
            return f"is {what}; the report would replace it"
    return None


def _same_file(a: str, b: str) -> bool:
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)  # hard links, case-insensitive file systems
    except OSError:  # one of them does not exist
        return False


def _emit(text: str, output: Optional[str]) -> int:
    if output:
        try:
            _write_replacing(output, text)
        except OSError as e:
            print(f"shapelint: error: cannot write {printable(output)}: {e.strerror or e}",
                  file=sys.stderr)
            return EXIT_ERROR
        return EXIT_CLEAN
    try:
        sys.stdout.write(text)
    except UnicodeEncodeError:
        sys.stdout.buffer.write(text.encode("utf-8"))
    sys.stdout.flush()
    return EXIT_CLEAN


def _write_replacing(path: str, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path`` and rename it over ``path``:
    a run that fails or is interrupted leaves the old file as it was. A symlink is
    replaced, not followed (a link planted in a checkout cannot aim the report at another
    file); an existing file keeps its permissions. What is not a regular file
    (``/dev/null``, a FIFO, a terminal) is written to as it is: renaming over it would
    replace the device."""
    import stat
    import tempfile

    target = os.path.abspath(path)
    try:
        mode = os.lstat(target).st_mode
        special = not (stat.S_ISREG(mode) or stat.S_ISLNK(mode))
    except FileNotFoundError:
        special = False
    if special:
        with open(target, "w", encoding="utf-8") as f:
            f.write(text)
        return
    fd, temporary = tempfile.mkstemp(dir=os.path.dirname(target), prefix=".shapelint-",
                                     suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        if os.path.isfile(target) and not os.path.islink(target):
            mode = os.stat(target).st_mode & 0o7777  # a report replaced keeps its permissions
        else:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
