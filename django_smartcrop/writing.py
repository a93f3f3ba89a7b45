"""Atomic writing of crop files: complete or absent, never half-written, and cleaning up killed writers.

The image is encoded fully in memory first, then handed to storage in one piece (a temporary file in
the target folder renamed into place for a local file system, one upload for object stores), so no
reader ever sees a half-written or empty crop.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from pathlib import Path
from typing import Iterator

from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import Storage

from smartcrop_core import create_temporary

from . import conf

logger = logging.getLogger(__name__)

#: Temporary files of atomic writes; one older than ORPHAN_AGE seconds was left by a killed process.
TEMPORARY_PREFIX, TEMPORARY_SUFFIX = ".smartcrop-", ".part"
ORPHAN_AGE = 15 * 60


def stored_size(storage: Storage, name: str) -> int | None:
    """The stored file's size, None when there is no such file."""
    if not storage.exists(name):
        return None
    try:
        return storage.size(name)
    except (OSError, NotImplementedError):
        return None


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
    # Not tempfile's 0600: with FILE_UPLOAD_PERMISSIONS = None the crop keeps the umask's mode, so a
    # web server running as another user can serve it.
    handle, path = create_temporary(Path(folder), TEMPORARY_SUFFIX, TEMPORARY_PREFIX)
    try:
        with handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        temporary = _TemporaryFile(str(path))
        try:
            with _no_partial_file(storage, name, len(data)):
                return storage.save(name, temporary)
        finally:
            temporary.close()
    finally:
        if path.exists():
            path.unlink()


@contextlib.contextmanager
def _no_partial_file(storage: Storage, name: str, size: int) -> Iterator[None]:
    """On any failure inside, delete what the storage left under ``name`` unless it is complete."""
    try:
        yield
    except BaseException:
        try:
            if stored_size(storage, name) not in (None, size):
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
