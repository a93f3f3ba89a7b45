"""Log a message once per process and key: a misconfigured server says so once, not on every request."""

from __future__ import annotations

import logging
import threading

_seen: set[str] = set()
_lock = threading.Lock()


def log_once(logger: logging.Logger, key: str, level: int, message: str) -> bool:
    """Log ``message`` at ``level`` the first time ``key`` is seen in this process; True when it was."""
    with _lock:
        first = key not in _seen
        _seen.add(key)
    if first:
        logger.log(level, "%s", message)
    return first
