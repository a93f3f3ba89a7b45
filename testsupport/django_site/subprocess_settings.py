"""The test settings for a site run in a child process (``python -m django ... --settings=this``).

The database and media folder come from the environment, so a test can share them with the child, kill
it, lock its database and look at what it left: ``SMARTCROP_TEST_DB`` (an SQLite file),
``SMARTCROP_TEST_MEDIA`` (a folder) and ``SMARTCROP_TEST_DB_TIMEOUT`` (SQLite's busy timeout, seconds).
"""

import os

from .settings import *  # noqa: F403

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ["SMARTCROP_TEST_DB"],
        # IMMEDIATE: a transaction takes the write lock when it begins, so concurrent writers wait for each
        # other (up to the timeout) instead of failing at once with "database is locked" (Django's advice).
        "OPTIONS": {"timeout": float(os.environ.get("SMARTCROP_TEST_DB_TIMEOUT", "5")), "transaction_mode": "IMMEDIATE"},
    }
}
MEDIA_ROOT = os.environ["SMARTCROP_TEST_MEDIA"]
# A plain FileSystemStorage unless a test sets its variables (flaky_storage.py): to hold a child at a file.
STORAGES = {**STORAGES, "default": {"BACKEND": "testsupport.django_site.flaky_storage.FlakyStorage"}}  # noqa: F405
