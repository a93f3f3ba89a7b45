"""The ``smartcrop`` command: crop files or whole folders to one or more ratios and widths.

    smartcrop photos/ -o crops/ -r 16:9 -r 1:1 -w 800 --debug
    smartcrop photo.jpg --json
    smartcrop audit pairs --images DIR --labels labels.csv --out REPORT   (package smartcrop_audit)

``smartcrop audit ...`` never reaches this module: the console script (``smartcrop_audit.command``)
sends it to the audit, so the engine does not import the audit.

Sizes and ratios are checked before any model run (usage errors, exit 2). A bad file is reported in
one line and the batch goes on; the exit code is 1 if any file failed, was refused (a name collision,
a FIFO) or a folder could not be read. A full disk stops the batch (every later write would fail too).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path
from typing import Sequence

from tqdm import tqdm

from . import __version__
from .analysis import STRATEGIES, CropOptions
from .api import output_size
from .batch import Settings, outcomes
from .errors import SmartCropError
from .files import SAVE_FORMATS, find_images
from .model import get_model
from .outputs import Task, make_task, plan
from .ratios import DEFAULT_RATIOS, parse_ratio, ratio_label

EPILOG = """\
example: smartcrop photos/ -o crops/ -r 16:9 -r 1:1 -w 800 --debug

Outputs mirror the input folders (crops/sub/NAME_16x9_w800.jpg). Inputs whose outputs would share a
name (a/photo.jpg b/photo.jpg, photo.png photo.PNG) are never overwritten: the later one is refused
and the exit code is 1.

The crop audit (does the crop favour one group of people?) is a subcommand:
  smartcrop audit --help
"""


#: Without --jobs, one process per core, but at most one per this many files.
FILES_PER_DEFAULT_WORKER = 16


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def default_jobs() -> int:
    """The cores this process may run on (its CPU affinity, so a container's limit counts)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="smartcrop",
        description="Crop images so that they keep what people look at.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("inputs", nargs="+", metavar="INPUT", help="image files or folders (searched recursively)")
    parser.add_argument("-o", "--output", type=Path, help="folder for the crops (mirrors the input folders)")
    parser.add_argument("-r", "--ratio", action="append", dest="ratios", metavar="W:H",
                        help=f"aspect ratio, repeatable (default: {' '.join(DEFAULT_RATIOS)})")
    parser.add_argument("-w", "--width", action="append", dest="widths", type=int, metavar="PX",
                        help="output width in pixels, repeatable (default: the crop's own size)")
    parser.add_argument("--strategy", choices=STRATEGIES, default="mass",
                        help="window placement: most saliency mass (default), twitter (top point), centre")
    parser.add_argument("--closeness", type=float, default=0.0,
                        help="0 = largest crop of the ratio (default), 1 = tightest crop keeping --min-mass")
    parser.add_argument("--min-mass", type=float, default=0.9, help="share of saliency a tight crop keeps")
    parser.add_argument("--json", action="store_true", help="print each analysis as a JSON line on stdout")
    parser.add_argument("--debug", action="store_true", help="also write NAME_debug.png: heat map, top point, boxes")
    parser.add_argument("--format", choices=sorted({f.lower() for f in SAVE_FORMATS.values()}),
                        help="output format (default: the input's, else png)")
    parser.add_argument("--quality", type=int, default=88, help="JPEG/WebP quality (default 88)")
    parser.add_argument("--model", help="ONNX saliency model (default: $SMARTCROP_MODEL or the shipped one)")
    parser.add_argument("--threads", type=int, default=None, help="inference threads per process (default 1)")
    parser.add_argument("-j", "--jobs", type=positive_int, default=None, metavar="N",
                        help=f"processes cropping at once (default: the number of cores, here {default_jobs()}, "
                             f"but at most one per {FILES_PER_DEFAULT_WORKER} files)")
    parser.add_argument("--max-pixels", type=int, default=None, help="refuse images with more pixels than this")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--version", action="version", version=f"smartcrop {__version__}")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.output is None and not args.json:
        parser.error("nothing to do: give -o FOLDER to write crops, or --json to print the analyses")
    try:
        ratios = list(dict.fromkeys(ratio_label(r) for r in (args.ratios or DEFAULT_RATIOS)))
        widths = list(dict.fromkeys(args.widths or [None]))
        for ratio in ratios:  # both sides of every output within bounds, before the model runs
            for width in widths:
                output_size(parse_ratio(ratio), width, None)
        options = CropOptions(args.strategy, args.closeness, args.min_mass)
        get_model(args.model, args.threads)
    except (SmartCropError, ValueError) as error:
        print(f"smartcrop: error: {printable(str(error))}", file=sys.stderr)
        return 2
    settings = Settings(tuple(ratios), options, args.model, args.threads, args.max_pixels, args.json, args.output,
                        args.quality)
    return run(args, settings, widths)


def run(args: argparse.Namespace, settings: Settings, widths: list[int | None]) -> int:
    """Find, plan and crop; print every problem in one line; the exit code."""
    failed, unreadable = [], []
    found = list(find_images(args.inputs, refused=failed.append, unreadable=unreadable.append))
    for line in failed + unreadable:
        say(line)

    def task_for(path: Path, relative: Path) -> Task:
        if args.output is None:
            return Task(path, "PNG", (), None)
        return make_task(path, relative, list(settings.ratios), widths, args.format, args.debug)

    refused: list[str] = []
    tasks = plan(found, args.output or Path("."), task_for, refused.append)
    for line in refused:
        say(line)
    errors = len(failed) + len(refused)
    total = errors + len(tasks)
    progress = tqdm(total=len(tasks), unit="image", disable=args.quiet or len(tasks) < 2, file=sys.stderr)
    # By default a worker process is started only for enough files to repay its start-up (~1 s).
    jobs = args.jobs or min(default_jobs(), max(1, len(tasks) // FILES_PER_DEFAULT_WORKER))
    for outcome in outcomes(tasks, settings, jobs):
        progress.update()
        if outcome.json_line is not None:
            print(outcome.json_line, flush=True)
        if outcome.error is not None:
            errors += 1
            say(outcome.error)
        if outcome.disk_full:
            say("stopping: the disk is full")
            break
    progress.close()
    if not total and not unreadable:
        say("no image found in " + " ".join(args.inputs))
    if errors:
        say(f"{errors} of {total} file(s) failed")
    if unreadable:
        say(f"{len(unreadable)} folder(s) could not be read")
    return 1 if errors or unreadable or not tasks else 0


def say(line: str) -> None:
    """One line on stderr, above the progress bar."""
    tqdm.write(f"smartcrop: {printable(line)}", file=sys.stderr)


# Control characters (newlines, ANSI escapes), line separators and bidirectional overrides: a file
# name must not be able to forge extra lines or recolour the terminal.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` with every unprintable character escaped (``\\n``, ``\\x1b``, ``\\u202e``) and undecodable
    bytes of file names shown as ``\\udcxx``."""
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
