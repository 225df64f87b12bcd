"""What a benchmark reads about a process and its descendants from /proc: CPU seconds, resident and
proportional memory. Shared by the benchmarks (``oidc_vs_peer`` re-exports the first two)."""

from __future__ import annotations

import os
import re
from pathlib import Path

__all__ = ["cpu_seconds", "largest_rss_mib", "pss_mib", "rss_mib", "tree"]


def tree(pid: int) -> list[int]:
    """``pid`` and its descendants (granian and node's cluster run workers as children)."""
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                queue += [int(c) for c in Path(f"/proc/{current}/task/{task}/children").read_text().split()]
        except FileNotFoundError:
            continue
    return found


def cpu_seconds(pid: int) -> float:
    total = 0
    for each in tree(pid):
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (proc(5))
    return total / os.sysconf("SC_CLK_TCK")


def _kib(pid: int, name: str, field: str) -> int:
    try:
        text = Path(f"/proc/{pid}/{name}").read_text()
    except FileNotFoundError:
        return 0
    match = re.search(rf"{field}:\s+(\d+) kB", text)
    return int(match.group(1)) if match else 0


def _summed(pid: int, name: str, field: str) -> float:
    return sum(_kib(each, name, field) for each in tree(pid)) / 1024


def largest_rss_mib(pid: int) -> float:
    """Resident memory of the largest process of the tree (a server's worker: budgets are per process)."""
    return max((_kib(each, "status", "VmRSS") for each in tree(pid)), default=0) / 1024


def rss_mib(pid: int) -> float:
    """Resident memory of the tree, summed: pages the processes share count once per process."""
    return _summed(pid, "status", "VmRSS")


def pss_mib(pid: int) -> float:
    """Proportional memory of the tree, summed: a shared page counts once in all (what the processes
    take from the machine together). Costlier to read than ``rss_mib`` (the kernel walks the pages)."""
    return _summed(pid, "smaps_rollup", "Pss")
