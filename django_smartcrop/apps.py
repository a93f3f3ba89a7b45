"""The Django app config: the app holds the crop registry table, templates, static files and the command."""

from django.apps import AppConfig
from django.core import checks


class SmartCropConfig(AppConfig):
    name = "django_smartcrop"
    label = "django_smartcrop"
    verbose_name = "Smart crop"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .checks import check_model
        from .media_checks import check_media

        checks.register(check_model, "smartcrop")
        checks.register(check_media, "smartcrop")
