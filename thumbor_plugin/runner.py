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

The model comes from model_guard.model_for, which logs a missing or corrupt model once and then
skips smartcrop at once until it is retried.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Hashable

from smartcrop_core import Analysis, ModelError, analyze, check_image_size

from .config import Settings
from .model_guard import check_model, model_failed, model_for, model_worked
from .pixels import ANALYSIS_LONG_SIDE, engine_image, unwrap

logger = logging.getLogger("thumbor_plugin")

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


def _analyse(engine: Any, settings: Settings) -> Analysis:
    """Blocking part, run in the pool: copy the pixels, run the model, place the configured boxes.

    The core's size limits (check_image_size) are checked on the engine's size before any copy; a large
    image is analysed from a reduced copy (pixels.ANALYSIS_LONG_SIDE), and the analysis is mapped back
    to the engine's size (Analysis.resized).
    """
    model = model_for(settings)
    width, height = unwrap(engine).size
    check_image_size(width, height, "the image", settings.max_pixels)
    try:
        analysis = analyze(engine_image(engine, long_side=ANALYSIS_LONG_SIDE), settings.ratios,
                           options=settings.options, model=model, max_pixels=settings.max_pixels)
    except ModelError as error:  # it loads but cannot run (another model's contract): as bad as missing
        raise model_failed(settings, error) from error
    model_worked(settings)
    if (analysis.width, analysis.height) != (width, height):
        analysis = analysis.resized(width, height)
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
        check_model(settings)  # a known-broken model: skip at once, without queueing for the pool
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
