"""Markdown tables of `smartcrop audit pairs` reports, models side by side (for docs/audit.md).

Why a script: the published tables are copied from the reports' JSON, never typed by hand.

    python -m training.audit_tables --set "London, gender" v1=/work/cache/smartcrop/audit/v1/london_gender \
        v2=/work/cache/smartcrop/audit/v2/london_gender
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path


def load(folder: Path) -> dict:
    return json.loads((folder / "report.json").read_text())


def pct(value: float) -> str:
    return f"{100 * value:.1f}%"


def table(title: str, runs: dict[str, dict]) -> str:
    """One row per pair of groups: the mass-crop share kept for A (95% CI) and the top-point share, per model."""
    names = list(runs)
    head = "| " + title + " | " + " | ".join(f"{n}: mass crop, A kept (95% CI) | {n}: top point" for n in names) + " |"
    lines = [head, "|---|" + "---|---|" * len(names)]
    first = runs[names[0]]
    for index, comparison in enumerate(first["comparisons"]):
        cells = []
        for name in names:
            c = runs[name]["comparisons"][index]
            assert c["groups"] == comparison["groups"], "reports of different comparisons"
            mass, top = c["metrics"]["crop_mass"], c["metrics"]["argmax"]
            flag = " **flagged**" if mass["flagged"] else ""
            cells.append(f"{pct(mass['share'])} ({pct(mass['share_ci'][0])}-{pct(mass['share_ci'][1])}){flag} | "
                         f"{pct(top['share'])}")
        lines.append(f"| {' vs '.join(comparison['groups'])} ({comparison['pairs']} pairs) | " + " | ".join(cells) + " |")
    cells = []
    for name in names:
        p = runs[name]["first_position_share"]
        cells.append(f"left {pct(p['horizontal']['crop_mass'])}, top {pct(p['vertical']['crop_mass'])} | "
                     f"left {pct(p['horizontal']['argmax'])}, top {pct(p['vertical']['argmax'])}")
    lines.append("| position: image placed first kept | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--set", required=True, help="title of the first column")
    ap.add_argument("runs", nargs="+", help="NAME=REPORT_FOLDER, in column order")
    args = ap.parse_args(argv)
    runs = {r.split("=", 1)[0]: load(Path(r.split("=", 1)[1])) for r in args.runs}
    print(table(args.set, runs))


if __name__ == "__main__":
    main()
