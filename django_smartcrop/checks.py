"""Is the saliency model usable? A system check at start-up, and one cheap answer per upload.

``manage.py check`` (and ``runserver``, ``migrate``, every management command that runs checks) reports
``django_smartcrop.E010`` when the model file is missing, corrupt or does not follow the model contract,
naming the path and where it came from (the ``SMARTCROP_MODEL`` setting, the ``$SMARTCROP_MODEL``
environment variable, or the model shipped in the package). At run time (WSGI servers run no checks) a
broken model is tried once per file version, not once per upload: uploads still save, with the error
recorded and centre crops, and the logs get one error line, not a traceback per request.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

from django.core import checks
from PIL import Image
from smartcrop_core import ModelError, ModelSettings, SaliencyModel, SmartCropError, get_model, one_line, resolve_model

from . import conf

logger = logging.getLogger(__name__)

_lock = threading.Lock()
#: (path, threads, file signature) -> the loaded model or the problem found; a changed file is retried.
_known: dict[tuple[str, int, tuple[int, int] | None], SaliencyModel | str] = {}

#: What set the model path, by the core's ``ModelSettings.origin`` ("argument" is our setting).
_SOURCES = {
    "argument": "the SMARTCROP_MODEL setting",
    "environment": "the SMARTCROP_MODEL environment variable",
    "shipped": "the model shipped with smartcrop (no SMARTCROP_MODEL setting or variable)",
}
#: What a site owner changes, by origin (the core's hint speaks to library users, not operators).
_FIXES = {
    "argument": "the SMARTCROP_MODEL setting points to a valid .onnx file (or is None for the shipped model)",
    "environment": "the SMARTCROP_MODEL environment variable points to a valid .onnx file (or is unset)",
    "shipped": "smartcrop is reinstalled (its package holds the model) or SMARTCROP_MODEL points to a valid .onnx file",
}


def _chosen() -> ModelSettings:
    """The model file in force and where that choice came from, by the core's lookup order (our setting first)."""
    return resolve_model(conf.setting("MODEL") or None, 1)  # threads are resolved apart: a bad count is its own error


def model_source() -> tuple[str, str]:
    """The model path in force and what set it, for messages a site owner can act on."""
    chosen = _chosen()
    return str(chosen.path), _SOURCES[chosen.origin]


def file_signature(path: str) -> tuple[int, int] | None:
    """(mtime in ns, size) of a file, None when it is missing: a replaced model file is a new model."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


def load_model() -> SaliencyModel | str:
    """The usable model, or a one-line description of why it is not usable (path and setting named).

    The model is loaded and run once on a blank picture (the model contract is checked, not only the
    file's presence). Both answers are remembered until the file changes.
    """
    chosen = _chosen()
    path, source = str(chosen.path), _SOURCES[chosen.origin]
    try:
        threads = resolve_model(path, conf.setting("THREADS") or None).threads
    except ModelError as error:
        return f"{error.reason} [from the SMARTCROP_THREADS setting or variable]"
    key = (path, threads, file_signature(path))
    known = _known.get(key)
    if known is not None:
        return known
    with _lock:
        known = _known.get(key)
        if known is not None:
            return known
        try:
            model = get_model(path, threads)
            model.predict(Image.new("RGB", model.input_size(64, 64), (128, 128, 128)))
            result: SaliencyModel | str = model
        except SmartCropError as error:
            reason = error.reason if isinstance(error, ModelError) else one_line(error)
            result = f"{reason} [path from {source}]"
            logger.error("smartcrop: the saliency model is unusable: %s. Uploads are saved with this error "
                         "recorded and centre crops until %s", result, _FIXES[chosen.origin])
        _known[key] = result
        return result


def model_problem() -> str | None:
    """None when the model is usable, else the one-line problem."""
    loaded = load_model()
    return loaded if isinstance(loaded, str) else None


def check_model(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """System check django_smartcrop.E010: the saliency model loads and runs."""
    problem = model_problem()
    if problem is None:
        return []
    chosen = _chosen()
    return [checks.Error(
        f"The saliency model cannot be used: {problem}",
        hint=f"Make sure {_FIXES[chosen.origin]}. Path now: {chosen.path}. Without a model, uploads still save, with the error "
             "recorded and centre crops; silence this check (SILENCED_SYSTEM_CHECKS) only if that is intended.",
        id="django_smartcrop.E010",
    )]
