"""System checks for where uploads and crops land and whether their URLs can be served.

A new site that forgets ``MEDIA_ROOT``/``MEDIA_URL`` gets no error from Django: uploads are written
into the working directory and every file URL starts at ``/``, where the crop URLs can even fall under
this app's own URL prefix and answer 404. These warnings say so at ``manage.py check`` (and ``runserver``,
``migrate``) instead of after the first upload.

- ``django_smartcrop.W020``: ``MEDIA_ROOT`` or ``MEDIA_URL`` is not set while files go to a local
  ``FileSystemStorage``.
- ``django_smartcrop.W021``: the URL of a generated crop falls under the URL prefix this app is included
  at (``path("smartcrop/", include("django_smartcrop.urls"))``), so the crop view answers it, not the
  media server.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks
from django.core.files.storage import FileSystemStorage, default_storage
from django.urls import NoReverseMatch, reverse

from . import conf

#: A crop name like the ones specs.py makes; only its leading folder matters here.
PROBE_NAME = "ab/probe-1x1-10x10-0123456789abcdef0123.jpg"


def check_media(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """W020 for missing media settings, W021 for crop URLs under the app's own URL prefix."""
    return _missing_media_settings() + _crop_url_collision()


def _missing_media_settings() -> list[checks.CheckMessage]:
    local = [s for s in (default_storage, _crop_storage()) if isinstance(s, FileSystemStorage)]
    if not local:
        return []
    missing = [name for name in ("MEDIA_ROOT", "MEDIA_URL")
               if not str(getattr(settings, name, "") or "").strip("/")]
    if not missing:
        return []
    return [checks.Warning(
        f"{' and '.join(missing)} not set: uploads and smartcrop's crops are written to {local[0].location} "
        f"(the working directory) and served from {local[0].base_url or '/'}.",
        hint='Set MEDIA_ROOT = BASE_DIR / "media" and MEDIA_URL = "/media/", and let the web server serve '
             "MEDIA_ROOT at MEDIA_URL (in development: urlpatterns += static(settings.MEDIA_URL, "
             "document_root=settings.MEDIA_ROOT)).",
        id="django_smartcrop.W020",
    )]


def _crop_url_collision() -> list[checks.CheckMessage]:
    app_prefix = _app_url_prefix()
    storage = _crop_storage()
    if app_prefix is None or storage is None:
        return []
    try:
        url = storage.url(f"{str(conf.setting('PREFIX')).strip('/')}/{PROBE_NAME}")
    except Exception:  # a remote storage that cannot build a URL offline: nothing to compare
        return []
    parts = urlsplit(url)
    # Included at the root, the app's URLs are only /c/...: a crop under any other folder is not theirs.
    taken = app_prefix if app_prefix != "/" else "/c/"
    if parts.netloc or not parts.path.startswith(taken):
        return []
    return [checks.Warning(
        f"Generated crops get URLs like {parts.path}, under {app_prefix} where django_smartcrop.urls is "
        "included: the crop view answers them (404) instead of the media server.",
        hint="Set MEDIA_URL (e.g. \"/media/\"), or include django_smartcrop.urls at another prefix, or change "
             "SMARTCROP_PREFIX.",
        id="django_smartcrop.W021",
    )]


def _app_url_prefix() -> str | None:
    """The path django_smartcrop.urls is included at ("/smartcrop/"), None when it is not included."""
    try:
        sample = reverse("django_smartcrop:crop", kwargs={
            "model": "m", "pk": "1", "field": "f", "ratio": "1x1", "size": "w1", "signature": "s"})
    except NoReverseMatch:
        return None
    return sample[: sample.index("/c/m/") + 1]


def _crop_storage() -> Any:
    try:
        return conf.crop_storage()
    except Exception:  # a misconfigured SMARTCROP_STORAGE is reported where it is used, not here
        return None
