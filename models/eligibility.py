"""Which money pools may pay for which works, held one row of pools per class of works.

A pool may pay for a work when the work's own streams, its target and its county allow
it (planner.build).  The works of one county with the same streams and target have the
same row of pools, so the (works x pools) table is held as `Instance.class_pools`
(K, B), one row per *eligibility class*, and `Instance.proj_class` (P,), each work's
class.  The nation (674,835 works, 3,278 pools) held it as one dense bool table of
2.2 GB, and the cut of its pooled pools into county slices as a second of 2.7 GB; by
class it is 4,847 rows (15 MB) and the cut is a rule on the rows (0.2 s).

Every class holds the works of one county and one deep-poverty status, so that the
rules that tie a pool to a county (`models.pooled_split.share_out`: a county's slice of
a pooled pool) or to the deep-poverty villages (`models.ledger.reserve_parts`) are rules
on classes (`class_of`), and the classes are always all used (`compact`).
"""

from __future__ import annotations

import numpy as np


def classify(rows: np.ndarray, row_of: np.ndarray, county: np.ndarray,
             deep: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(proj_class (P,), class_pools (K, B)): work p may be paid by the pools of
    rows[row_of[p]] (rows: (R, B) bool), its class one per distinct (row of pools,
    county, deep-poverty status) in sorted order, every class used."""
    rows = np.asarray(rows, dtype=bool)
    row_of = np.asarray(row_of, dtype=np.int64)
    if len(row_of) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros((0, rows.shape[1]), dtype=bool)
    # rows of the same pools as one id (whole rows compared as bytes)
    packed = np.ascontiguousarray(np.packbits(rows, axis=1))
    same = packed.view(np.dtype((np.void, packed.shape[1]))).reshape(-1)
    first_row, content = np.unique(same, return_index=True, return_inverse=True)[1:]
    key = np.column_stack([content.reshape(-1)[row_of], np.asarray(county, np.int64),
                           np.asarray(deep, dtype=np.int64)])
    uniq, proj_class = np.unique(key, axis=0, return_inverse=True)
    return proj_class.reshape(-1).astype(np.int64), rows[first_row[uniq[:, 0]]]


def dense(rows: np.ndarray, county: np.ndarray, deep: np.ndarray) -> dict:
    """Instance fields from a dense (P, B) bool table (small instances, tests)."""
    proj_class, class_pools = classify(rows, np.arange(len(rows)), county, deep)
    return {"proj_class": proj_class, "class_pools": class_pools}


def class_of(inst, per_work: np.ndarray) -> np.ndarray:
    """(K,) a per-work value that is one per class (the county, the deep-poverty status)
    read off each class's works."""
    out = np.zeros(len(inst.class_pools), dtype=np.asarray(per_work).dtype)
    out[inst.proj_class] = per_work
    return out


def work_county(inst) -> np.ndarray:
    return inst.village_county[inst.gap_village[inst.proj_gap]]


def class_county(inst) -> np.ndarray:
    """(K,) the county of each class's works."""
    return class_of(inst, work_county(inst))


def work_deep(inst) -> np.ndarray:
    return inst.village_deep[inst.gap_village[inst.proj_gap]].astype(bool)


def compact(proj_class: np.ndarray, class_pools: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The classes some work has, renumbered in their order."""
    used, inv = np.unique(proj_class, return_inverse=True)
    return inv.reshape(-1).astype(np.int64), class_pools[used]


def pools_of(inst, p: int) -> np.ndarray:
    """The pools that may pay for work p."""
    return np.flatnonzero(inst.class_pools[inst.proj_class[p]])


def rows_of(inst, works: np.ndarray) -> np.ndarray:
    """(len(works), B) bool: the pools that may pay for each of `works` (dense: for a
    few works, or a county's)."""
    return inst.class_pools[inst.proj_class[np.asarray(works, dtype=np.int64)]]


def payable(inst) -> np.ndarray:
    """(P,) some pool may pay for the work."""
    return inst.class_pools.any(axis=1)[inst.proj_class]


def breadth(inst) -> np.ndarray:
    """(B,) how many works each pool may pay for."""
    count = np.bincount(inst.proj_class, minlength=len(inst.class_pools))
    return count @ inst.class_pools.astype(np.int64)


def pairs(inst, works: np.ndarray, pool_ok: np.ndarray | None = None
          ) -> tuple[np.ndarray, np.ndarray]:
    """(i, b): every pool b (of those `pool_ok`, default all) that may pay for works[i],
    in the order of np.nonzero of the dense rows (by i, then by b)."""
    table = inst.class_pools if pool_ok is None else inst.class_pools & pool_ok[None, :]
    k_of, b_of = np.nonzero(table)
    count = np.bincount(k_of, minlength=len(table))
    begin = np.cumsum(count) - count
    k = inst.proj_class[np.asarray(works, dtype=np.int64)]
    n = count[k]
    i = np.repeat(np.arange(len(k)), n)
    offset = np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n)
    return i, b_of[begin[k][i] + offset]


def reached(inst, pools: np.ndarray) -> np.ndarray:
    """(C, len(pools)) bool: county c has a work that pools[j] may pay for."""
    out = np.zeros((len(inst.county_names), len(pools)), dtype=bool)
    k, j = np.nonzero(inst.class_pools[:, pools])
    out[class_county(inst)[k], j] = True
    return out
