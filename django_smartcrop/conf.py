"""Settings, all prefixed ``SMARTCROP_``, read at access time through :func:`setting`.

Reading on every access (rather than once at import, as django-versatileimagefield does) keeps
``override_settings`` working in tests and lets a site change a setting without patching modules.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.utils.module_loading import import_string
from smartcrop_core import CropOptions

DEFAULTS: dict[str, Any] = {
    # Ratios analysed at upload and shown in the admin editor (any other ratio still works later:
    # its box is computed from the stored saliency grid, without the image or the model).
    "RATIOS": ("16:9", "1:1", "4:5", "9:16"),
    # Saliency model: a path to an .onnx file; None = $SMARTCROP_MODEL, else the model shipped with smartcrop.
    "MODEL": None,
    # onnxruntime threads per analysis; None = $SMARTCROP_THREADS, else 1.
    "THREADS": None,
    # Decompression-bomb guard for analysis and rendering; None = $SMARTCROP_MAX_PIXELS, else Pillow's default.
    "MAX_PIXELS": None,
    # Window placement: "mass" (default), "twitter" or "centre"; see smartcrop_core.CropOptions.
    "STRATEGY": "mass",
    "CLOSENESS": 0.0,
    "MIN_MASS": 0.9,
    # Where generated crops go: a key of settings.STORAGES, or a dotted path to a Storage class.
    "STORAGE": "default",
    # Folder (inside that storage) for generated crops. Not "smartcrop": with MEDIA_URL unset, crop URLs
    # would start with /smartcrop/, the prefix the app's own URLs are usually included at.
    "PREFIX": "__smartcrop__",
    "JPEG_QUALITY": 85,
    "WEBP_QUALITY": 82,
    "AVIF_QUALITY": 60,  # AVIF crops, made for the <picture> sources of {% smartcrop_picture %}
    # Largest side a crop may have (requests above it are clamped in templates and refused by the view).
    "MAX_SIZE": 4000,
    # False: a crop is never made larger than the source region it shows.
    "UPSCALE": False,
    # Bounds on what a signed URL may ask for (template values can come from a query string):
    # None = any ratio; else only these labels (and the field's own ratios) are rendered.
    "ALLOWED_RATIOS": None,
    # None = any width; else each requested width is rounded up to the next listed one (the largest above all).
    "ALLOWED_WIDTHS": None,
    # The crop view makes at most this many crop files per source file; further sizes get the original.
    "MAX_CROPS_PER_IMAGE": 100,
    # Cache alias in front of the crop registry table, and how long an entry lives (None = forever).
    "CACHE": "default",
    "CACHE_TIMEOUT": 60 * 60 * 24 * 30,
    # "sync" (analyse in the request that saves the file), "celery", or a dotted path to a callable
    # ``enqueue(model_label, pk, field_name, file_name)`` called in transaction.on_commit.
    "TASK_BACKEND": "sync",
    # Celery jobs (background analysis and smartcrop_recompute --enqueue): hard time limit per job, seconds.
    "TASK_TIME_LIMIT": 300,
    # "django" (crops made by this app, served from STORAGE) or "thumbor" (signed Thumbor URLs).
    "URL_MODE": "django",
    # Thumbor mode: server base URL, security key (None = "unsafe" URLs), and how Thumbor finds the
    # source: None = the source file's storage URL, else a prefix joined with the file name.
    "THUMBOR_SERVER": None,
    "THUMBOR_KEY": None,
    "THUMBOR_SOURCE_PREFIX": None,
}


def setting(name: str) -> Any:
    """The current value of ``SMARTCROP_<name>``, or its default. The one place settings are read."""
    if name not in DEFAULTS:
        raise KeyError(f"unknown smartcrop setting {name!r}")
    return getattr(settings, f"SMARTCROP_{name}", DEFAULTS[name])


def crop_storage() -> Storage:
    """The storage generated crops are written to (an alias of settings.STORAGES or a class path)."""
    value = setting("STORAGE")
    if isinstance(value, Storage):
        return value
    if isinstance(value, str) and "." in value and value not in settings.STORAGES:
        return import_string(value)()
    return storages[value]


def analysis_options() -> dict[str, Any]:
    """Keyword arguments for smartcrop_core.analyze that come from settings."""
    return {
        "options": CropOptions(strategy=setting("STRATEGY"), closeness=float(setting("CLOSENESS")),
                               min_mass=float(setting("MIN_MASS"))),
        "model": setting("MODEL"),
        "threads": setting("THREADS"),
        "max_pixels": setting("MAX_PIXELS"),
    }
