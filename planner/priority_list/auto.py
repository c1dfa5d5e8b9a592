"""`--levels auto`: the budget levels from the least money the hard rules need to the
scenario's own.

Below the least scale at which every hard rule (deadlines, locks) can hold, no plan
exists at all, so a priority list starts there.  It is found by bisection on the
scale, to STEP, each step one feasibility solve of the hard rules
(models.nested.hard_rules_hold) with the money scaled as the levels scale it
(planner.scenario.overrides, the `overrides.funds` scale); a step whose solve runs out of
time counts as not holding, so the scale found is never below the true one.  The
levels are then COUNT equal steps from there (at least 1/COUNT) to 1.
"""

from __future__ import annotations

import dataclasses
import math

from models.nested import hard_rules_hold

from ..build import build_instance
from ..errors import InputError, Problems
from ..scenario.overrides import apply_fund_overrides

#: levels made by `auto`
COUNT = 8
#: resolution of the least scale and of the levels
STEP = 0.01
#: share of the command's time limit the bisection may take
SHARE = 0.15


def scaled(scn, scale: float):
    """The scenario with every stream's money times `scale`, in memory, by the variants'
    own rule (overrides.funds scale)."""
    problems = Problems()
    streams = list(dict.fromkeys(scn.funds["stream"]))
    funds = apply_fund_overrides(scn.funds, [{"stream": s, "scale": scale} for s in streams],
                                 problems)
    if problems:
        raise InputError(problems.items)
    return dataclasses.replace(scn, funds=funds)


def least_scale(scn, params, seconds: float | None, progress=None) -> float | None:
    """The least scale (a multiple of STEP, at most 1) at which the hard rules hold, or
    None when they do not hold at 1."""
    steps = 2 + math.ceil(math.log2(1 / STEP))
    each = None if seconds is None else max(0.5, seconds / steps)

    def holds(scale: float) -> bool:
        if progress is not None:
            progress.update(f"the least money for the hard rules: trying x{scale:g}")
        inst = build_instance(scaled(scn, scale))
        return bool(hard_rules_hold(inst, params.updated(time_limit=each)))

    if not holds(1.0):
        return None
    lo, hi = 0, round(1 / STEP)  # in steps: lo does not hold (or is 0), hi holds
    first = round(1 / (COUNT * STEP))
    if holds(first * STEP):
        return first * STEP
    lo = first
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if holds(mid * STEP):
            hi = mid
        else:
            lo = mid
    return round(hi * STEP, 10)


def auto_levels(least: float) -> list[float]:
    """COUNT levels from `least` (at least 1/COUNT) to 1, each a multiple of STEP."""
    lo = max(least, 1 / COUNT)
    out = [math.ceil((lo + (1 - lo) * k / (COUNT - 1)) / STEP - 1e-9) * STEP
           for k in range(COUNT)]
    return sorted({round(s, 10) for s in out})
