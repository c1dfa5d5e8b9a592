"""The warm-start policy, one for every mode (whole, county by county, replan, ...).

Before a solver runs the planner already holds plans: the rule of thumb
(`models.greedy`) and the LP-guided dive (`models.dive`).  The warm start is the
better of the two that keeps every hard rule; `models.solve.solve` completes it
into a full solution, hands it to the backend, and keeps it whenever the backend
returns nothing better.
"""

from __future__ import annotations

import numpy as np

from .instance import Instance

#: the dive's share of the time left, and its longest time (seconds)
DIVE_SHARE = 0.1
DIVE_MAX_SECONDS = 2.0


def dive_seconds(time_left: float | None) -> float:
    """How long the LP dive may take when `time_left` seconds are left to solve."""
    if time_left is None:
        return DIVE_MAX_SECONDS
    return max(0.05, min(DIVE_MAX_SECONDS, DIVE_SHARE * float(time_left)))


def warm_start(inst: Instance, threads: int | None, time_left: float | None,
               rough: np.ndarray | None = None, info: dict | None = None):
    """Start year per project of the better of the LP dive and the greedy plan (the
    one given as `rough`, else computed), or None when neither keeps the hard rules;
    `info` records which won and their values."""
    from .dive import lp_dive
    from .greedy import greedy, hard_violations
    from .solve import plan_value

    info = {} if info is None else info
    candidates = []
    dive = lp_dive(inst, threads=threads, time_limit=dive_seconds(time_left))
    if dive is not None:
        info["dive_value"] = plan_value(inst, dive)
        candidates.append(("LP dive", dive))
    rough = greedy(inst) if rough is None else rough
    broken = hard_violations(inst, rough)
    if broken:
        info["greedy_skipped"] = "greedy plan breaks: " + "; ".join(broken[:3])
    else:
        candidates.append(("greedy", rough))
    if not candidates:
        info["hint"] = "none"
        return None
    sign = 1 if inst.objective == "max_coverage" else -1
    name, best = max(candidates, key=lambda c: sign * plan_value(inst, c[1]))
    info["hint"] = name
    return best
