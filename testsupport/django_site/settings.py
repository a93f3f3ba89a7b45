"""Settings for the Django tests: real SQLite, real FileSystemStorage (MEDIA_ROOT is moved to a tmp folder
per test by the ``media`` fixture), the test app and the example site's gallery app."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("SMARTCROP_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

SECRET_KEY = "tests-only-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["*"]
USE_TZ = True

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_smartcrop",
    "testsupport.django_site.testapp",
    "example_site.gallery",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "testsupport.django_site.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
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
