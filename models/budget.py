"""One time limit for a whole run.

`--time-limit` is the user's budget for everything a command does: reading,
building, every solve and phase, the county split, checking and writing.  A
`TimeBudget` is started when the run starts; each step asks for its share of
what is left, so the steps add up to the limit.  Checking and writing the plan
come after the last solve and are paid from `RESERVE` (a share of the limit kept
back) and the documented margin: the run ends within the limit plus
max(10 %, 2 s).
"""

from __future__ import annotations

import time

#: share of the limit kept back for checking and writing the plan
RESERVE = 0.1
#: the shortest time a solve is given, whatever is left (seconds)
FLOOR = 0.05


class TimeBudget:
    def __init__(self, limit: float | None, started: float | None = None):
        self.limit = None if limit is None else float(limit)
        self.started = time.monotonic() if started is None else started

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def left(self) -> float | None:
        """Seconds left for solving (the reserve for checking and writing kept back)."""
        if self.limit is None:
            return None
        return max(FLOOR, self.limit * (1 - RESERVE) - self.elapsed())

    def share(self, fraction: float, at_most: float | None = None) -> float | None:
        """`fraction` of what is left, at most `at_most` seconds."""
        left = self.left()
        if left is None:
            return at_most
        part = max(FLOOR, fraction * left)
        return part if at_most is None else min(part, at_most)

    def until(self, fraction: float) -> TimeBudget:
        """A budget started with this one whose solving time ends at `fraction` of this
        one's (what is left after it is the rest of the run's)."""
        return TimeBudget(None if self.limit is None else self.limit * fraction, self.started)

    def deadline(self) -> float | None:
        """The wall-clock time (time.time()) by which solving must end: for workers of a
        cluster, whose monotonic clocks differ from ours."""
        left = self.left()
        return None if left is None else time.time() + left
