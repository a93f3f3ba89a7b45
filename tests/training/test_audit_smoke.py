"""CI smoke test of the crop audit on a few real shared faces (skips without ../shared).

The full tables (docs/audit.md) take minutes; this runs the same command on 8 portraits per set so a
change that breaks the audit, or the face sets' layout, is caught on every run.
"""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

pytest.importorskip("onnxruntime")

from smartcrop_audit.command import main  # noqa: E402 (the `smartcrop` console script)
from smartcrop_core.model import get_model  # noqa: E402


def _few_labels(folder: Path, column: str, groups: tuple[str, str], per_group: int, out: Path) -> Path:
    """A labels CSV with the first ``per_group`` images of each of two groups."""
    with open(folder / "labels.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    chosen = [r for g in groups for r in [r for r in rows if r[column] == g][:per_group]]
    path = out / "labels.csv"
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["file", column])
        writer.writeheader()
        writer.writerows({"file": r["file"], column: r[column]} for r in chosen)
    return path


@pytest.mark.parametrize("face_set,column,groups", [("london", "gender", ("female", "male")),
                                                    ("utkface", "race", ("black", "white"))])
def test_audit_pairs_runs_on_shared_faces(shared_data: Path, tmp_path: Path, face_set: str, column: str,
                                          groups: tuple[str, str]) -> None:
    folder = shared_data / "faces" / face_set
    if not (folder / "labels.csv").is_file():
        pytest.skip(f"{folder} has no labels.csv")
    labels = _few_labels(folder, column, groups, 4, tmp_path)
    out = tmp_path / "report"
    code = main(["audit", "pairs", "--images", str(folder), "--labels", str(labels), "--group-column", column,
                 "--out", str(out), "--pairs", "16", "--resamples", "200", "--examples", "1", "-q"])
    assert code == 0
    report = json.loads((out / "report.json").read_text())
    assert report["model"] == get_model().label
    (comparison,) = report["comparisons"]
    assert tuple(comparison["groups"]) == groups and comparison["pairs"] == 16
    for metric in ("argmax", "crop_mass", "crop_twitter"):
        stats = comparison["metrics"][metric]
        assert stats["share_ci"][0] <= stats["share"] <= stats["share_ci"][1]
    for direction in ("horizontal", "vertical"):
        assert 0.0 <= report["first_position_share"][direction]["crop_mass"] <= 1.0
    assert (out / "report.md").read_text().startswith("# smartcrop crop audit")
    assert len((out / "pairs.jsonl").read_text().splitlines()) == 16 * 4
