"""remotecv worker side: ``remotecv --loader thumbor_plugin.remotecv_loader --store thumbor_plugin.remotecv_store``.

remotecv's own Redis result store keeps only the four numbers of each box it is handed, so the analysis
smartcrop's worker detector attaches to its first box (a fifth element, see remotecv_loader.py) would
be lost. This store is remotecv's Redis store with one difference: that fifth element (a dict) is merged
into the stored point, which gives exactly the entry Thumbor's side reads (stored.py), under the key
Thumbor's queued detector asked for. Boxes of other detection types have no fifth element and are
stored as remotecv stores them. Imports no Thumbor.
"""

from __future__ import annotations

import json
from typing import Any, Sequence

from remotecv.result_store.redis_store import ResultStore as RedisResultStore


class ResultStore(RedisResultStore):
    def serialize(self, points: Sequence[Sequence[Any]]) -> str:
        stored = json.loads(super().serialize([point[:4] for point in points]))
        for entry, point in zip(stored, points):
            if len(point) > 4 and isinstance(point[4], dict):
                entry.update(point[4])
        return json.dumps(stored)
