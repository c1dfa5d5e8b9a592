"""The planner's rule of thumb as a fast heuristic: a feasible plan without a solver.

Order of work
    1. locked-in projects;
    2. the deadlines' gaps, deadline by deadline (earliest year first, hard before
       soft), finishing by the deadline year, until enough villages in scope meet it;
    3. villages in exit-batch order (due year ascending, deep poverty first), within a
       village its exit-standard gaps first, then the gap whose best work gives the most
       value per pooled yuan; a gap's candidate works by value per pooled yuan.
       A first pass only takes starts that finish by the village's due year, a second
       pass (max_coverage only) lets the still open gaps close late.
Each work gets the earliest start that respects earliest/latest start, its
prerequisites (chosen first when needed, and finished before it starts), its
alternative group, one work per gap, lock_out, and that can be paid.

Money ledger: `rem[b][t]` is what is left of pool b's year-t budget.  A year t' is
paid from pools eligible for the project, pools whose money lapses after t' first
(then the pools fewer projects may use); within a pool, the newest money that can
reach t' (pool b carries over in every year t..t'-1) first, because older money can
also pay earlier years.  Every draw is recorded in `draws` (pool, year, amount), so a
village whose exit standard cannot be met on time is rolled back by adding its draws
back (an undo log: no copy of the ledger per village).  Everything is deterministic
(stable sorts, no randomness).

For min_cost only exit-standard gaps are worked on (the rest would only cost money).
The result always satisfies gap-once, alternatives, requires, locks-out, earliest/
latest and the money; lock-in, hard deadlines and (min_cost) the exit standard are
best effort — `hard_violations` lists what it misses.
"""

from __future__ import annotations

import numpy as np

from .eligibility import breadth as pools_breadth, payable
from .evaluate import deadline_counts, deadline_gaps
from .instance import Instance
from .ledger import carries, reach


