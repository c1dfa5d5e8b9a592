"""The money of a pool over the years: every money rule, written once.

A *pool* is one fund stream, scoped to one county or shared by all.  Money is
held in whole units (`models.money`).  In year t a pool has

    available[b,t] = budget[b,t] + carried_in[b,t] + returned[b,t]
    carried_out[b,t] = available - spent       when it carries year t over (t < last)
    unused[b,t]      = available - spent - carried_out
    carried_in[b,t+1] = carried_out[b,t]

and the rules that shape it:

* **budget** — each year's amount, rounded down to whole units (`money.to_units_floor`);
* **carry-over** — `carries`: unspent money of year t moves into t + 1 when the
  stream's row for t says so; the last year carries nowhere.  `reach` is the oldest
  year whose money can still pay year t;
* **revolving funds** (扶贫周转金) — `returned`: floor(share x spent in year t - k),
  whole units, comes back in year t (`return_years` lists the (pool, year) pairs);
* **leverage** — a work's money from a levering pool unlocks up to `leverage[b]` times
  as much outside money for that work (the ratio holds per work and year), and at
  most the year's outside limit in all; outside money never carries;
* **reserves** — `reserve_parts`: floor(share x money) of a stream's every year
  (and of its outside limit) as a pool of its own for deep-poverty villages;
* **self share and cost profiles** — `work_costs`: a work's cost in whole units,
  split over its years by its profile (largest remainder, so the years add up), the
  pooled part of each year round((1 - self_share) x that year's cost);
* **project-year expansion** — `work_years`: the pooled money each chosen start
  needs in each year of its duration;
* **shifting** — `shiftable`: pools from which spending may move to a later year
  without loss (what presolve's dominance needs).

The formulation writes these rules as rows; the funding split, greedy, presolve,
the county split, the plan's funds table and explain compute with them here.  Only
the checker (`planner.check`) keeps its own, independent ledger.
"""

from __future__ import annotations

import numpy as np

from .eligibility import class_of, work_deep
from .instance import Instance

# ------------------------------------------------------------------ costs


