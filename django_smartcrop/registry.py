"""The crop registry: which crop files exist, which crops cannot be made, and forgetting both.

Rendering a page asks only this registry, never storage: a known crop costs zero storage calls and,
with a warm cache, zero queries. A crop whose source cannot be decoded is remembered as failed (in the
same cache), so a page view does not pay a full decode again for a file that will fail again; the
memory is keyed by the crop name (which carries a hash of the file's bytes) and the model file in
force, so a new file or a new model gets a fresh try.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Collection, Iterable

from django.core.cache import caches
from django.core.files.storage import Storage
from django.db import IntegrityError

from . import conf
from .checks import file_signature, model_source
from .models import Crop

logger = logging.getLogger(__name__)


def _key(name: str) -> str:
    return "smartcrop:crop:" + hashlib.sha1(name.encode()).hexdigest()


def known(names: Iterable[str]) -> set[str]:
    """The subset of these crop names that have been generated (cache first, then one query)."""
    wanted = list(dict.fromkeys(names))
    if not wanted:
        return set()
    cache = caches[conf.setting("CACHE")]
    hits = cache.get_many([_key(n) for n in wanted])
    found = {n for n in wanted if hits.get(_key(n))}
    missing = [n for n in wanted if n not in found]
    if missing:
        in_db = set(Crop.objects.filter(name__in=missing).values_list("name", flat=True))
        if in_db:
            cache.set_many({_key(n): True for n in in_db}, conf.setting("CACHE_TIMEOUT"))
        found |= in_db
    return found


def remember(name: str, source: str) -> None:
    """Record a crop that now exists in storage (idempotent)."""
    try:
        Crop.objects.get_or_create(name=name, defaults={"source": source[:255]})
    except IntegrityError:  # created concurrently: fine, it exists
        pass
    caches[conf.setting("CACHE")].set(_key(name), True, conf.setting("CACHE_TIMEOUT"))


def delete_crop(name: str, storage: Storage | None = None) -> None:
    """Forget one crop, then delete its file; raises when the file could not be deleted.

    The registry entry goes first: a row must never point at a deleted file (a page would link to a
    404), while a file without a row is harmless (``ensure`` reuses or replaces it). When deleting the
    file fails and it is still there, the entry is put back so a later cleanup tries again.
    """
    storage = storage or conf.crop_storage()
    row = Crop.objects.filter(name=name).first()
    Crop.objects.filter(name=name).delete()
    caches[conf.setting("CACHE")].delete(_key(name))
    try:
        storage.delete(name)  # a missing file is fine: FileSystemStorage and object stores ignore it
    except Exception:
        try:
            still_there: bool | None = storage.exists(name)
        except Exception:
            still_there = None  # unknown: better an unregistered file than a row pointing at nothing
        if still_there is False:
            return  # gone anyway (some storages raise for a file that is already missing)
        if still_there and row is not None:
            remember(name, row.source)
        raise


def delete_crops(source_name: str, storage: Storage | None = None, keep: Collection[str] = ()) -> int:
    """Delete every registered crop cut from ``source_name`` except ``keep``; returns how many.

    For a source that is gone or replaced: nothing serves its crops again, and Django never deletes
    files by itself. A crop whose file cannot be deleted is logged and stays registered; the others
    still go.
    """
    storage = storage or conf.crop_storage()
    names = Crop.objects.filter(source=source_name[:255]).exclude(name__in=list(keep)).values_list("name", flat=True)
    deleted = 0
    for name in list(names):
        try:
            delete_crop(name, storage)
            deleted += 1
        except Exception:
            logger.exception("smartcrop: could not delete the crop %s of %s", name, source_name)
    return deleted


def _model_identity() -> str:
    """The model file in force and its version on disk (a replaced file is a new model)."""
    path = model_source()[0]
    signature = file_signature(path)
    return f"{path}|" + ("missing" if signature is None else "|".join(map(str, signature)))


def _failure_key(name: str) -> str:
    return "smartcrop:failed:" + hashlib.sha1(f"{name}|{_model_identity()}".encode()).hexdigest()


def remember_failure(name: str, reason: str) -> None:
    """Record that this crop cannot be made from its source as it is now (a one-line reason)."""
    caches[conf.setting("CACHE")].set(_failure_key(name), reason[:500], conf.setting("CACHE_TIMEOUT"))


def remembered_failure(name: str) -> str | None:
    """The reason this crop could not be made, if that was found for the same file and model."""
    return caches[conf.setting("CACHE")].get(_failure_key(name))


def count_for(source_name: str) -> int:
    """How many crops of this source file are registered (one query)."""
    return Crop.objects.filter(source=source_name[:255]).count()
