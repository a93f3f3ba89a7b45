"""The public entry points: analyze, saliency_map, crop."""

from __future__ import annotations

import operator
import os
from typing import Iterable, Optional, Sequence, Tuple

import numpy as np
from PIL import Image

from .analysis import Analysis, CropOptions, Strategy, symmetry_score, top_points, quantise, dequantise
from .errors import RatioError
from .loading import ImageSource, Source, flatten_alpha
from .model import SaliencyModel, get_model
from .ratios import DEFAULT_RATIOS, RatioLike, parse_ratio

#: Upper bound on a requested output side, so a URL or form cannot ask for a 100000-px render.
MAX_OUTPUT_SIDE = 10_000


def _model(model: "SaliencyModel | str | os.PathLike[str] | None", threads: int | None) -> SaliencyModel:
    return model if isinstance(model, SaliencyModel) else get_model(model, threads)


def _predict(source: Source, model: SaliencyModel) -> tuple[np.ndarray, np.ndarray, tuple[int, int]]:
    """Decode a small upright copy, run the model: (density grid, small RGB pixels, upright size)."""
    info = source.info()
    input_size = model.input_size(info.width, info.height)
    image = flatten_alpha(source.load(min_size=input_size))
    small = image.resize(input_size, Image.BILINEAR, reducing_gap=3.0)
    return model.predict(small), np.asarray(small), (info.width, info.height)


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
    strategy: Strategy = "mass",
    closeness: float = 0.0,
    min_mass: float = 0.9,
    top_k: int = 5,
    model: "SaliencyModel | str | os.PathLike[str] | None" = None,
    threads: int | None = None,
    max_pixels: int | None = None,
) -> Analysis:
    """Saliency grid, top points and one crop box per ratio for an image.

    Raises ImageError (or its subclass ImageTooLargeError) for inputs that are not usable images,
    ModelError when the model cannot be loaded, RatioError for a bad ratio.
    """
    options = CropOptions(strategy, closeness, min_mass)
    return _analyze(Source(image, max_pixels), list(ratios), options, _model(model, threads), top_k)


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
    strategy: Strategy = "mass",
    closeness: float = 0.0,
    min_mass: float = 0.9,
    model: "SaliencyModel | str | os.PathLike[str] | None" = None,
    threads: int | None = None,
    max_pixels: int | None = None,
) -> Image.Image:
    """The crop of ``image`` at ``ratio``, resized to ``width`` (or ``height``) when given.

    Pass a stored ``analysis`` to skip the model. A JPEG is decoded only as large as the output needs.
    """
    (result,) = crop_many(image, [(ratio, width, height)], analysis=analysis, strategy=strategy,
                          closeness=closeness, min_mass=min_mass, model=model, threads=threads,
                          max_pixels=max_pixels)
    return result


CropRequest = Tuple[RatioLike, Optional[int], Optional[int]]


def crop_many(
    image: ImageSource,
    requests: Sequence[CropRequest],
    *,
    analysis: Analysis | None = None,
    strategy: Strategy = "mass",
    closeness: float = 0.0,
    min_mass: float = 0.9,
    model: "SaliencyModel | str | os.PathLike[str] | None" = None,
    threads: int | None = None,
    max_pixels: int | None = None,
) -> list[Image.Image]:
    """Several crops of one image, each ``(ratio, width, height)``, decoding the image only once."""
    options = CropOptions(strategy, closeness, min_mass)
    # Every size is checked before anything is decoded or the model runs.
    out_sizes = [output_size(parse_ratio(ratio), width, height) for ratio, width, height in requests]
    source = Source(image, max_pixels)
    if analysis is None:
        analysis = _analyze(source, [r for r, _, _ in requests], options, _model(model, threads))
    plans = []
    needed = [1, 1]
    for (ratio, _, _), out_size in zip(requests, out_sizes):
        box = analysis.box(ratio, options)
        if out_size is None:
            needed = [analysis.width, analysis.height]
        else:  # the decode must give this box at least the output's pixels
            needed[0] = max(needed[0], -(-out_size[0] * analysis.width // box.width))
            needed[1] = max(needed[1], -(-out_size[1] * analysis.height // box.height))
        plans.append((box, out_size))
    full = source.load(min_size=(needed[0], needed[1]))
    scale_x, scale_y = full.width / analysis.width, full.height / analysis.height
    results = []
    for box, out_size in plans:
        if full.size != (analysis.width, analysis.height):
            box = box.scaled(scale_x, scale_y)
        result = full.crop(box.as_pil())
        if out_size is not None and result.size != out_size:
            result = result.resize(out_size, Image.LANCZOS, reducing_gap=3.0)
        results.append(result)
    return results


def output_size(ratio: float, width: int | None, height: int | None) -> tuple[int, int] | None:
    """(width, height) of the output for a requested width or height, keeping the ratio exactly.

    Both sides, the requested one and the computed one, must be within 1..MAX_OUTPUT_SIDE: a ratio of
    1:100 at width 10000 would otherwise ask for a 10000 x 1,000,000 render. RatioError otherwise.
    """
    size = exact_size(ratio, width, height)
    if size is not None and max(size) > MAX_OUTPUT_SIDE:
        raise RatioError(f"a {size[0]} x {size[1]} output is too large: each side must be within 1..{MAX_OUTPUT_SIDE}")
    return size


def exact_size(ratio: float, width: int | None, height: int | None) -> tuple[int, int] | None:
    """Like ``output_size`` but the computed side is not bounded: for callers that clamp it next."""
    if width is None and height is None:
        return None
    if width is not None:
        given = _side("width", width)
        return given, max(1, round(given / ratio))
    given = _side("height", height)
    return max(1, round(given * ratio)), given


def _side(name: str, value: object) -> int:
    """A requested side as a whole number of pixels within 1..MAX_OUTPUT_SIDE."""
    try:
        if isinstance(value, bool):
            raise TypeError(name)
        side = int(value) if isinstance(value, str) else operator.index(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise RatioError(f"{name} must be a whole number of pixels, got {value!r}"[:120]) from None
    if not 1 <= side <= MAX_OUTPUT_SIDE:
        raise RatioError(f"{name} must be within 1..{MAX_OUTPUT_SIDE}, got {side}")
    return side
