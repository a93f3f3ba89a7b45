"""Crop deciders that ask a live Thumbor 7.8: real ``/smart/`` URLs, the window read from ``/meta/``.

For benchmarks/crop_quality.py: one ``python -m thumbor.server`` on 127.0.0.1 per detector set (the
test suite's server from testsupport/thumbor_server.py, file loader rooted at the images' folder, no
result storage), each asked ``/unsafe/meta/WxH/smart/<image>`` with W:H exactly the ratio. The box is
Thumbor's crop operation in the source image's pixels (no crop: the image already has the ratio).
``thumbor_deciders`` starts the servers and stops them on exit.
"""

from __future__ import annotations

import sys
import tempfile
from contextlib import ExitStack, contextmanager
from fractions import Fraction
from pathlib import Path
from typing import Callable, Iterator

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from PIL import Image  # noqa: E402

from smartcrop_core import parse_ratio  # noqa: E402

Box = tuple[int, int, int, int]
Decider = Callable[..., dict[str, Box]]

#: Display name -> DETECTORS of that server.
SERVERS = {
    "Thumbor /smart/ with smartcrop's detector": ["thumbor_plugin.detector"],
    "Thumbor /smart/ with its face + feature detectors": ["thumbor.detectors.face_detector",
                                                           "thumbor.detectors.feature_detector"],
}


def url_size(ratio: str, long_side: int = 420) -> tuple[int, int]:
    """A W x H request of exactly this ratio (W:H in lowest terms, scaled to about ``long_side``)."""
    fraction = Fraction(parse_ratio(ratio)).limit_denominator(100)
    a, b = fraction.numerator, fraction.denominator
    scale = max(1, long_side // max(a, b))
    return a * scale, b * scale


def decider(server, folder: Path) -> Decider:
    def decide(path: str, ratios: list[str], threads: int = 1) -> dict[str, Box]:
        image = Path(path)
        if image.parent != folder:
            raise ValueError(f"{image} is not in the served folder {folder}")
        boxes = {}
        for ratio in ratios:
            width, height = url_size(ratio)
            answer = server.get(f"/unsafe/meta/{width}x{height}/smart/{image.name}")
            if answer.status != 200:
                raise RuntimeError(f"Thumbor answered {answer.status} for {image.name} at {ratio}")
            meta = answer.json()["thumbor"]
            crops = [op for op in meta["operations"] if op["type"] == "crop"]
            if crops:
                crop = crops[0]
                boxes[ratio] = (crop["left"], crop["top"], crop["right"] - crop["left"], crop["bottom"] - crop["top"])
            else:  # the source already has the ratio: the whole image
                with Image.open(image) as source:
                    boxes[ratio] = (0, 0, *source.size)
        return boxes

    return decide


@contextmanager
def thumbor_deciders(images: Path) -> Iterator[dict[str, Decider]]:
    """One live Thumbor per entry of SERVERS whose detectors can run here, as deciders."""
    from testsupport.thumbor_server import model_file, running_thumbor, server_conf

    deciders: dict[str, Decider] = {}
    with ExitStack() as stack:
        for name, detectors in SERVERS.items():
            if "face_detector" in detectors[0] and not _has_haar():
                print(f"skipped: {name} (needs opencv-python-headless < 5)", file=sys.stderr)
                continue
            root = Path(stack.enter_context(tempfile.TemporaryDirectory()))
            conf = server_conf(root, images) + f"DETECTORS = {detectors!r}\nRESULT_STORAGE = None\n"
            server = stack.enter_context(running_thumbor(conf, root, model_file()))
            deciders[name] = decider(server, images)
        yield deciders


def _has_haar() -> bool:
    try:
        import cv2
    except ImportError:
        return False
    return hasattr(cv2, "CascadeClassifier")