class _Greedy:
    def __init__(self, inst: Instance):
        self.inst = inst
        P, Y, B = inst.n_projects, inst.n_years, inst.n_pools
        self.Y = Y
        self.start = [-1] * P
        self.dur = inst.proj_duration.astype(np.int64).tolist()
        self.earliest = inst.proj_earliest.tolist()
        self.latest = inst.proj_latest.tolist()
        self.gap = inst.proj_gap.tolist()
        self.group = inst.proj_group.tolist()
        self.lock_out = inst.lock_out.tolist()
        pooled = inst.proj_pooled_units.astype(np.int64)
        self.pooled = pooled.tolist()
        total = pooled.sum(axis=1)
        self.blocked = (self.inst.lock_out
                        | ((total > 0) & ~payable(inst))
                        | (inst.proj_latest < inst.proj_earliest)).tolist()
        # value per pooled yuan (on-time value; free works first)
        value = inst.gap_value(np.zeros(P, dtype=np.int64), inst.proj_gap) if P else np.zeros(0)
        self.ratio = value / (total / inst.money_units + 1e-9) if P else np.zeros(0)
        # eligibility classes and, per class and year, the pools in drawing order
        if P and B:
            # the instance's classes with the same pools taken as one (rows packed 8 pools
            # a byte, first pool the high bit: the order of np.unique of the bool rows)
            packed = np.packbits(inst.class_pools, axis=1)
            rows = np.ascontiguousarray(packed).view(np.dtype((np.void, packed.shape[1])))
            _, first, cls = np.unique(rows.reshape(-1), return_index=True,
                                      return_inverse=True)
            classes, cls = inst.class_pools[first], cls.reshape(-1)[inst.proj_class]
        else:
            classes, cls = np.zeros((1, B), bool), np.zeros(P, dtype=np.int64)
        self.cls = cls.tolist()
        breadth = pools_breadth(inst) if P else np.zeros(B)
        keeps = carries(inst)  # money present in year t survives into t+1
        self.order = []
        for c in range(len(classes)):
            pools = np.flatnonzero(classes[c])
            per_year = []
            for t in range(Y):
                key = np.lexsort((pools, breadth[pools], keeps[pools, t]))
                per_year.append(pools[key].tolist())
            self.order.append(per_year)
        self.reach = reach(inst).tolist()  # the oldest year whose money can pay year t
        self.rem = inst.pool_budget_units.astype(np.int64).tolist()
        # bookkeeping
        self.gap_open = [True] * inst.n_gaps
        self.gap_finish = [None] * inst.n_gaps
        self.group_used = set()
        self.journal: list[int] = []  # chosen works, in order (for rolling back a village)
        self.draws: list[tuple[int, int, int]] = []  # (pool, year, amount) of their money
        self.req: dict[int, list[int]] = {}
        for q, p in np.asarray(inst.requires).reshape(-1, 2).tolist():
            self.req.setdefault(q, []).append(p)
        # gap -> candidate works, best value per pooled yuan first
        order = np.lexsort((np.arange(P), -self.ratio, inst.proj_gap))
        bounds = np.searchsorted(inst.proj_gap[order], np.arange(inst.n_gaps + 1))
        self.cands = [order[bounds[g]: bounds[g + 1]].tolist() for g in range(inst.n_gaps)]
        # village rank: due year ascending, deep poverty first
        V = inst.n_villages
        vorder = np.lexsort((np.arange(V), ~inst.village_deep.astype(bool), inst.village_due))
        self.vrank = np.empty(V, dtype=np.int64)
        self.vrank[vorder] = np.arange(V)

    # ------------------------------------------------------------ money
    def _pay(self, p: int, s: int) -> bool:
        """Draw project p's pooled money for start s from the ledger; undo on failure."""
        rem, reach, drawn = self.rem, self.reach, []
        by_year = self.order[self.cls[p]]
        for k, need in enumerate(self.pooled[p][: self.dur[p]]):
            if need <= 0:
                continue
            t = s + k
            for b in by_year[t]:
                row = rem[b]
                for src in range(t, reach[b][t] - 1, -1):
                    have = row[src]
                    if have <= 0:
                        continue
                    take = have if have < need else need
                    row[src] = have - take
                    drawn.append((b, src, take))
                    need -= take
                    if need == 0:
                        break
                if need == 0:
                    break
            if need > 0:
                for b, src, take in drawn:
                    rem[b][src] += take
                return False
        self.draws += drawn
        return True

    # ------------------------------------------------------------ one work
    def try_project(self, p: int, hi_finish: int, _depth: int = 0) -> bool:
        """Choose p at its earliest payable start finishing by `hi_finish`."""
        if self.start[p] >= 0:
            return self.start[p] + self.dur[p] - 1 <= hi_finish
        g, grp = self.gap[p], self.group[p]
        if self.blocked[p] or not self.gap_open[g] or (grp >= 0 and grp in self.group_used):
            return False
        d = self.dur[p]
        lo, hi = self.earliest[p], min(self.latest[p], hi_finish - d + 1)
        if hi < lo:
            return False
        for r in self.req.get(p, ()):
            if _depth > 20 or r == p:
                return False
            # the prerequisite must finish before p's latest possible start
            if not self.try_project(r, hi - 1, _depth + 1):
                return False
            lo = max(lo, self.start[r] + self.dur[r])
            if hi < lo:
                return False
        for s in range(lo, hi + 1):
            if self._pay(p, s):
                self.start[p] = s
                self.gap_open[g] = False
                self.gap_finish[g] = s + d - 1
                if grp >= 0:
                    self.group_used.add(grp)
                self.journal.append(p)
                return True
        return False

    def close_gap(self, g: int, hi_finish: int) -> bool:
        if not self.gap_open[g]:
            return False
        for p in self.cands[g]:
            if self.try_project(p, hi_finish):
                return True
        return False

    def _rollback(self, mark: int, money_mark: int) -> None:
        """Undo the works chosen since `mark` and the draws since `money_mark`."""
        for p in self.journal[mark:]:
            g = self.gap[p]
            self.start[p] = -1
            self.gap_open[g] = True
            self.gap_finish[g] = None
            self.group_used.discard(self.group[p])
        del self.journal[mark:]
        rem = self.rem
        for b, src, take in self.draws[money_mark:]:
            rem[b][src] += take
        del self.draws[money_mark:]

    # ------------------------------------------------------------ phases
    def run(self) -> np.ndarray:
        inst, Y = self.inst, self.Y
        # 1. locked-in works, in village order
        locked = np.flatnonzero(inst.lock_in)
        locked = locked[np.argsort(self.vrank[inst.gap_village[inst.proj_gap[locked]]],
                                   kind="stable")]
        for p in locked.tolist():
            self.try_project(p, Y - 1)
        # 2. deadlines, earliest year first, hard before soft
        gap_best = np.full(inst.n_gaps, -np.inf)
        if inst.n_projects:
            np.maximum.at(gap_best, inst.proj_gap, self.ratio)
        for d in sorted(inst.deadlines, key=lambda d: (d.year, d.soft)):
            gaps = np.flatnonzero(deadline_gaps(inst, d))
            met = len(d.villages) - len(gaps) + sum(
                1 for g in gaps.tolist() if self.gap_finish[g] is not None
                and self.gap_finish[g] <= d.year)
            need = d.required() - met
            if need <= 0:
                continue
            gaps = gaps[np.lexsort((gaps, -gap_best[gaps], self.vrank[inst.gap_village[gaps]]))]
            for g in gaps.tolist():
                if need <= 0:
                    break
                if self.close_gap(g, d.year):
                    need -= 1
        # 3. villages in exit-batch order: on time first, then late
        gv = inst.gap_village
        order = np.lexsort((np.arange(inst.n_gaps), -gap_best, ~inst.gap_exit.astype(bool),
                            self.vrank[gv]))
        if inst.objective == "min_cost":
            order = order[inst.gap_exit[order].astype(bool)]
        due = inst.village_due[gv].tolist()
        exit_ = inst.gap_exit.astype(bool).tolist()
        village = gv[order].tolist()
        order = order.tolist()
        # a village's exit standard on time as a whole (its bonus), or none of it now
        i = 0
        while i < len(order):
            v, mark, money_mark = village[i], len(self.journal), len(self.draws)
            ok = True
            while i < len(order) and village[i] == v and exit_[order[i]]:
                g = order[i]
                if self.gap_open[g] and not self.close_gap(g, due[g]):
                    ok = False
                i += 1
            if not ok and inst.objective == "max_coverage":
                self._rollback(mark, money_mark)
            while i < len(order) and village[i] == v:
                i += 1
        for g in order:
            if self.gap_open[g]:
                self.close_gap(g, due[g])
        if inst.objective == "max_coverage":
            for g in order:
                if self.gap_open[g]:
                    self.close_gap(g, Y - 1)
        return np.asarray(self.start, dtype=np.int64)


