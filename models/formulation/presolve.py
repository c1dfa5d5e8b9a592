"""Reductions applied before the model is built, each with the reason it is safe.

There are two, and each states below why it keeps every optimum of every
objective the model is built for (value, least cost, the elastic modes, the
maximin rate).  Phases with a second-rank objective (`floor` given: tie-break,
stable, diverse) compare start years themselves and are built without them.

1. Later-start dominance (`dominated_starts`).  Take two allowed starts s < s'
   of one project p.  Drop s when all of these hold:
   (a) same signature (`start_signature`): finishing at s + d - 1 and at
       s' + d - 1 is, for p's gap, on the same side of the village's due year
       and on the same side of the year of every deadline on p's target;
   (b) p is nobody's prerequisite;
   (c) every pool that may pay p carries its money over in every year, does
       not revolve and does not lever.
   Claim: any plan P starting p in s becomes a plan P' starting p in s' that
   keeps every rule and has the same value (or cost).  Rule by rule:
   - one work per gap, alternatives, locks (lock_in counts any start; a
     lock_out project has no starts), relocated villages: they count
     starts, not years: unchanged.
   - start window: s' is an allowed start, so it lies in the window and the
     work finishes inside the horizon.
   - prerequisites: p is nobody's prerequisite (b); p's own prerequisites
     finish before s < s'.
   - money, cost profiles, self share: p spends the same profile shifted by
     s' - s years; the self share is paid by the village, not by a pool.
     With carry-over in every year (c), a pool's rows say that its spending
     up to any year is at most its budget up to that year; shifting
     spending later lowers spending-to-date in every year, so every budget
     (county money, shared pools, deep-poverty reserves, which are pools of
     their own, and the elastic money slacks, which add to a year's budget
     and are carried like it) still holds with the same flows of the other
     works.  A revolving pool is excluded by (c): what comes back depends on
     the year the money was paid out.  A levering pool is excluded by (c):
     the outside money it unlocks has a limit per year that does not carry
     over, so a later start can lose outside money (issue 12: 10 of a
     stream carried to 2020 unlocks nothing when 2020's limit is 0).
   - value: a gap's value depends only on being closed by the due year, or
     later within the horizon (one late factor): (a) keeps both.  A
     cumulative gap reads its progress at the due year, at the last year
     (value, partial credit) and at deadline years: a contribution finishing
     on the same side of each of those years leaves all of them unchanged.
   - villages on time, the on-time bonus, fairness between counties (rates of
     villages on time), the maximin rate, exit standards (min_cost): a
     village is on time when each exit gap closes by the due year: (a).
   - deadlines, hard and soft (their penalty): they count gaps of their
     target closed by their year: (a).
   - least cost: the pooled cost of p does not depend on its start.
   So dropping s loses no optimum; the plan P' is found instead.  Runs of
   equal signatures keep only their last start (transitivity).

2. Unfundable works (`models.formulation.variables.starts`): a project with pooled money to
   pay and no pool allowed to pay it can never be funded, so its starts get
   an upper bound of 0.  Safe because the class-spend rows could not be met
   by any flow; fixing at 0 removes no feasible plan.
"""

from __future__ import annotations

import numpy as np

from ..instance import Instance
from ..ledger import shiftable


def start_signature(inst: Instance, proj: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Integer class of each start: on time or late, and its status against each deadline
    on its gap's target (condition (a) of the module docstring)."""
    finish = start + inst.proj_duration[proj] - 1
    gap = inst.proj_gap[proj]
    sig = (finish <= inst.village_due[inst.gap_village[gap]]).astype(np.int64)
    for i, d in enumerate(inst.deadlines):
        hit = (inst.gap_target[gap] == d.target) & (finish <= d.year)
        sig |= hit.astype(np.int64) << (i + 1)
    return sig


def dominated_starts(inst: Instance, proj: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Boolean mask over (proj, start) pairs (sorted by project, then start): True = drop."""
    if len(proj) == 0:
        return np.zeros(0, dtype=bool)
    sig = start_signature(inst, proj, start)
    prerequisite = np.zeros(inst.n_projects, dtype=bool)
    if len(inst.requires):
        prerequisite[inst.requires[:, 1]] = True
    ok = shiftable(inst)
    free = ~prerequisite & np.all(~inst.class_pools | ok[None, :], axis=1)[inst.proj_class]
    same_next = np.zeros(len(proj), dtype=bool)
    same_next[:-1] = (proj[1:] == proj[:-1]) & (sig[1:] == sig[:-1])
    return same_next & free[proj]
