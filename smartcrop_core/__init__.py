"""smartcrop_core: crop images so that they keep what people look at.

    >>> import smartcrop_core
    >>> result = smartcrop_core.analyze("photo.jpg", ratios=["16:9", "1:1"])
    >>> result.boxes["16:9"]
    Box(left=312, top=0, width=2844, height=1600)
    >>> smartcrop_core.crop("photo.jpg", "16:9", width=800).save("photo-16x9.jpg")
"""

from .analysis import Analysis, CropOptions, Point
from .api import analyze, crop, crop_many, saliency_map
from .budget import DecodeBudget
from .errors import (DecodeBudgetError, FormatNotAllowedError, ImageError, ImageTooLargeError, ModelError, RatioError,
                     SmartCropError)
from .geometry import Box
from .model import SaliencyModel, get_model
from .ratios import DEFAULT_RATIOS, parse_ratio, ratio_label

__all__ = [
    "Analysis",
    "Box",
    "CropOptions",
    "DEFAULT_RATIOS",
    "DecodeBudget",
    "DecodeBudgetError",
    "FormatNotAllowedError",
    "ImageError",
    "ImageTooLargeError",
    "ModelError",
    "Point",
    "RatioError",
    "SaliencyModel",
    "SmartCropError",
    "analyze",
    "crop",
    "crop_many",
    "get_model",
    "parse_ratio",
    "ratio_label",
    "saliency_map",
]
__version__ = "0.1.0"