def greedy(inst: Instance) -> np.ndarray:
    """Start year index per project (-1: not chosen) by the planner's rule of thumb."""
    return _Greedy(inst).run()


def greedy_value(inst: Instance, start: np.ndarray | None = None) -> float:
    """The documented value (or pooled cost for min_cost) of the greedy plan."""
    from .evaluate import plan_value

    return plan_value(inst, greedy(inst) if start is None else start)


def hard_violations(inst: Instance, start: np.ndarray) -> list[str]:
    """The hard rules a plan breaks that greedy does not guarantee: lock-in, hard
    deadlines, the fairness rows (every county's on-time rate at least `min_rate`, the
    rates at most `max_spread` apart) and, for min_cost, the exit standard by the due
    year.  Empty: the plan is feasible for the integer program (the other rules hold by
    construction)."""
    out = []
    if inst.max_spread is not None or inst.min_rate:
        from .evaluate import on_time
        from .fairness import county_rates

        rates = list(county_rates(inst, on_time(inst, start)).values())
        if inst.min_rate and min(rates) < inst.min_rate - 1e-9:
            out.append(f"a county's on-time rate {min(rates):.3f} below {inst.min_rate}")
        if inst.max_spread is not None and max(rates) - min(rates) > inst.max_spread + 1e-9:
            out.append(f"county on-time rates {max(rates) - min(rates):.3f} apart "
                       f"(at most {inst.max_spread})")
    missing = np.flatnonzero(inst.lock_in & (start < 0))
    out += [f"locked-in project {inst.project_ids[p]} not chosen" for p in missing[:5]]
    closed_by = inst.close_year(start)
    for d, met, required in deadline_counts(inst, start):
        if not d.soft and met < required:
            out.append(f"deadline {d.label}: {met} of {required} villages")
    if inst.objective == "min_cost":
        late = inst.gap_exit & (closed_by > inst.village_due[inst.gap_village])
        if late.any():
            out.append(f"{int(late.sum())} exit-standard gap(s) not closed by the due year")
    return out
