"""The planning integer program, as one `LinearModel` every backend can take.

Variables
    x[p,s]   binary   project p starts in year s (one variable per allowed start)
    o[v]     binary   village v meets its exit standard by its due year
    y[c,b,t] >= 0     money of pool b paying for eligibility class c in year t
    carry[b,t] >= 0   unspent money of pool b moving from year t to t+1
    slack    >= 0     soft deadlines; in elastic mode every hard rule, or money

Projects with the same set of eligible pools form one eligibility class; the
funding flow is aggregated per class (exact, since money is divisible and the
projects of a class may draw on the same pools), and the split per project is
recovered after solving by `models.funding`.

Each constraint family is one function whose docstring states its rows; rows
are named "<entity>-<rule>".  `build(inst)` adds them in order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..evaluate import deadline_gaps
from ..instance import VALUE_QUANTUM, Instance
from ..linear import INF, LinearModel
from ..presolve import dominated_starts

ELASTIC_MODES = (None, "rules", "money")


@dataclass
class Layout:
    """Where each decision lives in the model's variable vector."""
    x: np.ndarray  # variable index of each start
    x_proj: np.ndarray
    x_start: np.ndarray
    x_finish: np.ndarray
    o: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    o_village: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    # elastic/soft slacks: (kind, label, variable index, scale)
    slacks: list = field(default_factory=list)
    unfundable: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    classes: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    flow_pairs: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), dtype=np.int64))
    flow_vars: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.int64))
    flow_units: np.ndarray = field(default_factory=lambda: np.zeros(0))  # units per var unit
    outside_pairs: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    outside_vars: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.int64))
    # per work and levering pool: rows (project, pool, year, money var, outside var)
    lever_vars: np.ndarray = field(default_factory=lambda: np.zeros((0, 5), dtype=np.int64))


