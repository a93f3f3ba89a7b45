"""Run smartcrop's analysis off the Tornado IOLoop, at most once per image and size.

Thumbor awaits detectors and filters on its IOLoop and, by default (ENGINE_THREADPOOL_SIZE = 0), does
its own image work there too: model inference there would stall every other request for its whole
duration. Inference therefore runs in a dedicated pool of SMARTCROP_THREADPOOL_SIZE threads, at a
lower CPU priority (SMARTCROP_THREAD_NICENESS, Linux): off the loop is not enough when the cores are
busy, since the loop thread then waits for CPU behind the inference threads. Measured with 50
concurrent /smart/ requests on a 2-core machine whose cores other jobs kept busy
(reliability/load_thumbor.py, ENGINE_THREADPOOL_SIZE = 2), the worst /healthcheck answer fell from
230-610 ms to 60-175 ms, at the same or a better throughput.

Results are shared twice: within a request (the detector and the smartcrop filter both need the
analysis of the same pixels) and across requests through a small per-process LRU keyed by the image
URL and the pixel size, so ``/300x200/filters:smartcrop()`` and ``/600x600/filters:smartcrop()`` of one
image run the model once. An Analysis is a few kB (an 8-bit grid), so the cache is cheap.

The model is loaded through ``model_for``, which remembers a failure (a missing or corrupt model file):
the first failure is logged once, as one line naming the file and the setting to fix; for the next
SMARTCROP_MODEL_RETRY_SECONDS every request skips smartcrop at once, without touching the file or logging again
(``ModelUnavailable``); then one request tries again. A fixed file is picked up without a restart, and
while the model stays broken a reminder line is logged every MODEL_REMINDER_SECONDS at most.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import sys
import threading
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Hashable

import smartcrop_core
from smartcrop_core import Analysis, ImageTooLargeError, ModelError, SaliencyModel, get_model
from smartcrop_core.loading import max_pixels_setting
from smartcrop_core.model import DEFAULT_MODEL_PATH

from .config import Settings
from .pixels import ANALYSIS_LONG_SIDE, engine_image, unwrap

logger = logging.getLogger("thumbor_plugin")

#: While the model stays broken, the error is logged again at most this often (with a count).
MODEL_REMINDER_SECONDS = 600.0

_REQUEST_ATTRIBUTE = "smartcrop_analysis"

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()
_cache: "OrderedDict[Hashable, Analysis]" = OrderedDict()
_cache_lock = threading.Lock()


def executor(size: int, niceness: int = 0) -> ThreadPoolExecutor:
    """The process-wide inference pool, created on first use with the configured size and niceness."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=size, thread_name_prefix="smartcrop",
                                       initializer=_lower_priority, initargs=(niceness,))
        return _pool


def _lower_priority(niceness: int) -> None:
    """Make the calling worker thread ``niceness`` steps nicer than the process (Linux only).

    On Linux, setpriority(PRIO_PROCESS, tid) changes one thread; elsewhere a thread id is not a
    process id, so nothing is done.
    """
    if niceness <= 0 or not sys.platform.startswith("linux"):
        return
    try:
        thread = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, thread, min(19, os.getpriority(os.PRIO_PROCESS, thread) + niceness))
    except OSError as error:  # e.g. a sandbox that forbids it: run at the normal priority
        logger.warning("smartcrop worker threads keep the normal CPU priority: %s", error)


def _cache_key(context: Any, size: tuple[int, int]) -> Hashable:
    request = context.request
    return (request.image_url, size, getattr(request, "trim", None), context.config.RESPECT_ORIENTATION)


def _cache_get(key: Hashable) -> Analysis | None:
    with _cache_lock:
        analysis = _cache.get(key)
        if analysis is not None:
            _cache.move_to_end(key)
        return analysis


def _cache_put(key: Hashable, analysis: Analysis, limit: int) -> None:
    if limit <= 0:
        return
    with _cache_lock:
        _cache[key] = analysis
        _cache.move_to_end(key)
        while len(_cache) > limit:
            _cache.popitem(last=False)


class ModelUnavailable(ModelError):
    """The saliency model cannot be used; the error has already been logged (callers stay quiet)."""


@dataclass
class _Failure:
    message: str
    retry_at: float
    logged_at: float
    skipped: int = 0


_failures: dict[tuple[str, int], _Failure] = {}
_failures_lock = threading.Lock()


def model_source(settings: Settings) -> tuple[str, str]:
    """The model file in force and what an operator changes to fix it."""
    if settings.model_path:
        return settings.model_path, "set SMARTCROP_MODEL_PATH in thumbor.conf to a valid model file"
    from_env = os.environ.get("SMARTCROP_MODEL")
    if from_env:
        return from_env, ("fix $SMARTCROP_MODEL in Thumbor's environment, or set SMARTCROP_MODEL_PATH in "
                          "thumbor.conf to a valid model file")
    return str(DEFAULT_MODEL_PATH), ("the model shipped with smartcrop is damaged: reinstall smartcrop, or set "
                                     "SMARTCROP_MODEL_PATH in thumbor.conf to a valid model file")


