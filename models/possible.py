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
    time are left out), each village's in the order of its gaps, the villages in the
    order of their first such gap.  A gap's obstacle is the first that holds of: no work,
    every work locked out, none payable, none payable that can finish in time (named by
    the payable work that finishes first, then starts first), those that can add up to
    less than its quantity.  Worked out for every gap at once (counts per gap by
    np.bincount): the nation's 587,000 gaps in a fraction of a second."""
    n_gaps = inst.n_gaps
    gap = inst.proj_gap
    due = inst.village_due[inst.gap_village]
    payable = (inst.proj_pooled_units.sum(axis=1) == 0) | eligibility.payable(inst)
    finish = inst.proj_earliest + inst.proj_duration - 1
    in_window = inst.proj_latest >= inst.proj_earliest
    contrib = (inst.proj_contrib if inst.proj_contrib is not None
               else np.ones(inst.n_projects))
    is_open = ~inst.lock_out
    paid = is_open & payable
    timely = paid & (finish <= due[gap]) & in_window
    per_gap = lambda mask, w=None: np.bincount(gap[mask], None if w is None else w[mask],  # noqa: E731
                                              minlength=n_gaps)
    works, opened, paying, timely_n = (per_gap(np.ones(len(gap), dtype=bool)),
                                       per_gap(is_open), per_gap(paid), per_gap(timely))
    done = per_gap(timely, np.asarray(contrib, dtype=float))
    kind = np.full(n_gaps, "", dtype=object)
    quantity = inst.gap_quantity if inst.gap_quantity is not None else np.zeros(n_gaps)
    short = inst.cumulative & (timely_n > 0) & (done < quantity - 1e-9)
    kind[short] = "too_little"
    kind[(paying > 0) & (timely_n == 0)] = "too_late"
    kind[(opened > 0) & (paying == 0)] = "no_fund"
    kind[(works > 0) & (opened == 0)] = "locked_out"
    kind[works == 0] = "no_work"
    kind[~inst.gap_exit] = ""
    # the too_late gap's quickest payable work: least finish, then earliest start, then
    # the lowest project index
    quick = np.full(n_gaps, -1)
    cand = np.flatnonzero(paid)
    order = cand[np.lexsort((cand, inst.proj_earliest[cand], finish[cand], gap[cand]))]
    first = np.ones(len(order), dtype=bool)
    first[1:] = gap[order][1:] != gap[order][:-1]
    quick[gap[order[first]]] = order[first]
    out: dict[int, list[Obstacle]] = {}
    for g in np.flatnonzero(kind != ""):
        k = kind[g]
        if k == "too_late":
            q = quick[g]
            obstacle = Obstacle(int(g), k, int(inst.proj_duration[q]),
                                int(inst.proj_earliest[q]))
        elif k == "too_little":
            obstacle = Obstacle(int(g), k, done=float(done[g]))
        else:
            obstacle = Obstacle(int(g), k)
        out.setdefault(int(inst.gap_village[g]), []).append(obstacle)
    return out


def possible_on_time(inst: Instance) -> np.ndarray:
    """(V,) bool: the village is not ruled out by `exit_obstacles`."""
    ok = np.ones(inst.n_villages, dtype=bool)
    ok[list(exit_obstacles(inst))] = False
    return ok
