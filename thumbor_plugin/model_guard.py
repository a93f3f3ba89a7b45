"""The saliency model of a Thumbor config, with its failures remembered so a broken model costs nothing.

The model is loaded through ``model_for``, which remembers a failure (a missing or corrupt model file):
the first failure is logged once, as one line naming the file and the setting to fix; for the next
SMARTCROP_MODEL_RETRY_SECONDS every request skips smartcrop at once, without touching the file or logging
again (``ModelUnavailable``); then one request tries again. A fixed file is picked up without a restart,
and while the model stays broken a reminder line is logged every MODEL_REMINDER_SECONDS at most.

Which file is in force comes from the core's ``resolve_model`` (SMARTCROP_MODEL_PATH, else
$SMARTCROP_MODEL, else the shipped model); this module only maps where it came from to what an
operator changes, and shows the core's ``ModelError.reason`` with that fix instead of the core's hint
for library users.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from smartcrop_core import ModelError, ModelSettings, SaliencyModel, get_model, resolve_model

from .config import Settings

logger = logging.getLogger("thumbor_plugin")

#: While the model stays broken, the error is logged again at most this often (with a count).
MODEL_REMINDER_SECONDS = 600.0

_CONF_FIX = "set SMARTCROP_MODEL_PATH in thumbor.conf to a valid model file"
#: What an operator changes, by where the model file came from (ModelSettings.origin).
OPERATOR_FIX = {
    "argument": _CONF_FIX,
    "environment": f"fix $SMARTCROP_MODEL in Thumbor's environment, or {_CONF_FIX}",
    "shipped": f"the model shipped with smartcrop is damaged: reinstall smartcrop, or {_CONF_FIX}",
}


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


def model_settings(settings: Settings) -> ModelSettings:
    """The model file and thread count in force for these settings (the core's one lookup order)."""
    return resolve_model(settings.model_path, settings.threads)


def _key(model: ModelSettings) -> tuple[str, int]:
    return str(model.path), model.threads


def check_model(settings: Settings) -> None:
    """Raise ModelUnavailable at once while a recent failure of this model is remembered."""
    with _failures_lock:
        failure = _failures.get(_key(model_settings(settings)))
        if failure is not None and time.monotonic() < failure.retry_at:
            failure.skipped += 1
            raise ModelUnavailable(failure.message)


def model_failed(settings: Settings, error: ModelError) -> ModelUnavailable:
    """Remember a failure and log it: once, then at most every MODEL_REMINDER_SECONDS."""
    model = model_settings(settings)
    message = (f"smartcrop is off: {error.reason}; {OPERATOR_FIX[model.origin]}. Until the model works, /smart/ "
               f"and filters:smartcrop() requests get Thumbor's own crop (kept out of result storage); "
               f"retrying every {settings.model_retry:g} s")
    now = time.monotonic()
    with _failures_lock:
        previous = _failures.get(_key(model))
        if previous is None or previous.message != message:
            _failures[_key(model)] = _Failure(message, now + settings.model_retry, now)
            logger.error("%s", message)
        else:
            previous.retry_at = now + settings.model_retry
            previous.skipped += 1
            if now - previous.logged_at >= MODEL_REMINDER_SECONDS:
                logger.error("%s (%d requests without smartcrop so far)", message, previous.skipped)
                previous.logged_at = now
    return ModelUnavailable(message)


def model_worked(settings: Settings) -> None:
    """Forget a remembered failure of this model, saying once that smartcrop is on again."""
    model = model_settings(settings)
    with _failures_lock:
        recovered = _failures.pop(_key(model), None)
    if recovered is not None:
        logger.warning("smartcrop is on again: the saliency model %s works", model.path)


def model_for(settings: Settings, cache: bool = True) -> SaliencyModel:
    """The model of these settings; raises ModelUnavailable (logged once) when it cannot be loaded.

    ``cache=False`` loads a throwaway copy (the start-up check, which runs before Thumbor may fork).
    """
    check_model(settings)
    model = model_settings(settings)
    try:
        return get_model(model.path, model.threads) if cache else SaliencyModel(model.path, model.threads)
    except ModelError as error:
        raise model_failed(settings, error) from error
