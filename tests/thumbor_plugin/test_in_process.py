"""The detector inside Thumbor's own test harness (``thumbor.testing.TestCase``: the real Tornado app,
importer, loader, file storage and PIL engine in this process), so the test can change the live
config between requests: after the first request the model path is broken, and every later size of
the image must still get its exact box, cut from detector storage without any model.
"""

from __future__ import annotations

import pytest

pytest.importorskip("thumbor", reason="Thumbor is not installed (pip install .[thumbor])")
pytest.importorskip("ssim", reason="pyssim is not installed (thumbor.testing needs it: pip install .[test])")

import json
import shutil
import tempfile
from pathlib import Path

from thumbor.config import Config
from thumbor.testing import TestCase
from tornado.testing import gen_test

from thumbor_plugin import runner

from testsupport.images import target_scene as scene
from testsupport.thumbor_server import as_box, crop_operation, model_file, smartcrop_operation, upright_analysis


class SmartCropInThumborsHarness(TestCase):
    def setUp(self) -> None:
        if not model_file().is_file():
            pytest.skip(f"saliency model not found at {model_file()}")
        self.folder = Path(tempfile.mkdtemp(prefix="smartcrop-harness-"))
        (self.folder / "images").mkdir()
        scene(1000, 600, 41, spot=(0.85, 0.7)).save(self.folder / "images" / "photo.png")
        runner.clear_cache()
        super().setUp()

    def tearDown(self) -> None:
        super().tearDown()
        runner.clear_cache()
        shutil.rmtree(self.folder, ignore_errors=True)

    def get_config(self) -> Config:
        return Config(
            LOADER="thumbor.loaders.file_loader",
            FILE_LOADER_ROOT_PATH=str(self.folder / "images"),
            STORAGE="thumbor.storages.file_storage",
            FILE_STORAGE_ROOT_PATH=str(self.folder / "storage"),
            RESULT_STORAGE=None,
            ALLOW_UNSAFE_URL=True,
            RESPECT_ORIENTATION=True,
            DETECTORS=["thumbor_plugin.detector"],
            SMARTCROP_MODEL_PATH=str(model_file()),
            SMARTCROP_THREADS=1,
        )

    async def meta(self, path: str) -> dict:
        response = await self.async_fetch(f"/unsafe/meta/{path}")
        assert response.code == 200, response.body[:300]
        return json.loads(response.body)

    @gen_test(timeout=120)
    async def test_later_sizes_need_no_model(self) -> None:
        analysis = upright_analysis(self.folder / "images" / "photo.png", model_file())
        first = await self.meta("300x200/smart/photo.png")
        assert as_box(crop_operation(first)) == analysis.box("3:2").as_pil()
        assert smartcrop_operation(first)["origin"] == "detected now"

        runner.clear_cache()  # nothing in memory either: only detector storage is left
        self.config.SMARTCROP_MODEL_PATH = str(self.folder / "gone.onnx")
        for size, ratio in [("420x180", "7:3"), ("200x300", "2:3"), ("250x200", "5:4"), ("320x180", "16:9")]:
            later = await self.meta(f"{size}/smart/photo.png")
            assert as_box(crop_operation(later)) == analysis.box(ratio).as_pil()
            assert smartcrop_operation(later)["origin"] == "detector storage (thumbor detector)"

    @gen_test(timeout=120)
    async def test_manual_crop_and_fit_in_keep_thumbors_behaviour(self) -> None:
        manual = await self.meta("10x20:610x420/300x200/smart/photo.png")
        assert as_box(crop_operation(manual)) == (10, 20, 610, 420)  # the manual crop, no second cut
        assert not [op for op in manual["thumbor"]["operations"] if op["type"] == "smartcrop"]
        fit = await self.meta("fit-in/300x300/smart/photo.png")
        assert not [op for op in fit["thumbor"]["operations"] if op["type"] in ("crop", "smartcrop")]
