"""Settings for a site with Celery workers in child processes (``celery -A testsupport.django_site.celery_app``).

As ``subprocess_settings`` (database and media from the environment), plus the broker from
``SMARTCROP_TEST_BROKER`` and the worker settings the README documents, with a short visibility timeout
so a killed worker's job is redelivered within seconds (it must stay above the job time limit).
"""

import os

from .subprocess_settings import *  # noqa: F403

SMARTCROP_TASK_BACKEND = "celery"
SMARTCROP_TASK_TIME_LIMIT = int(os.environ.get("SMARTCROP_TEST_TIME_LIMIT", "5"))

CELERY_BROKER_URL = os.environ["SMARTCROP_TEST_BROKER"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": float(os.environ.get("SMARTCROP_TEST_VISIBILITY", "7"))}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
STORAGES = {**STORAGES, "default": {"BACKEND": "testsupport.django_site.flaky_storage.FlakyStorage"}}  # noqa: F405

from .celery_app import app  # noqa: E402,F401  (as a project's __init__ does: the app every process uses)
