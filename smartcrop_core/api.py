"""The public entry points: analyze, saliency_map, crop, crop_many.

How a window is placed is one ``CropOptions`` value (``options=``, default ``CropOptions()``): one
argument rather than the same three keywords on every function, so an adapter passes its settings
through as they are.
"""

from __future__ import annotations

import os
from typing import Iterable, Optional, Sequence, Tuple

import numpy as np
from PIL import Image

from .analysis import Analysis, CropOptions, symmetry_score, top_points, quantise, dequantise
from .cutting import cut
from .loading import ImageSource, Source, flatten_alpha
from .model import SaliencyModel, get_model, model_input_size
from .ratios import DEFAULT_RATIOS, RatioLike, parse_ratio
from .sizes import MAX_OUTPUT_SIDE, exact_size, output_size  # noqa: F401  (re-exported: api.output_size)


def _model(model: "SaliencyModel | str | os.PathLike[str] | None", threads: int | None) -> SaliencyModel:
    return model if isinstance(model, SaliencyModel) else get_model(model, threads)


def _predict(source: Source, model: SaliencyModel) -> tuple[np.ndarray, np.ndarray, tuple[int, int]]:
    """Decode a small upright copy, run the model: (density grid, small RGB pixels, upright size)."""
    info = source.info()
    small = _resized(source, model.input_size(info.width, info.height))
    return model.predict(small), np.asarray(small), (info.width, info.height)


def _resized(source: Source, size: tuple[int, int]) -> Image.Image:
    """The upright RGB copy at ``size`` that the model is fed (transparency flattened onto white)."""
    image = flatten_alpha(source.load(min_size=size))
    return image.resize(size, Image.BILINEAR, reducing_gap=3.0)


def model_input(image: ImageSource, long_side: int, *, max_pixels: int | None = None) -> tuple[np.ndarray, tuple[int, int]]:
    """The pixels a model with that input long side sees, as ``analyze`` prepares them: (uint8 HxWx3 RGB,
    upright (width, height) of the image). Training reads its images through this, so train and run time
    agree by construction."""
    source = Source(image, max_pixels)
    info = source.info()
    small = _resized(source, model_input_size(info.width, info.height, long_side))
    return np.asarray(small), (info.width, info.height)


def saliency_map(
    image: ImageSource,
    *,
    model: "SaliencyModel | str | os.PathLike[str] | None" = None,
    threads: int | None = None,
    max_pixels: int | None = None,
) -> np.ndarray:
    """A 2-D float32 map over the whole upright image, higher = more salient (a density: sums to 1).

    It is coarse (1/8 of the model's input); callers resize it to the size they need.
    """
    grid, _, _ = _predict(Source(image, max_pixels), _model(model, threads))
    return grid


def analyze(
    image: ImageSource,
    ratios: Iterable[RatioLike] = DEFAULT_RATIOS,
    *,
    options: CropOptions | None = None,
    top_k: int = 5,
    model: "SaliencyModel | str | os.PathLike[str] | None" = None,
    threads: int | None = None,
    max_pixels: int | None = None,
) -> Analysis:
    """Saliency grid, top points and one crop box per ratio for an image.

    Raises ImageError (or its subclass ImageTooLargeError) for inputs that are not usable images,
    ModelError when the model cannot be loaded, RatioError for a bad ratio.
    """
    return _analyze(Source(image, max_pixels), list(ratios), options or CropOptions(), _model(model, threads), top_k)


def _analyze(source: Source, ratios: list[RatioLike], options: CropOptions, model: SaliencyModel, top_k: int = 5) -> Analysis:
    for ratio in ratios:
        parse_ratio(ratio)
    grid, pixels, (width, height) = _predict(source, model)
    stored_grid = dequantise(quantise(grid))
    analysis = Analysis(
        width=width,
        height=height,
        grid=stored_grid,
        points=top_points(stored_grid, top_k),
        symmetry=symmetry_score(pixels),
        model=model.label,
        options=options,
    )
    return analysis.with_boxes(ratios, options)


def crop(
    image: ImageSource,
    ratio: RatioLike,
    width: int | None = None,
    height: int | None = None,
    *,
    analysis: Analysis | None = None,
    options: CropOptions | None = None,
    model: "SaliencyModel | str | os.PathLike[str] | None" = None,
    threads: int | None = None,
    max_pixels: int | None = None,
) -> Image.Image:
    """The crop of ``image`` at ``ratio``, resized to ``width`` (or ``height``) when given.

    Pass a stored ``analysis`` to skip the model. A JPEG is decoded only as large as the output needs.
    """
    (result,) = crop_many(image, [(ratio, width, height)], analysis=analysis,
                          options=options, model=model,
                          threads=threads, max_pixels=max_pixels)
    return result


CropRequest = Tuple[RatioLike, Optional[int], Optional[int]]


def crop_many(
    image: ImageSource,
    requests: Sequence[CropRequest],
    *,
    analysis: Analysis | None = None,
    options: CropOptions | None = None,
    model: "SaliencyModel | str | os.PathLike[str] | None" = None,
    threads: int | None = None,
    max_pixels: int | None = None,
) -> list[Image.Image]:
    """Several crops of one image, each ``(ratio, width, height)``, decoding the image only once."""
    chosen = options or CropOptions()
    # Every size is checked before anything is decoded or the model runs.
    out_sizes = [output_size(parse_ratio(ratio), width, height) for ratio, width, height in requests]
    source = Source(image, max_pixels)
    if analysis is None:
        analysis = _analyze(source, [r for r, _, _ in requests], chosen, _model(model, threads))
    plans = [(analysis.box(ratio, chosen), out_size) for (ratio, _, _), out_size in zip(requests, out_sizes)]
    return cut(source, (analysis.width, analysis.height), plans)
