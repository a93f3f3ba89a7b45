"""The saliency model: an ONNX file run with onnxruntime, loaded once per process, lazily.

The model contract (see docs/model.md): input ``image`` float32 [1, 3, H, W], RGB 0..255, H and W
multiples of 32; output ``log_saliency`` float32 [1, 1, H/8, W/8], a log-density. Metadata keys
``smartcrop.name``, ``smartcrop.version``, ``smartcrop.input_long_side``, ``smartcrop.stride``.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
from PIL import Image

from .errors import ModelError, one_line

DEFAULT_MODEL_PATH = Path(__file__).with_name("models") / "saliency.onnx"
#: What a library user changes when the model cannot be used.
MODEL_HINT = "set SMARTCROP_MODEL or pass model="
_MULTIPLE = 32

ModelOrigin = Literal["argument", "environment", "shipped"]


def model_input_size(width: int, height: int, long_side: int) -> tuple[int, int]:
    """The (width, height) a model with that long side sees: the short side keeps the aspect, rounded to a
    multiple of 32 (the network's stride); 800x600 -> 256x192 at 256."""
    short = max(_MULTIPLE, round(long_side * min(width, height) / max(width, height) / _MULTIPLE) * _MULTIPLE)
    return (long_side, short) if width >= height else (short, long_side)


@dataclass(frozen=True)
class ModelSettings:
    """The model in force: its file, where that choice came from, and the thread count.

    ``origin`` is "argument" (a path passed in, e.g. an adapter's own setting), "environment"
    ($SMARTCROP_MODEL) or "shipped" (the file in this package), so that an adapter can tell the operator
    which knob to turn without repeating the lookup order.
    """

    path: Path
    origin: ModelOrigin
    threads: int


def resolve_model(path: "str | os.PathLike[str] | None" = None, threads: "int | str | None" = None) -> ModelSettings:
    """The one lookup order: ``path``, else $SMARTCROP_MODEL, else the shipped model; ``threads``, else
    $SMARTCROP_THREADS, else 1 (servers run many requests at once; one thread each scales best).

    Raises ModelError for a thread count that is not a whole number >= 1.
    """
    from_env = os.environ.get("SMARTCROP_MODEL")
    if path:
        chosen, origin = Path(path), "argument"
    elif from_env:
        chosen, origin = Path(from_env), "environment"
    else:
        chosen, origin = DEFAULT_MODEL_PATH, "shipped"
    raw = threads or os.environ.get("SMARTCROP_THREADS") or 1  # 0 and "" mean "the default", as before
    try:
        count = int(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        count = 0
    if count < 1 or isinstance(raw, bool):
        raise ModelError(f"the model thread count must be a whole number >= 1, got {raw!r}",
                         hint="set SMARTCROP_THREADS or pass threads=")
    return ModelSettings(chosen, origin, count)  # type: ignore[arg-type]


class SaliencyModel:
    """One onnxruntime session; ``predict`` is thread-safe (onnxruntime sessions are)."""

    def __init__(self, path: str | os.PathLike[str], threads: int = 1) -> None:
        import onnxruntime  # imported here so that importing smartcrop_core stays cheap

        self.path = Path(path)
        if not self.path.is_file():
            raise ModelError(f"saliency model not found at {self.path}", path=self.path, hint=MODEL_HINT)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = max(1, int(threads))
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        try:
            self.session = onnxruntime.InferenceSession(
                str(self.path), sess_options=options, providers=["CPUExecutionProvider"]
            )
            metadata = self.session.get_modelmeta().custom_metadata_map
            self.name = metadata.get("smartcrop.name", self.path.stem)
            self.version = metadata.get("smartcrop.version", "0")
            self.input_long_side = int(metadata.get("smartcrop.input_long_side", "256"))
            self.stride = int(metadata.get("smartcrop.stride", "8"))
            self.input_name = self.session.get_inputs()[0].name
        except Exception as error:
            raise ModelError(f"cannot load saliency model {self.path}: {one_line(error)}", path=self.path,
                             hint=MODEL_HINT) from error

    @property
    def label(self) -> str:
        """"name@version", stored with every analysis so stale results can be found."""
        return f"{self.name}@{self.version}"

    def input_size(self, width: int, height: int) -> tuple[int, int]:
        """The (width, height) this model sees for an upright image of ``width`` x ``height``."""
        return model_input_size(width, height, self.input_long_side)

    def predict(self, image: Image.Image) -> np.ndarray:
        """A density grid (sums to 1) for an RGB image already resized to ``input_size``."""
        pixels = np.asarray(image, dtype=np.float32).transpose(2, 0, 1)[None]
        try:
            (log_density,) = self.session.run(None, {self.input_name: np.ascontiguousarray(pixels)})
        except Exception as error:
            raise ModelError(f"saliency model {self.path} failed: {one_line(error)}", path=self.path) from error
        log_density = log_density[0, 0].astype(np.float64)
        if not np.all(np.isfinite(log_density)):
            raise ModelError(f"saliency model {self.path} returned non-finite values", path=self.path)
        density = np.exp(log_density - log_density.max())
        return (density / density.sum()).astype(np.float32)


_cache: dict[tuple[str, int], SaliencyModel] = {}
_lock = threading.Lock()


def get_model(path: str | os.PathLike[str] | None = None, threads: int | None = None) -> SaliencyModel:
    """The shared model for this path and thread count, loaded on first use (defaults: ``resolve_model``)."""
    settings = resolve_model(path, threads)
    resolved, count = str(settings.path), settings.threads
    key = (resolved, count)
    model = _cache.get(key)
    if model is None:
        with _lock:
            model = _cache.get(key)
            if model is None:
                model = _cache[key] = SaliencyModel(resolved, count)
    return model
