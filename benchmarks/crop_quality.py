"""Which crops keep what people look at? Every method on the OSIE validation split, in one run.

    .venv/bin/python benchmarks/crop_quality.py [--data ../shared/data] [--out benchmarks/results]
        [--ratios 16:9 3:2 1:1 4:5 2:3 9:16 21:9] [--thumbor]

For each of the 100 validation images (1601-1700, never trained on) and each ratio (16:9, 1:1, 4:5,
9:16; the largest box of the ratio), the share of the 15 observers' fixations inside each method's
crop. The oracle is the window of that size holding the most fixations (the upper limit). Reported:
mean share kept, mean share relative to the oracle, and the share of cases keeping >= 90% of what the
oracle keeps. Writes a Markdown table, a bar chart and example pictures where methods differ most.
``--thumbor`` adds rows from live Thumbor servers (benchmarks/thumbor_methods.py): real ``/smart/``
URLs with smartcrop's detector, and with Thumbor's own face + feature detectors.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import methods  # noqa: E402
from smartcrop_core import parse_ratio, ratio_label  # noqa: E402
from smartcrop_core.geometry import largest_size  # noqa: E402
from training.splits import OSIE_VAL_IDS  # noqa: E402

RATIOS = ["16:9", "1:1", "4:5", "9:16"]
ORACLE = "oracle (best window for the fixations)"


def kept(box, points: np.ndarray) -> int:
    left, top, width, height = box
    x, y = points[:, 0], points[:, 1]
    return int(np.sum((x >= left) & (x < left + width) & (y >= top) & (y < top + height)))


def oracle_box(points: np.ndarray, image_width: int, image_height: int, ratio: str) -> tuple[int, int, int, int]:
    """The window of the ratio's largest size holding the most fixations (ties to the centre)."""
    width, height = largest_size(image_width, image_height, parse_ratio(ratio))
    free_x, free_y = image_width - width, image_height - height
    axis, size, free = (0, width, free_x) if free_x > 0 else (1, height, free_y)
    coordinate = np.sort(points[:, axis])
    offsets = np.arange(free + 1)
    counts = np.searchsorted(coordinate, offsets + size, side="left") - np.searchsorted(coordinate, offsets, side="left")
    best = np.flatnonzero(counts == counts.max())
    offset = int(best[np.argmin(np.abs(best - free / 2))])
    return (offset, 0, width, height) if axis == 0 else (0, offset, width, height)


def run(data: Path, out: Path, names: list[str] | None, ratios: list[str] = RATIOS, thumbor: bool = False) -> dict:
    from contextlib import nullcontext

    import thumbor_methods

    with thumbor_methods.thumbor_deciders(data / "osie" / "stimuli") if thumbor else nullcontext({}) as served:
        deciders = {**methods.available(), **served}
        if names:
            deciders = {k: v for k, v in deciders.items() if any(n.lower() in k.lower() for n in names)}
        records = collect(data, deciders, ratios)
    summary = summarise(records)
    out.mkdir(parents=True, exist_ok=True)
    (out / "crop_quality.md").write_text(markdown(summary))
    plot(summary, out / "crop_quality.png")
    examples(records, data, out, json.loads((data / "osie" / "fixations.json").read_text()))
    print(markdown(summary))
    return summary


def collect(data: Path, deciders: dict, ratios: list[str]) -> list[tuple]:
    """(image, ratio, method, kept, total, oracle_kept, box) for every validation image, ratio and method."""
    fixations = json.loads((data / "osie" / "fixations.json").read_text())
    records = []  # (image, ratio, method, kept, total, oracle_kept, box)
    for image_name in sorted(OSIE_VAL_IDS):
        path = data / "osie" / "stimuli" / image_name
        entry = fixations[image_name]
        points = np.array([p[:2] for s in entry["subjects"] for p in s], dtype=float)
        oracle = {r: oracle_box(points, entry["width"], entry["height"], r) for r in ratios}
        for name, decide in deciders.items():
            decided = decide(str(path), ratios)
            for ratio in ratios:
                box = decided[ratio] if ratio in decided else decided[ratio_label(ratio)]  # "21:9" is "7:3"
                records.append((image_name, ratio, name, kept(box, points), len(points), kept(oracle[ratio], points), box))
        for ratio in ratios:
            records.append((image_name, ratio, ORACLE, kept(oracle[ratio], points), len(points),
                            kept(oracle[ratio], points), oracle[ratio]))
        print(f"\r{image_name}", end="", file=sys.stderr)
    print(file=sys.stderr)
    return records


