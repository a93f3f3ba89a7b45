"""A FileSystemStorage that records every call, to prove that rendering known crops asks storage nothing."""

from __future__ import annotations

from typing import Any

from django.core.files.storage import FileSystemStorage

#: Calls that reach the disk (or, for a remote storage, the network). ``url`` only builds a string.
IO_METHODS = ("open", "save", "exists", "delete", "size", "listdir", "get_accessed_time",
              "get_created_time", "get_modified_time", "path")


class CountingStorage(FileSystemStorage):
    calls: list[tuple[str, str]] = []

    @classmethod
    def reset(cls) -> None:
        cls.calls.clear()

    @classmethod
    def io_calls(cls) -> list[tuple[str, str]]:
        return [call for call in cls.calls if call[0] in IO_METHODS]


def _counting(method_name: str) -> Any:
    original = getattr(FileSystemStorage, method_name)

    def method(self: CountingStorage, name: Any = None, *args: Any, **kwargs: Any) -> Any:
        CountingStorage.calls.append((method_name, str(name)))
        return original(self, name, *args, **kwargs)

    method.__name__ = method_name
    return method


for _name in (*IO_METHODS, "url"):
    setattr(CountingStorage, _name, _counting(_name))
