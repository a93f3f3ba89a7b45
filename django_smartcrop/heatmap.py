"""The saliency heat map as a small PNG data URI, drawn from the stored grid alone.

No storage call and no image decode: the admin editor and templates lay it over the real image with CSS,
and the browser's smooth scaling makes a 64-px picture look like a full-size map.
"""

from __future__ import annotations

import base64
import io

from smartcrop_core.visualize import heatmap

from .state import CropState

#: Long side, in pixels, of the embedded heat map.
HEATMAP_LONG_SIDE = 96


def heatmap_data_uri(state: CropState | None) -> str | None:
    """``data:image/png;base64,...`` of the heat map, None without an analysis."""
    analysis = state.core_analysis() if state is not None else None
    if analysis is None:
        return None
    scale = HEATMAP_LONG_SIDE / max(analysis.width, analysis.height)
    size = (max(1, round(analysis.width * scale)), max(1, round(analysis.height * scale)))
    buffer = io.BytesIO()
    heatmap(analysis, size).save(buffer, "PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
