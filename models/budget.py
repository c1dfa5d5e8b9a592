"""One time limit for a whole run.

`--time-limit` is the user's budget for everything a command does: reading,
building, every solve and phase, the county split, checking and writing.  A
`TimeBudget` is started when the run starts; each step asks for its share of
what is left, so the steps add up to the limit.  Checking and writing the plan
come after the last solve and are paid from what is kept back: `RESERVE` of the limit,
or more where the run says so (`planner.pipeline` keeps `OUTPUT_FACTOR` times what
reading and building the scenario took, since checking goes over every input again and
writing follows the plan's size), and the documented margin: the run ends within the
limit plus max(10 %, 2 s).
"""

from __future__ import annotations

import time

#: share of the limit kept back for checking and writing the plan
RESERVE = 0.1
#: the shortest time a solve is given, whatever is left (seconds)
FLOOR = 0.05
#: checking and writing a plan, measured against reading and building its scenario:
#: the nation 160 s against 60 s, Shanxi 10.2 s against 2.8 s, a province of 8,000 villages
#: 6.2 s against 2.0 s (2 cores, load 1-2); on 2026-12-04 the nation 139 s against 39 s
#: (3.6 times; with 3 times its --time-limit 300 run ended at 337 s, over the margin);
#: since the checker takes the planner's reading of the same bytes (planner.tablecache)
#: and money is formatted once per amount, the nation 100.4 s against 38.0 s and 100.0 s
#: against 35.9 s (2.6-2.8 times), the province of 8,000 3.6 s against 2.0 s (load 1-2);
#: (its 900-s run, with a larger plan, 148 s against 44 s: 3.4 times, ending at 910.7 s);
#: what is above it is paid from the margin
OUTPUT_FACTOR = 3.0


class TimeBudget:
    def __init__(self, limit: float | None, started: float | None = None,
                 kept: float = 0.0):
        self.limit = None if limit is None else float(limit)
        self.started = time.monotonic() if started is None else started
        self.kept = float(kept)  # seconds kept back for checking and writing, at least

    def solving_ends(self) -> float | None:
        """Seconds after the start at which solving must end."""
        if self.limit is None:
            return None
        return self.limit - max(self.limit * RESERVE, self.kept)

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def left(self) -> float | None:
        """Seconds left for solving (the reserve for checking and writing kept back)."""
        if self.limit is None:
            return None
        return max(FLOOR, self.solving_ends() - self.elapsed())

    def over(self) -> bool:
        """Whether the solving time has run out (never without a limit)."""
        return self.limit is not None and self.elapsed() >= self.solving_ends()

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
        if self.limit is None:
            return TimeBudget(None, self.started)
        return TimeBudget(self.solving_ends() * fraction / (1 - RESERVE), self.started)

    def deadline(self) -> float | None:
        """The wall-clock time (time.time()) by which solving must end: for workers of a
        cluster, whose monotonic clocks differ from ours."""
        left = self.left()
        return None if left is None else time.time() + left
