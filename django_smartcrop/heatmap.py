"""The saliency heat map as a small PNG data URI, drawn from the stored grid alone.

No storage call and no image decode: the admin editor and templates lay it over the real image with CSS,
and the browser's smooth scaling makes a 96-px picture look like a full-size map. The PNG has an alpha
channel that follows the saliency, so the hot regions are strongly coloured while the rest of the photo
stays visible underneath (a plain RGB map blended at half opacity was barely visible).
"""

from __future__ import annotations

import base64
import io

import numpy as np
from PIL import Image
from smartcrop_core import colourise

from .state import CropState

#: Long side, in pixels, of the embedded heat map.
HEATMAP_LONG_SIDE = 96
#: Opacity of the hottest point (0..255), and how fast weaker saliency fades (<1 keeps more of it).
PEAK_ALPHA, ALPHA_GAMMA = 235, 0.4


def heatmap_data_uri(state: CropState | None) -> str | None:
    """``data:image/png;base64,...`` of the heat map (RGBA), None without an analysis."""
    analysis = state.core_analysis() if state is not None else None
    if analysis is None:
        return None
    scale = HEATMAP_LONG_SIDE / max(analysis.width, analysis.height)
    size = (max(1, round(analysis.width * scale)), max(1, round(analysis.height * scale)))
    grid = analysis.grid / max(float(analysis.grid.max()), 1e-12)
    grid = np.asarray(Image.fromarray(grid.astype(np.float32)).resize(size, Image.BILINEAR))
    alpha = (PEAK_ALPHA * np.clip(grid, 0.0, 1.0) ** ALPHA_GAMMA).astype(np.uint8)
    rgba = np.dstack([colourise(0.35 + 0.65 * grid), alpha])  # skip the ramp's near-black start
    buffer = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(buffer, "PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
