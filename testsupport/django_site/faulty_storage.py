"""A real FileSystemStorage whose writes fail the way disks and object stores fail.

``FaultyStorage.mode`` picks the failure of every ``_save`` until it is set back to None:

- ``"partial"``: half of the bytes reach the final name, then ``OSError(ENOSPC)`` (a full disk);
- ``"empty"``: an empty file appears under the final name, then ``OSError(EIO)``;
- ``"foreign"``: half of the bytes, then a non-OSError (what an object-store client raises);
- ``"rename"``: the move of the finished file into place fails; nothing reaches the final name.

``FaultyStorage.undeletable`` names files whose ``delete`` raises (an object store refusing it).
"""

from __future__ import annotations

import errno
import os
from typing import Any, ClassVar

from django.core.files.storage import FileSystemStorage


class StorageBackendError(Exception):
    """Stands for a storage client's own exception type (botocore's ClientError, say)."""


class FaultyStorage(FileSystemStorage):
    mode: ClassVar[str | None] = None
    failures: ClassVar[int] = 0
    saves: ClassVar[int] = 0
    undeletable: ClassVar[set[str]] = set()

    @classmethod
    def reset(cls, mode: str | None = None) -> None:
        cls.mode, cls.failures, cls.saves, cls.undeletable = mode, 0, 0, set()

    def delete(self, name: str) -> None:
        if name in type(self).undeletable:
            raise StorageBackendError("403 AccessDenied")
        super().delete(name)

    def _save(self, name: str, content: Any) -> str:
        type(self).saves += 1
        mode = type(self).mode
        if mode is None:
            return super()._save(name, content)
        type(self).failures += 1
        if mode == "rename":
            raise OSError(errno.EXDEV, "Invalid cross-device link", content.temporary_file_path())
        full = self.path(name)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        content.seek(0)
        data = content.read()
        with open(full, "wb") as handle:
            if mode != "empty":
                handle.write(data[: len(data) // 2])
        if mode == "foreign":
            raise StorageBackendError("503 Slow Down")
        code = errno.ENOSPC if mode == "partial" else errno.EIO
        raise OSError(code, os.strerror(code), full)