def summarise(records) -> dict:
    summary = {}
    ratios = list(dict.fromkeys(r[1] for r in records))
    for name in dict.fromkeys(r[2] for r in records):
        rows = [r for r in records if r[2] == name]
        share = np.array([r[3] / r[4] for r in rows])
        of_oracle = np.array([r[3] / r[5] if r[5] else 1.0 for r in rows])
        per_ratio = {ratio: float(np.mean([r[3] / r[4] for r in rows if r[1] == ratio])) for ratio in ratios}
        summary[name] = {"kept": float(share.mean()), "of_oracle": float(of_oracle.mean()),
                         "cases_90": float(np.mean(of_oracle >= 0.9)), "per_ratio": per_ratio}
    return summary


def markdown(summary: dict) -> str:
    ratios = list(next(iter(summary.values()))["per_ratio"])
    lines = [
        "| method | fixations kept | of oracle | cases >= 90% of oracle | " + " | ".join(ratios) + " |",
        "|---|---|---|---|" + "---|" * len(ratios),
    ]
    for name, row in sorted(summary.items(), key=lambda item: -item[1]["of_oracle"]):
        cells = " | ".join(f"{row['per_ratio'][r]:.1%}" for r in ratios)
        lines.append(f"| {name} | {row['kept']:.1%} | {row['of_oracle']:.1%} | {row['cases_90']:.0%} | {cells} |")
    return "\n".join(lines) + "\n"


def plot(summary: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = sorted(summary, key=lambda n: summary[n]["of_oracle"])
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(names) + 1))
    ax.barh(names, [summary[n]["of_oracle"] * 100 for n in names],
            color=["#d62728" if "ours" in n else "#7f7f7f" for n in names])
    ax.set_xlabel("fixations kept, % of the best window (OSIE validation, 4 ratios)")
    ax.set_xlim(50, 100)
    fig.tight_layout()
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)


def examples(records, data: Path, out: Path, fixations: dict, count: int = 4) -> None:
    """Pictures of the cases where ours and the best peer differ most (both directions)."""
    ours = {(r[0], r[1]): r for r in records if r[2] == "smartcrop-saliency (ours)"}
    peer = {}
    for r in records:
        if r[2] in ("libvips attention, full image", "centre crop"):
            key = (r[0], r[1])
            if key not in peer or r[3] > peer[key][3]:
                peer[key] = r
    differences = sorted(ours, key=lambda k: (ours[k][3] - peer[k][3]) / ours[k][4] if k in peer else 0)
    chosen = differences[:count // 2] + differences[-(count // 2):]
    for index, key in enumerate(chosen):
        image = Image.open(data / "osie" / "stimuli" / key[0]).convert("RGB")
        draw = ImageDraw.Draw(image)
        for subject in fixations[key[0]]["subjects"]:
            for x, y, *_ in subject:
                draw.ellipse([x - 3, y - 3, x + 3, y + 3], fill=(255, 255, 0))
        font = ImageFont.load_default(size=22)
        for line, (record, colour) in enumerate(((ours[key], (255, 40, 40)), (peer.get(key), (0, 160, 255)))):
            if record is not None:
                left, top, width, height = record[6]
                draw.rectangle([left, top, left + width - 1, top + height - 1], outline=colour, width=4)
                label = f"{record[2]}: {record[3] / record[4]:.0%} of fixations"
                draw.text((10, 10 + 30 * line), label, fill=colour, font=font, stroke_width=2, stroke_fill=(0, 0, 0))
        image.thumbnail((600, 600))  # small enough to keep in the repository
        image.save(out / f"example_{index}_{key[0].split('.')[0]}_{key[1].replace(':', 'x')}.png", optimize=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "docs" / "benchmarks")
    parser.add_argument("--methods", nargs="*", help="substrings of method names to run (default: all)")
    parser.add_argument("--ratios", nargs="+", default=RATIOS, help="ratios to crop (default: %(default)s)")
    parser.add_argument("--thumbor", action="store_true", help="add live Thumbor /smart/ rows (needs Thumbor)")
    args = parser.parse_args()
    run(args.data, args.out, args.methods, args.ratios, args.thumbor)


if __name__ == "__main__":
    main()