def _key(settings: Settings) -> tuple[str, int]:
    return model_source(settings)[0], settings.threads


def _reason(error: ModelError) -> str:
    """The core's one-line message without its hint for library users (the Thumbor hint replaces it)."""
    return re.sub(r"\s*\(set SMARTCROP_MODEL or pass model=\)\s*$", "", str(error))


def _check_model(settings: Settings) -> None:
    """Raise ModelUnavailable at once while a recent failure of this model is remembered."""
    with _failures_lock:
        failure = _failures.get(_key(settings))
        if failure is not None and time.monotonic() < failure.retry_at:
            failure.skipped += 1
            raise ModelUnavailable(failure.message)


def _model_failed(settings: Settings, error: ModelError) -> ModelUnavailable:
    """Remember a failure and log it: once, then at most every MODEL_REMINDER_SECONDS."""
    _, fix = model_source(settings)
    message = (f"smartcrop is off: {_reason(error)}; {fix}. Until the model works, /smart/ and "
               f"filters:smartcrop() requests get Thumbor's own crop (kept out of result storage); "
               f"retrying every {settings.model_retry:g} s")
    now = time.monotonic()
    with _failures_lock:
        previous = _failures.get(_key(settings))
        if previous is None or previous.message != message:
            _failures[_key(settings)] = _Failure(message, now + settings.model_retry, now)
            logger.error("%s", message)
        else:
            previous.retry_at = now + settings.model_retry
            previous.skipped += 1
            if now - previous.logged_at >= MODEL_REMINDER_SECONDS:
                logger.error("%s (%d requests without smartcrop so far)", message, previous.skipped)
                previous.logged_at = now
    return ModelUnavailable(message)


def _model_worked(settings: Settings) -> None:
    with _failures_lock:
        recovered = _failures.pop(_key(settings), None)
    if recovered is not None:
        logger.warning("smartcrop is on again: the saliency model %s works", _key(settings)[0])


def model_for(settings: Settings, cache: bool = True) -> SaliencyModel:
    """The model of these settings; raises ModelUnavailable (logged once) when it cannot be loaded.

    ``cache=False`` loads a throwaway copy (the start-up check, which runs before Thumbor may fork).
    """
    _check_model(settings)
    path = _key(settings)[0]
    try:
        return get_model(path, settings.threads) if cache else SaliencyModel(path, settings.threads)
    except ModelError as error:
        raise _model_failed(settings, error) from error


def _analyse(engine: Any, settings: Settings) -> Analysis:
    """Blocking part, run in the pool: copy the pixels, run the model, place the configured boxes.

    The pixel limit is checked on the engine's size before any copy; a large image is analysed from a
    reduced copy (pixels.ANALYSIS_LONG_SIDE) and the analysis is mapped back to the engine's size.
    """
    model = model_for(settings)
    width, height = unwrap(engine).size
    limit = max_pixels_setting(settings.max_pixels)
    if width * height > limit:
        raise ImageTooLargeError(
            f"{width}x{height} ({width * height / 1e6:.0f} MP) is over the limit of {limit / 1e6:.0f} MP "
            "(raise SMARTCROP_MAX_PIXELS)"
        )
    try:
        analysis = smartcrop_core.analyze(
            engine_image(engine, long_side=ANALYSIS_LONG_SIDE),
            settings.ratios,
            strategy=settings.options.strategy,
            closeness=settings.options.closeness,
            min_mass=settings.options.min_mass,
            model=model,
            max_pixels=limit,
        )
    except ModelError as error:  # it loads but cannot run (another model's contract): as bad as missing
        raise _model_failed(settings, error) from error
    _model_worked(settings)
    if (analysis.width, analysis.height) != (width, height):
        analysis = Analysis(width, height, analysis.grid, analysis.points, analysis.symmetry, analysis.model,
                            options=analysis.options).with_boxes(settings.ratios, settings.options)
    return analysis


async def analysis_for(context: Any, engine: Any, settings: Settings) -> Analysis:
    """The analysis of the engine's current pixels (coordinates = the engine's pixel coordinates).

    Raises smartcrop_core.SmartCropError (bad pixels, missing model, too large).
    """
    size = tuple(unwrap(engine).size)
    shared = getattr(context.request, _REQUEST_ATTRIBUTE, None)
    if shared is not None and (shared.width, shared.height) == size:
        return shared
    key = _cache_key(context, size)
    analysis = _cache_get(key)
    if analysis is None:
        _check_model(settings)  # a known-broken model: skip at once, without queueing for the pool
        loop = asyncio.get_running_loop()
        pool = executor(settings.pool_size, settings.niceness)
        analysis = await loop.run_in_executor(pool, _analyse, engine, settings)
        _cache_put(key, analysis, settings.cache_size)
    setattr(context.request, _REQUEST_ATTRIBUTE, analysis)
    return analysis


def clear_cache() -> None:
    """Forget every cached analysis (tests, or after swapping the model)."""
    with _cache_lock:
        _cache.clear()
