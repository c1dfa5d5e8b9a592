"""Reductions valid for this problem, applied before the model is built.

Later-start dominance: take two starts s < s' of one project p that close its
gap in the same value class (both by the village's due year, or both late),
that stand the same against every deadline of its target (both by the
deadline year, or both after), where p is nobody's prerequisite and every pool
that may pay p carries its money over in every year.  Any plan starting p in s
stays feasible with p started in s' instead: its money is simply carried to
the later years, its prerequisites finish even earlier relative to it, and the
value is unchanged.  So the earlier start can be dropped when maximising value
or minimising cost; the tie-break phase (which prefers earlier plans) uses the
full set again.
"""

from __future__ import annotations

import numpy as np

from .instance import Instance


def start_signature(inst: Instance, proj: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Integer class of each start: on time or late, and its status against each deadline."""
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
    carries = inst.pool_carry[:, :-1].all(axis=1) if inst.n_years > 1 else np.ones(inst.n_pools, bool)
    carries &= ~inst.revolving  # spending later moves when the money comes back
    free = ~prerequisite & np.all(~inst.proj_pools | carries[None, :], axis=1)
    same_next = np.zeros(len(proj), dtype=bool)
    same_next[:-1] = (proj[1:] == proj[:-1]) & (sig[1:] == sig[:-1])
    return same_next & free[proj]
