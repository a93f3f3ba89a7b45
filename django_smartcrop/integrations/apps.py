"""An app to list in INSTALLED_APPS only for the Wagtail hook (``smartfill``); the other integrations need none."""

from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "django_smartcrop.integrations"
    label = "smartcrop_integrations"
    verbose_name = "smartcrop integrations"
