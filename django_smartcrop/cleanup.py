"""Which generated crops nothing serves any more, behind ``manage.py smartcrop_cleanup``.

Crop names are deterministic, so a crop is still useful exactly when some row's current state would
produce its name again: a moved box, a new model, another quality setting or a replaced or deleted
file all make new names, and the old files would otherwise stay on disk forever. The registry is walked
in primary-key chunks with one query per field and chunk, so memory stays flat on any number of crops.
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Callable

from django.db.models import Max
from django.db.models.fields.files import FieldFile
from smartcrop_core import RatioError

from . import renditions
from .models import Crop
from .processing import describe_error
from .recompute import Target, find_targets
from .specs import spec_for, state_of

#: Why a crop goes: its source file is in no row any more, or its row now makes other crops.
UNUSED, OUTDATED = "source no longer used", "no longer produced by its row"


@dataclass
class Report:
    checked: int = 0
    deleted: int = 0  # in a dry run: would be deleted
    swept: int = 0  # temporary files of killed writers removed
    failures: list[tuple[str, str]] = field(default_factory=list)  # (crop name, error)


def parse_name(name: str) -> tuple[str, int, int] | None:
    """(ratio, width, height) from ``<prefix>/<d2>/<stem>-<ratio>-<w>x<h>-<digest>.<ext>``; None if not one.

    Only the stem may contain "-", so the last three parts are unambiguous.
    """
    parts = os.path.splitext(os.path.basename(name))[0].rsplit("-", 3)
    if len(parts) != 4:
        return None
    width, separator, height = parts[2].partition("x")
    if not (separator and width.isdigit() and height.isdigit()):
        return None
    return parts[1].replace("x", ":").replace("_", "."), int(width), int(height)


def is_current(name: str, field_file: FieldFile) -> bool | None:
    """Whether this row's current state makes a crop of this name (asked by width, then by height).

    None when the state cannot tell yet (never analysed for this file, or pending): keep the crop.
    """
    state = state_of(field_file)
    if state is None or state.name != field_file.name or state.status == "pending":
        return None
    parsed = parse_name(name)
    if parsed is None:
        return False
    ratio, width, height = parsed
    for size in ({"width": width}, {"height": height}):
        try:
            spec = spec_for(field_file, ratio, **size)
        except (RatioError, ValueError):
            return False
        if spec is not None and name.endswith((".webp", ".avif")):  # a <picture> source of the row
            spec = replace(spec, format=name.rsplit(".", 1)[1].upper())
        if spec is not None and spec.name == name:
            return True
    return False


def run(selected: list[Target] | None = None, *, dry_run: bool = False, chunk_size: int = 100,
        notify: Callable[[str, str], None] | None = None) -> Report:
    """Delete the crops no row produces any more; ``notify(name, reason)`` hears about each.

    ``selected`` limits the run to crops of files those fields' rows still use. Crops of files no row
    uses are deleted only without it: once the row is gone nothing says which field it belonged to.
    A crop is kept when any row of any field using its source (a file may be shared) still makes it.
    """
    everything = find_targets([])
    report = Report()
    # Up to the newest row at the start: a crop that failed to delete is registered again with a new pk.
    end = Crop.objects.aggregate(end=Max("pk"))["end"] or 0
    last = 0
    while True:
        rows_left = Crop.objects.filter(pk__gt=last, pk__lte=end).order_by("pk")
        chunk = list(rows_left.values_list("pk", "name", "source")[:chunk_size])
        if not chunk:
            break
        last = chunk[-1][0]
        users = _users({source for _, _, source in chunk}, everything)
        for _, name, source in chunk:
            rows = users.get(source, [])
            if selected is not None and not any(target in selected for target, _ in rows):
                continue
            report.checked += 1
            if any(is_current(name, field_file) is not False for _, field_file in rows):
                continue
            if notify:
                notify(name, OUTDATED if rows else UNUSED)
            if dry_run:
                report.deleted += 1
                continue
            try:
                renditions.delete_crop(name)
                report.deleted += 1
            except Exception as error:  # any storage backend's error: report it, go on with the rest
                report.failures.append((name, describe_error(error)))
    if not dry_run:
        report.swept = renditions.sweep_orphans()
    return report


def _users(sources: set[str], targets: list[Target]) -> dict[str, list[tuple[Target, FieldFile]]]:
    """Source file name -> the (field, field file) of every row that holds it."""
    found: dict[str, list[tuple[Target, FieldFile]]] = defaultdict(list)
    for target in targets:
        for instance in target.model._base_manager.filter(**{f"{target.field.attname}__in": sources}):
            field_file = getattr(instance, target.field.attname)
            found[field_file.name].append((target, field_file))
    return found
