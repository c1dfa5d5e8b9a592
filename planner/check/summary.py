"""summary.json: every key that states a fact about the plan is recomputed and
compared; status, objective, bound and gap must agree with each other.

`CHECKED` names what is recomputed for each key; `UNCHECKED` says why the others
are not.  A key in neither is not failed (a newer planner may write it) but the
mutation tests insist that every key the planner writes is classified here.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .facts import Facts
from .inputs import DEFAULT_GAP, is_number
from .language import CHECKED as LANGUAGE_CHECKED
from .policy import county_rates
from .priority import check_exit_priority, check_priority_cost
from .report import TOL, VALUE_QUANTUM, Report, money

CONTRACT_KEYS = ("scenario", "solver", "status", "objective", "best_bound", "gap", "seconds",
                 "gaps_closed", "villages_on_time", "total_cost")
PLAN_STATUSES = ("optimal", "feasible", "time_limit")
NO_PLAN_STATUSES = ("infeasible", "unbounded", "error", "unknown")
# the denominator floor of the relative gap: |bound - objective| / max(|objective|, eps)
GAP_EPS = 1e-9

CHECKED = {
    "scenario": "the scenario's name (scenario.yaml `name`, else the folder's)",
    "objective_kind": "scenario.yaml `objective` (default max_coverage)",
    "status": "a status with a plan; `optimal` only with a bound within the requested gap",
    "objective": "the plan's value (or pooled cost) recomputed from the schedule",
    "best_bound": "a number not beaten by the objective; null only without a proof",
    "gap": "|best_bound - objective| / max(|objective|, 1e-9); null exactly with the bound",
    "gaps_total": "gaps.csv rows (excluded villages dropped)",
    "gaps_planned": "gaps of planned (not relocated) villages",
    "gaps_closed": "gaps of planned villages the schedule closes",
    "villages": "villages.csv rows of the inputs",
    "villages_planned": "villages not relocated",
    "villages_on_time": "planned villages on time, per exit year",
    "villages_due": "planned villages, per exit year",
    "villages_possible": "planned villages that could be on time with any money, per exit "
                         "year (villages.csv on_time_possible)",
    "total_cost": "sum of schedule.csv cost",
    "pooled_cost": "sum of schedule.csv pooled_cost",
    "self_funded": "sum of schedule.csv self_funded",
    "spent_by_stream": "sum of each stream's column of schedule.csv, every stream",
    "outside_money": "sum of each outside_<stream> column",
    "money_available": "sum of the budgets (rounded down to whole units)",
    "deadlines": "each deadline as scenario.yaml gives it, villages in scope, required, met",
    "fairness": "settings, each county's on-time rate, worst, spread, maximin floor kept, "
                "reserved money and its spending in deep-poverty villages",
    "value_rule": "weights and exit standard as scenario.yaml gives them (the four texts "
                  "describe the rule: prose)",
    "inputs": "SHA-256 of every input file the checker reads",
    "exit_priority": "the rule scenario.yaml sets; each stage's batch in the order served, "
                     "its villages, and its count kept by the plan (at least the stage's "
                     "count, at most its bound, equal when proven); proven only when every "
                     "stage is",
    "priority_cost": "what the lexicographic rule cost against a plan under the weighted "
                     "rule (planner.check.priority.check_priority_cost): this plan's value "
                     "and per-batch counts recomputed, the weighted plan's value at least "
                     "this one's, its counts possible ones, the differences re-added, and "
                     "no better batch vector when every stage is proven",
    **LANGUAGE_CHECKED,  # checked in planner.check.language
}
UNCHECKED = {
    "solver": "the backend that ran: a fact about the run, not the plan",
    "solver_version": "the backend's version: a fact about the run",
    "seconds": "wall-clock time of the solve: not reproducible",
    "options": "the run's solver settings and what the solve reported (time limit, threads, "
               "seed, hint, greedy and dive values, tie-break outcome, bound source, ...); "
               "`options.gap` is read as the requested tolerance of the status check and "
               "`options.secondary` marks a second-rank solve (no bound)",
    "versions": "package versions of the run",
    "command": "the command line of the run",
}


def plan_value(f: Facts, deadlines: list[dict]) -> float:
    """The plan's value by the documented rule (no tie-break).

    max_coverage: per closed gap of a planned village, weight (x late_factor when it
    closes after its due year), each rounded to 0.0001; + on_time_bonus (rounded)
    per planned village on time; - soft_deadline_penalty (rounded) per village a
    soft deadline falls short.  min_cost: the pooled cost of the schedule."""
    if f.inp.objective == "min_cost":
        return float(f.sched["pooled_cost"].sum())
    w = f.inp.weights
    q = lambda x: round(x / VALUE_QUANTUM) * VALUE_QUANTUM  # noqa: E731
    late = float(w["late_factor"])
    if f.inp.partial_credit:  # cumulative gaps pro rata: on-time share, then late share
        g = f.gaps[f.gaps["planned"]]
        cum = g["quantity"].notna().to_numpy()
        on_w = np.round(g["weight"].to_numpy(float) / VALUE_QUANTUM) * VALUE_QUANTUM
        late_w = np.round(g["weight"].to_numpy(float) * late / VALUE_QUANTUM) * VALUE_QUANTUM
        closed = g["closed"].to_numpy()
        on = np.where(cum, g["share_due"], (closed & (g["close_year"] <= g["due"])))
        end = np.where(cum, g["share_end"], closed)
        value = float((on_w * on + late_w * (end - on)).sum())
    else:
        g = f.gaps[f.gaps["planned"] & f.gaps["closed"]]
        factor = np.where(g["close_year"] <= g["due"], 1.0, late)
        terms = np.round(g["weight"].to_numpy(float) * factor / VALUE_QUANTUM) * VALUE_QUANTUM
        value = float(terms.sum())
    # exit_priority: none plans without the on-time bonus (README "Exit priority")
    bonus = 0.0 if f.inp.exit_priority[0] == "none" else float(w["on_time_bonus"])
    value += q(bonus) * int(f.village_table["on_time_bool"].sum())
    for r in deadlines:
        if r["deadline"].soft:
            value -= q(float(w["soft_deadline_penalty"])) * max(0, r["required"] - r["met"])
    return value


def relative_gap(objective: float, bound: float) -> float:
    return abs(bound - objective) / max(abs(objective), GAP_EPS)


class _Compare:
    """Compares summary keys with recomputed values, one violation per difference."""

    def __init__(self, summary: dict, rep: Report):
        self.s, self.rep = summary, rep

    def bad(self, key: str, got, want: str) -> None:
        self.rep.add("summary", f"summary.json {key} is {got!r}; {want}")

    def count(self, key: str, got, want: int, what: str) -> None:
        if isinstance(got, bool) or not isinstance(got, int) or got != want:
            self.bad(key, got, f"{what}: {want}")

    def amount(self, key: str, got, want: float, what: str, tol=TOL, fmt=money) -> None:
        if not is_number(got) or abs(got - want) > tol + 1e-12 * abs(want):
            self.bad(key, got, f"{what}: {fmt(want)}")

    def mapping(self, key: str, got, want: dict, what: str, kind="count", tol=TOL,
                fmt=money) -> None:
        if not isinstance(got, dict):
            self.bad(key, got, f"it must map {what}")
            return
        for k in sorted(set(want) | {str(x) for x in got}, key=str):
            have = got.get(k, None)
            name = f"{key}[{k}]"
            if k not in want:
                self.bad(name, have, "there is no such entry")
            elif kind == "count":
                self.count(name, have, want[k], what)
            else:
                self.amount(name, have, want[k], what, tol, fmt)


def check_summary(f: Facts, summary: dict, ledger: pd.DataFrame, rep: Report) -> None:
    """summary.json against the plan: see CHECKED."""
    missing = [k for k in CONTRACT_KEYS if k not in summary]
    if missing:
        rep.add("summary", f"summary.json lacks key(s) {', '.join(missing)}")
    c = _Compare(summary, rep)
    s, inp = summary, f.inp
    if "scenario" in s and s["scenario"] != inp.name:
        c.bad("scenario", s["scenario"], f"the scenario is {inp.name!r}")
    if "objective_kind" in s and s["objective_kind"] != inp.objective:
        c.bad("objective_kind", s["objective_kind"], f"scenario.yaml says {inp.objective!r}")
    _check_counts(f, c)
    _check_money(f, ledger, c)
    deadlines = f.deadline_results
    if "deadlines" in s:
        _check_deadlines(deadlines, s["deadlines"], c)
    if "fairness" in s:
        _check_fairness(f, s["fairness"], c)
    if "value_rule" in s:
        _check_value_rule(f, s["value_rule"], c)
    if "inputs" in s:
        _check_inputs(f, s["inputs"], rep)
    if "exit_priority" in s:
        check_exit_priority(f, s["exit_priority"], c)
    if "priority_cost" in s:
        check_priority_cost(f, s["priority_cost"], plan_value(f, deadlines), c)
    _check_status(f, s, deadlines, rep)


def _check_counts(f: Facts, c: _Compare) -> None:
    s, vt, g = c.s, f.village_table, f.gaps
    planned = vt[~vt["relocated_bool"]]
    closed = int(g.loc[g["planned"], "closed"].sum())
    facts = {"gaps_total": (len(g), "gaps.csv holds"),
             "gaps_planned": (int(g["planned"].sum()), "planned villages have"),
             "gaps_closed": (closed, "the schedule closes"),
             "villages": (len(vt), "the inputs hold"),
             "villages_planned": (len(planned), "villages not relocated")}
    for key, (want, what) in facts.items():
        if key in s:
            c.count(key, s[key], want, what)
    per_year = planned.groupby("exit_year")
    if "villages_on_time" in s:
        want = {str(int(y)): int(n) for y, n in per_year["on_time_bool"].sum().items()}
        c.mapping("villages_on_time", s["villages_on_time"],
                  {k: v for k, v in want.items()}, "villages of that exit year on time")
    if "villages_possible" in s:
        want = {str(int(y)): int((n == "true").sum())
                for y, n in per_year["on_time_possible"]}
        c.mapping("villages_possible", s["villages_possible"], want,
                  "planned villages of that exit year that could be on time")
    if "villages_due" in s:
        want = {str(int(y)): int(n) for y, n in per_year.size().items()}
        c.mapping("villages_due", s["villages_due"], want, "planned villages of that exit year")


def _check_money(f: Facts, ledger: pd.DataFrame, c: _Compare) -> None:
    s, sched = c.s, f.sched
    for key in ("total_cost", "pooled_cost", "self_funded"):
        col = "cost" if key == "total_cost" else key
        if key in s:
            c.amount(key, s[key], round(float(sched[col].sum()), 4),
                     f"the schedule's {col} adds up to")
    if "spent_by_stream" in s:
        want = {st: round(float(sched[st].sum()), 4) for st in f.streams}
        c.mapping("spent_by_stream", s["spent_by_stream"], want,
                  "the stream's column of schedule.csv adds up to", kind="money")
    if "outside_money" in s:
        want = {col[len("outside_"):]: round(float(sched[col].sum()), 4)
                for col in sched.columns if col.startswith("outside_")}
        c.mapping("outside_money", s["outside_money"], want,
                  "the outside_ column of schedule.csv adds up to", kind="money")
    if "money_available" in s:
        c.amount("money_available", s["money_available"], round(float(ledger["budget"].sum()), 4),
                 "the budgets (rounded down to whole units) add up to")


def _check_deadlines(results: list[dict], got, c: _Compare) -> None:
    if not isinstance(got, list) or len(got) != len(results):
        c.bad("deadlines", got if not isinstance(got, list) else f"a list of {len(got)}",
              f"scenario.yaml has {len(results)} deadline(s)")
        return
    for i, (r, entry) in enumerate(zip(results, got)):
        d = r["deadline"]
        key = f"deadlines[{i}]"
        if not isinstance(entry, dict):
            c.bad(key, entry, "each deadline must be an object")
            continue
        scope = d.scope if isinstance(d.scope, str) else list(d.scope)
        want = {"deadline": d.label(), "target": d.target, "year": d.year, "scope": scope,
                "share": d.share, "soft": d.soft, "villages_in_scope": r["n"],
                "required": r["required"], "met": r["met"]}
        for name, value in want.items():
            if name not in entry and name not in ("required", "met"):
                continue
            have = entry.get(name)
            same = (is_number(have) and abs(have - value) < 1e-9) if name == "share" else (
                type(have) is type(value) and have == value)
            if not same:
                c.bad(f"{key}.{name}", have, f"deadline {d.label()} gives {value!r}")


def _check_fairness(f: Facts, got, c: _Compare) -> None:
    if not isinstance(got, dict):
        c.bad("fairness", got, "it must be an object")
        return
    settings = got.get("settings", {})
    if "settings" in got and settings != f.inp.fairness:
        c.bad("fairness.settings", settings, f"scenario.yaml says {f.inp.fairness!r}")
    rates = {county: round(float(r), 6) for county, r in county_rates(f).items()}
    if "county_on_time_rate" in got:
        c.mapping("fairness.county_on_time_rate", got["county_on_time_rate"], rates,
                  "planned villages on time / planned villages of the county", kind="rate",
                  tol=1e-6, fmt=repr)
    worst = min(rates.values()) if rates else None
    spread = (max(rates.values()) - min(rates.values())) if rates else None
    for key, want in (("worst_county_rate", worst), ("rate_spread", spread)):
        if key not in got:
            continue
        if want is None:
            if got[key] is not None:
                c.bad(f"fairness.{key}", got[key], "there is no planned village")
        else:
            c.amount(f"fairness.{key}", got[key], want, "the county rates give", tol=1e-6,
                     fmt=repr)
    if "maximin_rate" in got:
        floor = got["maximin_rate"]
        if not f.inp.fairness.get("maximin"):
            c.bad("fairness.maximin_rate", floor, "scenario.yaml asks for no maximin")
        elif not is_number(floor) or (worst is not None and worst < floor - 1e-6):
            c.bad("fairness.maximin_rate", floor, f"the worst county's rate is {worst}; the "
                  "plan must keep every county at least at the maximin rate")
    if "reserve" in got:
        _check_reserve_summary(f, got["reserve"], c)


def _check_reserve_summary(f: Facts, got, c: _Compare) -> None:
    res = f.inp.reserve
    if not isinstance(got, list) or len(got) != len(res):
        c.bad("fairness.reserve", got, f"scenario.yaml reserves {len(res)} share(s)")
        return
    deep = set(f.inp.villages.loc[f.inp.villages["deep_poverty"].astype(bool), "village_id"])
    fu = f.inp.funds
    for i, (r, entry) in enumerate(zip(res, got)):
        key = f"fairness.reserve[{i}]"
        if not isinstance(entry, dict):
            c.bad(key, entry, "it must be an object")
            continue
        stream = r["stream"]
        if entry.get("stream") != stream or not is_number(entry.get("share")) or \
                abs(entry["share"] - r["share"]) > 1e-9:
            c.bad(key, entry, f"scenario.yaml reserves {r['share']:g} of {stream}")
            continue
        reserved = round(float(fu.loc[fu["stream"] == stream, "amount"].sum()) * r["share"], 4)
        c.amount(f"{key}.reserved", entry.get("reserved"), reserved,
                 f"{r['share']:g} of {stream}'s money is")
        s = f.sched
        spent = round(float(s.loc[s["p_village_id"].isin(deep), stream].sum()), 4) \
            if stream in s.columns else 0.0
        c.amount(f"{key}.spent_in_deep_poverty_villages",
                 entry.get("spent_in_deep_poverty_villages"), spent,
                 f"the schedule's {stream} money in deep-poverty villages is")


def _check_value_rule(f: Facts, got, c: _Compare) -> None:
    if not isinstance(got, dict):
        c.bad("value_rule", got, "it must be an object")
        return
    if "weights" in got:
        w = got["weights"]
        want = {**f.inp.weights, "targets": dict(f.inp.target_weights)}
        same = isinstance(w, dict) and set(w) == set(want) and all(
            (is_number(w[k]) and abs(w[k] - want[k]) < 1e-12) if k != "targets" else
            (isinstance(w[k], dict) and set(w[k]) == set(want[k]) and
             all(is_number(x) and abs(x - want[k][t]) < 1e-12 for t, x in w[k].items()))
            for k in want)
        if not same:
            c.bad("value_rule.weights", w, f"scenario.yaml (with the defaults) gives {want!r}")
    if "exit_standard" in got:
        e = got["exit_standard"]
        if not isinstance(e, list) or sorted(map(str, e)) != sorted(f.inp.exit_standard):
            c.bad("value_rule.exit_standard", e,
                  f"scenario.yaml (or the default) gives {list(f.inp.exit_standard)!r}")


def _check_inputs(f: Facts, got, rep: Report) -> None:
    """Every input file the checker reads has its SHA-256 among summary.json's inputs
    (a plan made from other files, or a changed hash, is caught)."""
    if not isinstance(got, dict):
        rep.add("inputs", f"summary.json inputs must map files to SHA-256 hashes, not {got!r}")
        return
    have = set(got.values())
    for path, digest in f.inp.file_hashes().items():
        if digest not in have:
            rep.add("inputs", f"summary.json inputs has no SHA-256 {digest[:12]}... of {path}: "
                              "the plan was made from other input files, or a hash is wrong")


def _check_status(f: Facts, s: dict, deadlines: list[dict], rep: Report) -> None:
    """A written plan has a plan status; the objective is the plan's value; the bound is
    not beaten; gap = |bound - objective| / max(|objective|, 1e-9); `optimal` needs a
    bound within the requested gap (options.gap, default 0.001).  A null bound (and
    gap) is allowed only without a claim of optimality, or for a second-rank solve
    (options.secondary: alternatives, replan --stable), which reports no bound.  An
    infinite bound on the right side (+inf maximising: the solver stopped before any
    bound) is treated as null."""
    status = s.get("status")
    if "status" in s and status in NO_PLAN_STATUSES:
        rep.add("status", f"summary.json status is {status!r}, yet the folder holds a plan: "
                f"a written plan has status {', '.join(PLAN_STATUSES)}")
    elif "status" in s and status not in PLAN_STATUSES:
        rep.add("status", f"summary.json status {status!r} is not one of "
                f"{', '.join(PLAN_STATUSES)}")
    objective = s.get("objective")
    if not is_number(objective):
        rep.add("objective", f"summary.json objective is {objective!r}; a written plan has "
                             "a value")
        return
    value = plan_value(f, deadlines)
    if abs(objective - value) > 1e-6 + 1e-9 * abs(value):
        rep.add("objective", f"summary.json objective is {objective!r}; the plan's "
                f"{f.inp.objective} value recomputed is {value:.6f}")
    options = s.get("options") if isinstance(s.get("options"), dict) else {}
    secondary = "secondary" in options
    tol = options.get("gap", f.inp.solver.get("gap", DEFAULT_GAP))
    tol = float(tol) if is_number(tol) else DEFAULT_GAP
    bound, gap = s.get("best_bound"), s.get("gap")
    sign = 1 if f.inp.objective == "max_coverage" else -1
    if isinstance(bound, float) and bound == sign * math.inf:
        bound = None  # an infinite bound (JSON Infinity) proves nothing: as null
    if bound is None:
        if gap is not None:
            rep.add("status", f"summary.json gap is {gap!r} without a best_bound")
        if status == "optimal" and not secondary:
            rep.add("status", "summary.json status is 'optimal' with no best_bound: nothing "
                              "proves the plan within the requested gap")
        return
    if not is_number(bound):
        rep.add("objective", f"summary.json best_bound {bound!r} is not a number")
        return
    if f.inp.objective == "max_coverage" and objective > bound + 1e-6:
        rep.add("objective", f"objective {objective!r} exceeds the best bound {bound!r} "
                "(maximising: no plan can beat the bound)")
    elif f.inp.objective == "min_cost" and objective < bound - 1e-6:
        rep.add("objective", f"objective {objective!r} is below the best bound {bound!r} "
                "(minimising: no plan can beat the bound)")
    want = relative_gap(objective, bound)
    if not is_number(gap) or abs(gap - want) > 1e-9 + 1e-6 * want:
        rep.add("status", f"summary.json gap is {gap!r}; |best_bound - objective| / "
                          f"max(|objective|, 1e-9) = {want!r}")
    if status == "optimal" and want > tol * (1 + 1e-6) + 1e-12:
        rep.add("status", f"summary.json status is 'optimal' with a gap of {want:.6g} > the "
                          f"requested relative gap {tol:g}: that is no proof of optimality")
