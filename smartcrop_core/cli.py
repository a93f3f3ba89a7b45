"""The ``smartcrop`` command: crop files or whole folders to one or more ratios and widths.

    smartcrop photos/ -o crops/ -r 16:9 -r 1:1 -w 800 --debug
    smartcrop photo.jpg --json
    smartcrop audit pairs --images DIR --labels labels.csv --out REPORT   (see smartcrop_core.audit)

A bad file is reported in one line and the batch goes on; the exit code is 1 if any file failed.
A full disk stops the batch (every later write would fail too).
"""

from __future__ import annotations

import argparse
import errno
import json
import sys
from pathlib import Path
from typing import Sequence

from tqdm import tqdm

from . import __version__
from .analysis import STRATEGIES, Analysis
from .api import analyze, crop_many
from .errors import SmartCropError
from .files import SAVE_FORMATS, find_images, save_atomically
from .loading import Source
from .model import get_model
from .ratios import DEFAULT_RATIOS, ratio_label
from .visualize import overlay

DEBUG_LONG_SIDE = 1024


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="smartcrop",
        description="Crop images so that they keep what people look at.",
        epilog="example: smartcrop photos/ -o crops/ -r 16:9 -r 1:1 -w 800 --debug",
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
    parser.add_argument("--threads", type=int, default=None, help="inference threads (default 1)")
    parser.add_argument("--max-pixels", type=int, default=None, help="refuse images with more pixels than this")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--version", action="version", version=f"smartcrop {__version__}")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["audit"]:  # `smartcrop audit ...`: the fairness audit has its own commands
        from .audit.cli import main as audit_main

        return audit_main(argv[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.output is None and not args.json:
        parser.error("nothing to do: give -o FOLDER to write crops, or --json to print the analyses")
    try:
        ratios = [ratio_label(r) for r in (args.ratios or DEFAULT_RATIOS)]
        model = get_model(args.model, args.threads)
    except (SmartCropError, ValueError) as error:
        print(f"smartcrop: error: {error}", file=sys.stderr)
        return 2
    files = list(find_images(args.inputs))
    failures = 0
    progress = tqdm(files, unit="image", disable=args.quiet or len(files) < 2, file=sys.stderr)
    for path, relative in progress:
        try:
            analysis = analyze(path, ratios, strategy=args.strategy, closeness=args.closeness,
                               min_mass=args.min_mass, model=model, max_pixels=args.max_pixels)
            if args.json:
                print(json.dumps({"file": str(path), "analysis": analysis.to_dict()}), flush=True)
            if args.output is not None:
                write_outputs(path, relative, analysis, ratios, args)
        except (SmartCropError, ValueError) as error:
            failures += 1
            tqdm.write(f"smartcrop: {error}", file=sys.stderr)
        except OSError as error:
            failures += 1
            tqdm.write(f"smartcrop: {path}: cannot write output: {error.strerror or error}", file=sys.stderr)
            if error.errno in (errno.ENOSPC, errno.EDQUOT):
                tqdm.write("smartcrop: stopping: the disk is full", file=sys.stderr)
                break
    progress.close()
    if failures:
        print(f"smartcrop: {failures} of {len(files)} file(s) failed", file=sys.stderr)
    return 1 if failures or not files else 0


def write_outputs(path: Path, relative: Path, analysis: Analysis, ratios: list[str], args: argparse.Namespace) -> None:
    """Write every requested crop of one image (one decode) and, with --debug, its debug picture."""
    image_format = args.format.upper() if args.format else SAVE_FORMATS.get(path.suffix.lower(), "PNG")
    suffix = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}[image_format]
    widths = args.widths or [None]
    requests = [(ratio, width, None) for ratio in ratios for width in widths]
    crops = crop_many(path, requests, analysis=analysis, strategy=args.strategy, closeness=args.closeness,
                      min_mass=args.min_mass, max_pixels=args.max_pixels)
    folder = args.output / relative.parent
    # photo.gif and photo.tif both become PNGs: keep the input's extension in the name so they don't collide.
    stem = relative.stem if path.suffix.lower() == suffix else f"{relative.stem}-{path.suffix.lstrip('.').lower()}"
    for (ratio, width, _), image in zip(requests, crops):
        name = f"{stem}_{ratio.replace(':', 'x')}" + (f"_w{width}" if width else "") + suffix
        save_atomically(image, folder / name, image_format, args.quality)
    if args.debug:
        preview = Source(path, args.max_pixels).load(min_size=(DEBUG_LONG_SIDE // 2, DEBUG_LONG_SIDE // 2))
        preview.thumbnail((DEBUG_LONG_SIDE, DEBUG_LONG_SIDE))
        save_atomically(overlay(preview, analysis, ratios), folder / f"{stem}_debug.png", "PNG")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
