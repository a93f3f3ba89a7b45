"""One small Django project for each thumbnail library; ``SMARTCROP_TEST_LIBRARY`` picks which, and
``SMARTCROP_TEST_PLAIN=1`` leaves the library as it ships (our one setting not applied)."""

import os
from pathlib import Path

LIBRARY = os.environ["SMARTCROP_TEST_LIBRARY"]
PLAIN = os.environ.get("SMARTCROP_TEST_PLAIN") == "1"
WORK = Path(os.environ["SMARTCROP_TEST_WORK"])

SECRET_KEY = "integration-tests"
DEBUG = False
USE_TZ = True
ALLOWED_HOSTS = ["*"]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(WORK / "db.sqlite3")}}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
MEDIA_ROOT = str(WORK / "media")
MEDIA_URL = "/media/"
STORAGES = {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}]
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth",
                  {"imagekit": "imagekit", "easy_thumbnails": "easy_thumbnails", "sorl": "sorl.thumbnail"}[LIBRARY]]

# -- the one documented setting per library (docs/integrations.md) -----------------------------------
if LIBRARY == "easy_thumbnails" and not PLAIN:
    THUMBNAIL_SOURCE_GENERATORS = ("django_smartcrop.integrations.easy_thumbnails.pil_image",)
    THUMBNAIL_PROCESSORS = ("easy_thumbnails.processors.colorspace",
                            "easy_thumbnails.processors.autocrop",
                            "django_smartcrop.integrations.easy_thumbnails.scale_and_crop",
                            "easy_thumbnails.processors.filters",
                            "easy_thumbnails.processors.background")
if LIBRARY == "sorl" and not PLAIN:
    THUMBNAIL_ENGINE = "django_smartcrop.integrations.sorl.Engine"
THUMBNAIL_DEBUG = False
