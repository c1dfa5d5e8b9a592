"""The rows that couple counties, and each county's own program without them.

A program split by county (`models.decompose`) is coupled only by

* the **pooled pools** (a province stream shared by counties): for pool b and year t,
  with a = `ledger.reach`[b, t] the first year whose money can still pay year t (carry
  over makes the rows of one chain cumulative), ``sum_c spend[c,b,a..t] <= budget[b,a..t]``
  -- the same money as the budget rows with carry-over, since carried money is unspent
  money of earlier years of the chain;
* the **deadlines with a share** whose scope spans counties: ``sum_c closed[c,d] >= need[d]``
  (gaps of the target closed by the year in the scope; need = the villages required less
  those without the gap);
* the **exit-priority floors** (`Instance.batch_floor`): ``sum_c on_time[c,i] >= floor[i]``.

`coupling_of` writes each as a multiplier j (one list: every batch, then the relaxed
deadlines, then the pooled pool-years) with its right-hand side r[j], its cap (a soft
deadline's multiplier is at most its penalty; a batch without a floor has cap 0) and a
natural size (the first trust region), and makes each county's program: the county's
villages, works and own pools, each pooled pool it may draw on **with the whole
budget** (a county never spends more than the province has: a redundant row of the
whole program, kept because it tightens the county's relaxation), the deadlines that
split exactly (share 1, or a scope inside the county), and the relaxed deadlines as
deadlines of no village (no row: they only keep presolve's signature, so that starts on
either side of their year stay apart).  Every rule of a county's program holds for the
county's part of any plan of the whole: that is what makes the dual bound valid
(models.lagrange).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from ..eligibility import reached
from ..evaluate import deadline_gaps
from ..instance import VALUE_QUANTUM, Instance
from ..ledger import reach
from ..relaxed import relaxed_part, shared_deadlines

BATCH, DEADLINE, MONEY = 0, 1, 2


@dataclass
class Coupling:
    labels: list[str]
    kind: np.ndarray  # BATCH, DEADLINE or MONEY per multiplier
    rhs: np.ndarray  # L(m) = sum_c phi_c(m) + rhs . m
    cap: np.ndarray  # upper bound of each multiplier (inf: none)
    scale: np.ndarray  # natural size of each multiplier
    batch_of: np.ndarray  # multiplier index of each batch
    money_of: dict  # (pool, year) -> multiplier index, pooled pools of the whole
    counties: np.ndarray  # county index of each part
    subs: list = field(default_factory=list)  # each county's Instance
    specs: list = field(default_factory=list)  # each county's coupling terms, local indices
    projects: list = field(default_factory=list)  # each county's projects (whole indices)

    @property
    def size(self) -> int:
        return len(self.labels)

    def with_floors(self, inst: Instance) -> Coupling:
        """The same coupling with the instance's batch floors: a batch with a floor F has
        r = -F and no cap; one without, cap 0 (its multiplier stays 0)."""
        rhs, cap = self.rhs.copy(), self.cap.copy()
        for i, j in enumerate(self.batch_of):
            floor = inst.batch_floor[i] if i < len(inst.batch_floor) else None
            rhs[j] = -float(floor) if floor is not None else 0.0
            cap[j] = np.inf if floor is not None else 0.0
        return replace(self, rhs=rhs, cap=cap)


def coupling_of(inst: Instance) -> Coupling:
    """The coupling rows of `inst` (see the module docstring) and each county's program."""
    Y, money = inst.n_years, 1.0 / inst.money_units
    labels, kind, rhs, cap = [], [], [], []

    def add(label, k, r, c):
        labels.append(label)
        kind.append(k)
        rhs.append(r)
        cap.append(c)
        return len(labels) - 1

    batch_of = np.array([add(f"batch {b}", BATCH, 0.0, 0.0) for b in inst.batch_labels],
                        dtype=np.int64)
    relaxed = shared_deadlines(inst)
    penalty = round(inst.soft_penalty / VALUE_QUANTUM) * VALUE_QUANTUM
    dead_of = {}
    for k in relaxed:
        d = inst.deadlines[k]
        need = d.required() - (len(d.villages) - int(deadline_gaps(inst, d).sum()))
        dead_of[k] = add(f"deadline {d.label}", DEADLINE, -float(need),
                         penalty if d.soft else np.inf)
    pooled = np.flatnonzero(inst.pool_county < 0)
    first = reach(inst)
    money_of = {}
    for b in pooled:
        for t in range(Y):
            a = int(first[b, t])
            cum = float(inst.pool_budget_units[b, a:t + 1].sum()) * money
            money_of[(int(b), t)] = add(f"money {inst.pool_stream[b]} {a}-{t}", MONEY, cum,
                                        np.inf)
    kind = np.array(kind, dtype=np.int64)
    out = Coupling(labels, kind, np.array(rhs, dtype=float), np.array(cap, dtype=float),
                   _scales(inst, kind), batch_of, money_of, np.unique(inst.village_county))
    out = out.with_floors(inst)
    reaches = np.zeros((len(inst.county_names), inst.n_pools), dtype=bool)
    reaches[:, pooled] = reached(inst, pooled)
    for c in out.counties:
        vmask = inst.village_county == c
        vnew = np.cumsum(vmask) - 1
        pool_mask = (inst.pool_county == c) | reaches[c]
        part = relaxed_part(inst, int(c), pool_mask)
        sub = part.instance
        local_pool = np.cumsum(pool_mask) - 1
        spec = {
            "batches": [(int(j), i) for i, j in enumerate(batch_of)],
            "deadlines": [(dead_of[k], int(inst.deadlines[k].target),
                           int(inst.deadlines[k].year),
                           vnew[inst.deadlines[k].villages[vmask[inst.deadlines[k].villages]]])
                          for k in relaxed],
            "money": [(j, int(local_pool[b]), t, int(first[b, t]))
                      for (b, t), j in money_of.items() if pool_mask[b]],
            "pooled_local": [(int(b), int(local_pool[b])) for b in pooled if pool_mask[b]],
            "n_mult": out.size,
        }
        out.subs.append(sub)
        out.specs.append(spec)
        out.projects.append(part.projects)
    return out


def _scales(inst: Instance, kind: np.ndarray) -> np.ndarray:
    """A natural size per multiplier: a village on time or a gap closed is worth about
    the bonus and the weights of a village's exit gaps; money about the program's value
    per unit of pooled money its works need."""
    gaps = np.arange(inst.n_gaps)
    worth = inst.gap_value(np.full(inst.n_gaps, -1), gaps)
    per_village = inst.bonus + float(worth[inst.gap_exit].sum()) / max(1, inst.n_villages)
    pooled = inst.proj_pooled_units.sum(axis=1) / inst.money_units
    per_gap = np.bincount(inst.proj_gap, weights=pooled, minlength=inst.n_gaps)
    per_gap /= np.maximum(1, np.bincount(inst.proj_gap, minlength=inst.n_gaps))
    need = float(per_gap.sum())
    value = float(worth.sum()) + inst.bonus * inst.n_villages
    money = value / need if need > 0 else 1.0
    return np.where(kind == MONEY, money, per_village).astype(float)
