"""File-system helpers: finding images in folders and writing outputs atomically, with normal permissions."""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path
from typing import IO, Callable, Iterator

from PIL import Image

IMAGE_SUFFIXES = frozenset(
    {".jpg", ".jpeg", ".jpe", ".png", ".webp", ".gif", ".tif", ".tiff", ".bmp", ".avif", ".heic", ".heif"}
)
SAVE_FORMATS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP"}
TEMPORARY_PREFIX = ".smartcrop-"

#: Called with one line saying what could not be searched or was refused.
Report = Callable[[str], None]


def find_images(inputs: list[str], refused: Report, unreadable: Report) -> Iterator[tuple[Path, Path]]:
    """(file, path relative to its input) for each file given and each image file under each folder.

    Files named explicitly are yielded when they are regular files (the loader decides whether they are
    images); a FIFO, device or socket is ``refused`` instead, as reading one could block forever. In
    folders only regular files with an image suffix are, sorted, so runs are repeatable; a folder that
    cannot be listed is reported as ``unreadable``, never skipped in silence. Symbolic links to folders
    are not followed (no loops).
    """
    for item in inputs:
        path = Path(item)
        try:
            mode = path.stat().st_mode
        except OSError as error:
            if isinstance(error, FileNotFoundError):
                yield path, Path(path.name)  # the loader says "no such file" like for any bad file
            else:
                refused(f"cannot read {path}: {error.strerror or error}")
            continue
        if stat.S_ISDIR(mode):
            yield from _images_under(path, unreadable)
        elif stat.S_ISREG(mode):
            yield path, Path(path.name)
        else:
            refused(f"{path}: not a regular file (a FIFO, device or socket): refused")


def _images_under(folder: Path, report: Report) -> Iterator[tuple[Path, Path]]:
    def unreadable(error: OSError) -> None:
        report(f"cannot read folder {error.filename or folder}: {error.strerror or error} (its images are skipped)")

    found = []
    for parent, folders, names in os.walk(folder, onerror=unreadable):
        folders.sort()
        for name in names:
            file = Path(parent, name)
            if file.suffix.lower() in IMAGE_SUFFIXES and file.is_file():
                found.append(file)
    for file in sorted(found):
        yield file, file.relative_to(folder)


def create_temporary(folder: Path, suffix: str = "", prefix: str = TEMPORARY_PREFIX) -> tuple[IO[bytes], Path]:
    """A new, empty file in ``folder`` opened for writing, under a random name that no one else has.

    Unlike ``tempfile.mkstemp`` (always 0600), its mode is what ``open()`` gives (0666 minus the umask,
    so typically 0644): once renamed into place, a web server running as another user can read it.
    The name carries the writer's process id, so what a killed process left can be found and removed.
    """
    for _ in range(100):
        path = folder / f"{prefix}{os.getpid()}-{secrets.token_hex(8)}{suffix}"
        try:
            handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
        except FileExistsError:
            continue
        return os.fdopen(handle, "wb"), path
    raise FileExistsError(f"no free temporary name in {folder}")


def remove_orphans(folder: Path, prefix: str = TEMPORARY_PREFIX) -> None:
    """Delete the temporary files in ``folder`` whose writing process no longer exists (it was killed)."""
    try:
        entries = list(folder.glob(f"{prefix}*"))
    except OSError:
        return
    for entry in entries:
        pid = entry.name[len(prefix):].partition("-")[0]
        if pid.isdigit() and not _alive(int(pid)):
            try:
                entry.unlink()
            except OSError:
                pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def save_atomically(image: Image.Image, target: Path, image_format: str, quality: int = 88) -> None:
    """Write to a temporary file beside the target, then rename: a failure never leaves a partial file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if image_format == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    stream, temporary = create_temporary(target.parent, target.suffix)
    try:
        with stream:
            options = {"quality": quality} if image_format in ("JPEG", "WEBP") else {}
            image.save(stream, image_format, **options)
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise
