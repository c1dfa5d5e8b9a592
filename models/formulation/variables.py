"""The program's variables, created apart from the rules that use them.

    x[p,s]      binary   project p starts in year s (one variable per allowed start)
    z[g,t]      binary   cumulative gap g is closed by the end of year t
    u[g,t]      [0,1]    its share done (partial credit only)
    y[c,b,t]    >= 0     money of pool b paying for eligibility class c in year t
                         (whole units, integer, from revolving and levering pools)
    outside[c,b,t]       outside money unlocked by levering pool b (whole units)
    lever-money/-outside[p,b,t]  the same per work (the ratio is a rule of each work)
    carry[b,t]  >= 0     unspent money of pool b moving from year t to t+1
    back-b-t             what revolving pool b gets back in year t (whole units)
    slack-*              soft deadlines; in elastic mode every hard rule, or money
    o[v]        binary   village v meets its exit standard by its due year
    rate        [0,1]    the worst and best county rates (fairness, maximin)

`create` adds them in this order (the order the backends see, which the bundled
plans depend on) and returns the `Layout`: where each decision lives.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..eligibility import class_county, payable
from ..evaluate import deadline_gaps
from ..instance import Instance
from ..ledger import carries, return_years, work_years
from ..linear import INF, LinearModel
from .presolve import dominated_starts


def _none(shape=(0,)):
    return field(default_factory=lambda: np.zeros(shape, dtype=np.int64))


@dataclass
class Layout:
    """Where each decision lives in the model's variable vector."""
    x: np.ndarray  # variable index of each start
    x_proj: np.ndarray
    x_start: np.ndarray
    x_finish: np.ndarray
    o: np.ndarray = _none()
    o_village: np.ndarray = _none()
    # elastic/soft slacks: (kind, label, variable index)
    slacks: list = field(default_factory=list)
    unfundable: np.ndarray = _none()
    classes: np.ndarray = _none()  # class of each project
    flow_pairs: np.ndarray = _none((0, 2))  # (class, pool) of each flow row
    flow_vars: np.ndarray = _none((0, 0))
    flow_units: np.ndarray = field(default_factory=lambda: np.zeros(0))  # units per var unit
    outside_pairs: np.ndarray = _none()  # flow rows of levering pools
    outside_vars: np.ndarray = _none((0, 0))
    # per work and levering pool: rows (project, pool, year, money var, outside var)
    lever_vars: np.ndarray = _none((0, 5))
    # cumulative gaps: which gaps, their row in z/u, z and u
    cum: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    cgaps: np.ndarray = _none()
    zrow: np.ndarray = _none()
    z: np.ndarray = _none((0, 0))
    u: np.ndarray = _none((0, 0))
    # spending entries, one per start and year of its duration that pays pooled money:
    # (start position, project, year, money in 万元 per unit of x)
    spend: tuple = ()
    n_classes: int = 0
    flow_whole: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    lever_rows: tuple = ()  # (work-years, position of each entry, pairs) for lever rows
    carry_bt: np.ndarray = _none((0, 2))
    carry: np.ndarray = _none()
    back: list = field(default_factory=list)  # (pool, year, variable)
    money_slack: np.ndarray = _none()
    lock_slack: np.ndarray = _none()  # per locked project (elastic rules)
    deadline_slack: list = field(default_factory=list)  # per deadline: var or -1
    exit_slack: np.ndarray = _none()  # per exit-standard gap (elastic rules)
    rate: np.ndarray = _none()  # rmin, rmax


