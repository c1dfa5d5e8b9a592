"""An independent reference planner: every plan of a tiny scenario, by brute force.

Written from the rules in README.md alone (value rule, scenario format, leverage,
revolving funds, cumulative gaps, partial credit, reserves, fairness, locks,
prerequisites, alternatives, deadlines, self share, cost profiles, carry-over,
county money, start windows).  It imports nothing from `models/` or `planner/`,
so it does not repeat their mistakes: the tests compare its optimum with the
planner's.

How: every assignment of a start year (or none) to each work is enumerated, pruned
by the rules that need no money (gap-once, alternatives, start windows, finishing
inside the horizon, prerequisites, locks); hard deadlines and fairness filter the
rest; the value of each is worked out by the README's value rule; the candidates
are then tried best value first, and the first whose money can be found is the
optimum.  Money is checked by a small integer program of its own, in whole yuan
(every amount is a whole number of 0.0001 of the unit), solved exactly by CP-SAT
(integers only, no tolerances).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction as Q

from ortools.sat.python import cp_model

UNITS = 10000  # whole yuan in one 万元: money is held in these units
EXIT_STANDARD = ("water", "power", "road", "broadband", "housing", "environment",
                 "education", "health", "social_security", "culture")
WEIGHTS = {"target_weight": "1", "late_factor": "0.5", "on_time_bonus": "3",
           "soft_deadline_penalty": "2"}


@dataclass
class Village:
    id: str
    county: str
    exit_year: int
    deep: bool = False
    relocated: bool = False


@dataclass
class Gap:
    village: str
    target: str
    weight: str | None = None
    quantity: str | None = None


@dataclass
class Project:
    id: str
    village: str
    target: str
    cost: str
    duration: int = 1
    profile: tuple | None = None  # shares per year of the duration, as strings
    earliest: int | None = None
    latest: int | None = None
    self_share: str | None = None
    streams: tuple = ()
    contributes: str | None = None
    requires: tuple = ()
    group: str | None = None


@dataclass
class Fund:
    stream: str
    year: int
    amount: str
    county: str = ""  # blank: pooled over all counties
    carry_over: bool = True
    targets: tuple = ("*",)
    returns_after: int | None = None
    return_share: str | None = None
    leverage: str | None = None
    outside_limit: str | None = None


@dataclass
class Scenario:
    years: list
    villages: list
    gaps: list
    projects: list
    funds: list
    deadlines: list = field(default_factory=list)  # {target, year, scope, share, soft}
    weights: dict = field(default_factory=dict)  # README keys and target codes
    exit_standard: list | None = None
    partial_credit: bool = False
    fairness: dict = field(default_factory=dict)  # max_spread, min_rate, maximin
    reserve: list = field(default_factory=list)  # {stream, share}
    lock_in: tuple = ()
    lock_out: tuple = ()
    # README "Exit priority": lexicographic (default), weighted, none, or the batch order
    exit_priority: object = None
    deep_poverty_first: bool = False


@dataclass
class Answer:
    value: Q | None  # None: no plan keeps every hard rule
    starts: dict  # project id -> start year of an optimal plan
    candidates: int  # plans enumerated (before money)
    money_checks: int


# ------------------------------------------------------------------ money of a work
def year_costs(p: Project) -> list[int]:
    """The cost in whole yuan, split over the duration by the profile (default even) with
    the largest-remainder rule, so the years add up to the rounded cost."""
    total = round(Q(p.cost) * UNITS)
    shares = [Q(s) for s in p.profile] if p.profile else [Q(1, p.duration)] * p.duration
    raw = [total * s for s in shares]
    parts = [math.floor(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda k: -(raw[k] - parts[k]))
    for k in order[: total - sum(parts)]:
        parts[k] += 1
    return parts


def pooled_costs(p: Project) -> list[int]:
    """round((1 - self_share) * year cost): the part paid from the pooled funds."""
    keep = 1 - Q(p.self_share or "0")
    return [round(keep * c) for c in year_costs(p)]


# ------------------------------------------------------------------ rules without money
def _weights(scn: Scenario) -> dict:
    w = {k: Q(v) for k, v in WEIGHTS.items()}
    w.update({k: Q(str(v)) for k, v in scn.weights.items()})
    return w


def _batches(scn: Scenario) -> list | None:
    """The exit batches in the order they are served, as (year label, deep or None), or
    None for the weighted and none rules: the years of the horizon in order, then the
    villages that exited before it; a list in scenario.yaml names the first ones."""
    if scn.exit_priority in ("weighted", "none"):
        return None
    order = [str(y) for y in scn.years] + ["exited"]
    if isinstance(scn.exit_priority, list):
        named = [str(b) for b in scn.exit_priority]
        order = named + [b for b in order if b not in named]
    if scn.deep_poverty_first:
        return [(b, deep) for b in order for deep in (True, False)]
    return [(b, None) for b in order]


def _batch_of(scn: Scenario, v: Village) -> str:
    if v.exit_year < scn.years[0]:
        return "exited"
    return str(min(v.exit_year, scn.years[-1]))


def _due(scn: Scenario, v: Village) -> int:
    """Index of the due year: the exit year, or the first year for exited villages."""
    return max(0, v.exit_year - scn.years[0])


class Rules:
    """Everything about a scenario that does not need money."""

    def __init__(self, scn: Scenario):
        self.scn = scn
        self.w = _weights(scn)
        self.vil = {v.id: v for v in scn.villages}
        self.planned = [v for v in scn.villages if not v.relocated]
        self.gaps = [g for g in scn.gaps if not self.vil[g.village].relocated]
        self.exit = set(scn.exit_standard if scn.exit_standard is not None else EXIT_STANDARD)
        self.proj = {p.id: p for p in scn.projects}
        self.works = [p for p in scn.projects
                      if not self.vil[p.village].relocated and p.id not in scn.lock_out]
        self.last = len(scn.years) - 1

    def starts(self, p: Project) -> list[int]:
        """Start indices in the start window from which the work finishes in the horizon."""
        y0 = self.scn.years[0]
        lo = (p.earliest - y0) if p.earliest is not None else 0
        hi = (p.latest - y0) if p.latest is not None else self.last
        return list(range(lo, min(hi, self.last - p.duration + 1) + 1))

    def enumerate(self):
        """Every start assignment keeping gap-once, alternatives, windows, prerequisites
        and locks: dicts project id -> start index."""
        cum = {(g.village, g.target) for g in self.gaps if g.quantity is not None}
        order, seen = [], set()

        def visit(p):  # prerequisites first
            if p.id in seen:
                return
            seen.add(p.id)
            for q in p.requires:
                if q in self.proj:
                    visit(self.proj[q])
            order.append(p)
        for p in self.works:
            visit(p)
        order = [p for p in order if p in self.works]
        locked = set(self.scn.lock_in)
        out = []
        if locked - {p.id for p in order}:
            return out  # a work locked in that cannot be done (relocated, locked out)

        def rec(i, chosen, used_gaps, used_groups):
            if i == len(order):
                out.append(dict(chosen))
                return
            p = order[i]
            if p.id not in locked:
                rec(i + 1, chosen, used_gaps, used_groups)
            key = (p.village, p.target)
            if key not in cum and key in used_gaps:
                return
            if p.group is not None and p.group in used_groups:
                return
            for s in self.starts(p):
                ok = all(q in chosen and chosen[q] + self.proj[q].duration - 1 < s
                         for q in p.requires)
                if not ok:
                    continue
                chosen[p.id] = s
                rec(i + 1, chosen, used_gaps | {key},
                    used_groups | ({p.group} if p.group is not None else set()))
                del chosen[p.id]
        rec(0, {}, frozenset(), frozenset())
        return out

    def closing(self, starts: dict):
        """Per planned gap: (closing year index or None, progress share by due, by end)."""
        res = {}
        by_gap = {}
        for pid, s in starts.items():
            p = self.proj[pid]
            by_gap.setdefault((p.village, p.target), []).append((s + p.duration - 1, p))
        for g in self.gaps:
            key = (g.village, g.target)
            done = by_gap.get(key, [])
            due = _due(self.scn, self.vil[g.village])
            if g.quantity is None:
                close = min((f for f, _ in done), default=None)
                res[key] = (close, None, None)
                continue
            q = Q(g.quantity)
            progress = [sum((Q(p.contributes) if p.contributes is not None else q)
                            for f, p in done if f <= t) for t in range(self.last + 1)]
            close = next((t for t in range(self.last + 1) if progress[t] >= q), None)
            res[key] = (close, min(Q(1), progress[due] / q), min(Q(1), progress[-1] / q))
        return res

    def judge(self, starts: dict):
        """(value, worst county rate, villages on time per exit batch in the order served)
        of a plan, or None when a hard deadline or a fairness rule fails."""
        w, scn = self.w, self.scn
        closing = self.closing(starts)
        value = Q(0)
        for g in self.gaps:
            close, on, end = closing[(g.village, g.target)]
            wt = Q(g.weight) if g.weight is not None else w.get(g.target, w["target_weight"])
            due = _due(scn, self.vil[g.village])
            if g.quantity is not None and scn.partial_credit:
                value += wt * (on + w["late_factor"] * (end - on))
            elif close is not None:
                value += wt if close <= due else wt * w["late_factor"]
        on_time = {}
        for v in self.planned:
            due = _due(scn, v)
            on_time[v.id] = all(
                closing[(g.village, g.target)][0] is not None
                and closing[(g.village, g.target)][0] <= due
                for g in self.gaps if g.village == v.id and g.target in self.exit)
            bonus = 0 if scn.exit_priority == "none" else w["on_time_bonus"]
            value += bonus if on_time[v.id] else 0
        for d in scn.deadlines:
            scope = d.get("scope", "all")
            inside = [v for v in self.planned
                      if scope == "all" or (scope == "deep_poverty" and v.deep)
                      or (isinstance(scope, list) and v.county in scope)]
            need = math.ceil(Q(str(d.get("share", 1))) * len(inside))
            t = d["year"] - scn.years[0]
            met = 0
            for v in inside:
                c = closing.get((v.id, d["target"]), "no gap")
                met += c == "no gap" or (c[0] is not None and c[0] <= t)
            short = max(0, need - met)
            if short and not d.get("soft", False):
                return None
            value -= w["soft_deadline_penalty"] * short
        counties = sorted({v.county for v in self.planned})
        rates = [Q(sum(on_time[v.id] for v in self.planned if v.county == c),
                   sum(1 for v in self.planned if v.county == c)) for c in counties]
        rates = rates or [Q(1)]  # no planned village: nothing to be unfair about
        fair = scn.fairness
        if "min_rate" in fair and min(rates) < Q(str(fair["min_rate"])):
            return None
        if "max_spread" in fair and max(rates) - min(rates) > Q(str(fair["max_spread"])):
            return None
        batches = _batches(scn) or []
        counts = tuple(sum(on_time[v.id] for v in self.planned
                           if _batch_of(scn, v) == b and (deep is None or v.deep == deep))
                       for b, deep in batches)
        return value, min(rates), counts


# ------------------------------------------------------------------ money
class Money:
    """Whether the money of a plan can be found: pools per stream (and county), year by
    year, with carry-over, eligibility, reserves, leverage and revolving returns."""

    def __init__(self, scn: Scenario, rules: Rules):
        self.scn, self.rules = scn, rules
        Y = len(scn.years)
        self.pools = {}  # (stream, county) -> dict
        for f in scn.funds:
            key = (f.stream, f.county)
            pool = self.pools.setdefault(key, {
                "budget": [0] * Y, "carry": [True] * Y, "limit": [None] * Y,
                "targets": set(f.targets),
                "leverage": Q(f.leverage) if f.leverage is not None else None,
                "returns": (f.returns_after, Q(f.return_share or "1"))
                if f.returns_after is not None else None})
            t = f.year - scn.years[0]
            pool["budget"][t] = math.floor(Q(f.amount) * UNITS)
            pool["carry"][t] = f.carry_over
            if f.outside_limit is not None:
                pool["limit"][t] = math.floor(Q(f.outside_limit) * UNITS)
        self.reserve = {r["stream"]: Q(str(r["share"])) for r in scn.reserve}
        self.keys = list(self.pools)
        self.most = [self._most(self.pools[k]) for k in self.keys]

    @staticmethod
    def _most(pool) -> list:
        """An upper bound on the money a pool can pay out up to each year: its budgets,
        what can come back (share x at most all it had K years before), and outside
        money (at most the limit, at most K x all it had)."""
        cum, most, out = 0, [], 0
        for t, b in enumerate(pool["budget"]):
            cum += b
            back = 0
            if pool["returns"] is not None and t >= pool["returns"][0]:
                back = pool["returns"][1] * most[t - pool["returns"][0]]
            if pool["leverage"] is not None:
                cap = pool["leverage"] * cum
                out += cap if pool["limit"][t] is None else min(cap, pool["limit"][t])
            most.append(cum + back + out)
        return most

    def surely_short(self, starts: dict) -> bool:
        """A quick necessary test (Hall's condition on money to date): the works that may
        draw only on a set of pools need no more, up to any year, than those pools can
        pay at most.  True means no money can be found; False decides nothing."""
        Y = len(self.scn.years)
        need = {}  # pool mask -> need to date per year
        for pid, s in starts.items():
            p = self.rules.proj[pid]
            mask = sum(1 << self.keys.index(k) for k in self.eligible(p))
            row = need.setdefault(mask, [0] * Y)
            for k, c in enumerate(pooled_costs(p)):
                if c and not mask:
                    return True
                for t in range(s + k, Y):
                    row[t] += c
        masks = list(need)
        union = 0
        for m_ in masks:
            union |= m_
        for u in set(masks) | {union} | {a | b for a in masks for b in masks}:
            inside = [m_ for m_ in masks if m_ & ~u == 0]
            for t in range(Y):
                have = sum(self.most[i][t] for i in range(len(self.keys)) if u >> i & 1)
                if sum(need[m_][t] for m_ in inside) > have:
                    return True
        return False

    def eligible(self, p: Project) -> list:
        county = self.rules.vil[p.village].county
        return [key for key, pool in self.pools.items()
                if ("*" in pool["targets"] or p.target in pool["targets"])
                and (not p.streams or key[0] in p.streams)
                and key[1] in ("", county)]

    def parts(self, key):
        """(part, budget per year, outside limit per year): a reserved stream splits into
        an open part and floor(share x money) kept for deep-poverty villages, each
        carrying over on its own; a levering one keeps floor(share x limit) of its yearly
        outside limit with the reserved money."""
        pool = self.pools[key]
        share = self.reserve.get(key[0])
        if share is None:
            return [("open", pool["budget"], pool["limit"])]
        kept = [math.floor(share * b) for b in pool["budget"]]
        lim = [None if x is None else math.floor(share * x) for x in pool["limit"]]
        return [("open", [b - k for b, k in zip(pool["budget"], kept)],
                 [None if x is None else x - r for x, r in zip(pool["limit"], lim)]),
                ("deep", kept, lim)]

    def feasible(self, starts: dict) -> bool:
        Y = len(self.scn.years)
        m = cp_model.CpModel()
        big = 4 * sum(sum(p["budget"]) for p in self.pools.values()) + 1
        draws = {}  # (pool key, part, t) -> list of flow variables
        outside = {}  # (pool key, part, t) -> list of outside-money variables
        for pid, s in starts.items():
            p = self.rules.proj[pid]
            deep = self.rules.vil[p.village].deep
            pools = self.eligible(p)
            for k, need in enumerate(pooled_costs(p)):
                if need == 0:
                    continue
                if not pools:
                    return False
                t = s + k
                paid = []
                for key in pools:
                    lev = self.pools[key]["leverage"]
                    for part, _, _ in self.parts(key):
                        if part == "deep" and not deep:
                            continue
                        y = m.NewIntVar(0, need, "")
                        draws.setdefault((key, part, t), []).append(y)
                        paid.append(y)
                        if lev is not None:
                            # up to K of outside money per 1 of the stream's money, this
                            # work and year (a reserved part unlocks against its own limit)
                            o = m.NewIntVar(0, need, "")
                            m.Add(lev.denominator * o <= lev.numerator * y)
                            outside.setdefault((key, part, t), []).append(o)
                            paid.append(o)
                m.Add(sum(paid) == need)
        for key in self.pools:
            for part, _, limits in self.parts(key):
                for t in range(Y):
                    if limits[t] is not None and (key, part, t) in outside:
                        m.Add(sum(outside[(key, part, t)]) <= limits[t])
        for key, pool in self.pools.items():
            for part, budget, _ in self.parts(key):
                spent = [sum(draws.get((key, part, t), [])) for t in range(Y)]
                carried = 0
                for t in range(Y):
                    back = 0
                    if pool["returns"] is not None and t >= pool["returns"][0]:
                        share = pool["returns"][1]
                        # floor(share x lent K years before), whole yuan
                        back = m.NewIntVar(0, big, "")
                        m.Add(share.denominator * back
                              <= share.numerator * spent[t - pool["returns"][0]])
                    c = m.NewIntVar(0, big if pool["carry"][t] and t < Y - 1 else 0, "")
                    m.Add(spent[t] + c <= budget[t] + carried + back)
                    carried = c
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.max_time_in_seconds = 30
        status = solver.Solve(m)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE, cp_model.INFEASIBLE):
            raise RuntimeError("reference money check undecided")
        return status != cp_model.INFEASIBLE


# ------------------------------------------------------------------ entry points
def evaluate(scn: Scenario, starts: dict) -> Q | None:
    """The value of one plan (project id -> start year), None when it breaks a rule."""
    rules = Rules(scn)
    idx = {pid: y - scn.years[0] for pid, y in starts.items()}
    if idx not in rules.enumerate():
        return None
    judged = rules.judge(idx)
    if judged is None or not Money(scn, rules).feasible(idx):
        return None
    return judged[0]


def solve(scn: Scenario) -> Answer:
    """The optimum by brute force: candidates best first (maximin: the worst county's
    rate first, then the value), the first with money is optimal."""
    rules = Rules(scn)
    money = Money(scn, rules)
    judged = []
    cands = rules.enumerate()
    for starts in cands:
        j = rules.judge(starts)
        if j is not None:
            judged.append((j, starts))
    maximin = bool(scn.fairness.get("maximin"))
    # maximin: the worst county's rate first; exit priority: each batch's villages on
    # time, the batches in order; then the value
    judged.sort(key=lambda c: ((c[0][1],) if maximin else ()) + c[0][2] + (c[0][0],),
                reverse=True)
    checks = 0
    for (value, _, _), starts in judged:
        if money.surely_short(starts):
            continue
        checks += 1
        if money.feasible(starts):
            y0 = scn.years[0]
            return Answer(value, {p: s + y0 for p, s in starts.items()}, len(cands), checks)
    return Answer(None, {}, len(cands), checks)


# ------------------------------------------------------------------ scenario folder
def write_folder(scn: Scenario, folder) -> None:
    """The scenario as the planner reads it: four CSV files and scenario.yaml."""
    import csv
    from pathlib import Path

    import yaml

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)

    def table(name, header, rows):
        with open(folder / name, "w", newline="", encoding="utf-8") as fh:
            out = csv.writer(fh)
            out.writerow(header)
            for r in rows:
                out.writerow(["" if c is None else c for c in r])

    def flag(b):
        return "true" if b else "false"

    table("villages.csv", ["village_id", "name", "county", "exit_year", "deep_poverty",
                           "relocated"],
          [[v.id, f"{v.id}村", v.county, v.exit_year, flag(v.deep), flag(v.relocated)]
           for v in scn.villages])
    table("gaps.csv", ["village_id", "target", "weight", "quantity"],
          [[g.village, g.target, g.weight, g.quantity] for g in scn.gaps])
    table("projects.csv", ["project_id", "village_id", "target", "cost", "duration",
                           "cost_profile", "earliest_year", "latest_year", "self_share",
                           "streams", "contributes", "requires", "alternative_group"],
          [[p.id, p.village, p.target, p.cost, p.duration,
            ";".join(p.profile) if p.profile else None, p.earliest, p.latest, p.self_share,
            ";".join(p.streams), p.contributes, ";".join(p.requires), p.group]
           for p in scn.projects])
    table("funds.csv", ["stream", "year", "amount", "county", "carry_over", "targets",
                        "returns_after", "return_share", "leverage", "outside_limit"],
          [[f.stream, f.year, f.amount, f.county, flag(f.carry_over), ";".join(f.targets),
            f.returns_after, f.return_share, f.leverage, f.outside_limit] for f in scn.funds])
    config = {"years": list(scn.years)}
    if scn.weights:
        config["weights"] = {k: float(v) for k, v in scn.weights.items()}
    if scn.exit_standard is not None:
        config["exit_standard"] = list(scn.exit_standard)
    if scn.deadlines:
        config["deadlines"] = [dict(d) for d in scn.deadlines]
    if scn.partial_credit:
        config["partial_credit"] = True
    if scn.fairness:
        config["fairness"] = dict(scn.fairness)
    if scn.reserve:
        config["reserve"] = [dict(r) for r in scn.reserve]
    if scn.exit_priority is not None:
        config["exit_priority"] = scn.exit_priority
    if scn.deep_poverty_first:
        config["deep_poverty_first"] = True
    if scn.lock_in or scn.lock_out:
        config["lock"] = {"in": list(scn.lock_in), "out": list(scn.lock_out)}
    (folder / "scenario.yaml").write_text(yaml.safe_dump(config, allow_unicode=True),
                                          encoding="utf-8")
