"""The Celery app of the test site: what a project's ``celery.py`` holds (Celery's Django recipe)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "testsupport.django_site.celery_settings")

app = Celery("smartcrop_tests")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
