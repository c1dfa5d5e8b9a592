"""The rules of the program other than money, one function per constraint family.

Each function's docstring states its rows; rows are named "<entity>-<rule>".
The money rules are in `money_rules`.
"""

from __future__ import annotations

import numpy as np

from ..evaluate import deadline_gaps
from ..instance import Instance
from ..linear import LinearModel
from .variables import Layout


def closed(inst: Instance, L: Layout, gaps: np.ndarray, years: np.ndarray):
    """Entries (row i, column, coefficient) of 'gap gaps[i] is closed by the end of
    year years[i]': the starts of its work finishing by then (a one-work gap), or
    z[g, year] (a cumulative gap)."""
    pos = np.full(inst.n_gaps, -1)
    pos[gaps] = np.arange(len(gaps))
    yr = np.full(inst.n_gaps, -1)
    yr[gaps] = years
    g = inst.proj_gap[L.x_proj]
    sel = (pos[g] >= 0) & ~L.cum[g] & (L.x_finish <= yr[g])
    rows, cols = [pos[g[sel]]], [L.x[sel]]
    cg = L.cum[gaps]
    if cg.any():
        rows.append(np.flatnonzero(cg))
        cols.append(L.z[L.zrow[gaps[cg]], years[cg]])
    rows, cols = np.concatenate(rows), np.concatenate(cols)
    return rows, cols, np.ones(len(rows))


def gap_once(m: LinearModel, inst: Instance, L: Layout):
    """gap-once:  sum_{p for g, s} x[p,s] <= 1  for every one-work gap g;
    project-once: sum_s x[p,s] <= 1 for the works of a cumulative gap;
    cumulative-progress:  quantity[g] z[g,t] <= sum_{p for g, s: finish <= t} c[p] x[p,s]
    (and quantity[g] u[g,t] <= the same with partial credit); z[g,t] <= z[g,t+1]."""
    g = inst.proj_gap[L.x_proj]
    key = np.where(L.cum[g], inst.n_gaps + L.x_proj, g)
    uniq, rows = np.unique(key, return_inverse=True)
    m.add_rows("gap-once", len(uniq), rows.reshape(-1), L.x, 1.0, hi=1.0)
    if not len(L.cgaps):
        return
    Y = inst.n_years
    on = L.cum[g]
    contrib = inst.proj_contrib[L.x_proj[on]]
    for name, var in (("cumulative-progress", L.z), ("cumulative-share", L.u)):
        if not var.size:
            continue
        rows, cols, vals = [], [], []
        for t in range(Y):
            done = L.x_finish[on] <= t
            r = L.zrow[g[on][done]] * Y + t
            rows += [np.arange(len(L.cgaps)) * Y + t, r]
            cols += [var[:, t], L.x[on][done]]
            vals += [inst.gap_quantity[L.cgaps], -contrib[done]]
        m.add_rows(name, len(L.cgaps) * Y, np.concatenate(rows),
                   np.concatenate(cols), np.concatenate(vals), hi=0.0)
    if Y > 1:
        n = len(L.cgaps) * (Y - 1)
        r = np.arange(n)
        m.add_rows("cumulative-monotone", n, np.concatenate([r, r]),
                   np.concatenate([L.z[:, :-1].ravel(), L.z[:, 1:].ravel()]),
                   np.concatenate([np.ones(n), -np.ones(n)]), hi=0.0)


def requires(m: LinearModel, inst: Instance, L: Layout):
    """requires:  x[q,s] <= sum_{s': s' + d_p - 1 < s} x[p,s']  when q requires p
    (the prerequisite is chosen and finishes in a year before q starts)."""
    if not len(inst.requires):
        return
    by_proj = _group(L.x_proj, inst.n_projects)
    rows, cols, vals, n = [], [], [], 0
    for q, p in inst.requires:
        pre = by_proj[p]
        for i in by_proj[q]:
            ok = pre[L.x_finish[pre] < L.x_start[i]]
            rows.append(np.full(1 + len(ok), n))
            cols.append(np.concatenate([[L.x[i]], L.x[ok]]))
            vals.append(np.concatenate([[1.0], -np.ones(len(ok))]))
            n += 1
    if n:
        m.add_rows("project-requires", n, np.concatenate(rows), np.concatenate(cols),
                   np.concatenate(vals), hi=0.0)


