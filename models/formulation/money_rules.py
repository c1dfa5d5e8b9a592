"""The money rules of the program, one function per constraint family.

Projects with the same set of eligible pools form one eligibility class; the
funding flow is aggregated per class (exact, since money is divisible and the
projects of a class may draw on the same pools), and the split per project is
recovered after solving by `models.funding`.  Rows are in 万元 (money in whole
units is scaled by 1/money_units).
"""

from __future__ import annotations

import numpy as np

from ..instance import Instance
from ..ledger import return_years
from ..linear import LinearModel
from .variables import Layout


def class_spend(m: LinearModel, inst: Instance, L: Layout):
    """class-spend:  sum_b y[c,b,t] (+ outside[c,b,t]) = sum_{p in c, s} pooled[p, t-s] x[p,s]
    for every class c and year t."""
    Y, money = inst.n_years, 1.0 / inst.money_units
    cb, y, lev, out = L.flow_pairs, L.flow_vars, L.outside_pairs, L.outside_vars
    rep, p, t, amount = L.spend
    coef = np.where(L.flow_whole, money, 1.0)  # 万元 per variable unit
    rows_y = (cb[:, 0][:, None] * Y + np.arange(Y)[None, :]).ravel()
    rows_o = (cb[lev, 0][:, None] * Y + np.arange(Y)[None, :]).ravel()
    rows_x = L.classes[p] * Y + t
    m.add_rows("class-spend", L.n_classes * Y,
               np.concatenate([rows_y, rows_o, rows_x]),
               np.concatenate([y.ravel(), out.ravel(), L.x[rep]]),
               np.concatenate([np.repeat(coef, Y), np.full(out.size, money), -amount]),
               lo=0.0, hi=0.0)


def leverage(m: LinearModel, inst: Instance, L: Layout):
    """pool-leverage:  outside[c,b,t] <= leverage[b] * y[c,b,t]  (whole units);
    outside-limit:  sum_c outside[c,b,t] <= limit[b,t]  where a limit is given."""
    Y, cb, y, lev, out = inst.n_years, L.flow_pairs, L.flow_vars, L.outside_pairs, L.outside_vars
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


def lever_per_work(m: LinearModel, inst: Instance, L: Layout):
    """The ratio holds for each work and year, not only per class (whole units):
    lever-ratio:  outside[p,b,t] <= leverage[b] * money[p,b,t];
    lever-work:  sum_b (money + outside)[p,b,t] <= pooled[p, t-s] x[p,s] summed over s;
    lever-split:  sum_{p in c} money[p,b,t] = y[c,b,t],
                  sum_{p in c} outside[p,b,t] = outside[c,b,t]."""
    Y, cb, lev = inst.n_years, L.flow_pairs, L.outside_pairs
    if not len(lev):
        return
    money = 1.0 / inst.money_units
    rep, _, _, amount = L.spend
    wy, wy_of, tri = L.lever_rows
    mv, ov = L.lever_vars[:, 3], L.lever_vars[:, 4]
    wt = L.lever_vars[:, 2]
    n = len(tri)
    k = inst.pool_leverage[cb[lev[tri[:, 1]], 1]]
    r = np.arange(n)
    m.add_rows("lever-ratio", n, np.concatenate([r, r]), np.concatenate([ov, mv]),
               np.concatenate([np.ones(n), -k]), hi=0.0)
    m.add_rows("lever-work", len(wy),
               np.concatenate([tri[:, 0], tri[:, 0], wy_of]),
               np.concatenate([mv, ov, L.x[rep]]),
               np.concatenate([np.full(2 * n, money), -amount]), hi=0.0)
    rows_y = tri[:, 1] * Y + wt
    nl = len(lev) * Y
    lr = np.arange(nl)
    m.add_rows("lever-split-money", nl, np.concatenate([rows_y, lr]),
               np.concatenate([mv, L.flow_vars[lev].ravel()]),
               np.concatenate([np.ones(n), -np.ones(nl)]), lo=0.0, hi=0.0)
    m.add_rows("lever-split-outside", nl, np.concatenate([rows_y, lr]),
               np.concatenate([ov, L.outside_vars.ravel()]),
               np.concatenate([np.ones(n), -np.ones(nl)]), lo=0.0, hi=0.0)


def returns(m: LinearModel, inst: Instance, L: Layout):
    """pool-return (revolving pools):  back[b,t] <= share[b] * sum_c y[c,b,t-k[b]] (in
    whole units, back integer, so back <= floor); back[b,t] adds to pool-budget[b,t]."""
    cb, y = L.flow_pairs, L.flow_vars
    ret_rows, ret_cols, ret_vals = [], [], []
    terms = {(b, t): (k, share) for b, t, k, share in return_years(inst)}
    for n, (b, t, back) in enumerate(L.back):
        k, share = terms[(b, t)]
        lenders = np.flatnonzero((cb[:, 1] == b) & L.flow_whole)
        ret_rows += [n] * (1 + len(lenders))
        ret_cols += [back] + list(y[lenders, t - k])
        ret_vals += [1.0] + [-share] * len(lenders)
    if L.back:
        m.add_rows("pool-return", len(L.back), np.array(ret_rows), np.array(ret_cols),
                   np.array(ret_vals), hi=0.0)


def pool_budget(m: LinearModel, inst: Instance, L: Layout):
    """pool-budget:  sum_c y[c,b,t] + carry[b,t] - carry[b,t-1] - back[b,t]
    [- slack-money[b,t]] <= budget[b,t]  for every pool b and year t."""
    Y, B, money = inst.n_years, inst.n_pools, 1.0 / inst.money_units
    cb, y = L.flow_pairs, L.flow_vars
    coef = np.where(L.flow_whole, money, 1.0)
    bt = L.carry_bt
    rows = [(cb[:, 1][:, None] * Y + np.arange(Y)[None, :]).ravel(),
            bt[:, 0] * Y + bt[:, 1], bt[:, 0] * Y + bt[:, 1] + 1]
    cols = [y.ravel(), L.carry, L.carry]
    vals = [np.repeat(coef, Y), np.ones(len(L.carry)), -np.ones(len(L.carry))]
    rows.append(np.array([b * Y + t for b, t, _ in L.back], dtype=np.int64))
    cols.append(np.array([v for _, _, v in L.back], dtype=np.int64))
    vals.append(np.full(len(L.back), -money))
    if len(L.money_slack):
        rows.append(np.arange(B * Y))
        cols.append(L.money_slack)
        vals.append(-np.ones(B * Y))
    budget = inst.pool_budget_units.ravel() * money
    m.add_rows("pool-budget", B * Y, np.concatenate(rows), np.concatenate(cols),
               np.concatenate(vals), hi=budget)


def funding(m: LinearModel, inst: Instance, L: Layout):
    """Every money rule, in the order the rows are numbered."""
    class_spend(m, inst, L)
    leverage(m, inst, L)
    lever_per_work(m, inst, L)
    returns(m, inst, L)
    pool_budget(m, inst, L)
