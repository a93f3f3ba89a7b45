"""The crop-fairness audit: Twitter's paired-image test and its "male gaze" check, as commands users run
on their own images before turning smartcrop on (``smartcrop audit pairs|focus``, docs/audit.md).

Modules, one job each: ``labels`` (the groups CSV), ``sources`` (bounded-memory decoding), ``pairs``
(drawing and joining pairs), ``outcomes`` (who a crop / the top point favours), ``stats`` (shares,
bootstrap intervals, parity difference), ``paired`` and ``focus`` (the two audits), ``faces`` (optional
OpenCV detector, user boxes), ``examples`` / ``plot`` / ``report`` (pictures, PNG plot, JSON + Markdown).
"""

from .labels import Labels, read_labels
from .pairs import Joined, draw_pairs, join
from .stats import Interval, ShareSummary, summarise_pairs

__all__ = ["Interval", "Joined", "Labels", "ShareSummary", "draw_pairs", "join", "read_labels", "summarise_pairs"]
