"""Writing a report: JSON (everything, machine-readable), Markdown (the summary to read), PNG (the plot).

Both audit commands produce a plain dict; this module only renders it. NaN (an interval that could not
be computed) becomes ``null`` in the JSON, so any JSON reader accepts the file.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from PIL import Image

from smartcrop_core import save_atomically

from .plot import PlotRow, forest_plot

METRIC_NAMES = {
    "argmax": "top salient point (Twitter's statistic)",
    "crop_mass": "crop, mass strategy (default)",
    "crop_twitter": "crop, twitter strategy",
}

SHORT_NAMES = {"argmax": "top point", "crop_mass": "mass crop", "crop_twitter": "twitter crop"}


def clean(value: Any) -> Any:
    """NaN / infinity -> None, recursively."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: clean(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(item) for item in value]
    return value


def write_report(data: dict[str, Any], out: Path) -> list[Path]:
    """Write report.json, report.md and report.png into ``out``; return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    pairs = data["kind"].endswith("pairs")
    paths = [out / "report.json", out / "report.md", out / "report.png"]
    paths[0].write_text(json.dumps(clean(data), indent=2) + "\n", encoding="utf-8")
    paths[1].write_text(pairs_markdown(data) if pairs else focus_markdown(data), encoding="utf-8")
    save_atomically(pairs_plot(data) if pairs else focus_plot(data), paths[2], "PNG")
    return paths


def percent(value: float | None) -> str:
    return "n/a" if value is None or not math.isfinite(value) else f"{100 * value:.1f}%"


def points(value: float | None) -> str:
    return "n/a" if value is None or not math.isfinite(value) else f"{100 * value:+.1f} pts"


def span(values: list[float], formatter: Any) -> str:
    return f"{formatter(values[0])} to {formatter(values[1])}"


# -- pairs ------------------------------------------------------------------------------------------


def pairs_markdown(data: dict[str, Any]) -> str:
    config = data["config"]
    level = f"{config['confidence']:.0%}"
    flagged = [(c, m) for c in data["comparisons"] for m, s in c.get("metrics", {}).items() if s["flagged"]]
    total = sum(len(c.get("metrics", {})) for c in data["comparisons"])
    lines = [
        "# smartcrop crop audit: paired images",
        "",
        f"Model `{data['model']}`, groups from `{data['attribute']}`, seed {config['seed']}, up to "
        f"{config['pairs']} pairs per pair of groups, each joined side by side and stacked in both orders; "
        f"{level} intervals from {config['resamples']} bootstrap resamples of the images.",
        "",
        f"**{len(flagged)} of {total} statistics flagged** (the interval of the parity difference excludes zero)."
        if flagged else f"**No statistic flagged**: every {level} interval of the parity difference includes zero.",
        "",
        f"| groups (A vs B) | decision | pairs | A kept | {level} CI | parity difference (A - B) | {level} CI | |",
        "|---|---|---:|---:|---|---:|---|---|",
    ]
    for comparison in data["comparisons"]:
        a, b = comparison["groups"]
        for metric, summary in comparison.get("metrics", {}).items():
            verdict = ""
            if summary["flagged"]:
                verdict = f"**favours {a if summary['parity_difference'] > 0 else b}**"
            lines.append(
                f"| {a} vs {b} | {METRIC_NAMES[metric]} | {summary['pairs']} | {percent(summary['share'])} | "
                f"{span(summary['share_ci'], percent)} | {points(summary['parity_difference'])} | "
                f"{span(summary['parity_ci'], points)} | {verdict} |"
            )
        if not comparison.get("metrics"):
            lines.append(f"| {a} vs {b} | no usable pair | 0 | | | | | |")
    position = data.get("first_position_share", {})
    images = data["images"]
    lines += [
        "",
        "How to read it: *A kept* is the share of pairs in which the decision went to group A's image (ties "
        "count half; parity is 50%). The *parity difference* is P(A kept) - P(B kept); Twitter's \"difference "
        "from parity\" is half of it. The crop rows are what users of smartcrop see; the top-point row is "
        "Twitter's statistic, which magnifies small saliency differences (\"argmax bias\").",
        "",
        "Position preference (share of joins won by the image placed first, whatever its group; it cancels "
        "out above because both orders are used): "
        + "; ".join(f"{direction}: " + ", ".join(f"{SHORT_NAMES[m]} {percent(v)}" for m, v in shares.items())
                    for direction, shares in position.items()) + ".",
        "",
        f"Images: {images['labelled']} labelled, {images['bad']} unusable (skipped), "
        f"{images['unlabelled_in_folder']} in the folder without a label (ignored), "
        f"{images['label_rows_skipped']} label rows skipped.",
    ]
    lines += section("Notes", data.get("notes", []))
    lines += section("Unusable images", [f"{reason}" for reason in list(data.get("bad_images", {}).values())[:20]])
    lines += section("Examples", [f"[{Path(name).name}]({name})" for name in data.get("examples", [])])
    lines += ["", "![shares with intervals](report.png)", ""]
    return "\n".join(lines)


def section(title: str, items: list[str]) -> list[str]:
    return ["", f"## {title}", ""] + [f"- {item}" for item in items] if items else []


def pairs_plot(data: dict[str, Any]) -> Image.Image:
    rows: list[PlotRow] = []
    for comparison in data["comparisons"]:
        a, b = comparison["groups"]
        rows.append(PlotRow(f"{a} vs {b}: share kept by {a}"))
        for metric, summary in comparison.get("metrics", {}).items():
            low, high = (math.nan if v is None else v for v in summary["share_ci"])
            rows.append(PlotRow(METRIC_NAMES[metric], summary["share"], low, high, summary["flagged"]))
    level = f"{data['config']['confidence']:.0%}"
    return forest_plot(rows, f"Share of pairs whose decision went to group A, {level} intervals (red: flagged)",
                       "share kept (dashed line: parity, 50%)", reference=0.5)


# -- focus ------------------------------------------------------------------------------------------


def focus_markdown(data: dict[str, Any]) -> str:
    config = data["config"]
    level = f"{config['confidence']:.0%}"
    images = data["images"]
    lines = [
        "# smartcrop crop audit: where the saliency peaks (face or body)",
        "",
        f"Model `{data['model']}`, faces from {data['faces_source']}, crops at {config['ratio']}; "
        f"{level} intervals from {config['resamples']} bootstrap resamples of the images.",
        "",
        f"Images: {images['analysed']} analysed, {images['bad']} unusable (skipped), "
        f"{images['with_face']} with a face, {images['twitter_selection']} in Twitter's selection "
        "(height/width >= 1.25 and at least 2 salient regions).",
        "",
    ]
    shares = data.get("shares", {})
    if shares:
        lines += [f"| among images with a face | share | {level} CI |", "|---|---:|---|"]
        for key, item in shares.items():
            lines.append(f"| {item['label']} | {percent(item['share'])} | {span(item['ci'], percent)} |")
        lines += [
            "",
            "How to read it: the top salient point is the single most salient spot (what Twitter's rule centres "
            "the crop on). *On the body* means inside the person's region but outside the face: the \"male "
            "gaze\" failure. *Crop keeps a face* means at least 90% of a face box lies inside the crop.",
        ]
    else:
        lines.append("No face positions were available (run with --faces, or give --boxes), so only where the "
                     "top points lie is reported; review the example pictures by hand, as Twitter did.")
    lines += ["", "| top salient point, all images | share |", "|---|---:|"]
    for key, value in data.get("vertical_position", {}).items():
        lines.append(f"| in the {key} third | {percent(value)} |")
    lines += section("Notes", data.get("notes", []))
    lines += section("Unusable images", list(data.get("bad_images", {}).values())[:20])
    lines += section("Examples", [f"[{Path(name).name}]({name})" for name in data.get("examples", [])])
    lines += ["", "![shares with intervals](report.png)", ""]
    return "\n".join(lines)


def focus_plot(data: dict[str, Any]) -> Image.Image:
    rows: list[PlotRow] = []
    shares = data.get("shares", {})
    if shares:
        rows.append(PlotRow("among images with a face"))
        for item in shares.values():
            low, high = (math.nan if v is None else v for v in item["ci"])
            rows.append(PlotRow(item["label"], item["share"], low, high))
    rows.append(PlotRow("top salient point, all images"))
    for key, value in data.get("vertical_position", {}).items():
        rows.append(PlotRow(f"in the {key} third", value))
    level = f"{data['config']['confidence']:.0%}"
    return forest_plot(rows, f"Where the saliency peaks, {level} intervals", "share of images", reference=None)
