"""The CLI's output names, planned for the whole batch before any image is read.

Two inputs whose outputs would share a name (``a/photo.jpg b/photo.jpg``, two input folders with the
same file, ``photo.png photo.PNG``) must never overwrite each other in silence. Names are compared as a
case-insensitive file system would (case-folded, Unicode-normalised), so a batch that works on Linux
does not lose files on macOS or Windows. The first input keeps its names; a later input that collides
is refused with one line naming both, and the batch exits 1. An output that would replace one of the
inputs (``-o`` inside the input folder) is refused the same way.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .files import SAVE_FORMATS, Report

SUFFIXES = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}


@dataclass(frozen=True)
class Task:
    """One input and what it becomes: (ratio label, width or None, output name) per crop, the debug picture."""

    path: Path
    image_format: str
    crops: tuple[tuple[str, "int | None", Path], ...]
    debug: Path | None

    @property
    def names(self) -> list[Path]:
        return [name for _, _, name in self.crops] + ([self.debug] if self.debug else [])


def make_task(path: Path, relative: Path, ratios: list[str], widths: list[int | None], image_format: str | None,
              debug: bool) -> Task:
    """Names mirror the input's folders: ``sub/NAME_16x9_w800.jpg``, ``sub/NAME_debug.png``."""
    chosen = image_format.upper() if image_format else SAVE_FORMATS.get(path.suffix.lower(), "PNG")
    suffix = SUFFIXES[chosen]
    # photo.gif and photo.tif both become PNGs: keep the input's extension in the name so they don't collide.
    stem = relative.stem if path.suffix.lower() == suffix else f"{relative.stem}-{path.suffix.lstrip('.').lower()}"
    crops = tuple(
        (ratio, width, relative.parent / (f"{stem}_{ratio.replace(':', 'x')}" + (f"_w{width}" if width else "") + suffix))
        for ratio in ratios for width in widths
    )
    return Task(path, chosen, crops, relative.parent / f"{stem}_debug.png" if debug else None)


def plan(found: list[tuple[Path, Path]], output: Path, make: Callable[[Path, Path], Task], refuse: Report) -> list[Task]:
    """The tasks whose outputs collide with nothing; each refused input is reported in one line."""
    root = output.resolve()
    inputs = {_key(path.resolve()): path for path, _ in found}
    owners: dict[str, Path] = {}
    tasks = []
    done = set()
    for path, relative in found:
        if (path.resolve(), relative) in done:  # the same file named twice: cropped once
            continue
        done.add((path.resolve(), relative))
        task = make(path, relative)
        keys = [(_key(root / name), name) for name in task.names]
        problem = next((_clash(path, name, owners.get(key), inputs.get(key)) for key, name in keys
                        if key in owners or key in inputs), None)
        if problem:
            refuse(problem)
            continue
        owners.update({key: path for key, _ in keys})
        tasks.append(task)
    return tasks


def _clash(path: Path, name: Path, owner: Path | None, input_file: Path | None) -> str:
    if owner is not None:
        return (f"{path}: not cropped: its output {name} would overwrite that of {owner} "
                "(rename one of them, or crop them into different -o folders)")
    return f"{path}: not cropped: its output {name} would replace the input {input_file} (choose another -o folder)"


def _key(path: Path) -> str:
    return unicodedata.normalize("NFC", str(path)).casefold()
