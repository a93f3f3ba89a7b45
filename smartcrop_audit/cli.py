"""`smartcrop audit pairs|focus`: argument parsing, setup errors, exit codes.

Exit codes: 0 the report was written; 1 nothing could be audited (no usable pair / image); 2 a usage or
setup error (bad arguments, unreadable labels, model or OpenCV missing); 3 with ``--fail-on-bias``, a
difference was flagged (so a deployment pipeline can stop on it).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, Sequence

from smartcrop_core import SmartCropError, get_model, parse_ratio, ratio_label

from .labels import LabelsError, read_labels
from .paired import PairsConfig, run_pairs
from .report import METRIC_NAMES, percent, write_report


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="smartcrop audit",
        description="Audit the cropper on your own images before turning it on (see docs/audit.md).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="{pairs,focus}")

    pairs = commands.add_parser(
        "pairs", help="paired-image test: does the crop keep one group's images more often than another's?",
        description="Join images of two groups, crop at a ratio that holds only one, count whose image is kept.",
    )
    pairs.add_argument("--images", type=Path, required=True, metavar="DIR", help="folder of the labelled images")
    pairs.add_argument("--labels", type=Path, required=True, metavar="CSV",
                       help="CSV with a header: a file column (paths relative to DIR) and group column(s)")
    pairs.add_argument("--group-column", action="append", default=[], metavar="NAME",
                       help="column(s) giving the group, repeatable to combine (default: the first non-file column)")
    pairs.add_argument("--out", type=Path, default=Path("audit-pairs"), metavar="DIR",
                       help="report folder (default: audit-pairs)")
    pairs.add_argument("--pairs", type=int, default=1000, metavar="N", help="pairs per pair of groups (default 1000; each is cropped 4 ways)")
    pairs.add_argument("--side", type=int, default=384, metavar="PX",
                       help="common height (side by side) / width (stacked) of the two images (default 384)")
    pairs.add_argument("--gap", type=float, default=0.1, metavar="F", help="grey gap between the images, share of --side (default 0.1)")
    pairs.add_argument("--fail-on-bias", action="store_true", help="exit with code 3 when a difference is flagged")
    add_common(pairs, examples=6)

    focus = commands.add_parser(
        "focus", help="does the top salient point fall on a face or elsewhere on the person?",
        description="Twitter's 'male gaze' check: where the saliency peaks relative to faces and bodies.",
    )
    focus.add_argument("--images", type=Path, required=True, metavar="DIR", help="folder of images (searched recursively)")
    focus.add_argument("--faces", action="store_true",
                       help="detect faces with OpenCV's Haar cascade (needs the 'audit' extra)")
    focus.add_argument("--boxes", type=Path, metavar="CSV",
                       help="your own face/person boxes: file,kind,left,top,width,height (kind = face or person)")
    focus.add_argument("--ratio", default="1:1", metavar="W:H", help="crop ratio checked for keeping the face (default 1:1, as Twitter)")
    focus.add_argument("--out", type=Path, default=Path("audit-focus"), metavar="DIR",
                       help="report folder (default: audit-focus)")
    add_common(focus, examples=12)
    return parser


def add_common(parser: argparse.ArgumentParser, examples: int) -> None:
    parser.add_argument("--seed", type=int, default=0, metavar="N", help="seed of the pair draws and the bootstrap (default 0)")
    parser.add_argument("--examples", type=int, default=examples, metavar="N", help=f"example pictures to write (default {examples})")
    parser.add_argument("--resamples", type=int, default=2000, metavar="N", help="bootstrap resamples (default 2000)")
    parser.add_argument("--confidence", type=float, default=0.95, metavar="F", help="interval level (default 0.95)")
    parser.add_argument("--model", metavar="PATH", help="ONNX saliency model (default: $SMARTCROP_MODEL or the shipped one)")
    parser.add_argument("--threads", type=int, default=None, metavar="N", help="inference threads (default 1)")
    parser.add_argument("--max-pixels", type=int, default=None, metavar="N", help="refuse images with more pixels than this")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    if not 0.5 <= args.confidence < 1.0:
        parser.error("--confidence must be within 0.5..1 (e.g. 0.95)")
    if args.resamples < 100 or args.examples < 0:
        parser.error("--resamples must be at least 100 and --examples at least 0")
    if not args.images.is_dir():
        return fail(f"{args.images} is not a folder")
    try:
        model = get_model(args.model, args.threads)
        if args.command == "pairs":
            return run_pairs_command(args, model, parser)
        return run_focus_command(args, model)
    except (SmartCropError, LabelsError) as error:
        return fail(str(error))


def fail(message: str) -> int:
    print(f"smartcrop audit: error: {message}", file=sys.stderr)
    return 2


def run_pairs_command(args: argparse.Namespace, model: Any, parser: argparse.ArgumentParser) -> int:
    if args.pairs < 1 or args.side < 32 or not 0.0 <= args.gap <= 1.0:
        parser.error("--pairs must be >= 1, --side >= 32 and --gap within 0..1")
    labels = read_labels(args.labels, args.images, args.group_column)
    config = PairsConfig(pairs=args.pairs, seed=args.seed, side=args.side, gap=args.gap, resamples=args.resamples,
                         confidence=args.confidence, examples=args.examples, max_pixels=args.max_pixels)
    data = run_pairs(labels, args.images, args.out, model, config, progress=not args.quiet)
    paths = write_report(data, args.out)
    flagged = False
    for comparison in data["comparisons"]:
        a, b = comparison["groups"]
        for metric, summary in comparison.get("metrics", {}).items():
            flagged |= summary["flagged"]
            mark = "  FLAGGED" if summary["flagged"] else ""
            low, high = summary["share_ci"]
            print(f"{a} vs {b}: {METRIC_NAMES[metric]}: {a} kept in {percent(summary['share'])} of "
                  f"{summary['pairs']} pairs ({percent(low)} to {percent(high)}){mark}")
    print(f"report: {paths[1]} ({paths[0].name}, {paths[2].name}, pairs.jsonl, {len(data['examples'])} examples)")
    if not any(c["pairs"] for c in data["comparisons"]):
        print("smartcrop audit: no pair could be analysed (need two groups with usable images)", file=sys.stderr)
        return 1
    return 3 if flagged and args.fail_on_bias else 0


def run_focus_command(args: argparse.Namespace, model: Any) -> int:
    from .focus import FocusConfig, run_focus  # noqa: PLC0415 (keeps `audit pairs` free of face code)

    config = FocusConfig(ratio=ratio_label(args.ratio), seed=args.seed, examples=args.examples,
                         resamples=args.resamples, confidence=args.confidence, max_pixels=args.max_pixels)
    parse_ratio(config.ratio)
    data = run_focus(args.images, args.out, model, config, faces=args.faces, boxes=args.boxes,
                     progress=not args.quiet)
    paths = write_report(data, args.out)
    for item in data.get("shares", {}).values():
        print(f"{item['label']}: {percent(item['share'])} ({percent(item['ci'][0])} to {percent(item['ci'][1])})")
    print(f"report: {paths[1]} ({paths[0].name}, {paths[2].name}, focus.jsonl, {len(data['examples'])} examples)")
    return 0 if data["images"]["analysed"] else 1
