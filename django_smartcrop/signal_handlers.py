"""Signal wiring: analyse a SmartCropImageField's file after the row that holds it is saved.

Connected from ``SmartCropConfig.ready()``, as Wagtail's ``signal_handlers``: the field only declares
what it stores, and this module decides when to analyse, so ``fields`` needs neither ``processing`` nor
``tasks`` (which would import ``fields`` back). Analysis runs from ``post_save``, so the file is already
safely in storage before any model runs, and a failed analysis can only add an error to the JSON, never
lose the upload. Fixture loading (``raw``) and saves that did not change the file do nothing, unless
the row is still pending.
"""

from __future__ import annotations

from functools import cache
from typing import Any, Iterable

from django.db import models
from django.db.models.signals import post_save

from .fields import SmartCropImageField
from .processing import store
from .state import CropState
from .tasks import schedule


def register_signal_handlers() -> None:
    """Connect the post_save handler once (one receiver for every model; it skips models without the field)."""
    post_save.connect(analyse_saved_files, weak=False, dispatch_uid="django_smartcrop.analyse_saved_files")


def analyse_saved_files(sender: type[models.Model], instance: models.Model, raw: bool = False,
                        update_fields: Iterable[str] | None = None, **kwargs: Any) -> None:
    """post_save: analyse each of the model's SmartCropImageFields whose file the JSON does not describe."""
    if raw:
        return
    for field in smartcrop_fields(sender):
        if update_fields is None or field.attname in update_fields:
            file_saved(instance, field)


@cache
def smartcrop_fields(model: type[models.Model]) -> tuple[SmartCropImageField, ...]:
    """The SmartCropImageFields a model declares itself (not a proxy's, not a multi-table parent's:
    saving a child row does not re-analyse the parent's file)."""
    if model._meta.abstract or model._meta.proxy:
        return ()
    return tuple(field for field in model._meta.local_fields if isinstance(field, SmartCropImageField))


def file_saved(instance: models.Model, field: SmartCropImageField) -> None:
    """Analyse when the stored file is not the one the JSON describes; clear the JSON of an emptied field."""
    field_file = getattr(instance, field.attname)
    state = CropState.from_value(getattr(instance, field.saliency_field, None))  # type: ignore[arg-type]
    if not field_file:
        if state is not None:
            store(instance, field, None)
        return
    if state is not None and state.name == field_file.name and state.status != "pending":
        return
    # A pending state saved here may have been read before a worker finished (an admin save during
    # the analysis writes the whole row back): analysing again is cheap and ends the pending state.
    schedule(instance, field)