def create(m: LinearModel, inst: Instance, elastic: str | None, reduce: bool,
           maximin: bool) -> Layout:
    """Every variable of the program, in the order the backends see them."""
    L = starts(m, inst, reduce)
    cumulative(m, inst, L)
    flows(m, inst, L)
    lever_per_work(m, inst, L)
    carry_and_returns(m, inst, L)
    if elastic == "money":
        B, Y = inst.n_pools, inst.n_years
        L.money_slack = m.add_vars("slack-money", B * Y, 0.0, INF)
        for b in range(B):
            for t in range(Y):
                L.slacks.append(("money", f"{b}:{t}", int(L.money_slack[b * Y + t])))
    if elastic == "rules":
        L.lock_slack = np.array([_slack(m, L, "lock", inst.project_ids[p])[0]
                                 for p in np.flatnonzero(inst.lock_in)], dtype=np.int64)
    for d in inst.deadlines:
        gaps = deadline_gaps(inst, d)
        need = d.required() - (len(d.villages) - int(gaps.sum()))
        soft = need > 0 and (d.soft or elastic == "rules")
        L.deadline_slack.append(
            int(_slack(m, L, "soft" if d.soft else "deadline", d.label)[0]) if soft else -1)
    if inst.objective == "max_coverage":
        exit_gaps = np.flatnonzero(inst.gap_exit)
        has = np.zeros(inst.n_villages, dtype=bool)
        has[inst.gap_village[exit_gaps]] = True
        L.o_village = np.flatnonzero(has)
        L.o = m.add_vars("o", len(L.o_village), 0.0, 1.0, integer=True)
        if inst.max_spread is not None or maximin:
            L.rate = m.add_vars("rate", 2, 0.0, 1.0)
    elif elastic == "rules":
        gaps = np.flatnonzero(inst.gap_exit)
        L.exit_slack = np.array(
            [_slack(m, L, "exit", f"{inst.village_ids[inst.gap_village[g]]}/"
                                  f"{inst.target_codes[inst.gap_target[g]]}")[0]
             for g in gaps], dtype=np.int64)
    return L


def _slack(m: LinearModel, L: Layout, kind: str, label: str) -> np.ndarray:
    idx = m.add_vars(f"slack-{kind}-{label}", 1, 0.0, INF, integer=True)
    L.slacks.append((kind, label, int(idx[0])))
    return idx


def starts(m: LinearModel, inst: Instance, reduce: bool) -> Layout:
    """x: one variable per allowed start, dominated starts dropped when `reduce`
    (models.formulation.presolve); a project whose pooled money no pool may pay can
    never be funded (upper bound 0)."""
    proj, start = inst.starts()
    if reduce:
        keep = ~dominated_starts(inst, proj, start)
        proj, start = proj[keep], start[keep]
    finish = start + inst.proj_duration[proj] - 1
    needs_money = inst.proj_pooled_units.sum(axis=1) > 0
    unfundable = needs_money & ~payable(inst)
    ub = np.where(unfundable[proj], 0.0, 1.0)
    x = m.add_vars("x", len(proj), 0.0, ub, integer=True)
    return Layout(x=x, x_proj=proj, x_start=start, x_finish=finish,
                  unfundable=np.flatnonzero(unfundable))


def cumulative(m: LinearModel, inst: Instance, L: Layout):
    """z[g,t] for each cumulative gap and year; u[g,t] too with partial credit."""
    Y = inst.n_years
    L.cum = inst.cumulative
    L.zrow = np.full(inst.n_gaps, -1)
    L.cgaps = np.flatnonzero(L.cum)
    L.zrow[L.cgaps] = np.arange(len(L.cgaps))
    if not len(L.cgaps):
        L.z = L.u = np.zeros((0, Y), dtype=np.int64)
        return
    L.z = m.add_vars("z", len(L.cgaps) * Y, 0.0, 1.0, integer=True).reshape(-1, Y)
    L.u = (m.add_vars("u", len(L.cgaps) * Y, 0.0, 1.0).reshape(-1, Y)
           if inst.partial_credit else np.zeros((0, Y), dtype=np.int64))


