"""Which crops exist (cache, then the Crop table) and how a missing one is made and written.

Rendering a page asks only this registry, never storage: a known crop costs zero storage calls and,
with a warm cache, zero queries. Writing is atomic: the image is encoded fully in memory first, then
handed to storage in one piece (a temporary file in the target folder renamed into place for a local
file system, one upload for object stores), so no reader ever sees a half-written or empty crop.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import os
import tempfile
import time
from typing import Collection, Iterable, Iterator

from django.core.cache import caches
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import IntegrityError
from PIL import Image

import smartcrop_core
from smartcrop_core import parse_ratio
from smartcrop_core.api import output_size
from smartcrop_core.loading import flatten_alpha

from . import conf
from .specs import CropSpec, quality
from .state import box_analysis

logger = logging.getLogger(__name__)

#: Temporary files of atomic writes; one older than ORPHAN_AGE seconds was left by a killed process.
TEMPORARY_PREFIX, TEMPORARY_SUFFIX = ".smartcrop-", ".part"
ORPHAN_AGE = 15 * 60


def _key(name: str) -> str:
    return "smartcrop:crop:" + hashlib.sha1(name.encode()).hexdigest()


def known(names: Iterable[str]) -> set[str]:
    """The subset of these crop names that have been generated (cache first, then one query)."""
    from .models import Crop

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
    from .models import Crop

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
    from .models import Crop

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
    from .models import Crop

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


def ensure(spec: CropSpec, source_storage: Storage, storage: Storage | None = None) -> str:
    """Make sure the crop file exists, complete, and is registered; returns its name.

    Raises SmartCropError (or OSError) when the source cannot be read or decoded, and whatever the
    storage raises when the crop cannot be written; in that case nothing is registered and no partial
    file is left under the crop's name, so the next request makes the crop again.
    """
    storage = storage or conf.crop_storage()
    name = spec.name
    if name in known([name]):
        return name
    data = encode(render(spec, source_storage), spec.format)
    # A file under this name that the registry does not know may be complete (the registry was lost, or
    # another worker has not registered it yet) or a leftover of a crash in a non-atomic storage: crop
    # names are deterministic and encoding is too, so the complete file has exactly these many bytes.
    if _size(storage, name) != len(data):
        if storage.exists(name):
            logger.warning("smartcrop: replacing the incomplete crop file %s", name)
            storage.delete(name)
        saved = write_atomic(storage, name, data)
        if saved != name:  # another worker wrote the same crop meanwhile: keep one copy
            storage.delete(saved)
    remember(name, spec.source_name)
    return name


def _size(storage: Storage, name: str) -> int | None:
    """The stored file's size, None when there is no such file."""
    if not storage.exists(name):
        return None
    try:
        return storage.size(name)
    except (OSError, NotImplementedError):
        return None


def render(spec: CropSpec, source_storage: Storage) -> Image.Image:
    """The crop's pixels: the spec's box cut from the source at the spec's output size."""
    with source_storage.open(spec.source_name, "rb") as handle:
        data = handle.read()
    analysis = box_analysis(spec.box, spec.ratio, spec.image_width, spec.image_height)
    # The spec's size came from a width or from a height; ask the core by the one that reproduces it.
    by_width = output_size(parse_ratio(spec.ratio), spec.width, None) == (spec.width, spec.height)
    size = {"width": spec.width} if by_width else {"height": spec.height}
    return smartcrop_core.crop(data, spec.ratio, analysis=analysis, max_pixels=conf.setting("MAX_PIXELS"), **size)


def encode(image: Image.Image, image_format: str) -> bytes:
    """Encoded bytes; JPEG drops transparency onto white (saliency and crops are of the visible image)."""
    if image_format == "JPEG" and image.mode != "RGB":
        image = flatten_alpha(image) if image.mode == "RGBA" else image.convert("RGB")
    options: dict[str, object] = {}
    if image_format == "JPEG":
        options = {"quality": quality("JPEG"), "optimize": True, "progressive": True}
    elif image_format in ("WEBP", "AVIF"):
        options = {"quality": quality(image_format)}
    elif image_format == "PNG":
        options = {"optimize": True}
    buffer = io.BytesIO()
    image.save(buffer, image_format, **options)
    data = buffer.getvalue()
    if not data:
        raise OSError(f"encoding the crop as {image_format} produced no data")
    return data


class _TemporaryFile(File):
    """A finished file on local disk that FileSystemStorage can move into place with one rename."""

    def __init__(self, path: str) -> None:
        super().__init__(open(path, "rb"), name=os.path.basename(path))
        self._path = path

    def temporary_file_path(self) -> str:
        return self._path


def write_atomic(storage: Storage, name: str, data: bytes) -> str:
    """Save complete bytes under ``name``; returns the name storage used.

    When the storage fails part way (it raised after writing some bytes under ``name``), whatever it
    left there is deleted before the error goes on: a reader never finds a half-written or empty crop.
    """
    try:
        target = storage.path(name)
    except NotImplementedError:  # remote storage: a single upload is all-or-nothing
        with _no_partial_file(storage, name, len(data)):
            return storage.save(name, ContentFile(data))
    folder = os.path.dirname(target)
    os.makedirs(folder, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(dir=folder, prefix=TEMPORARY_PREFIX, suffix=TEMPORARY_SUFFIX, delete=False)
    try:
        with handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        temporary = _TemporaryFile(handle.name)
        try:
            with _no_partial_file(storage, name, len(data)):
                return storage.save(name, temporary)
        finally:
            temporary.close()
    finally:
        if os.path.exists(handle.name):
            os.unlink(handle.name)


@contextlib.contextmanager
def _no_partial_file(storage: Storage, name: str, size: int) -> Iterator[None]:
    """On any failure inside, delete what the storage left under ``name`` unless it is complete."""
    try:
        yield
    except BaseException:
        try:
            if _size(storage, name) not in (None, size):
                storage.delete(name)
        except Exception:  # the storage is failing; the original error is the one to report
            logger.exception("smartcrop: could not remove the incomplete crop file %s", name)
        raise


def sweep_orphans(storage: Storage | None = None, older_than: float = ORPHAN_AGE) -> int:
    """Delete the temporary files that processes killed mid-write (a worker timeout's SIGKILL, an OOM
    kill) left in the crop folders; returns how many. Only for local storages: an object store's
    single upload leaves nothing. Files younger than ``older_than`` seconds may still be in use."""
    storage = storage or conf.crop_storage()
    try:
        root = storage.path(str(conf.setting("PREFIX")).strip("/"))
    except NotImplementedError:
        return 0
    limit = time.time() - older_than
    removed = 0
    for folder, _, files in os.walk(root):
        for file_name in files:
            if not (file_name.startswith(TEMPORARY_PREFIX) and file_name.endswith(TEMPORARY_SUFFIX)):
                continue
            path = os.path.join(folder, file_name)
            try:
                if os.stat(path).st_mtime < limit:
                    os.unlink(path)
                    removed += 1
            except FileNotFoundError:  # another sweep or the writer itself got there first
                continue
    return removed