class Formulation:
    def __init__(self, inst: Instance, elastic: str | None = None, reduce: bool = True,
                 floor: float | None = None, secondary: dict | None = None,
                 maximin: bool = False):
        """`reduce`: drop dominated starts (models.presolve); `floor`: a second-rank phase
        keeping the objective at least `floor` (max_coverage) or at most it (min_cost) and
        minimising `secondary`: {"kind": "tie_break"} (default: cheaper, then earlier),
        {"kind": "stable", "start": S} (fewest changes from the start years S) or
        {"kind": "diverse", "plans": [S1, ...]} (farthest from those plans)."""
        if elastic not in ELASTIC_MODES:
            raise ValueError(f"elastic must be one of {ELASTIC_MODES}")
        self.inst = inst
        self.elastic = elastic
        self.reduce = reduce and floor is None
        self.floor = floor
        self.secondary = secondary or {"kind": "tie_break"}
        self.maximin = maximin  # objective: the worst county's on-time rate
        self.worst_rate = None
        self.money = 1.0 / inst.money_units
        self.m = LinearModel(maximize=(inst.objective == "max_coverage" and elastic is None))
        self._starts()

    # ------------------------------------------------------------ variables
    def _starts(self):
        inst = self.inst
        proj, start = inst.starts()
        if self.reduce:
            keep = ~dominated_starts(inst, proj, start)
            proj, start = proj[keep], start[keep]
        finish = start + inst.proj_duration[proj] - 1
        # A project whose pooled money no pool may pay can never be funded.
        needs_money = inst.proj_pooled_units.sum(axis=1) > 0
        unfundable = needs_money & ~inst.proj_pools.any(axis=1)
        ub = np.where(unfundable[proj], 0.0, 1.0)
        x = self.m.add_vars("x", len(proj), 0.0, ub, integer=True)
        self.L = Layout(x=x, x_proj=proj, x_start=start, x_finish=finish,
                        unfundable=np.flatnonzero(unfundable))
        self._cumulative()

    def _cumulative(self):
        """z[g,t] binary: cumulative gap g is closed by the end of year t; with partial
        credit also u[g,t] in [0,1], its share done (pro rata value)."""
        inst, Y = self.inst, self.inst.n_years
        self.cum = inst.cumulative
        self.zrow = np.full(inst.n_gaps, -1)
        cgaps = np.flatnonzero(self.cum)
        self.zrow[cgaps] = np.arange(len(cgaps))
        self.cgaps = cgaps
        if not len(cgaps):
            self.z = self.u = np.zeros((0, Y), dtype=np.int64)
            return
        self.z = self.m.add_vars("z", len(cgaps) * Y, 0.0, 1.0, integer=True).reshape(-1, Y)
        self.u = (self.m.add_vars("u", len(cgaps) * Y, 0.0, 1.0).reshape(-1, Y)
                  if inst.partial_credit else np.zeros((0, Y), dtype=np.int64))

    def closed(self, gaps: np.ndarray, years: np.ndarray):
        """Entries (row i, column, coefficient) of 'gap gaps[i] is closed by the end of
        year years[i]': the starts of its work finishing by then (a one-work gap), or
        z[g, year] (a cumulative gap)."""
        inst, L = self.inst, self.L
        pos = np.full(inst.n_gaps, -1)
        pos[gaps] = np.arange(len(gaps))
        yr = np.full(inst.n_gaps, -1)
        yr[gaps] = years
        g = inst.proj_gap[L.x_proj]
        sel = (pos[g] >= 0) & ~self.cum[g] & (L.x_finish <= yr[g])
        rows, cols = [pos[g[sel]]], [L.x[sel]]
        cg = self.cum[gaps]
        if cg.any():
            rows.append(np.flatnonzero(cg))
            cols.append(self.z[self.zrow[gaps[cg]], years[cg]])
        rows, cols = np.concatenate(rows), np.concatenate(cols)
        return rows, cols, np.ones(len(rows))

    def _slack(self, kind: str, label: str, n: int = 1, integer=True) -> np.ndarray:
        idx = self.m.add_vars(f"slack-{kind}-{label}", n, 0.0, INF, integer=integer)
        for i in idx:
            self.L.slacks.append((kind, label, int(i)))
        return idx

    def add_constraints(self):
        self.gap_once()
        self.funding()
        self.requires()
        self.alternatives()
        self.locks()
        self.deadlines()
        if self.inst.objective == "max_coverage":
            self.villages_on_time()
        else:
            self.exit_standard()
        return self

    # ------------------------------------------------------------ rules
    def gap_once(self):
        """gap-once:  sum_{p for g, s} x[p,s] <= 1  for every one-work gap g;
        project-once: sum_s x[p,s] <= 1 for the works of a cumulative gap;
        cumulative-progress:  quantity[g] z[g,t] <= sum_{p for g, s: finish <= t} c[p] x[p,s]
        (and quantity[g] u[g,t] <= the same with partial credit); z[g,t] <= z[g,t+1]."""
        inst, L = self.inst, self.L
        g = inst.proj_gap[L.x_proj]
        key = np.where(self.cum[g], inst.n_gaps + L.x_proj, g)
        uniq, rows = np.unique(key, return_inverse=True)
        self.m.add_rows("gap-once", len(uniq), rows.reshape(-1), L.x, 1.0, hi=1.0)
        if not len(self.cgaps):
            return
        Y = inst.n_years
        on = self.cum[g]
        contrib = inst.proj_contrib[L.x_proj[on]]
        for name, var in (("cumulative-progress", self.z), ("cumulative-share", self.u)):
            if not var.size:
                continue
            rows, cols, vals = [], [], []
            for t in range(Y):
                done = L.x_finish[on] <= t
                r = self.zrow[g[on][done]] * Y + t
                rows += [np.arange(len(self.cgaps)) * Y + t, r]
                cols += [var[:, t], L.x[on][done]]
                vals += [inst.gap_quantity[self.cgaps], -contrib[done]]
            self.m.add_rows(name, len(self.cgaps) * Y, np.concatenate(rows),
                            np.concatenate(cols), np.concatenate(vals), hi=0.0)
        if Y > 1:
            n = len(self.cgaps) * (Y - 1)
            r = np.arange(n)
            self.m.add_rows("cumulative-monotone", n, np.concatenate([r, r]),
                            np.concatenate([self.z[:, :-1].ravel(), self.z[:, 1:].ravel()]),
                            np.concatenate([np.ones(n), -np.ones(n)]), hi=0.0)

    def funding(self):
        """class-spend:  sum_b y[c,b,t] = sum_{p in c, s} pooled[p, t-s] x[p,s]  for c, t;
        pool-budget:  sum_c y[c,b,t] + carry[b,t] - carry[b,t-1] <= budget[b,t]  for b, t.
        carry[b,t] exists only where pool b carries year t's money over."""
        inst, L, m = self.inst, self.L, self.m
        Y, B = inst.n_years, inst.n_pools
        # a class: the projects of one county with the same eligible pools (keeping the
        # county in the key lets the money each county draws be read off the flows)
        county = inst.village_county[inst.gap_village[inst.proj_gap]]
        key = np.column_stack([inst.proj_pools.astype(np.int64), county])
        uniq, cls = np.unique(key, axis=0, return_inverse=True)
        classes = uniq[:, :-1].astype(bool)
        cls = cls.reshape(-1)
        L.classes = cls
        C = len(classes)
        # spending entries: one per start and year of its duration
        dur = inst.proj_duration[L.x_proj]
        rep = np.repeat(np.arange(len(L.x)), dur)
        k = np.arange(len(rep)) - np.repeat(np.cumsum(dur) - dur, dur)
        p = L.x_proj[rep]
        amount = inst.proj_pooled_units[p, k] * self.money
        keep = amount > 0
        rep, k, p, amount = rep[keep], k[keep], p[keep], amount[keep]
        t = L.x_start[rep] + k
        # flows y[c, b, t] for each class and eligible pool; from a revolving pool in whole
        # units (integer), so that what comes back, floor(share * lent), is exact
        cb = np.argwhere(classes)  # (pairs, 2): class, pool
        n_cb = len(cb)
        whole = inst.revolving | inst.levering  # pools whose flows are held in whole units
        rev = whole[cb[:, 1]] if n_cb else np.zeros(0, dtype=bool)
        y = np.zeros((n_cb, Y), dtype=np.int64)
        y[~rev] = m.add_vars("y", int((~rev).sum()) * Y, 0.0, INF).reshape(-1, Y)
        y[rev] = m.add_vars("y-revolving", int(rev.sum()) * Y, 0.0, INF,
                            integer=True).reshape(-1, Y)
        coef = np.where(rev, self.money, 1.0)  # 万元 per variable unit
        L.flow_pairs, L.flow_vars, L.flow_units = cb, y, np.where(rev, 1.0, inst.money_units)
        # outside money unlocked by levering pools, whole units
        lev = np.flatnonzero(inst.levering[cb[:, 1]]) if n_cb else np.zeros(0, dtype=np.int64)
        out = m.add_vars("outside", len(lev) * Y, 0.0, INF, integer=True).reshape(-1, Y)
        L.outside_pairs, L.outside_vars = lev, out
        # class-spend rows indexed c * Y + t
        rows_y = (cb[:, 0][:, None] * Y + np.arange(Y)[None, :]).ravel()
        rows_o = (cb[lev, 0][:, None] * Y + np.arange(Y)[None, :]).ravel()
        rows_x = cls[p] * Y + t
        m.add_rows("class-spend", C * Y,
                   np.concatenate([rows_y, rows_o, rows_x]),
                   np.concatenate([y.ravel(), out.ravel(), L.x[rep]]),
                   np.concatenate([np.repeat(coef, Y), np.full(out.size, self.money), -amount]),
                   lo=0.0, hi=0.0)
        self._leverage(cb, y, lev, out)
        self._lever_per_work(cb, y, lev, out, rep, p, t, amount)
        # pool-budget rows indexed b * Y + t
        cb_rows = (cb[:, 1][:, None] * Y + np.arange(Y)[None, :]).ravel()
        cb_cols = y.ravel()
        cb_vals = np.repeat(coef, Y)
        carry_bt = np.argwhere(inst.pool_carry[:, : Y - 1]) if Y > 1 else np.zeros((0, 2), int)
        carry = m.add_vars("carry", len(carry_bt), 0.0, INF)
        rows = [cb_rows, carry_bt[:, 0] * Y + carry_bt[:, 1], carry_bt[:, 0] * Y + carry_bt[:, 1] + 1]
        cols = [cb_cols, carry, carry]
        vals = [cb_vals, np.ones(len(carry)), -np.ones(len(carry))]
        ret_rows, ret_cols = self._returns(cb, y, rev)
        rows.append(ret_rows)
        cols.append(ret_cols)
        vals.append(np.full(len(ret_cols), -self.money))
        if self.elastic == "money":
            extra = m.add_vars("slack-money", B * Y, 0.0, INF)
            for b in range(B):
                for tt in range(Y):
                    L.slacks.append(("money", f"{b}:{tt}", int(extra[b * Y + tt])))
            rows.append(np.arange(B * Y))
            cols.append(extra)
            vals.append(-np.ones(B * Y))
        budget = inst.pool_budget_units.ravel() * self.money
        m.add_rows("pool-budget", B * Y, np.concatenate(rows), np.concatenate(cols),
                   np.concatenate(vals), hi=budget)

    def _leverage(self, cb, y, lev, out):
        """pool-leverage:  outside[c,b,t] <= leverage[b] * y[c,b,t]  (whole units);
        outside-limit:  sum_c outside[c,b,t] <= limit[b,t]  where a limit is given."""
        inst, m, Y = self.inst, self.m, self.inst.n_years
        if not len(lev):
            return
        k = inst.pool_leverage[cb[lev, 1]]
        n = len(lev) * Y
        r = np.arange(n)
        m.add_rows("pool-leverage", n, np.concatenate([r, r]),
                   np.concatenate([out.ravel(), y[lev].ravel()]),
                   np.concatenate([np.ones(n), -np.repeat(k, Y)]), hi=0.0)
        rows, cols, his = [], [], []
        for b in np.flatnonzero(inst.levering):
            mine = np.flatnonzero(cb[lev, 1] == b)
            for t in range(Y):
                if inst.pool_outside_limit[b, t] >= 0:
                    rows.append(np.full(len(mine), len(his)))
                    cols.append(out[mine, t])
                    his.append(float(inst.pool_outside_limit[b, t]))
        if his:
            m.add_rows("outside-limit", len(his), np.concatenate(rows), np.concatenate(cols),
                       1.0, hi=np.array(his))

    def _lever_per_work(self, cb, y, lev, out, rep, p, t, amount):
        """The ratio holds for each work and year, not only per class (whole units):
        lever-money[p,b,t], lever-outside[p,b,t] >= 0 integer for each work p a levering
        pool b may pay, in each year t it may spend;
        lever-ratio:  outside[p,b,t] <= leverage[b] * money[p,b,t];
        lever-work:  sum_b (money + outside)[p,b,t] <= pooled[p, t-s] x[p,s] summed over s;
        lever-split:  sum_{p in c} money[p,b,t] = y[c,b,t],
                      sum_{p in c} outside[p,b,t] = outside[c,b,t]."""
        inst, m, L, Y = self.inst, self.m, self.L, self.inst.n_years
        if not len(lev):
            L.lever_vars = np.zeros((0, 5), dtype=np.int64)
            return
        cls = L.classes
        # work-years (p, t) that may spend, with the spending entries of their starts
        wy, wy_of = np.unique(p * Y + t, return_inverse=True)
        wp, wt = wy // Y, wy % Y
        triples = []  # (work-year index, lev pair index) for each eligible levering pool
        for i, (c, b) in enumerate(cb[lev]):
            for w in np.flatnonzero(cls[wp] == c):
                triples.append((w, i))
        tri = np.array(triples, dtype=np.int64).reshape(-1, 2)
        n = len(tri)
        cap = inst.proj_pooled_units.max(axis=1)[wp[tri[:, 0]]].astype(float)
        mv = m.add_vars("lever-money", n, 0.0, cap, integer=True)
        ov = m.add_vars("lever-outside", n, 0.0,
                        cap * inst.pool_leverage[cb[lev[tri[:, 1]], 1]], integer=True)
        k = inst.pool_leverage[cb[lev[tri[:, 1]], 1]]
        r = np.arange(n)
        m.add_rows("lever-ratio", n, np.concatenate([r, r]), np.concatenate([ov, mv]),
                   np.concatenate([np.ones(n), -k]), hi=0.0)
        m.add_rows("lever-work", len(wy),
                   np.concatenate([tri[:, 0], tri[:, 0], wy_of]),
                   np.concatenate([mv, ov, L.x[rep]]),
                   np.concatenate([np.full(2 * n, self.money), -amount]), hi=0.0)
        rows_y = tri[:, 1] * Y + wt[tri[:, 0]]
        nl = len(lev) * Y
        lr = np.arange(nl)
        m.add_rows("lever-split-money", nl, np.concatenate([rows_y, lr]),
                   np.concatenate([mv, y[lev].ravel()]),
                   np.concatenate([np.ones(n), -np.ones(nl)]), lo=0.0, hi=0.0)
        m.add_rows("lever-split-outside", nl, np.concatenate([rows_y, lr]),
                   np.concatenate([ov, out.ravel()]),
                   np.concatenate([np.ones(n), -np.ones(nl)]), lo=0.0, hi=0.0)
        L.lever_vars = np.column_stack([wp[tri[:, 0]], cb[lev[tri[:, 1]], 1],
                                        wt[tri[:, 0]], mv, ov])

    def _returns(self, cb, y, rev):
        """pool-return (revolving pools):  back[b,t] <= share[b] * sum_c y[c,b,t-k[b]] (in
        whole units, back integer, so back <= floor); back[b,t] adds to pool-budget[b,t].
        Returns the (budget row, back variable) entries."""
        inst, m, Y = self.inst, self.m, self.inst.n_years
        rows, cols = [], []
        ret_rows, ret_cols, ret_vals, n = [], [], [], 0
        for b in np.flatnonzero(inst.revolving):
            k, share = int(inst.pool_return_after[b]), float(inst.pool_return_share[b])
            lenders = np.flatnonzero((cb[:, 1] == b) & rev)
            for t in range(k, Y):
                back = m.add_vars(f"back-{b}-{t}", 1, 0.0, INF, integer=True)[0]
                rows.append(b * Y + t)
                cols.append(back)
                ret_rows += [n] * (1 + len(lenders))
                ret_cols += [back] + list(y[lenders, t - k])
                ret_vals += [1.0] + [-share] * len(lenders)
                n += 1
        if n:
            m.add_rows("pool-return", n, np.array(ret_rows), np.array(ret_cols),
                       np.array(ret_vals), hi=0.0)
        return np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64)

    def requires(self):
        """requires:  x[q,s] <= sum_{s': s' + d_p - 1 < s} x[p,s']  when q requires p
        (the prerequisite is chosen and finishes in a year before q starts)."""
        L = self.L
        if not len(self.inst.requires):
            return
        by_proj = _group(L.x_proj, self.inst.n_projects)
        rows, cols, vals, n = [], [], [], 0
        for q, p in self.inst.requires:
            pre = by_proj[p]
            for i in by_proj[q]:
                ok = pre[L.x_finish[pre] < L.x_start[i]]
                rows.append(np.full(1 + len(ok), n))
                cols.append(np.concatenate([[L.x[i]], L.x[ok]]))
                vals.append(np.concatenate([[1.0], -np.ones(len(ok))]))
                n += 1
        if n:
            self.m.add_rows("project-requires", n, np.concatenate(rows), np.concatenate(cols),
                            np.concatenate(vals), hi=0.0)

    def alternatives(self):
        """alternative-group:  sum_{p in group, s} x[p,s] <= 1  for every group."""
        L = self.L
        grp = self.inst.proj_group[L.x_proj]
        sel = grp >= 0
        if sel.any():
            self.m.add_rows("alternative-group", int(grp.max()) + 1, grp[sel], L.x[sel], 1.0,
                            hi=1.0)

    def locks(self):
        """project-lock:  sum_s x[p,s] = 1  for every project locked in."""
        L = self.L
        locked = np.flatnonzero(self.inst.lock_in)
        if not len(locked):
            return
        row_of = np.full(self.inst.n_projects, -1)
        row_of[locked] = np.arange(len(locked))
        sel = row_of[L.x_proj] >= 0
        rows, cols, vals = [row_of[L.x_proj[sel]]], [L.x[sel]], [np.ones(sel.sum())]
        if self.elastic == "rules":
            for r, p in enumerate(locked):
                s = self._slack("lock", self.inst.project_ids[p])
                rows.append([r])
                cols.append(s)
                vals.append([1.0])
        self.m.add_rows("project-lock", len(locked), np.concatenate(rows),
                        np.concatenate(cols), np.concatenate(vals), lo=1.0, hi=1.0)

    def deadlines(self):
        """deadline:  sum_{gaps g of the target in scope} sum_{s: finish <= year} x  >=
        required - (villages in scope without the gap)  [- slack when soft]."""
        inst = self.inst
        for d in inst.deadlines:
            gaps = deadline_gaps(inst, d)
            need = d.required() - (len(d.villages) - int(gaps.sum()))
            if need <= 0:
                continue
            idx = np.flatnonzero(gaps)
            _, c, v = self.closed(idx, np.full(len(idx), d.year))
            rows, cols, vals = [np.zeros(len(c), int)], [c], [v]
            if d.soft or self.elastic == "rules":
                s = self._slack("soft" if d.soft else "deadline", d.label)
                rows.append([0])
                cols.append(s)
                vals.append([1.0])
                if d.soft and self.m.maximize:
                    self.m.cost[-1][:] = -_q(inst.soft_penalty)
            self.m.add_rows(f"deadline-{d.label}", 1, np.concatenate(rows),
                            np.concatenate(cols), np.concatenate(vals), lo=float(need))

    def villages_on_time(self):
        """village-on-time:  o[v] <= sum_{p for g, s: finish <= due[v]} x[p,s]
        for every exit-standard gap g of village v."""
        inst, L = self.inst, self.L
        exit_gaps = np.flatnonzero(inst.gap_exit)
        has = np.zeros(inst.n_villages, dtype=bool)
        has[inst.gap_village[exit_gaps]] = True
        villages = np.flatnonzero(has)
        o = self.m.add_vars("o", len(villages), 0.0, 1.0, integer=True,
                            cost=inst.bonus if self.m.maximize else 0.0)
        L.o, L.o_village = o, villages
        o_of = np.full(inst.n_villages, -1)
        o_of[villages] = o
        if self.m.maximize:
            self.m.offset += inst.bonus * (inst.n_villages - len(villages))
        cr, cc, cv = self.closed(exit_gaps, inst.village_due[inst.gap_village[exit_gaps]])
        rows = np.concatenate([np.arange(len(exit_gaps)), cr])
        cols = np.concatenate([o_of[inst.gap_village[exit_gaps]], cc])
        vals = np.concatenate([np.ones(len(exit_gaps)), -cv])
        self.m.add_rows("village-on-time", len(exit_gaps), rows, cols, vals, hi=0.0)
        if inst.max_spread is not None or inst.min_rate is not None or self.maximin:
            # rates must count every village that is on time: o[v] may not stay 0 then,
            # o[v] >= sum_g closed_g - (m[v] - 1) over its m[v] exit-standard gaps
            m_v = np.bincount(inst.gap_village[exit_gaps], minlength=inst.n_villages)
            vrow = np.full(inst.n_villages, -1)
            vrow[villages] = np.arange(len(villages))
            self.m.add_rows("village-on-time-exact", len(villages),
                            np.concatenate([np.arange(len(villages)),
                                            vrow[inst.gap_village[exit_gaps[cr]]]]),
                            np.concatenate([o, cc]),
                            np.concatenate([np.ones(len(o)), -cv]),
                            lo=1.0 - m_v[villages])
            self._cumulative_closed_exactly(exit_gaps)
        self.county_rates(villages, o)

    def _cumulative_closed_exactly(self, exit_gaps: np.ndarray):
        """cumulative-exact (rates must count every village on time): z[g,due] is 1 when
        the works finished by the due year reach the quantity Q[g]:
        sum_{p for g, s: finish <= due} c[p] x[p,s] - (C[g] - Q[g] + e) z[g,due] <= Q[g] - e,
        C[g] all of g's contributions, e = 1e-6 Q[g] (a sum within e below Q counts as
        reaching it, as the planner's progress does up to rounding)."""
        inst, L = self.inst, self.L
        gaps = exit_gaps[self.cum[exit_gaps]]
        if not len(gaps):
            return
        g = inst.proj_gap[L.x_proj]
        contrib = inst.proj_contrib[L.x_proj]
        total = np.zeros(inst.n_gaps)
        np.add.at(total, inst.proj_gap, inst.proj_contrib)
        rows, cols, vals, hi = [], [], [], []
        for r, gap in enumerate(gaps):
            due = int(inst.village_due[inst.gap_village[gap]])
            q = float(inst.gap_quantity[gap])
            eps = 1e-6 * max(q, 1.0)
            mine = np.flatnonzero((g == gap) & (L.x_finish <= due))
            rows += [np.full(len(mine) + 1, r)]
            cols += [np.concatenate([L.x[mine], [self.z[self.zrow[gap], due]]])]
            vals += [np.concatenate([contrib[mine], [-(total[gap] - q + eps)]])]
            hi.append(q - eps)
        self.m.add_rows("cumulative-exact", len(gaps), np.concatenate(rows),
                        np.concatenate(cols), np.concatenate(vals), hi=np.array(hi))

    def county_rates(self, villages: np.ndarray, o: np.ndarray):
        """county-rate (fairness), with n[c] planned villages of county c and k[c] of them
        without exit-standard gaps (on time whatever the plan):
        rmin <= (sum_{v in c} o[v] + k[c]) / n[c] <= rmax,  rmax - rmin <= max_spread;
        (sum o + k[c]) >= ceil(min_rate * n[c]);  maximin: maximise r <= every rate."""
        inst = self.inst
        if inst.max_spread is None and inst.min_rate is None and not self.maximin:
            return
        counties, n = np.unique(inst.village_county, return_counts=True)
        row_of = {c: i for i, c in enumerate(counties)}
        with_o = np.zeros(inst.n_villages, dtype=bool)
        with_o[villages] = True
        k = np.array([(~with_o[inst.village_county == c]).sum() for c in counties], float)
        C = len(counties)
        rows = np.array([row_of[c] for c in inst.village_county[villages]], dtype=np.int64)
        if inst.min_rate is not None:
            need = np.ceil(inst.min_rate * n - 1e-9) - k
            self.m.add_rows("county-min-rate", C, rows, o, 1.0, lo=need)
        if inst.max_spread is not None or self.maximin:
            r = self.m.add_vars("rate", 2, 0.0, 1.0)  # rmin, rmax
            self.worst_rate = int(r[0])
            self.m.add_rows("county-rate-low", C, np.concatenate([rows, np.arange(C)]),
                            np.concatenate([o, np.full(C, r[0])]),
                            np.concatenate([np.ones(len(o)), -n.astype(float)]), lo=-k)
            if inst.max_spread is not None:
                self.m.add_rows("county-rate-high", C, np.concatenate([rows, np.arange(C)]),
                                np.concatenate([o, np.full(C, r[1])]),
                                np.concatenate([np.ones(len(o)), -n.astype(float)]), hi=-k)
                self.m.add_rows("county-rate-spread", 1, [0, 0], r, [-1.0, 1.0],
                                hi=inst.max_spread)

    def exit_standard(self):
        """village-exit (min_cost):  sum_{p for g, s: finish <= due[v]} x[p,s] >= 1
        for every exit-standard gap g of every planned village v."""
        inst = self.inst
        exit_gaps = np.flatnonzero(inst.gap_exit)
        r, c, v = self.closed(exit_gaps, inst.village_due[inst.gap_village[exit_gaps]])
        rows, cols, vals = [r], [c], [v]
        if self.elastic == "rules":
            for r, gap in enumerate(exit_gaps):
                v = inst.village_ids[inst.gap_village[gap]]
                s = self._slack("exit", f"{v}/{inst.target_codes[inst.gap_target[gap]]}")
                rows.append([r])
                cols.append(s)
                vals.append([1.0])
        self.m.add_rows("village-exit", len(exit_gaps), np.concatenate(rows),
                        np.concatenate(cols), np.concatenate(vals), lo=1.0)

    # ------------------------------------------------------------ objective
    def _cumulative_value(self):
        """A cumulative gap is worth its on-time weight at z (or u) of its due year and the
        late weight for what closes after: w_on var[due] + w_late (var[last] - var[due])."""
        inst, m = self.inst, self.m
        if not len(self.cgaps):
            return
        var = self.u if inst.partial_credit else self.z
        g = self.cgaps
        due = inst.village_due[inst.gap_village[g]]
        last = inst.n_years - 1
        w_on = inst.gap_value(np.full(len(g), -1), g)
        w_late = inst.gap_value(np.full(len(g), inst.n_years), g)
        costs = {}
        for i in range(len(g)):
            costs[var[i, last]] = costs.get(var[i, last], 0.0) + w_late[i]
            costs[var[i, due[i]]] = costs.get(var[i, due[i]], 0.0) + w_on[i] - w_late[i]
        for j, c in costs.items():
            _set_cost(m, int(j), c)

    def objective(self):
        """max_coverage: value of gaps closed (weight, times late_factor when late),
        + bonus per village on time, - penalty per village a soft deadline misses.
        min_cost: pooled money.  Both are multiples of a quantum (VALUE_QUANTUM, one
        money unit), which lets the solver round its bound.
        elastic: the sum of slacks (rules: villages/projects short; money: money missing).
        tie-break phase (`floor` given): keep that objective, minimise pooled money, then
        finish years (the earliness term is worth less than one money unit in all)."""
        inst, L, m = self.inst, self.L, self.m
        if self.elastic:
            wanted = ("money",) if self.elastic == "money" else ("lock", "deadline", "exit")
            for kind, _, var in L.slacks:
                _set_cost(m, var, 1.0 if kind in wanted else 0.0)
            return self
        pooled = inst.proj_pooled_units.sum(axis=1)[L.x_proj] * self.money
        if self.maximin:
            for arr in m.cost:
                arr[:] = 0.0
            m.offset, m.maximize = 0.0, True
            _set_cost(m, self.worst_rate, 1.0)
            return self
        if inst.objective == "max_coverage":
            m.cost[0][:] = np.where(self.cum[inst.proj_gap[L.x_proj]], 0.0,
                                    inst.gap_value(L.x_finish, inst.proj_gap[L.x_proj]))
            self._cumulative_value()
        else:
            m.cost[0][:] = pooled
        if self.floor is None:
            return self
        # tie-break phase: the phase-1 objective becomes a row, then cheaper and earlier
        cost = np.concatenate(m.cost)
        nz = np.flatnonzero(cost)
        if m.maximize:
            m.add_rows("objective-floor", 1, np.zeros(len(nz), int), nz, cost[nz],
                       lo=self.floor - m.offset - 0.5 * VALUE_QUANTUM)
        else:
            m.add_rows("objective-ceiling", 1, np.zeros(len(nz), int), nz, cost[nz],
                       hi=self.floor - m.offset + 0.5 * self.money)
        for arr in m.cost:
            arr[:] = 0.0
        m.maximize = False
        m.offset = 0.0
        kind = self.secondary["kind"]
        if kind == "tie_break":
            G = max(inst.n_gaps, 1)
            early = 0.5 * self.money * (L.x_finish + 1) / (inst.n_years * G)
            m.cost[0][:] = pooled + early
        elif kind == "stable":
            # changes = previous starts not kept + projects started that were not before
            prev = np.asarray(self.secondary["start"])[L.x_proj]
            m.cost[0][:] = np.where(prev == L.x_start, -1.0, np.where(prev >= 0, 0.0, 1.0))
            m.offset = float((np.asarray(self.secondary["start"]) >= 0).sum())
        elif kind == "diverse":
            # minus the Hamming distance (over start choices) to each earlier plan
            cost = np.zeros(len(L.x))
            for plan in self.secondary["plans"]:
                cost += np.where(np.asarray(plan)[L.x_proj] == L.x_start, 1.0, -1.0)
            m.cost[0][:] = cost
        else:
            raise ValueError(f"unknown secondary objective {kind!r}")
        return self


def _q(value: float) -> float:
    return round(value / VALUE_QUANTUM) * VALUE_QUANTUM


def _set_cost(m: LinearModel, var: int, value: float):
    for blk, arr in zip(m.blocks.values(), m.cost):
        if blk.start <= var < blk.start + blk.count:
            arr[var - blk.start] = value
            return


def _group(keys: np.ndarray, n: int) -> list[np.ndarray]:
    """Positions of each key 0..n-1 in `keys`."""
    order = np.argsort(keys, kind="stable")
    bounds = np.searchsorted(keys[order], np.arange(n + 1))
    return [order[bounds[i]: bounds[i + 1]] for i in range(n)]


def build(inst: Instance, elastic: str | None = None, reduce: bool = True,
          floor: float | None = None, secondary: dict | None = None, maximin: bool = False
          ) -> tuple[LinearModel, Layout]:
    f = Formulation(inst, elastic, reduce, floor, secondary, maximin)
    f.add_constraints().objective()
    return f.m, f.L
