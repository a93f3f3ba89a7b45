"""smartcrop_core: crop images so that they keep what people look at.

    >>> import smartcrop_core
    >>> result = smartcrop_core.analyze("photo.jpg", ratios=["16:9", "1:1"])
    >>> result.boxes["16:9"]
    Box(left=312, top=0, width=2844, height=1600)
    >>> smartcrop_core.crop("photo.jpg", "16:9", width=800).save("photo-16x9.jpg")

Everything in ``__all__`` is public and kept stable; the adapters (Thumbor, Django and the
integrations) use only these names.
"""

from .analysis import Analysis, CropOptions, Point, Strategy
from .api import analyze, crop, crop_many, model_input, saliency_map
from .budget import DecodeBudget
from .cutting import crop_box
from .errors import (DecodeBudgetError, FormatNotAllowedError, ImageError, ImageTooLargeError, ModelError, RatioError,
                     SmartCropError, one_line)
from .files import create_temporary, find_images, save_atomically
from .geometry import Box, fit_box, largest_centred_box, largest_size, window_masses
from .loading import ImageSource, Source, SourceInfo, flatten_alpha, max_pixels_setting
from .model import DEFAULT_MODEL_PATH, MODEL_HINT, ModelSettings, SaliencyModel, get_model, model_input_size, resolve_model
from .modes import reduce_in_bands
from .pillow_fit import analyze_as_given, fit
from .ratios import DEFAULT_RATIOS, MAX_RATIO, MIN_RATIO, RatioLike, parse_ratio, ratio_label
from .sizes import MAX_OUTPUT_SIDE, check_image_size, exact_size, output_size
from .visualize import BOX_COLOURS, colourise, heatmap, overlay

__all__ = [
    "Analysis",
    "Box",
    "BOX_COLOURS",
    "CropOptions",
    "DecodeBudget",
    "DecodeBudgetError",
    "DEFAULT_MODEL_PATH",
    "DEFAULT_RATIOS",
    "FormatNotAllowedError",
    "ImageError",
    "ImageSource",
    "ImageTooLargeError",
    "MAX_OUTPUT_SIDE",
    "MAX_RATIO",
    "MIN_RATIO",
    "MODEL_HINT",
    "ModelError",
    "ModelSettings",
    "Point",
    "RatioError",
    "RatioLike",
    "SaliencyModel",
    "SmartCropError",
    "Source",
    "SourceInfo",
    "Strategy",
    "analyze",
    "analyze_as_given",
    "check_image_size",
    "colourise",
    "create_temporary",
    "crop",
    "crop_box",
    "crop_many",
    "exact_size",
    "find_images",
    "fit",
    "fit_box",
    "flatten_alpha",
    "get_model",
    "heatmap",
    "largest_centred_box",
    "largest_size",
    "max_pixels_setting",
    "model_input",
    "model_input_size",
    "one_line",
    "output_size",
    "overlay",
    "parse_ratio",
    "ratio_label",
    "reduce_in_bands",
    "resolve_model",
    "saliency_map",
    "save_atomically",
    "window_masses",
]
__version__ = "0.1.0"
