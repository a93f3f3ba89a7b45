"""One analysis per source image, kept in a Django cache, so the model runs at most once per source.

The key is the file name plus a hash of its bytes (sorl-thumbnail keys its dimension cache the same
way), so a replaced file under the same name is analysed again. When a library hands over only pixels,
the key is a hash of those pixels. The cache alias is ``SMARTCROP_INTEGRATIONS_CACHE`` ("default").
"""

from __future__ import annotations

import hashlib
from typing import Callable, Sequence

from django.conf import settings
from django.core.cache import caches
from PIL import Image

from smartcrop_core import Analysis, analyze_as_given, fit

#: The ``Image.info`` entry where a library's loader leaves the source key for the crop step to find.
SOURCE_KEY = "smartcrop.source_key"
_PREFIX = "smartcrop:analysis:"


def source_key(name: str, data: bytes) -> str:
    """The cache key of a source file: its name and the hash of its content."""
    return named_key(name, hashlib.sha256(data).hexdigest())


def named_key(name: str, digest: str) -> str:
    """The cache key of a file whose content hash is already known (Wagtail stores one per image)."""
    return hashlib.sha256(f"{name}\0{digest}".encode("utf-8", "surrogateescape")).hexdigest()


def pixels_key(image: Image.Image) -> str:
    """The cache key of decoded pixels, for libraries that never tell which file they came from."""
    digest = hashlib.sha256(f"{image.mode}{image.size}".encode())
    digest.update(image.tobytes())
    return digest.hexdigest()


def cached_analysis(key: str, compute: Callable[[], Analysis]) -> Analysis:
    """The analysis stored under ``key``, else ``compute()`` (the one model run) stored there."""
    cache = caches[getattr(settings, "SMARTCROP_INTEGRATIONS_CACHE", "default")]
    text = cache.get(_PREFIX + key)
    if text is not None:
        return Analysis.from_json(text)
    analysis = compute()
    cache.set(_PREFIX + key, analysis.to_json(), None)
    return analysis


def analysis_for(image: Image.Image, key: str | None = None) -> Analysis:
    """The stored analysis of this source, else the model run once on ``image`` and the result stored."""
    return cached_analysis(key or image.info.get(SOURCE_KEY) or pixels_key(image), lambda: analyze_as_given(image))


def saliency_fit(image: Image.Image, size: Sequence[int], key: str | None = None,
                 analysis: Analysis | None = None) -> Image.Image:
    """``image`` cut to exactly ``size`` around what people look at (Lanczos, like the libraries)."""
    analysis = analysis or analysis_for(image, key)
    return fit(image, size, Image.Resampling.LANCZOS, analysis=analysis)
