"""The labels file: which group each image belongs to.

A CSV with a header row. The file column is the first one named file, filename, image or path (else the
first column); paths are relative to the images folder. The group is any attribute the user chooses:
by default the first other column, or the columns named with ``--group-column`` (several columns are
combined, "woman & dark skin", for intersectional groups as in Twitter's analysis). Rows that cannot be
used are reported, not fatal: an audit of 9,990 images is still an audit.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

FILE_COLUMNS = ("file", "filename", "image", "path")
#: How several group columns are combined into one group name.
JOINER = " & "


class LabelsError(ValueError):
    """The labels file cannot be used at all (missing, no header, unknown column)."""


@dataclass(frozen=True)
class Labels:
    """Images per group (in file order, deduplicated) and the rows that were skipped, one line each."""

    groups: dict[str, list[Path]]
    problems: list[str] = field(default_factory=list)
    attribute: str = ""  # the column(s) the groups come from

    def images(self) -> list[Path]:
        return [path for paths in self.groups.values() for path in paths]


def read_labels(csv_path: Path, images_dir: Path, group_columns: Sequence[str] = ()) -> Labels:
    """Read the CSV; raise LabelsError only when no row could ever be used."""
    try:
        with open(csv_path, newline="", encoding="utf-8-sig") as stream:
            rows = list(csv.reader(stream))
    except OSError as error:
        raise LabelsError(f"cannot read labels {csv_path}: {error.strerror or error}") from error
    except UnicodeDecodeError as error:
        raise LabelsError(f"cannot read labels {csv_path}: not UTF-8 text") from error
    if not rows or len(rows[0]) < 2:
        raise LabelsError(f"{csv_path}: expected a header row with a file column and at least one group column")
    header = [name.strip() for name in rows[0]]
    lowered = [name.lower() for name in header]
    file_column = next((lowered.index(name) for name in FILE_COLUMNS if name in lowered), 0)
    if group_columns:
        missing = [name for name in group_columns if name.lower() not in lowered]
        if missing:
            raise LabelsError(f"{csv_path}: no column named {', '.join(missing)} (columns: {', '.join(header)})")
        group_indices = [lowered.index(name.lower()) for name in group_columns]
    else:
        group_indices = [next(i for i in range(len(header)) if i != file_column)]
    groups: dict[str, list[Path]] = {}
    seen: dict[Path, str] = {}
    problems: list[str] = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = [cell.strip() for cell in row] + [""] * len(header)
        name = cells[file_column]
        values = [cells[i] for i in group_indices]
        if not name or not all(values):
            problems.append(f"{csv_path.name} line {number}: missing file name or group, skipped")
            continue
        path = images_dir / name
        group = JOINER.join(values)
        if path in seen:
            if seen[path] != group:
                problems.append(f"{csv_path.name} line {number}: {name} is already in group {seen[path]!r}, skipped")
            continue
        seen[path] = group
        groups.setdefault(group, []).append(path)
    return Labels(groups, problems, JOINER.join(header[i] for i in group_indices))
