"""The crop view: makes a missing crop on first request, then redirects to the file in crop storage.

Order matters for abuse resistance: the signature is checked first (no query, no storage call for a
forged URL), then the size bound, then the row. A crop that cannot be made (the source is not a usable
image) redirects to the original file, which is what the page would show without smartcrop; the
failure is remembered, so the next view of that crop costs no decode. Signed URLs are bounded too (a
template may sign sizes taken from a query string): SMARTCROP_ALLOWED_RATIOS / _WIDTHS fold them onto
a fixed set, and no source gets more than SMARTCROP_MAX_CROPS_PER_IMAGE crop files.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from typing import TYPE_CHECKING

from django.apps import apps
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.shortcuts import redirect
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_safe
from smartcrop_core import RatioError, SmartCropError

from . import conf, renditions
from .fields import SmartCropImageField
from .signing import CropRequest, is_valid, ratio_from_url
from .specs import max_size, spec_for

if TYPE_CHECKING:
    from django.db.models.fields.files import FieldFile

logger = logging.getLogger(__name__)
_SIZE = re.compile(r"^([wh])([1-9][0-9]{0,4})(?:\.(webp|avif))?$")  # w800.webp: a <picture> source


@require_safe
def crop(request: HttpRequest, model: str, pk: str, field: str, ratio: str, size: str, signature: str) -> HttpResponse:
    wanted = CropRequest(model=model, pk=pk, field=field, ratio=ratio, size=size)
    if not is_valid(wanted, signature):
        return HttpResponseForbidden("bad signature")
    match = _SIZE.match(size)
    if match is None or int(match.group(2)) > max_size():
        return HttpResponseBadRequest("size out of bounds")
    dimension, value = match.group(1), int(match.group(2))
    try:
        model_class = apps.get_model(model)
        model_field = model_class._meta.get_field(field)
    except (LookupError, ValueError):
        raise Http404("no such model field") from None
    if not isinstance(model_field, SmartCropImageField):
        raise Http404("not a smartcrop field")
    instance = model_class._default_manager.filter(pk=pk).first()
    if instance is None:
        raise Http404("no such object")
    field_file = getattr(instance, model_field.attname)
    try:
        spec = spec_for(field_file, ratio_from_url(ratio), value if dimension == "w" else None,
                        value if dimension == "h" else None)
    except RatioError:
        return HttpResponseBadRequest("bad ratio")
    if spec is not None and match.group(3):
        spec = replace(spec, format=match.group(3).upper())
    if spec is None:
        if not field_file:
            raise Http404("no file")
        return redirect(field_file.url)
    storage = conf.crop_storage()
    if spec.name not in renditions.known([spec.name]) and _over_cap(spec.source_name):
        logger.warning("smartcrop: not making %s: %s already has SMARTCROP_MAX_CROPS_PER_IMAGE crops",
                       spec.name, spec.source_name)
        return _fallback(field_file)
    try:
        name = renditions.ensure(spec, field_file.storage, storage)
    except renditions.RememberedFailure as error:
        logger.info("smartcrop: not making %s: %s", spec.name, error)
        return _fallback(field_file)
    except (SmartCropError, OSError) as error:
        logger.warning("smartcrop: cannot make %s from %s: %s", spec.name, spec.source_name, error)
        return _fallback(field_file)
    except Exception:  # a storage backend's own error type: the page still gets an image
        logger.exception("smartcrop: cannot make %s from %s", spec.name, spec.source_name)
        return _fallback(field_file)
    return redirect(storage.url(name))


def _over_cap(source_name: str) -> bool:
    """Whether the source already has as many crops as one image may have (hostile sizes stop here)."""
    cap = conf.setting("MAX_CROPS_PER_IMAGE")
    return cap is not None and renditions.count_for(source_name) >= int(cap)


def _fallback(field_file: "FieldFile") -> HttpResponse:
    """The original file instead of the crop, never cached: the next request tries the crop again."""
    response = redirect(field_file.url)
    add_never_cache_headers(response)
    return response
