"""Settings for the Django tests: real SQLite, real FileSystemStorage (MEDIA_ROOT is moved to a tmp folder
per test by the ``media`` fixture), the test app and the example site's gallery app."""

import os
import tempfile
from pathlib import Path

from example_site.settings import INSTALLED_APPS as EXAMPLE_APPS, MIDDLEWARE, TEMPLATES  # noqa: F401

os.environ.setdefault("SMARTCROP_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

SECRET_KEY = "tests-only-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["*"]
USE_TZ = True

# The example site's own apps, middleware and templates (its pages are tested on this site), plus the test app.
INSTALLED_APPS = [*EXAMPLE_APPS, "testsupport.django_site.testapp"]
ROOT_URLCONF = "testsupport.django_site.urls"
# The test database is a real file, not SQLite's shared in-memory database: the browser tests' live
# server answers several crop requests at once, and threads sharing one in-memory connection collide
# ("cannot start a transaction within a transaction"), which a real deployment never sees.
_DATABASE_FOLDER = Path(tempfile.mkdtemp(prefix="smartcrop-db-"))  # nothing lands in the checkout
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(_DATABASE_FOLDER / "smartcrop.sqlite3"),
        "TEST": {"NAME": str(_DATABASE_FOLDER / "test.sqlite3")},
    }
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
MEDIA_ROOT = tempfile.mkdtemp(prefix="smartcrop-media-")
MEDIA_URL = "/media/"
STATIC_URL = "/static/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
EXAMPLE_SERVE_MEDIA = True
# The crop folder these tests' expected paths were written for (the default is "__smartcrop__", tested
# in test_media_checks.py).
SMARTCROP_PREFIX = "smartcrop"
