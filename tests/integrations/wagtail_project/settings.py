"""A small Wagtail site: a custom image model with SaliencyFocalPointMixin, Wagtail's admin, SQLite.

``SMARTCROP_TEST_PLAIN=1`` switches feature detection off (Wagtail's default: no focal point)."""

import os
from pathlib import Path

from example_site.settings import MIDDLEWARE  # noqa: F401  (a plain Django middleware stack)

WORK = Path(os.environ["SMARTCROP_TEST_WORK"])
PLAIN = os.environ.get("SMARTCROP_TEST_PLAIN") == "1"

SECRET_KEY = "wagtail-integration-tests"
DEBUG = False
USE_TZ = True
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "tests.integrations.wagtail_project.urls"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(WORK / "db.sqlite3")}}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                      "LOCATION": str(WORK / "cache")}}  # shared by the server and the test process
MEDIA_ROOT = str(WORK / "media")
STORAGES = {"default": {"BACKEND": "testsupport.django_site.storage.CountingStorage"},  # to count file reads
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
MEDIA_URL = "/media/"
STATIC_URL = "/static/"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
INSTALLED_APPS = [
    "django_smartcrop.integrations",
    "tests.integrations.wagtail_project.photos",
    "wagtail.images", "wagtail.admin", "wagtail.users", "wagtail.documents", "wagtail.snippets", "wagtail",
    "modelcluster", "taggit",
    "django.contrib.admin", "django.contrib.auth", "django.contrib.contenttypes", "django.contrib.sessions",
    "django.contrib.messages", "django.contrib.staticfiles",
]
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": ["django.template.context_processors.request",
                                       "django.contrib.auth.context_processors.auth",
                                       "django.contrib.messages.context_processors.messages"]},
}]
WAGTAIL_SITE_NAME = "smartcrop test"
WAGTAILADMIN_BASE_URL = "http://127.0.0.1"
WAGTAILIMAGES_IMAGE_MODEL = "photos.Photo"
WAGTAILIMAGES_FEATURE_DETECTION_ENABLED = not PLAIN
