"""Batch (re)analysis and crop warming behind ``manage.py smartcrop_recompute``.

Rows are walked in primary-key order, one chunk per query, and each row's result is written as soon as
it is known: an interrupted run keeps what it did, and the default selection (missing, failed, pending
or made by another model) makes a re-run pick up exactly what is left. Broken files are recorded and
reported, never fatal (versatileimagefield's warmer returns ``(num_ok, failed)`` the same way).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import tempfile
from dataclasses import dataclass, field
from typing import Callable, Iterator, Literal

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import connections, models
from smartcrop_core import SmartCropError, ratio_label

from . import renditions
from .checks import load_model
from .fields import SmartCropImageField
from .processing import process
from .specs import spec_for
from .state import CropState, now_iso

Mode = Literal["stale", "missing", "all"]


@dataclass(frozen=True)
class Target:
    model: type[models.Model]
    field: SmartCropImageField

    def __str__(self) -> str:
        return f"{self.model._meta.label}.{self.field.name}"


@dataclass
class Failure:
    target: str
    pk: object
    file: str
    error: str

    def __str__(self) -> str:
        return f"{self.target} pk={self.pk} {self.file}: {self.error}"


@dataclass
class Report:
    seen: int = 0
    recomputed: int = 0
    selected: int = 0  # in a dry run: rows that would be recomputed
    warmed: int = 0
    swept: int = 0  # temporary files of killed writers removed
    failures: list[Failure] = field(default_factory=list)


def find_targets(labels: list[str]) -> list[Target]:
    """SmartCropImageFields named by ``app_label[.Model[.field]]`` labels (all of them when none)."""
    everything = [Target(m, f) for m in apps.get_models() for f in m._meta.get_fields()
                  if isinstance(f, SmartCropImageField)]
    if not labels:
        return everything
    chosen: list[Target] = []
    for label in labels:
        parts = label.split(".")
        if len(parts) > 3:
            raise ValueError(f"{label!r}: use app_label[.Model[.field]]")
        app_label = parts[0]
        apps.get_app_config(app_label)  # LookupError for an unknown app
        if len(parts) >= 2:
            model = apps.get_model(app_label, parts[1])
        matches = [t for t in everything if t.model._meta.app_label == app_label
                   and (len(parts) < 2 or t.model is model)
                   and (len(parts) < 3 or t.field.name == parts[2])]
        if len(parts) == 3 and not matches:
            try:
                model._meta.get_field(parts[2])
            except FieldDoesNotExist:
                raise ValueError(f"{label!r}: no such field") from None
            raise ValueError(f"{label!r} is not a SmartCropImageField")
        chosen += [t for t in matches if t not in chosen]
    return chosen


def current_model_label() -> str | None:
    """The label of the model analyses would use now; None if it cannot be loaded."""
    loaded = load_model()
    return None if isinstance(loaded, str) else loaded.label


def state_kind(state: CropState | None, file_name: str, current: str | None) -> str:
    """"missing" (never analysed, or another file), "pending", "failed", "stale" (another model) or "ok"."""
    if state is None or state.name != file_name:
        return "missing"
    if state.status == "pending":
        return "pending"
    if state.status == "error":
        return "failed"
    return "stale" if current is not None and state.model != current else "ok"


def needs_work(state: CropState | None, file_name: str, mode: Mode, current: str | None,
               model_version: str | None = None) -> bool:
    """Whether a row with this state and file should be (re)analysed."""
    if model_version:
        return state is not None and _matches_version(state.model, model_version)
    kind = state_kind(state, file_name, current)
    if mode == "all" or kind in ("missing", "pending"):
        return True
    return mode != "missing" and kind in ("failed", "stale")


def _matches_version(stored: str | None, wanted: str) -> bool:
    if stored is None:
        return False
    return stored == wanted or stored.rsplit("@", 1)[-1] == wanted


def _with_file(target: Target) -> models.QuerySet:
    """The target's rows that have a file (every manager row, not a default manager's filtered view)."""
    return (target.model._base_manager.exclude(**{target.field.attname: ""})
            .exclude(**{f"{target.field.attname}__isnull": True}))


def chunks(target: Target, chunk_size: int) -> Iterator[list[models.Model]]:
    """Rows that have a file, in pk order, a chunk per query (restart-safe, memory-bounded)."""
    queryset = _with_file(target).order_by("pk")
    last = None
    while True:
        page = queryset if last is None else queryset.filter(pk__gt=last)
        chunk = list(page[:chunk_size])
        if not chunk:
            return
        yield chunk
        last = chunk[-1].pk


def rows(target: Target, chunk_size: int) -> Iterator[models.Model]:
    """The rows of :func:`chunks`, one at a time."""
    for chunk in chunks(target, chunk_size):
        yield from chunk


def parse_warm(text: str | None) -> list[tuple[str, list[int | None]]]:
    """``"16:9@400+800,1:1"`` -> [("16:9", [400, 800]), ("1:1", [None])]: ratios and widths to pre-render."""
    if not text:
        return []
    plan = []
    for item in text.split(","):
        item = item.strip()
        if not item:
            continue
        ratio, _, widths = item.partition("@")
        values: list[int | None] = [int(w) for w in widths.split("+") if w] if widths else [None]
        plan.append((ratio_label(ratio), values))
    return plan


def run(targets: list[Target], *, mode: Mode = "stale", model_version: str | None = None, chunk_size: int = 100,
        dry_run: bool = False, warm: list[tuple[str, list[int | None]]] | None = None,
        progress: Callable[[int], None] | None = None) -> Report:
    report = Report()
    current = current_model_label()
    for target in targets:
        for instance in rows(target, chunk_size):
            report.seen += 1
            _one(target, instance, mode, current, model_version, dry_run, warm or [], report)
            if progress:
                progress(1)
    if not dry_run:
        report.swept = renditions.sweep_orphans()
    return report


def count(targets: list[Target]) -> int:
    return sum(_with_file(target).count() for target in targets)


def _one(target: Target, instance: models.Model, mode: Mode, current: str | None, model_version: str | None,
         dry_run: bool, warm: list[tuple[str, list[int | None]]], report: Report) -> None:
    field_file = getattr(instance, target.field.attname)
    state = field_file.smartcrop
    if needs_work(state, field_file.name, mode, current, model_version):
        report.selected += 1
        if dry_run:
            return
        state = process(instance, target.field)
        report.recomputed += 1
        if state is not None and state.status == "error":
            report.failures.append(Failure(str(target), instance.pk, field_file.name, state.error or "error"))
            return
    if not dry_run:
        warm_row(target, instance, state, warm, report)


def warm_row(target: Target, instance: models.Model, state: CropState | None,
             warm: list[tuple[str, list[int | None]]], report: Report) -> None:
    """Pre-render the planned crops of one analysed row; a crop that cannot be made is a failure."""
    if not warm or state is None or state.status == "error" and not state.has_size:
        return
    field_file = getattr(instance, target.field.attname)
    for ratio, widths in warm:
        for width in widths:
            try:
                spec = spec_for(field_file, ratio, width)
                if spec is not None:
                    renditions.ensure(spec, field_file.storage)
                    report.warmed += 1
            except (SmartCropError, OSError) as error:
                report.failures.append(Failure(str(target), instance.pk, field_file.name, f"warming {ratio}: {error}"))
                return

class AlreadyRunning(Exception):
    """Another smartcrop_recompute holds the lock for this database."""


@contextlib.contextmanager
def exclusive(database: str = "default") -> Iterator[None]:
    """One in-process recompute per database on this machine at a time; raises AlreadyRunning.

    Two runs at once would analyse the same rows twice, and on SQLite the second one would die on
    "database is locked". The lock is an OS file lock (flock), so the kernel releases it when its holder
    exits or is killed: a SIGKILL never leaves a stale lock. It spans one machine; to spread the work
    over machines, use --enqueue.
    """
    settings_dict = connections[database].settings_dict
    identity = "|".join(str(settings_dict.get(k) or "") for k in ("ENGINE", "HOST", "PORT", "NAME"))
    path = os.path.join(tempfile.gettempdir(), f"smartcrop-recompute-{hashlib.sha1(identity.encode()).hexdigest()[:16]}.lock")
    handle = open(path, "a+")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise AlreadyRunning(f"smartcrop_recompute is already running for this database ({holder}); "
                                 "wait for it to finish (or use --enqueue to share the work between Celery workers)") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}, started {now_iso()}")
        handle.flush()
        yield
    finally:
        handle.close()  # releases the lock