def alternatives(m: LinearModel, inst: Instance, L: Layout):
    """alternative-group:  sum_{p in group, s} x[p,s] <= 1  for every group."""
    grp = inst.proj_group[L.x_proj]
    sel = grp >= 0
    if sel.any():
        m.add_rows("alternative-group", int(grp.max()) + 1, grp[sel], L.x[sel], 1.0, hi=1.0)


def locks(m: LinearModel, inst: Instance, L: Layout):
    """project-lock:  sum_s x[p,s] [+ slack] = 1  for every project locked in."""
    locked = np.flatnonzero(inst.lock_in)
    if not len(locked):
        return
    row_of = np.full(inst.n_projects, -1)
    row_of[locked] = np.arange(len(locked))
    sel = row_of[L.x_proj] >= 0
    rows, cols, vals = [row_of[L.x_proj[sel]]], [L.x[sel]], [np.ones(sel.sum())]
    if len(L.lock_slack):
        rows.append(np.arange(len(locked)))
        cols.append(L.lock_slack)
        vals.append(np.ones(len(locked)))
    m.add_rows("project-lock", len(locked), np.concatenate(rows),
               np.concatenate(cols), np.concatenate(vals), lo=1.0, hi=1.0)


def deadlines(m: LinearModel, inst: Instance, L: Layout):
    """deadline:  sum_{gaps g of the target in scope} sum_{s: finish <= year} x  >=
    required - (villages in scope without the gap)  [- slack when soft]."""
    for d, slack in zip(inst.deadlines, L.deadline_slack):
        gaps = deadline_gaps(inst, d)
        need = d.required() - (len(d.villages) - int(gaps.sum()))
        if need <= 0:
            continue
        idx = np.flatnonzero(gaps)
        _, c, v = closed(inst, L, idx, np.full(len(idx), d.year))
        rows, cols, vals = [np.zeros(len(c), int)], [c], [v]
        if slack >= 0:
            rows.append([0])
            cols.append([slack])
            vals.append([1.0])
        m.add_rows(f"deadline-{d.label}", 1, np.concatenate(rows),
                   np.concatenate(cols), np.concatenate(vals), lo=float(need))


def villages_on_time(m: LinearModel, inst: Instance, L: Layout, maximin: bool):
    """village-on-time:  o[v] <= sum_{p for g, s: finish <= due[v]} x[p,s]
    for every exit-standard gap g of village v; where rates count (fairness, maximin)
    also village-on-time-exact, cumulative-exact and the county rates."""
    exit_gaps = np.flatnonzero(inst.gap_exit)
    villages, o = L.o_village, L.o
    o_of = np.full(inst.n_villages, -1)
    o_of[villages] = o
    cr, cc, cv = closed(inst, L, exit_gaps, inst.village_due[inst.gap_village[exit_gaps]])
    rows = np.concatenate([np.arange(len(exit_gaps)), cr])
    cols = np.concatenate([o_of[inst.gap_village[exit_gaps]], cc])
    vals = np.concatenate([np.ones(len(exit_gaps)), -cv])
    m.add_rows("village-on-time", len(exit_gaps), rows, cols, vals, hi=0.0)
    if inst.max_spread is not None or inst.min_rate is not None or maximin:
        # rates must count every village that is on time: o[v] may not stay 0 then,
        # o[v] >= sum_g closed_g - (m[v] - 1) over its m[v] exit-standard gaps
        m_v = np.bincount(inst.gap_village[exit_gaps], minlength=inst.n_villages)
        vrow = np.full(inst.n_villages, -1)
        vrow[villages] = np.arange(len(villages))
        m.add_rows("village-on-time-exact", len(villages),
                   np.concatenate([np.arange(len(villages)),
                                   vrow[inst.gap_village[exit_gaps[cr]]]]),
                   np.concatenate([o, cc]),
                   np.concatenate([np.ones(len(o)), -cv]),
                   lo=1.0 - m_v[villages])
        cumulative_closed_exactly(m, inst, L, exit_gaps)
    county_rates(m, inst, L, maximin)