def flows(m: LinearModel, inst: Instance, L: Layout):
    """Eligibility classes (the projects of one county with the same eligible pools:
    keeping the county in the key lets the money each county draws be read off the
    flows), y[c,b,t] for each class and eligible pool (integer, whole units, from
    revolving and levering pools, so that floor(share * lent) and the leverage ratio are
    exact), and outside[c,b,t] for the levering pools."""
    Y = inst.n_years
    money = 1.0 / inst.money_units
    # the instance's classes (one county each) with the same pools taken as one
    key = np.column_stack([inst.class_pools.astype(np.int64),
                           class_county(inst)])
    uniq, cls = np.unique(key, axis=0, return_inverse=True)
    classes = uniq[:, :-1].astype(bool)
    L.classes = cls.reshape(-1)[inst.proj_class]
    L.n_classes = len(classes)
    # spending entries: one per start and year of its duration
    rep, _, year, units = work_years(inst, L.x_proj, L.x_start)
    L.spend = (rep, L.x_proj[rep], year, units * money)
    cb = np.argwhere(classes)  # (pairs, 2): class, pool
    whole = inst.revolving | inst.levering
    rev = whole[cb[:, 1]] if len(cb) else np.zeros(0, dtype=bool)
    y = np.zeros((len(cb), Y), dtype=np.int64)
    y[~rev] = m.add_vars("y", int((~rev).sum()) * Y, 0.0, INF).reshape(-1, Y)
    y[rev] = m.add_vars("y-revolving", int(rev.sum()) * Y, 0.0, INF,
                        integer=True).reshape(-1, Y)
    L.flow_pairs, L.flow_vars, L.flow_whole = cb, y, rev
    L.flow_units = np.where(rev, 1.0, inst.money_units)
    lev = np.flatnonzero(inst.levering[cb[:, 1]]) if len(cb) else np.zeros(0, dtype=np.int64)
    L.outside_pairs = lev
    L.outside_vars = m.add_vars("outside", len(lev) * Y, 0.0, INF,
                                integer=True).reshape(-1, Y)


def lever_per_work(m: LinearModel, inst: Instance, L: Layout):
    """lever-money[p,b,t], lever-outside[p,b,t] >= 0 integer for each work p a levering
    pool b may pay, in each year t it may spend (bounded by its largest yearly money)."""
    Y, cb, lev = inst.n_years, L.flow_pairs, L.outside_pairs
    if not len(lev):
        return
    _, p, t, _ = L.spend
    wy, wy_of = np.unique(p * Y + t, return_inverse=True)
    wp, wt = wy // Y, wy % Y
    triples = []  # (work-year index, lev pair index) for each eligible levering pool
    for i, c in enumerate(cb[lev, 0]):
        for w in np.flatnonzero(L.classes[wp] == c):
            triples.append((w, i))
    tri = np.array(triples, dtype=np.int64).reshape(-1, 2)
    cap = inst.proj_pooled_units.max(axis=1)[wp[tri[:, 0]]].astype(float)
    k = inst.pool_leverage[cb[lev[tri[:, 1]], 1]]
    mv = m.add_vars("lever-money", len(tri), 0.0, cap, integer=True)
    ov = m.add_vars("lever-outside", len(tri), 0.0, cap * k, integer=True)
    L.lever_rows = (wy, wy_of, tri)
    L.lever_vars = np.column_stack([wp[tri[:, 0]], cb[lev[tri[:, 1]], 1], wt[tri[:, 0]],
                                    mv, ov])


def carry_and_returns(m: LinearModel, inst: Instance, L: Layout):
    """carry[b,t] where pool b carries year t's money over; back-b-t for each revolving
    pool b and year t at least its return delay after the first year."""
    L.carry_bt = np.argwhere(carries(inst))
    L.carry = m.add_vars("carry", len(L.carry_bt), 0.0, INF)
    for b, t, _, _ in return_years(inst):
        L.back.append((b, t, int(m.add_vars(f"back-{b}-{t}", 1, 0.0, INF, integer=True)[0])))
