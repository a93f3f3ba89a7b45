"""Thumbor URL mode: let a Thumbor server cut the crop box computed at upload.

The URL carries the box as Thumbor's manual crop (``/LxT:RxB/WxH/source``) and is signed the way
libthumbor signs (HMAC-SHA1 of the path, URL-safe base64), so no thumbor package is needed here. The
box is in upright pixels: run Thumbor with ``RESPECT_ORIENTATION = True`` and without
MAX_WIDTH/MAX_HEIGHT downscaling, so its pixels are the ones the box refers to.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import TYPE_CHECKING

from . import conf
from .specs import output_format

if TYPE_CHECKING:
    from django.db.models.fields.files import FieldFile

    from .specs import CropSpec


def source_path(field_file: "FieldFile") -> str:
    """How Thumbor finds the source: SMARTCROP_THUMBOR_SOURCE_PREFIX + name, else the storage URL."""
    prefix = conf.setting("THUMBOR_SOURCE_PREFIX")
    if prefix:
        return str(prefix).rstrip("/") + "/" + field_file.name.lstrip("/")
    return field_file.url


def thumbor_url(spec: "CropSpec", field_file: "FieldFile") -> str:
    """A (signed when SMARTCROP_THUMBOR_KEY is set) Thumbor URL for the crop."""
    server = conf.setting("THUMBOR_SERVER")
    if not server:
        raise ValueError("SMARTCROP_URL_MODE = 'thumbor' needs SMARTCROP_THUMBOR_SERVER")
    box = spec.box
    # A <picture> source in another format than the source's own: Thumbor's format filter.
    filters = "" if spec.format == output_format(field_file.name) else f"filters:format({spec.format.lower()})/"
    path = (f"{box.left}x{box.top}:{box.right}x{box.bottom}/{spec.width}x{spec.height}/"
            f"{filters}{source_path(field_file)}")
    return f"{str(server).rstrip('/')}/{sign(path, conf.setting('THUMBOR_KEY'))}/{path}"


def sign(path: str, key: str | None) -> str:
    """Thumbor's URL signature of ``path`` (no leading slash), or "unsafe" without a key."""
    if not key:
        return "unsafe"
    digest = hmac.new(key.encode("utf-8"), path.encode("utf-8"), hashlib.sha1).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")