def split_whole(total: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """Split integer totals (N,) by row shares (N, D) into integers that add up exactly:
    floors, then the units left to the largest remainders, the first column first on
    ties."""
    raw = total[:, None] * shares
    base = np.floor(raw + 1e-9).astype(np.int64)
    short = total - base.sum(axis=1)
    order = np.argsort(-(raw - base), axis=1, kind="stable")
    rank = np.argsort(order, axis=1, kind="stable")
    return base + (rank < short[:, None]).astype(np.int64)


def work_costs(cost_units: np.ndarray, profile: np.ndarray, self_share: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray]:
    """(cost, pooled), each (P, D) whole units per year of a work's duration: the cost
    split by the profile, and the part the pools pay, round((1 - self_share) x cost)."""
    cost = split_whole(cost_units, profile)
    pooled = np.round((1 - self_share)[:, None] * cost).astype(np.int64)
    return cost, pooled


def work_years(inst: Instance, proj: np.ndarray, start: np.ndarray, paid_only: bool = True
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each (work, start) pair expanded over its duration: (row of the pair, year of its
    duration k, year index, pooled units); years without pooled money are left out when
    `paid_only`."""
    dur = inst.proj_duration[proj]
    row = np.repeat(np.arange(len(proj)), dur)
    k = np.arange(len(row)) - np.repeat(np.cumsum(dur) - dur, dur)
    units = inst.proj_pooled_units[proj[row], k].astype(np.int64)
    if paid_only:
        keep = units > 0
        row, k, units = row[keep], k[keep], units[keep]
    return row, k, start[row] + k, units


# ------------------------------------------------------------------ carry-over


def carries(inst: Instance) -> np.ndarray:
    """(B, Y) bool: unspent money of year t moves into year t + 1 (never from the last
    year)."""
    out = np.zeros((inst.n_pools, inst.n_years), dtype=bool)
    if inst.n_years > 1:
        out[:, :-1] = inst.pool_carry[:, :-1]
    return out


def reach(inst: Instance) -> np.ndarray:
    """(B, Y) the oldest year index whose money can still pay year t in pool b."""
    keeps = carries(inst)
    B, Y = inst.n_pools, inst.n_years
    out = np.zeros((B, Y), dtype=np.int64)
    for t in range(Y):
        lo = np.full(B, t)
        for src in range(t - 1, -1, -1):
            lo[(lo == src + 1) & keeps[:, src]] = src
        out[:, t] = lo
    return out


def spendable(inst: Instance, left: np.ndarray) -> np.ndarray:
    """(B, Y) of what a plan leaves at the end of each year (`left`, carried on or
    unused), what a new work could still spend in year t: the least left at the end of
    t and of every later year its money carries into."""
    keeps = carries(inst)
    free = np.asarray(left, dtype=float).copy()
    for t in range(inst.n_years - 2, -1, -1):
        free[:, t] = np.where(keeps[:, t], np.minimum(free[:, t], free[:, t + 1]),
                              free[:, t])
    return np.maximum(free, 0.0)


def shiftable(inst: Instance) -> np.ndarray:
    """Bool per pool: spending from it may move to any later year without loss: it
    carries money over in every year, does not revolve (what comes back depends on
    when it was lent) and does not lever (the outside limit is per year and does not
    carry)."""
    every_year = carries(inst)[:, :-1].all(axis=1) if inst.n_years > 1 \
        else np.ones(inst.n_pools, bool)
    return every_year & ~inst.revolving & ~inst.levering


# ------------------------------------------------------------------ revolving funds


def return_years(inst: Instance) -> list[tuple[int, int, int, float]]:
    """(pool, year index, delay k, share) for each revolving pool and each year money
    lent k years before can come back in."""
    out = []
    for b in np.flatnonzero(inst.revolving):
        k, share = int(inst.pool_return_after[b]), float(inst.pool_return_share[b])
        out += [(int(b), t, k, share) for t in range(k, inst.n_years)]
    return out


def returned(inst: Instance, spent: np.ndarray) -> np.ndarray:
    """(B, Y) whole units coming back to revolving pools: floor(share x spent k years
    before)."""
    back = np.zeros((inst.n_pools, inst.n_years), dtype=np.int64)
    for b in np.flatnonzero(inst.revolving):
        k, share = int(inst.pool_return_after[b]), float(inst.pool_return_share[b])
        back[b, k:] = np.floor(share * spent[b, : inst.n_years - k] + 1e-9).astype(np.int64)
    return back


# ------------------------------------------------------------------ the ledger


def spent_by_pool(inst: Instance, rows: np.ndarray) -> np.ndarray:
    """(B, Y) units of (project, pool, year index, units) rows added up per pool-year."""
    out = np.zeros((inst.n_pools, inst.n_years), dtype=np.int64)
    if len(rows):
        np.add.at(out, (rows[:, 1], rows[:, 2]), rows[:, 3])
    return out


def balances(inst: Instance, spent: np.ndarray) -> dict[str, np.ndarray]:
    """The ledger of every pool and year for what a plan spends, (B, Y) whole units
    each: budget, carried_in, returned, spent, carried_out, unused."""
    B, Y = inst.n_pools, inst.n_years
    keeps = carries(inst)
    back = returned(inst, spent)
    carried_in = np.zeros((B, Y), dtype=np.int64)
    carried_out = np.zeros((B, Y), dtype=np.int64)
    unused = np.zeros((B, Y), dtype=np.int64)
    budget = inst.pool_budget_units.astype(np.int64)
    for t in range(Y):
        if t:
            carried_in[:, t] = carried_out[:, t - 1]
        left = budget[:, t] + carried_in[:, t] + back[:, t] - spent[:, t]
        carried_out[:, t] = np.where(keeps[:, t], left, 0)
        unused[:, t] = left - carried_out[:, t]
    return {"budget": budget, "carried_in": carried_in, "returned": back,
            "spent": np.asarray(spent, dtype=np.int64), "carried_out": carried_out,
            "unused": unused}


# ------------------------------------------------------------------ reserves


def reserve_parts(inst: Instance, reserve: list) -> Instance:
    """A reserved share of a stream (for deep-poverty villages) as a pool of its own:
    floor(share x money) of each year (and of the outside limit), which only the works
    of deep-poverty villages may use; the rest stays open to all."""
    original = inst.n_pools  # a second reserve of one stream cuts the open part only
    deep = class_of(inst, work_deep(inst))  # one per eligibility class
    for res in reserve:
        parts = [b for b in range(original) if inst.pool_stream[b] == res["stream"]]
        if not parts:
            continue
        index = np.concatenate([np.arange(inst.n_pools), parts])
        cut = inst.take_pools(index)
        for i, b in enumerate(parts):
            part = inst.n_pools + i
            share = np.floor(inst.pool_budget_units[b] * res["share"] + 1e-9).astype(np.int64)
            cut["pool_budget_units"][b] -= share
            cut["pool_budget_units"][part] = share
            cut["class_pools"][:, part] &= deep
            limit = inst.pool_outside_limit
            if limit is not None:
                lim = np.where(limit[b] >= 0, np.floor(limit[b] * res["share"] + 1e-9), -1)
                cut["pool_outside_limit"][b] = np.where(limit[b] >= 0, limit[b] - lim, -1)
                cut["pool_outside_limit"][part] = lim
        inst = inst.replace(**cut)
    return inst
