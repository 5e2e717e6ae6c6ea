"""Command line: ``shapelint [OPTIONS] PATH...``.

Exit codes: 0 no finding at or above ``--fail-on``; 1 findings at or above it;
2 usage error or a file that could not be read (one line on stderr, no traceback).
"""

from __future__ import annotations

import argparse
import sys
from typing import Optional

from shapelint import __version__
from shapelint.findings import SEVERITIES

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2

EPILOG = """\
examples:
  shapelint model.keras                      lint one model
  shapelint models/ --summary                every model under models/, with a shape table
  shapelint unet.keras --input-shape 100,100,3
                                             lint at another input size
  shapelint model.h5 --format json -o report.json

exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage error or unreadable file.
Model files: .keras (only config.json is read), .h5/.hdf5 (needs h5py), and model configs
in .json/.yaml/.yml (model.to_json(), TF.js layers-model). Nothing in a file is executed.
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2
        self.exit(EXIT_ERROR, f"shapelint: error: {message}\n(see shapelint --help)\n")


def parse_input_shape(text: str) -> tuple:
    """``32,32,3`` -> (32, 32, 3); ``None`` (or ``?``) for an unknown dim."""
    dims = []
    for part in text.replace("x", ",").split(","):
        part = part.strip()
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


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="shapelint",
        description="Find shape bugs in Keras models before training, without running them.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="+", metavar="PATH",
                        help="model files or directories (recursed)")
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="output format (default: text)")
    parser.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE")
    parser.add_argument("--input-shape", action="append", type=parse_input_shape,
                        metavar="DIMS", dest="input_shapes",
                        help="shape of a model input without the batch dim, e.g. 32,32,3 "
                             "(repeat once per input; overrides the declared input shape)")
    parser.add_argument("--summary", action="store_true",
                        help="print a per-layer table: output shape, receptive field, jump")
    parser.add_argument("--fail-on", choices=SEVERITIES, default="error",
                        help="lowest severity that makes the exit code 1 (default: error)")
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="text format: only findings, no fixes, no totals")
    parser.add_argument("--version", action="version", version=f"shapelint {__version__}")
    return parser


def main(argv: Optional[list] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from shapelint.lint import collect_paths, lint_path
    from shapelint.report import jsonfmt, text

    results = []
    for path in collect_paths(args.paths):
        try:
            results.append(lint_path(path, args.input_shapes))
        except ValueError as e:  # e.g. wrong number of --input-shape
            print(f"shapelint: error: {path}: {e}", file=sys.stderr)
            return EXIT_ERROR
    if args.format == "json":
        output = jsonfmt.render(results)
    else:
        output = text.render(results, summary=args.summary, quiet=args.quiet)
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8") as f:
                f.write(output)
        except OSError as e:
            print(f"shapelint: error: cannot write {args.output}: {e.strerror or e}",
                  file=sys.stderr)
            return EXIT_ERROR
    else:
        _write_stdout(output)
    for r in results:
        if r.status == "error":
            print(f"shapelint: error: {r.path}: {r.error}", file=sys.stderr)
    if all(r.status == "skipped" for r in results):
        print("shapelint: error: no Keras model in the given paths", file=sys.stderr)
        return EXIT_ERROR
    if any(r.status == "error" for r in results):
        return EXIT_ERROR
    threshold = SEVERITIES.index(args.fail_on)
    failing = any(SEVERITIES.index(f.severity) <= threshold for r in results for f in r.findings)
    return EXIT_FINDINGS if failing else EXIT_CLEAN


def _write_stdout(text: str) -> None:
    try:
        sys.stdout.write(text)
    except UnicodeEncodeError:
        sys.stdout.buffer.write(text.encode("utf-8"))
    sys.stdout.flush()
