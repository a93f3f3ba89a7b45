"""The plugin against Thumbor's real PIL engine, without a server: orientation, the IOLoop, the cache."""

from __future__ import annotations

import pytest

pytest.importorskip("thumbor", reason="Thumbor is not installed (pip install .[thumbor])")

import asyncio
import io
from pathlib import Path

from PIL import Image, ImageFile
from thumbor.config import Config
from thumbor.context import Context, RequestParameters
from thumbor.engines.pil import Engine

import smartcrop_core
from thumbor_plugin import runner
from thumbor_plugin.config import Settings
from thumbor_plugin.pixels import engine_image

from testsupport.images import target_scene as scene


def sideways_jpeg(width: int = 800, height: int = 600) -> bytes:
    """An upright width x height picture stored rotated, with EXIF orientation 6."""
    exif = Image.Exif()
    exif[0x0112] = 6
    buffer = io.BytesIO()
    scene(width, height, 7).transpose(Image.Transpose.ROTATE_90).save(buffer, "JPEG", quality=90, exif=exif)
    return buffer.getvalue()


def make_context(url: str, **config: object) -> Context:
    context = Context(config=Config(**config))
    context.request = RequestParameters(image=url)
    return context


def loaded_engine(context: Context, data: bytes, extension: str = ".jpg") -> Engine:
    engine = Engine(context)
    engine.load(data, extension)
    return engine


def test_reoriented_engine_image_is_analysed_as_it_is(model_path: Path) -> None:
    engine = loaded_engine(make_context("rotated.jpg", RESPECT_ORIENTATION=True), sideways_jpeg())
    engine.reorientate()
    assert engine.size == (800, 600)
    # The trap: Pillow keeps orientation 6 in the rotated image's metadata, so the core would rotate again.
    assert engine.image.getexif().get(0x0112) == 6
    assert smartcrop_core.analyze(engine.image, model=str(model_path)).width == 600
    analysis = smartcrop_core.analyze(engine_image(engine), model=str(model_path))
    assert (analysis.width, analysis.height) == engine.size == (800, 600)


def test_without_respect_orientation_the_stored_pixels_are_analysed(model_path: Path) -> None:
    engine = loaded_engine(make_context("rotated.jpg", RESPECT_ORIENTATION=False), sideways_jpeg())
    analysis = smartcrop_core.analyze(engine_image(engine), model=str(model_path))
    assert (analysis.width, analysis.height) == engine.size == (600, 800)


def test_engine_image_turns_decoder_failures_into_image_error(monkeypatch: pytest.MonkeyPatch) -> None:
    # Thumbor's engine turns on ImageFile.LOAD_TRUNCATED_IMAGES; Pillow's default shows the failure path.
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", False)
    good = io.BytesIO()
    scene(400, 300, 8).save(good, "JPEG")
    data = good.getvalue()
    engine = loaded_engine(make_context("broken.jpg"), data[: len(data) * 2 // 3])  # header fine, data cut
    with pytest.raises(smartcrop_core.ImageError):
        engine_image(engine)


def test_inference_runs_off_the_event_loop_and_is_cached(model_path: Path) -> None:
    buffer = io.BytesIO()
    scene(2400, 1800, 9).save(buffer, "PNG")
    context = make_context("big.png", SMARTCROP_MODEL_PATH=str(model_path), SMARTCROP_CACHE_SIZE=8)
    engine = loaded_engine(context, buffer.getvalue(), ".png")
    settings = Settings.from_config(context.config)
    runner.clear_cache()

    async def measure() -> tuple[int, smartcrop_core.Analysis]:
        """How often the loop ran another task while the analysis was awaited (0 if it blocked the loop)."""
        ticks = 0
        analysing = True

        async def ticker() -> None:
            nonlocal ticks
            while analysing:
                await asyncio.sleep(0)
                ticks += 1

        task = asyncio.create_task(ticker())
        await asyncio.sleep(0)  # the ticker is running
        ticks = 0
        analysis = await runner.analysis_for(context, engine, settings)
        analysing = False
        counted = ticks
        await task
        return counted, analysis

    ticks, analysis = asyncio.run(measure())
    assert (analysis.width, analysis.height) == (2400, 1800)
    # Run on the loop, the model would let the ticker in at most once or twice (at the awaits around it);
    # in the pool the ticker spins all through the inference of a 4 MP image (thousands of ticks here).
    assert ticks >= 20, ticks

    context.request = RequestParameters(image="big.png")  # a new request for the same image and size
    assert asyncio.run(runner.analysis_for(context, engine, settings)) is analysis  # from the cache
    runner.clear_cache()
