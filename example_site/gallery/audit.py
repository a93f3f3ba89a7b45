"""The crop audit of the gallery's own photos: ``smartcrop audit focus`` on the uploads folder.

Does the saliency peak on faces, or elsewhere on the person (Twitter's "male gaze" check)? With the
``audit`` extra (OpenCV) faces are detected; without it the report says where the top points lie and
leaves example pictures to review by hand. The report is written into the media folder, where the page
links it; a run over the example's 50 photos at most takes seconds.
"""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from smartcrop_audit.cli import main as audit_main

from .models import Photo

#: Folders inside MEDIA_ROOT: where the uploads are, and where the report goes.
UPLOADS = Photo._meta.get_field("image").upload_to
REPORT = "audit"


@dataclass(frozen=True)
class AuditSummary:
    analysed: int
    with_face: int
    faces_source: str | None  # None when no faces were looked for
    shares: dict[str, dict]  # "face"/"body"/"elsewhere" -> {"label", "share", "ci", "count"}
    upper_third: float

    @property
    def upper_third_text(self) -> str:
        return f"{self.upper_third:.0%}"

    @property
    def report_url(self) -> str:
        return f"{settings.MEDIA_URL}{REPORT}/report.md"

    @property
    def picture_url(self) -> str:
        return f"{settings.MEDIA_URL}{REPORT}/report.png"

    @property
    def lines(self) -> list[str]:
        """One line per share, e.g. "top salient point on a face: 75% (95% CI 25% to 100%)"."""
        return [f"{item['label']}: {item['share']:.0%} (95% CI {item['ci'][0]:.0%} to {item['ci'][1]:.0%})"
                for item in self.shares.values()]


def faces_available() -> bool:
    return importlib.util.find_spec("cv2") is not None


def run() -> int:
    """Audit the uploads folder into MEDIA_ROOT/audit; the audit command's exit code (0 = report written)."""
    media = Path(settings.MEDIA_ROOT)
    arguments = ["focus", "--images", str(media / UPLOADS), "--out", str(media / REPORT), "--threads", "1", "-q"]
    return audit_main(arguments + (["--faces"] if faces_available() else []))


def latest() -> AuditSummary | None:
    """The last report's headline numbers, None before the first run."""
    path = Path(settings.MEDIA_ROOT) / REPORT / "report.json"
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    images = report.get("images", {})
    return AuditSummary(analysed=int(images.get("analysed", 0)), with_face=int(images.get("with_face", 0)),
                        faces_source=_faces_source(report.get("faces_source")), shares=report.get("shares") or {},
                        upper_third=float(report.get("vertical_position", {}).get("upper", 0.0)))


def _faces_source(value: object) -> str | None:
    """The face detector's name; None when the audit looked for no faces (it says "nowhere (...)")."""
    text = str(value or "")
    return None if not text or text.startswith("nowhere") else text
