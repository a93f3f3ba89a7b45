"""The fixed OSIE split, in one place so no step can train on validation images by accident.

All numbers reported in docs/model.md are measured on the validation images. They are the 100 OSIE
images with the highest ids (1601.jpg .. 1700.jpg); training may look at them only for early stopping.
"""
from __future__ import annotations

OSIE_VAL_IDS: frozenset[str] = frozenset(f"{i}.jpg" for i in range(1601, 1701))


def is_osie_val(name: str) -> bool:
    """True if ``name`` (an OSIE file name such as ``"1650.jpg"``) belongs to the validation split."""
    return name in OSIE_VAL_IDS
