"""Cropping the CLI's files, in this process or in N worker processes, with the same results either way.

Workers only compute and write files. Everything printed (JSON lines, error lines, the one progress
bar) is printed by the parent in input order, so ``--jobs 2`` gives the same stdout, files and exit
code as ``--jobs 1``. Workers are spawned, not forked (the parent may already run onnxruntime
threads, which do not survive a fork), and each loads the model once. A worker that dies (killed for
memory, a crash in a decoder) costs only the file it was cropping: the files that were in flight are
retried one at a time in a fresh worker, so the culprit is named and the others are cropped.
"""

from __future__ import annotations

import errno
import json
import multiprocessing
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from .analysis import Analysis, CropOptions
from .api import analyze, crop_many
from .errors import SmartCropError
from .files import remove_orphans, save_atomically
from .loading import Source
from .model import get_model
from .outputs import Task
from .visualize import overlay

DEBUG_LONG_SIDE = 1024
#: Files submitted per worker ahead of the one the parent waits for: keeps every worker busy.
AHEAD_PER_WORKER = 2


@dataclass(frozen=True)
class Settings:
    """What every file of one run is cropped with (sent once to each worker)."""

    ratios: tuple[str, ...]
    options: CropOptions = CropOptions()
    model: str | None = None
    threads: int | None = None
    max_pixels: int | None = None
    json: bool = False
    output: Path | None = None
    quality: int = 88


@dataclass(frozen=True)
class Outcome:
    """What the parent prints for one file; ``disk_full`` stops the batch."""

    json_line: str | None = None
    error: str | None = None
    disk_full: bool = False


def crop_one(task: Task, settings: Settings) -> Outcome:
    """Analyse one file, write its crops: every expected failure becomes a one-line ``Outcome.error``."""
    line = None
    try:
        analysis = analyze(task.path, list(settings.ratios), options=settings.options,
                           model=get_model(settings.model, settings.threads), max_pixels=settings.max_pixels)
        if settings.json:
            line = json.dumps({"file": str(task.path), "analysis": analysis.to_dict()})
        if settings.output is not None:
            write_outputs(task, analysis, settings)
        return Outcome(json_line=line)
    except (SmartCropError, ValueError) as error:
        return Outcome(line, str(error))
    except MemoryError:
        return Outcome(line, f"{task.path}: not enough memory to crop it")
    except OSError as error:
        return Outcome(line, f"{task.path}: cannot write output: {error.strerror or error}",
                       disk_full=error.errno in (errno.ENOSPC, errno.EDQUOT))


def write_outputs(task: Task, analysis: Analysis, settings: Settings) -> None:
    """Every requested crop of one image (one decode) and, with --debug, its debug picture."""
    assert settings.output is not None
    requests = [(ratio, width, None) for ratio, width, _ in task.crops]
    crops = crop_many(task.path, requests, analysis=analysis, options=settings.options,
                      max_pixels=settings.max_pixels)
    for (_, _, name), image in zip(task.crops, crops):
        save_atomically(image, settings.output / name, task.image_format, settings.quality)
    if task.debug is not None:
        preview = Source(task.path, settings.max_pixels).load(min_size=(DEBUG_LONG_SIDE // 2, DEBUG_LONG_SIDE // 2))
        preview.thumbnail((DEBUG_LONG_SIDE, DEBUG_LONG_SIDE))
        save_atomically(overlay(preview, analysis, list(settings.ratios)), settings.output / task.debug, "PNG")


def outcomes(tasks: list[Task], settings: Settings, jobs: int) -> Iterator[Outcome]:
    """One outcome per task, in task order, computed by ``jobs`` processes (this one when 1)."""
    if jobs <= 1 or len(tasks) <= 1:
        for task in tasks:
            yield crop_one(task, settings)
        return
    yield from _parallel(tasks, settings, min(jobs, len(tasks)))


_settings: Settings | None = None  # a worker's settings, set once by _start_worker


def _start_worker(settings: Settings) -> None:
    global _settings
    _settings = settings
    get_model(settings.model, settings.threads)  # load once, before the first file


def _work(task: Task) -> Outcome:
    assert _settings is not None
    return crop_one(task, _settings)


def _pool(settings: Settings, workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_start_worker, initargs=(settings,))


def _parallel(tasks: list[Task], settings: Settings, jobs: int) -> Iterator[Outcome]:
    pool = _pool(settings, jobs)
    waiting: deque[list] = deque()  # [task, its future or None before submission], in task order
    upcoming = iter(tasks)
    try:
        while True:
            while len(waiting) < jobs * AHEAD_PER_WORKER and (task := next(upcoming, None)) is not None:
                waiting.append([task, None])
            if not waiting:
                return
            try:
                for entry in waiting:
                    entry[1] = entry[1] or pool.submit(_work, entry[0])
                outcome = waiting[0][1].result()
            except BrokenProcessPool:  # a worker died: every file in flight is retried alone
                pool.shutdown(cancel_futures=True)
                _clean_after_death([entry[0] for entry in waiting], settings)
                while waiting:
                    yield _alone(waiting.popleft()[0], settings)
                pool = _pool(settings, jobs)
                continue
            waiting.popleft()
            yield outcome
    finally:  # also when the caller stops early (a full disk): no orphan workers
        pool.shutdown(cancel_futures=True)


def _alone(task: Task, settings: Settings) -> Outcome:
    """Crop one file in a fresh worker of its own: if that dies too, this file is what kills it."""
    with _pool(settings, 1) as pool:
        try:
            return pool.submit(_work, task).result()
        except BrokenProcessPool:
            _clean_after_death([task], settings)
            return Outcome(error=f"{task.path}: the worker process cropping it died (out of memory, or a crash)")


def _clean_after_death(tasks: list[Task], settings: Settings) -> None:
    """A killed worker cannot delete the temporary file it was writing: remove it for it."""
    if settings.output is not None:
        for folder in {settings.output / name.parent for task in tasks for name in task.names}:
            remove_orphans(folder)
