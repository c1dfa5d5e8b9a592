"""summary.json of `planner robust` re-computed from samples.csv and evaluation.csv
(planner.check.robust): the first year's counts, cost and lists, the expected value
and its spread, VSS and EVPI with their t-intervals, out of sample and in sample, the
no_plan and proven counts, the seed streams, the method and hedging's iteration-0
wait-and-see values, decision.candidate (planner.check.robust_stats computes them
its own way)."""

from __future__ import annotations

import math

from .report import TOL, Report
from .robust_stats import FRESH, SOLVE, mean_sd, paired, spread

WHAT = ("robust", "deterministic", "wait_and_see")
LEVEL = 0.95


def close(a, b, tol: float = TOL) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, bool) or isinstance(b, bool) or not all(
            isinstance(x, (int, float)) for x in (a, b)):
        return False
    return math.isfinite(a) and abs(a - b) <= tol * max(1.0, abs(b))


def cell_number(text):
    """A cell: None when empty, a float, or the text itself when it is no number."""
    text = str(text).strip()
    if text == "":
        return None
    try:
        value = float(text)
    except ValueError:
        return text
    return value if math.isfinite(value) else text


def _values(frame, what: str) -> list:
    return [v if isinstance(v, float) else None for v in map(cell_number, frame[what])]


def check_summary(s: dict, solved, fresh, inp, first, det, rep: Report) -> None:
    bad = lambda key, got, want: rep.add(  # noqa: E731
        "summary", f"summary.json {key}: {got!r}; the files give {want!r}")

    def same(key: str, got, want):
        if isinstance(want, dict):
            if not isinstance(got, dict):
                bad(key, got, want)
                return
            for k, v in want.items():
                same(f"{key}.{k}", got.get(k), v)
        elif isinstance(want, list) and want and not isinstance(want[0], str):
            if not isinstance(got, list) or len(got) != len(want):
                bad(key, got, want)
            else:
                for i, (g, v) in enumerate(zip(got, want)):
                    same(f"{key}[{i}]", g, v)
        elif isinstance(want, (str, list, bool)) or want is None:
            if got != want:
                bad(key, got, want)
        elif not close(got, want):
            bad(key, got, want)

    alpha = s.get("alpha")
    if not isinstance(alpha, (int, float)) or not 0 <= alpha < 1:
        bad("alpha", alpha, "a level in [0, 1)")
        return
    rob, dt, ws = (_values(fresh, w) for w in WHAT)
    rob_in, det_in, ws_in = (_values(solved, w) for w in WHAT)
    got = lambda v: [x for x in v if x is not None]  # noqa: E731
    cost = inp.projects.set_index("project_id")["cost"]
    same("first_year", s.get("first_year"), {
        "year": inp.years[0], "works": len(first),
        "cost": round(float(sum(cost.get(p, math.nan) for p in first)), 4),
        "on_expected_money": len(first & det), "only_robust": sorted(first - det),
        "only_expected_money": sorted(det - first)})
    x = s.get("expected_value") or {}
    same("expected_value", x, {
        "value": mean_sd(got(rob))[0],
        "spread": spread(got(rob), alpha) if got(rob) else None,
        "in_sample": spread(got(rob_in), alpha) if got(rob_in) else None})
    for key, a, b, c, d in (("vss", (rob, dt), (rob_in, det_in), "robust", "deterministic"),
                            ("evpi", (ws, rob), (ws_in, rob_in), "wait_and_see", "robust")):
        out, ins = paired(*a, LEVEL), paired(*b, LEVEL)
        trim = lambda p: {k: p[k] for k in ("value", "ci", "level", "sd", "se", "n")}  # noqa
        same(key, s.get(key), {**trim(out), c: out["first_mean"], d: out["second_mean"],
                               "in_sample": trim(ins)})
    same("no_plan", s.get("no_plan"), {w: sum(v is None for v in x) for w, x in
                                       zip(WHAT, (rob, dt, ws))})
    same("proven", s.get("proven"), {f"{w}_proven": int((fresh[f"{w}_status"] ==
                                                         "optimal").sum()) for w in WHAT})
    same("seed_streams", s.get("seed_streams"), {"solve": SOLVE, "fresh": FRESH})
    if s.get("scenario") != inp.name:
        bad("scenario", s.get("scenario"), inp.name)
    method, decision = s.get("method"), s.get("decision") or {}
    if method not in ("extensive", "hedging") or decision.get("method") != method or (
            method == "hedging" and s.get("objective") != "expected"):
        bad("method", method, "extensive or hedging (expected value only), as decision says")
    if method == "hedging" and decision.get("wait_and_see") is not None:
        same("decision.wait_and_see", decision.get("wait_and_see"), ws_in)
    rejected = decision.get("rejected") or []
    if decision.get("candidate") != len(rejected) + 1:
        bad("decision.candidate", decision.get("candidate"), len(rejected) + 1)
