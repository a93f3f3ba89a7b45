"""Which focal points make Thumbor's own crop land where smartcrop would crop.

``/smart/`` requests get smartcrop's exact box from the hook (crop_hook.py); these points are what
/meta/ shows and what Thumbor's own centroid crop uses wherever that hook cannot run (a Thumbor with
other internals, a ratio out of range, a remotecv worker that stored points only).

Thumbor stores one list of focal points per source image and, for every size requested, centres the
largest window of the target ratio on their weighted centroid (``Transformer.auto_crop`` with
``get_center_of_mass``), then clamps it into the image. Only the centroid matters, and only one of its
coordinates per request: a ratio narrower than the image fixes the window's height and slides it
horizontally (only x matters), a wider ratio slides it vertically (only y matters).

So the points are chosen for their centroid, not for display:
- X = the mean of the horizontal centres of smartcrop's boxes for the configured ratios narrower than
  the image; Y = the mean of the vertical centres of the boxes for the wider ones;
- one point per configured ratio, at (its box centre, Y) for a narrower ratio and (X, its box centre)
  for a wider one, all of weight 1; their centroid is exactly (X, Y).
When only one configured ratio constrains an axis (e.g. 16:9 on a 4:3 photo), Thumbor's window for that
ratio is smartcrop's box to within a pixel of rounding. When several do, each is a compromise between
them.
When no configured ratio constrains an axis, the box for half (or twice) the image's ratio stands in.

This reproduces the mass window far better than the saliency centroid or the top point would (see the
design notes: centroid placement keeps 92.5% of the oracle's fixations, the mass window 96.8%). A flat
image still yields points (its boxes are centred), so a Thumbor that stores them never re-runs detection.
"""

from __future__ import annotations

from dataclasses import dataclass

from smartcrop_core import MAX_RATIO, MIN_RATIO, Analysis, CropOptions, RatioLike, parse_ratio

#: Ratios within this relative distance of the image's own ratio constrain neither axis.
_SAME_RATIO = 0.01
#: Integer weight of every point: Thumbor's detector storage keeps weights as int (``int(z)``).
WEIGHT = 1


@dataclass(frozen=True)
class Focus:
    """One focal point in image pixels (integers, as Thumbor stores them) and a label for meta output."""

    x: int
    y: int
    weight: int
    origin: str


def focus_points(analysis: Analysis, ratios: "tuple[str, ...] | list[str]", options: CropOptions | None = None) -> list[Focus]:
    """The focal points for an analysed image; never empty."""
    width, height = analysis.width, analysis.height
    image_ratio = width / height
    # (label, ratio): a configured ratio is passed on as its label, so Analysis.box reuses the box the
    # analysis already holds for it (a float would miss that lookup and place the window again).
    narrower: list[tuple[str, RatioLike]] = []
    wider: list[tuple[str, RatioLike]] = []
    for label in ratios:
        value = parse_ratio(label)
        if value < image_ratio * (1 - _SAME_RATIO):
            narrower.append((label, label))
        elif value > image_ratio * (1 + _SAME_RATIO):
            wider.append((label, label))
    if not narrower:
        half = max(image_ratio / 2, MIN_RATIO)
        narrower.append((f"{half:.4g}", half))
    if not wider:
        double = min(image_ratio * 2, MAX_RATIO)
        wider.append((f"{double:.4g}", double))

    x_centres = [(label, _centre(analysis, value, options)[0]) for label, value in narrower]
    y_centres = [(label, _centre(analysis, value, options)[1]) for label, value in wider]
    mean_x = sum(x for _, x in x_centres) / len(x_centres)
    mean_y = sum(y for _, y in y_centres) / len(y_centres)
    points = [Focus(_clamp(x, width), _clamp(mean_y, height), WEIGHT, f"smartcrop {label}") for label, x in x_centres]
    points += [Focus(_clamp(mean_x, width), _clamp(y, height), WEIGHT, f"smartcrop {label}") for label, y in y_centres]
    return points


def _centre(analysis: Analysis, ratio: RatioLike, options: CropOptions | None) -> tuple[float, float]:
    box = analysis.box(ratio, options)
    return box.left + box.width / 2, box.top + box.height / 2


def _clamp(value: float, limit: int) -> int:
    """Nearest pixel inside the image (Thumbor would truncate a float)."""
    return min(max(int(round(value)), 0), max(limit - 1, 0))
