"""``SmartCropImageField``: an ImageField that analyses saliency when its file changes.

Like ``width_field``/``height_field``, the results live in a sibling field named by an argument
(``saliency_field="saliency"``, a ``JSONField(null=True, blank=True, editable=False)`` you declare).
Analysis runs from ``post_save`` (as Wagtail's feature detection does), wired in ``signal_handlers``.
"""

from __future__ import annotations

from typing import Any, Iterable

from django.core import checks
from django.core.exceptions import FieldDoesNotExist
from django.core.files.uploadedfile import UploadedFile
from django.contrib.admin.widgets import AdminFileWidget
from django.db import models
from django.db.models.fields.files import ImageFieldFile
from smartcrop_core import RatioError, ratio_label

from . import conf
from .forms import EditorInput, SmartCropFormField
from .registry import delete_crops
from .specs import state_of
from .state import CropState
from .widgets import SmartCropAdminWidget


class SmartCropFieldFile(ImageFieldFile):
    """The file object templates see; ``.smartcrop`` is its parsed CropState (None before analysis)."""

    @property
    def smartcrop(self) -> CropState | None:
        return state_of(self)

    def delete(self, save: bool = True) -> None:
        """Delete the file, then the crops cut from it (as sorl-thumbnail's ImageField does).

        Nothing would ever serve those crops again. Crops go only once the source is really gone: if
        storage refuses to delete it, its error propagates and the crops stay. django-cleanup calls this.
        """
        name = self.name
        super().delete(save=save)
        if name:
            delete_crops(name)


class SmartCropImageField(models.ImageField):
    """An ImageField whose saves trigger saliency analysis stored in ``saliency_field``."""

    attr_class = SmartCropFieldFile

    def __init__(self, *args: Any, saliency_field: str | None = None, ratios: Iterable[str] | None = None,
                 **kwargs: Any) -> None:
        self.saliency_field = saliency_field
        self._ratios = tuple(ratio_label(r) for r in ratios) if ratios is not None else None
        super().__init__(*args, **kwargs)

    @property
    def ratios(self) -> tuple[str, ...]:
        """Ratios analysed at upload and edited in the admin: the field's own, else SMARTCROP_RATIOS."""
        return self._ratios or tuple(ratio_label(r) for r in conf.setting("RATIOS"))

    def deconstruct(self) -> tuple[str, str, list[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        if self.saliency_field:
            kwargs["saliency_field"] = self.saliency_field
        if self._ratios is not None:
            kwargs["ratios"] = list(self._ratios)
        return name, path, args, kwargs

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        return [*super().check(**kwargs), *self._check_saliency_field()]

    def _check_saliency_field(self) -> list[checks.CheckMessage]:
        if not self.saliency_field:
            return [checks.Error("SmartCropImageField needs saliency_field='<name of a JSONField>'.",
                                 obj=self, id="django_smartcrop.E001")]
        try:
            sibling = self.model._meta.get_field(self.saliency_field)
        except FieldDoesNotExist:
            return [checks.Error(f"saliency_field {self.saliency_field!r} is not a field of {self.model.__name__}.",
                                 hint="Add e.g. saliency = models.JSONField(null=True, blank=True, editable=False).",
                                 obj=self, id="django_smartcrop.E002")]
        errors: list[checks.CheckMessage] = []
        if not isinstance(sibling, models.JSONField):
            errors.append(checks.Error(f"saliency_field {self.saliency_field!r} must be a JSONField.",
                                       obj=self, id="django_smartcrop.E003"))
        elif not sibling.null:
            errors.append(checks.Error(f"saliency_field {self.saliency_field!r} must allow null=True.",
                                       obj=self, id="django_smartcrop.E004"))
        elif sibling.editable:
            errors.append(checks.Warning(
                f"saliency_field {self.saliency_field!r} is editable: a form could overwrite the analysis.",
                hint="Declare it with editable=False (the admin widget edits the manual boxes).",
                obj=self, id="django_smartcrop.W001"))
        try:
            self.ratios
        except RatioError as error:
            errors.append(checks.Error(str(error), obj=self, id="django_smartcrop.E005"))
        return errors

    # -- forms --------------------------------------------------------------------------------------

    def formfield(self, **kwargs: Any) -> Any:
        """A SmartCropFormField; in the admin (which passes AdminFileWidget) the saliency editor widget."""
        widget = kwargs.get("widget")
        if widget is not None and _is_plain_admin_widget(widget):
            kwargs["widget"] = SmartCropAdminWidget(ratios=self.ratios)
        return super().formfield(**{"form_class": SmartCropFormField, **kwargs})

    def save_form_data(self, instance: models.Model, data: Any) -> None:
        """Save the file as ImageField does; editor overrides apply only when the file was not replaced."""
        if not isinstance(data, EditorInput):
            super().save_form_data(instance, data)
            return
        super().save_form_data(instance, data.upload)
        if data.overrides is None or data.upload is False or isinstance(data.upload, UploadedFile):
            return
        state = CropState.from_value(getattr(instance, self.saliency_field, None))
        current = getattr(instance, self.attname)
        if state is not None and current and state.name == current.name:
            setattr(instance, self.saliency_field, state.with_overrides(data.overrides).to_value())


def _is_plain_admin_widget(widget: Any) -> bool:
    widget_class = widget if isinstance(widget, type) else type(widget)
    return issubclass(widget_class, AdminFileWidget) and not issubclass(widget_class, SmartCropAdminWidget)
