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
from django.db import models, router, transaction
from django.utils.module_loading import import_string

from . import conf
from .processing import header_size, process, store
from .state import CropState, now_iso

if TYPE_CHECKING:
    from .fields import SmartCropImageField

logger = logging.getLogger(__name__)

#: How much of a file is read to find its size while the analysis is pending.
HEADER_BYTES = 256 * 1024

try:  # Celery is optional (the "celery" extra)
    from celery import shared_task
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
    state = process(instance, field)  # type: ignore[arg-type]
    return state.status if state is not None else "stale"  # None: the row changed file meanwhile


analyse_task = shared_task(name="django_smartcrop.analyse", ignore_result=True)(run) if shared_task else None


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
