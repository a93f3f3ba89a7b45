"""Peak memory of a process, read from /proc (Linux).

Why not ``resource.getrusage(...).ru_maxrss``: Linux carries it over from the parent through fork and
exec, so a checker started by a big pytest process reports pytest's peak, not its own. ``VmHWM`` belongs
to the process's own address space and starts fresh at exec.
"""

from __future__ import annotations

from pathlib import Path


def vm_status(pid: int | str = "self") -> dict[str, float]:
    """VmHWM (peak RSS) and VmRSS of a process, in MB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmHWM", "VmRSS"):
            values[key] = round(int(rest.split()[0]) / 1024, 1)
    return values


def peak_rss_mb(pid: int | str = "self") -> float:
    """The process's peak resident set so far, in MB."""
    return vm_status(pid)["VmHWM"]
