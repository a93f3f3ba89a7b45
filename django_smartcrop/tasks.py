"""Where saliency runs after a file is saved: in the request (default), in Celery, or in your own queue.

Background work is enqueued in ``transaction.on_commit``: a worker must never look for a row (or a file
name) that a rolled-back transaction never made. Until the worker finishes, the state says "pending"
and templates show the uncropped file. Celery is imported only when this module is, and only if
installed: Celery's autodiscovery finds ``analyse_task`` here.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Callable

from django.apps import apps
from django.db import OperationalError, models, router, transaction
from django.utils.module_loading import import_string

from . import conf, jobs, processing
from .checks import load_model
from .processing import StorageUnavailable, header_size, process, store
from .state import CropState, now_iso

if TYPE_CHECKING:
    from .fields import SmartCropImageField

logger = logging.getLogger(__name__)

#: How much of a file is read to find its size while the analysis is pending.
HEADER_BYTES = 256 * 1024

try:  # Celery is optional (the "celery" extra)
    from celery import shared_task
    from celery.exceptions import SoftTimeLimitExceeded
    from celery.signals import worker_process_init
except ImportError:  # pragma: no cover - exercised only without celery
    shared_task = None


def run(model_label: str, pk: object, field_name: str, file_name: str) -> str:
    """The job: analyse one row's file, unless the row or its file changed since it was enqueued."""
    model = apps.get_model(model_label)
    instance = model._base_manager.filter(pk=pk).first()
    if instance is None:
        return "gone"
    field = model._meta.get_field(field_name)
    if getattr(instance, field.attname).name != file_name:
        return "stale"
    state = CropState.from_value(getattr(instance, field.saliency_field, None))  # type: ignore[attr-defined]
    if state is not None and state.name == file_name and state.status != "pending":
        return "done"  # analysed meanwhile (by smartcrop_recompute): not twice
    state = process(instance, field)  # type: ignore[arg-type]
    return state.status if state is not None else "stale"  # None: the row changed file meanwhile


def _time_limit() -> int:
    try:
        return jobs.time_limit()
    except Exception:  # settings not configured yet (imported outside a Django process)
        return int(conf.DEFAULTS["TASK_TIME_LIMIT"])


#: Set on every smartcrop task: acknowledged when done, so the job of a worker that dies (or whose pool
#: process is killed) is delivered again; no results stored. Worker-wide settings the README lists
#: (prefetch 1, the broker's visibility timeout above the time limit) belong in the Celery config.
_OPTIONS = {"acks_late": True, "reject_on_worker_lost": True, "ignore_result": True}
#: Storage errors (and a locked database) are retried with exponential backoff (1, 2, 4, 8, 16 s; keep
#: Redis's visibility timeout above that); after the last try a row records the storage error. Bad
#: images are recorded at once, never retried.
STORAGE_RETRIES = 5


def analyse_rows(task: Any, label: str, items: list[list[str]], warm: str = "") -> int:
    """The job for one message of ``smartcrop_recompute --enqueue``: returns how many rows it analysed."""
    last_try = task.request.retries >= STORAGE_RETRIES
    try:
        return jobs.run_message(label, items, warm, storage_errors=not last_try,
                                interrupted=SoftTimeLimitExceeded).recomputed
    except (StorageUnavailable, OperationalError) as error:  # passing: the storage, a locked database
        if isinstance(error, OperationalError) and last_try:
            raise
        logger.warning("smartcrop: %s; retrying", error)
        raise task.retry(exc=error, countdown=2 ** task.request.retries) from None
    except jobs.Interrupted as stop:  # the time limit: the slow row is recorded as failed, the rest goes on
        if stop.rest:
            task.apply_async((label, stop.rest, warm))
        return stop.done


if shared_task:
    processing.INTERRUPTIONS = (SoftTimeLimitExceeded,)  # the job's own handler records the slow row
    limits = {"time_limit": _time_limit(), "soft_time_limit": max(1, _time_limit() - max(2, _time_limit() // 10))}
    analyse_task = shared_task(name="django_smartcrop.analyse", **_OPTIONS, **limits)(run)
    analyse_rows_task = shared_task(name="django_smartcrop.analyse_rows", bind=True, **_OPTIONS, **limits)(analyse_rows)

    @worker_process_init.connect(weak=False)
    def _load_model_once(**kwargs: Any) -> None:
        """Each worker process loads (and checks) the model once, at start, not in its first job."""
        load_model()
else:  # pragma: no cover
    analyse_task = analyse_rows_task = None


def schedule(instance: models.Model, field: "SmartCropImageField") -> None:
    """Analyse now (sync) or mark the row pending and enqueue the job after commit."""
    backend = conf.setting("TASK_BACKEND")
    if backend == "sync":
        process(instance, field)
        return
    field_file = getattr(instance, field.attname)
    width, height = _upload_size(field_file)
    pending = CropState(name=field_file.name, status="pending", width=width, height=height, computed=now_iso())
    previous = CropState.from_value(getattr(instance, field.saliency_field, None))
    if previous is not None and previous.name == field_file.name:  # a re-run for the same file keeps its boxes
        pending = pending.with_overrides(previous.overrides)
    store(instance, field, pending)
    enqueue = _enqueuer(backend)
    args = (instance._meta.label_lower, instance.pk, field.name, field_file.name)
    transaction.on_commit(lambda: enqueue(*args), using=router.db_for_write(type(instance), instance=instance))


def _enqueuer(backend: str) -> Callable[..., object]:
    if backend == "celery":
        if analyse_task is None:
            raise RuntimeError("SMARTCROP_TASK_BACKEND = 'celery' but celery is not installed (pip install smartcrop[celery])")
        return analyse_task.delay
    return import_string(backend)


def _upload_size(field_file: Any) -> tuple[int | None, int | None]:
    """Upright size from the start of the stored file, so pending rows already crop at the centre.

    Only the first bytes are read: image headers (with EXIF) sit at the start of the file.
    """
    try:
        with field_file.storage.open(field_file.name, "rb") as handle:
            head = handle.read(HEADER_BYTES)
    except Exception:
        return None, None
    return header_size(head)