def cumulative_closed_exactly(m: LinearModel, inst: Instance, L: Layout,
                              exit_gaps: np.ndarray):
    """cumulative-exact (rates must count every village on time): z[g,due] is 1 when
    the works finished by the due year reach the quantity Q[g]:
    sum_{p for g, s: finish <= due} c[p] x[p,s] - (C[g] - Q[g] + e) z[g,due] <= Q[g] - e,
    C[g] all of g's contributions, e = 1e-6 Q[g] (a sum within e below Q counts as
    reaching it, as the planner's progress does up to rounding)."""
    gaps = exit_gaps[L.cum[exit_gaps]]
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
        cols += [np.concatenate([L.x[mine], [L.z[L.zrow[gap], due]]])]
        vals += [np.concatenate([contrib[mine], [-(total[gap] - q + eps)]])]
        hi.append(q - eps)
    m.add_rows("cumulative-exact", len(gaps), np.concatenate(rows),
               np.concatenate(cols), np.concatenate(vals), hi=np.array(hi))


def county_rates(m: LinearModel, inst: Instance, L: Layout, maximin: bool):
    """county-rate (fairness), with n[c] planned villages of county c and k[c] of them
    without exit-standard gaps (on time whatever the plan):
    rmin <= (sum_{v in c} o[v] + k[c]) / n[c] <= rmax,  rmax - rmin <= max_spread;
    (sum o + k[c]) >= ceil(min_rate * n[c]);  maximin: maximise r <= every rate."""
    if inst.max_spread is None and inst.min_rate is None and not maximin:
        return
    villages, o = L.o_village, L.o
    counties, n = np.unique(inst.village_county, return_counts=True)
    row_of = {c: i for i, c in enumerate(counties)}
    with_o = np.zeros(inst.n_villages, dtype=bool)
    with_o[villages] = True
    k = np.array([(~with_o[inst.village_county == c]).sum() for c in counties], float)
    C = len(counties)
    rows = np.array([row_of[c] for c in inst.village_county[villages]], dtype=np.int64)
    if inst.min_rate is not None:
        need = np.ceil(inst.min_rate * n - 1e-9) - k
        m.add_rows("county-min-rate", C, rows, o, 1.0, lo=need)
    if len(L.rate):
        r = L.rate
        m.add_rows("county-rate-low", C, np.concatenate([rows, np.arange(C)]),
                   np.concatenate([o, np.full(C, r[0])]),
                   np.concatenate([np.ones(len(o)), -n.astype(float)]), lo=-k)
        if inst.max_spread is not None:
            m.add_rows("county-rate-high", C, np.concatenate([rows, np.arange(C)]),
                       np.concatenate([o, np.full(C, r[1])]),
                       np.concatenate([np.ones(len(o)), -n.astype(float)]), hi=-k)
            m.add_rows("county-rate-spread", 1, [0, 0], r, [-1.0, 1.0], hi=inst.max_spread)


def exit_standard(m: LinearModel, inst: Instance, L: Layout):
    """village-exit (min_cost):  sum_{p for g, s: finish <= due[v]} x[p,s] [+ slack] >= 1
    for every exit-standard gap g of every planned village v."""
    exit_gaps = np.flatnonzero(inst.gap_exit)
    r, c, v = closed(inst, L, exit_gaps, inst.village_due[inst.gap_village[exit_gaps]])
    rows, cols, vals = [r], [c], [v]
    if len(L.exit_slack):
        rows.append(np.arange(len(exit_gaps)))
        cols.append(L.exit_slack)
        vals.append(np.ones(len(exit_gaps)))
    m.add_rows("village-exit", len(exit_gaps), np.concatenate(rows),
               np.concatenate(cols), np.concatenate(vals), lo=1.0)


def _group(keys: np.ndarray, n: int) -> list[np.ndarray]:
    """Positions of each key 0..n-1 in `keys`."""
    order = np.argsort(keys, kind="stable")
    bounds = np.searchsorted(keys[order], np.arange(n + 1))
    return [order[bounds[i]: bounds[i + 1]] for i in range(n)]


def batch_floors(m: LinearModel, inst: Instance, L: Layout):
    """batch-floor (exit priority, the stages solved so far): for each batch i with a
    floor, sum_{v in batch i} o[v] + k[i] >= floor[i], k[i] its villages without
    exit-standard gaps (on time whatever the plan)."""
    o_of = np.full(inst.n_villages, -1)
    o_of[L.o_village] = L.o
    for i, floor in enumerate(inst.batch_floor):
        vars_ = o_of[inst.batches[i]]
        has = vars_ >= 0
        need = float(floor - (~has).sum())
        if need <= 0:
            continue
        m.add_rows(f"batch-floor-{inst.batch_labels[i]}", 1,
                   np.zeros(int(has.sum()), dtype=np.int64), vars_[has], 1.0, lo=need)
