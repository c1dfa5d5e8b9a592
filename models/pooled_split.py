"""The pooled money of a province cut into county slices, so that counties solve apart.

A pool shared by several counties (`Instance.pool_county` < 0) couples them; cut into
one slice per county (`share_out`) it does not, and any plan of the cut program is a
plan of the original (a restriction).  The slices follow the pooled need of each
county's works by default, or the money each county spends in a bound's solution
(`price_directed_shares`: the whole LP's or the Lagrangian's, models.county_bound).
"""

from __future__ import annotations

import numpy as np

from .eligibility import class_county
from .instance import Instance
from .ledger import split_whole

#: programs of at most this many works direct the split by the lexicographic LP below
#: (one LP per exit batch and one of the value, each of the whole program: measured
#: 2-3.5 s each at 13,000 works, 2 cores)
LEX_SPLIT_MAX = 20_000


def pooled_need(inst: Instance) -> np.ndarray:
    """(B, C): pooled money of the projects of county c that pool b may pay for."""
    of_class = np.bincount(inst.proj_class, inst.proj_pooled_units.sum(axis=1),
                           minlength=len(inst.class_pools))
    need = np.zeros((inst.n_pools, len(inst.county_names)))
    pooled = np.flatnonzero(inst.pool_county < 0)
    k, j = np.nonzero(inst.class_pools[:, pooled])  # a class's works are one county's
    np.add.at(need, (pooled[j], class_county(inst)[k]), of_class[k])
    return need


def price_directed_shares(inst: Instance, use: np.ndarray) -> np.ndarray:
    """(B, C, Y) weights: a county's share of a shared pool in year t is what the LP
    relaxation spends there in year t; money the LP leaves unspent goes by need."""
    need = pooled_need(inst)
    share = need / np.maximum(need.sum(axis=1, keepdims=True), 1e-9)
    weights = np.zeros_like(use)
    for b in np.flatnonzero(inst.pool_county < 0):
        for t in range(inst.n_years):
            total, used = inst.pool_budget_units[b, t], use[b, :, t].sum()
            spare = total - used
            if spare >= 0:
                weights[b, :, t] = use[b, :, t] + spare * share[b]
            else:  # the LP spends carried money too: scale its use to this year's money
                weights[b, :, t] = use[b, :, t] * total / used
    return weights


def share_out(inst: Instance, weights: np.ndarray | None = None) -> Instance:
    """The instance with every pooled pool cut into one slice per county it may pay for.

    Slice of county c in year t: the pool's money times weights[b, c, t] / sum over c
    (default: the county's share of the pooled need the pool may pay, every year), in
    whole units, remainders to the largest fractions.  A restriction: any plan of the
    result is a plan of the original."""
    pooled = np.flatnonzero(inst.pool_county < 0)
    if not len(pooled):
        return inst
    counties = np.unique(inst.village_county)
    need = pooled_need(inst)
    if weights is None:
        weights = np.repeat(need[:, :, None], inst.n_years, axis=2)
    county_of = class_county(inst)
    keep = np.flatnonzero(inst.pool_county >= 0)
    # a pool is cut among the counties it may pay for (a province's pool among the
    # province's counties); one that pays for none stays whole with the first county
    reached = [counties[need[b][counties] > 0] if (need[b][counties] > 0).any()
               else counties[:1] for b in pooled]
    index = np.concatenate([keep] + [np.repeat(b, len(r)) for b, r in zip(pooled, reached)])
    cut = inst.take_pools(index)
    at = len(keep)
    for b, mine in zip(pooled, reached):  # each shared pool becomes one slice per county
        w = weights[b][mine].astype(float)  # (C, Y)
        tot = w.sum(axis=0, keepdims=True)
        w = np.where(tot > 0, w / np.where(tot > 0, tot, 1), 1.0 / len(mine))
        # each year's money in whole units, the remainders to the largest fractions
        base = split_whole(inst.pool_budget_units[b].astype(np.int64), w.T).T  # (C, Y)
        part = slice(at, at + len(mine))
        cut["pool_county"][part] = mine
        cut["pool_budget_units"][part] = base
        cut["class_pools"][:, part] &= county_of[:, None] == mine[None, :]
        at += len(mine)
    # which pooled pool each pool of the cut is a slice of (-1: not cut), for merging
    # counties' slices again (models.group_split)
    slice_of = tuple(int(b) for b in np.concatenate([np.full(len(keep), -1)]
                              + [np.repeat(b, len(r)) for b, r in zip(pooled, reached)]))
    return inst.replace(**cut, meta={**inst.meta, "slice_of": slice_of,
                                     "shared_out": [inst.pool_stream[b] for b in pooled]})


def lexicographic_use(inst: Instance, threads: int | None = None,
                      seconds: float | None = None) -> tuple[np.ndarray, list[int]] | None:
    """((B, C, Y) pooled money the whole program's LP relaxation spends per county and
    year under the exit priority, each batch's LP bound): the LP of batch 1's villages
    on time, then batch 2's keeping batch 1 at its LP optimum rounded down (its bound),
    and so on, then the value keeping every batch; None when an LP does not end within
    `seconds` in all.  Batch i's bound holds for every plan keeping the earlier batches
    at their bounds (the LP keeping them is a relaxation of those plans), so it proves
    a stage whose earlier stages are proven (models.priority.lp_proven).  It directs the
    split of pooled money (`price_directed_shares`) towards the batches first, where
    the value's LP without floors spends it on value (2,000 villages in 14 counties,
    a pooled stream: 727 villages of the 2019 batch on time against 717, the whole's
    LP bound 735).  Only a direction: any split is a restriction."""
    import time

    from .backends import highs
    from .formulation import build
    from .marginal import lp_relaxation

    began = time.perf_counter()
    left = lambda: None if seconds is None else seconds - (time.perf_counter() - began)
    floors: list[int] = []
    try:
        for i in range(len(inst.batches)):
            if left() is not None and left() <= 0:
                return None
            model, _ = build(inst.replace(batch_floor=tuple(floors)), stage=i)
            count, _, _ = highs.solve_relaxation(model, threads, time_limit=left())
            floors.append(int(np.floor(count + 1e-6)))
        if left() is not None and left() <= 0:
            return None
        _, use = lp_relaxation(inst.replace(batch_floor=tuple(floors)), threads,
                               time_limit=left())
    except RuntimeError:
        return None
    return use, floors
