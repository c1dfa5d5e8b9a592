"""Exits no money can make: villages that cannot be on time whatever the budget.

A planned village can be on time only if each of its exit-standard gaps can close by
its due year with unlimited money.  A gap can when it has works that are

* not locked out,
* payable: pooled money 0, or some fund may pay for them (stream, county, targets),
* able to finish by the due year: earliest start + duration - 1 <= due (and within
  the latest start),

and, for a cumulative gap, such works that add up to its quantity.  These are
necessary conditions read off the instance (no solve): a village they rule out is
never on time in any plan; one they allow may still be held back by prerequisites,
alternatives, deadlines or fairness rules, which the solve weighs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import eligibility
from .instance import Instance


@dataclass(frozen=True)
class Obstacle:
    """Why one exit-standard gap cannot close by its village's due year."""

    gap: int
    kind: str  # no_work | locked_out | no_fund | too_late | too_little
    duration: int = 0  # the quickest work's years (too_late)
    earliest: int = 0  # its earliest start, year index (too_late)
    done: float = 0.0  # what the works that can finish in time add up to (too_little)


def exit_obstacles(inst: Instance) -> dict[int, list[Obstacle]]:
    """Village index -> the obstacles of its exit-standard gaps (villages that can be on
    time are left out)."""
    out: dict[int, list[Obstacle]] = {}
    due = inst.village_due[inst.gap_village]
    payable = (inst.proj_pooled_units.sum(axis=1) == 0) | eligibility.payable(inst)
    finish = inst.proj_earliest + inst.proj_duration - 1
    in_window = inst.proj_latest >= inst.proj_earliest
    contrib = (inst.proj_contrib if inst.proj_contrib is not None
               else np.ones(inst.n_projects))
    by_gap = np.argsort(inst.proj_gap, kind="stable")
    bounds = np.searchsorted(inst.proj_gap[by_gap], np.arange(inst.n_gaps + 1))
    cumulative = inst.cumulative
    for g in np.flatnonzero(inst.gap_exit):
        works = by_gap[bounds[g]: bounds[g + 1]]
        obstacle = None
        if not len(works):
            obstacle = Obstacle(int(g), "no_work")
        else:
            open_ = works[~inst.lock_out[works]]
            paid = open_[payable[open_]]
            timely = paid[(finish[paid] <= due[g]) & in_window[paid]]
            if not len(open_):
                obstacle = Obstacle(int(g), "locked_out")
            elif not len(paid):
                obstacle = Obstacle(int(g), "no_fund")
            elif not len(timely):
                quick = paid[np.lexsort((inst.proj_earliest[paid], finish[paid]))[0]]
                obstacle = Obstacle(int(g), "too_late", int(inst.proj_duration[quick]),
                                    int(inst.proj_earliest[quick]))
            elif cumulative[g] and contrib[timely].sum() < inst.gap_quantity[g] - 1e-9:
                obstacle = Obstacle(int(g), "too_little", done=float(contrib[timely].sum()))
        if obstacle is not None:
            out.setdefault(int(inst.gap_village[g]), []).append(obstacle)
    return out


def possible_on_time(inst: Instance) -> np.ndarray:
    """(V,) bool: the village is not ruled out by `exit_obstacles`."""
    ok = np.ones(inst.n_villages, dtype=bool)
    ok[list(exit_obstacles(inst))] = False
    return ok
