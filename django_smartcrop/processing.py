"""Run saliency on a stored file and save the result in the companion JSONField.

Every failure becomes data, never an exception: an upload must not be lost or blocked because the model
is missing, the file is not an image, or it is too large. The state then records the error, keeps the
upright size when the header could be read, and crops fall back to the centre.
"""

from __future__ import annotations

import hashlib
import io
import logging
from typing import TYPE_CHECKING, Callable

from django.db import models, transaction
from smartcrop_core import SmartCropError, Source, analyze, one_line

from . import conf
from .checks import load_model
from .signals import analysis_stored
from .state import CropState, now_iso

if TYPE_CHECKING:
    from django.db.models.fields.files import FieldFile

    from .fields import SmartCropImageField

logger = logging.getLogger(__name__)

#: Header-only size reads ignore the pixel limit: the header costs nothing to read even for a bomb.
_HEADER_PIXEL_LIMIT = 1 << 62


def read_bytes(field_file: "FieldFile") -> bytes:
    """The file's bytes, from its storage (the uploaded object may already be closed or moved)."""
    with field_file.storage.open(field_file.name, "rb") as handle:
        return handle.read()


#: Exceptions that must reach the caller instead of becoming an error state: a background job's soft
#: time limit (``tasks`` adds Celery's SoftTimeLimitExceeded), raised wherever the job happens to be.
INTERRUPTIONS: tuple[type[BaseException], ...] = ()


class StorageUnavailable(OSError):
    """The file could not be read from its storage (a background job retries these)."""


def analyse(field_file: "FieldFile", ratios: "list[str] | tuple[str, ...]",
            previous: CropState | None = None, storage_errors: bool = False) -> CropState:
    """A fresh CropState for the file. Manual overrides survive when the bytes did not change.

    A file that cannot be read is recorded as an error, or with ``storage_errors`` raises
    StorageUnavailable (storage outages usually pass; a bad image does not).
    """
    name = field_file.name
    try:
        data = read_bytes(field_file)
    except INTERRUPTIONS:
        raise
    except Exception as error:  # storage errors of any backend
        if storage_errors:
            raise StorageUnavailable(f"cannot read {name}: {describe_error(error)}") from error
        logger.warning("smartcrop: cannot read %s: %s", name, error)
        return CropState(name=name, status="error", error=f"cannot read the file: {describe_error(error)}", computed=now_iso())
    source = hashlib.sha256(data).hexdigest()[:32]
    overrides = previous.overrides if previous is not None and previous.source == source else {}
    model = load_model()  # a broken model is tried once per file version, not once per upload
    if isinstance(model, str):
        width, height = header_size(data)
        return CropState(name=name, status="error", source=source, width=width, height=height,
                         error=f"ModelError: {model}", overrides=overrides, computed=now_iso())
    try:
        named = io.BytesIO(data)
        named.name = name  # error messages then name the file, not "<bytes>"
        analysis = analyze(named, ratios, **{**conf.analysis_options(), "model": model})
    except INTERRUPTIONS:
        raise
    except Exception as error:
        if not isinstance(error, SmartCropError):  # unexpected: keep the traceback in the logs
            logger.exception("smartcrop: analysis of %s failed unexpectedly", name)
        else:
            logger.warning("smartcrop: analysis of %s failed: %s", name, error)
        width, height = header_size(data)
        return CropState(name=name, status="error", source=source, width=width, height=height,
                         error=describe_error(error), overrides=overrides, computed=now_iso())
    return CropState(name=name, status="ok", source=source, width=analysis.width, height=analysis.height,
                     analysis=analysis.to_dict(), overrides=overrides, computed=now_iso())


def header_size(data: bytes) -> tuple[int | None, int | None]:
    """Upright (width, height) from the header alone, or (None, None) when even that is unreadable."""
    try:
        info = Source(data, max_pixels=_HEADER_PIXEL_LIMIT).info()
    except Exception:
        return None, None
    return info.width, info.height


def store(instance: models.Model, field: "SmartCropImageField", state: CropState | None) -> None:
    """Write the state into the instance and its row, without save() (no signals, no other columns)."""
    value = state.to_value() if state is not None else None
    setattr(instance, field.saliency_field, value)
    if instance.pk is not None:
        type(instance)._base_manager.using(instance._state.db or "default").filter(pk=instance.pk).update(
            **{field.saliency_field: value}
        )


def process(instance: models.Model, field: "SmartCropImageField", storage_errors: bool = False,
            on_stored: Callable[[CropState], None] | None = None) -> CropState | None:
    """Analyse the instance's current file for this field and store the result.

    The analysis takes a while (in a worker, in the recompute command) and the row may change meanwhile:
    an editor saves manual boxes, or a new upload replaces the file. So the result is written against
    the row as it is at the end, under a row lock: the row's latest manual boxes for these bytes are
    kept, and nothing is written when the row now holds another file (that file has its own job).
    Returns the stored state; None when the field is empty, or the row is gone or holds another file.
    ``on_stored`` runs in the transaction that stores the result (a job is finished with its result).
    """
    field_file = getattr(instance, field.attname)
    if not field_file:
        store(instance, field, None)
        return None
    previous = CropState.from_value(getattr(instance, field.saliency_field, None))
    state = analyse(field_file, field.ratios, previous, storage_errors)
    if instance.pk is None:
        store(instance, field, state)
        return state
    database = instance._state.db or "default"
    with transaction.atomic(using=database):
        row = (type(instance)._base_manager.using(database).select_for_update().filter(pk=instance.pk)
               .values(field.attname, field.saliency_field).first())
        if row is None or row[field.attname] != field_file.name:
            return None
        latest = CropState.from_value(row[field.saliency_field])
        if latest is not None and latest.name == state.name and latest.source in (None, state.source):
            state = state.with_overrides(latest.overrides)
        store(instance, field, state)
        if on_stored is not None:
            on_stored(state)
        analysis_stored.send(sender=type(instance), pk=instance.pk, field=field, state=state)
    return state


def describe_error(error: BaseException) -> str:
    """``Type: first line of the message`` (the core's one_line), or the type alone for an empty message."""
    name, text = type(error).__name__, one_line(error)
    return name if text == name else f"{name}: {text}"
