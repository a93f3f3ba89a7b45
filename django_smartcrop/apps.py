"""The Django app config: the app holds the crop registry table, templates, static files and the command."""

from django.apps import AppConfig
from django.core import checks

from .checks import check_model
from .media_checks import check_media


class SmartCropConfig(AppConfig):
    name = "django_smartcrop"
    label = "django_smartcrop"
    verbose_name = "Smart crop"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Register the system checks and connect the signal handlers (as Wagtail's ImagesAppConfig does).

        ``signal_handlers`` is imported here, not at the top: it imports the models, which Django allows
        only once the app registry is ready.
        """
        from .signal_handlers import register_signal_handlers

        checks.register(check_model, "smartcrop")
        checks.register(check_media, "smartcrop")
        register_signal_handlers()
