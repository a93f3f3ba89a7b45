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
from smartcrop_core import SaliencyModel, SmartCropError, get_model
from smartcrop_core.model import DEFAULT_MODEL_PATH

from . import conf

logger = logging.getLogger(__name__)

_lock = threading.Lock()
#: (path, threads, file signature) -> the loaded model or the problem found; a changed file is retried.
_known: dict[tuple[str, int, tuple[int, int] | None], SaliencyModel | str] = {}


def model_source() -> tuple[str, str]:
    """The model path in force and what set it, for messages a site owner can act on."""
    configured = conf.setting("MODEL")
    if configured:
        return str(configured), "the SMARTCROP_MODEL setting"
    environment = os.environ.get("SMARTCROP_MODEL")
    if environment:
        return environment, "the SMARTCROP_MODEL environment variable"
    return str(DEFAULT_MODEL_PATH), "the model shipped with smartcrop (no SMARTCROP_MODEL setting or variable)"


def _threads() -> int:
    value = conf.setting("THREADS") or os.environ.get("SMARTCROP_THREADS") or 1
    return max(1, int(value))


def _signature(path: str) -> tuple[int, int] | None:
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
    path, source = model_source()
    key = (path, _threads(), _signature(path))
    known = _known.get(key)
    if known is not None:
        return known
    with _lock:
        known = _known.get(key)
        if known is not None:
            return known
        try:
            from PIL import Image

            model = get_model(path, key[1])
            model.predict(Image.new("RGB", model.input_size(64, 64), (128, 128, 128)))
            result: SaliencyModel | str = model
        except SmartCropError as error:
            message = str(error).replace(" (set SMARTCROP_MODEL or pass model=)", "")
            result = f"{message} [path from {source}]"
            logger.error("smartcrop: the saliency model is unusable: %s. Uploads are saved with this error "
                         "recorded and centre crops until %s", result, _fix(source))
        _known[key] = result
        return result


def _fix(source: str) -> str:
    if source.endswith("setting"):
        return "the SMARTCROP_MODEL setting points to a valid .onnx file (or is None for the shipped model)"
    if "variable" in source:
        return "the SMARTCROP_MODEL environment variable points to a valid .onnx file (or is unset)"
    return "smartcrop is reinstalled (its package holds the model) or SMARTCROP_MODEL points to a valid .onnx file"


def model_problem() -> str | None:
    """None when the model is usable, else the one-line problem."""
    loaded = load_model()
    return loaded if isinstance(loaded, str) else None


def check_model(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """System check django_smartcrop.E010: the saliency model loads and runs."""
    problem = model_problem()
    if problem is None:
        return []
    path, source = model_source()
    return [checks.Error(
        f"The saliency model cannot be used: {problem}",
        hint=f"Make sure {_fix(source)}. Path now: {path}. Without a model, uploads still save, with the error "
             "recorded and centre crops; silence this check (SILENCED_SYSTEM_CHECKS) only if that is intended.",
        id="django_smartcrop.E010",
    )]
