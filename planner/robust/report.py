"""What `planner robust` writes into DIR, and summary.json's figures with how each was
measured.

    first_year.csv            the decision to take now: each work starting in the first
                              year, its years and money (which stream pays it is settled
                              per sample: samples/NNN/plan/schedule.csv)
    first_year_starts.csv     the same as `planner replan --actuals` reads it
    deterministic/first_year_starts.csv   the first year of the plan on expected money
    samples.csv               per sample solved on: its draws, the robust first year's
                              value (its plan in samples/NNN/), the deterministic first
                              year's, wait-and-see
    evaluation.csv            the same on the fresh samples, with the differences
    samples/NNN/scenario/     the sample's scenario (money and costs drawn; the first
                              year's works at their cost): `planner check` it with ...
    samples/NNN/plan/         ... the sample's plan, verified before it was written
    samples/NNN/deterministic/{scenario,plan}   the same for the deterministic first
                              year (samples.csv's deterministic value)
    evaluation/NNN/{robust,deterministic}/{scenario,plan}   the same for fresh sample
                              NNN, each first year (evaluation.csv's values); a re-plan
                              without a plan keeps its scenario only
    summary.json

Every table and figure is re-computed from the files by the independent checker
(planner.check.robust) before the folder is kept; `planner check SCENARIO DIR` repeats
it, with every sample's plan.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from models.money import fmt_short

from ..tables import write_csv
from .sampling import FRESH, SOLVE, STREAM_NAMES, entry_names
from .stats import interval, spread

FIRST_YEAR_COLUMNS = ["project_id", "county", "township", "village_id", "village_name",
                      "exit_year", "target", "target_name", "department", "start_year",
                      "finish_year", "work_cost", "work_pooled_cost", "cost", "pooled_cost",
                      "self_funded", "on_expected_money"]

HOW = {
    "value": "the robust first year's works fixed, each fresh sample's later years "
             "re-planned (planner replan's machinery: the first year's works as executed "
             "works, then solved as planner solve solves) and the plan's value taken; the "
             "mean and spread over the fresh samples, drawn from seed stream {fresh} (the "
             "plan was made on stream {solve}); in_sample: the same on the samples solved "
             "on (optimistic: the first year was chosen on them)",
    "vss": "value of the stochastic solution: per fresh sample the robust first year's "
           "value less the deterministic first year's (the first year of the plan made on "
           "expected money and costs: each cut at p x share, each range and overrun at its "
           "middle), both with the later years re-planned in that sample the same way; the "
           "mean of these paired differences and its {level:.0%} t-interval",
    "evpi": "expected value of perfect information: per fresh sample the wait-and-see "
            "value (the sample solved knowing its money and costs, the first year free too, "
            "from the better of the two re-plans) less the robust first year's; the mean "
            "and its {level:.0%} t-interval.  A wait-and-see solve stopped by its clock "
            "is a lower bound, so the EVPI may be understated (wait_and_see_proven)",
}


def _values(rows, what: str) -> list:
    out = []
    for s in rows:
        x = getattr(s, what)
        if x is None:
            out.append(None)
        elif what == "wait_and_see":
            out.append(x.measure if x.has_solution else None)
        else:
            out.append(x.value)
    return out


def _status(x) -> str:
    if x is None:
        return ""
    result = getattr(x, "result", x)
    return result.status.value


def sample_table(run, rows, kind: int) -> pd.DataFrame:
    money, costs = entry_names(run.unc)
    table = []
    # hedging solved each sample alone in its first iteration: its wait-and-see
    alone = run.decision.get("wait_and_see") if kind == SOLVE else None
    said = run.decision.get("wait_and_see_status") or []
    for k, s in enumerate(rows):
        r = {"sample": s.draw.name, "seed_stream": STREAM_NAMES[kind]}
        r.update({c: round(f, 6) for c, f in zip(money, s.draw.money)})
        r.update({c: round(f, 6) for c, f in zip(costs, s.draw.costs)})
        for what in ("robust", "deterministic", "wait_and_see"):
            x = getattr(s, what)
            r[what] = _values([s], what)[0]
            r[f"{what}_status"] = _status(x)
        if alone:
            r["wait_and_see"] = alone[k]  # hedging's first iteration: each sample alone
            r["wait_and_see_status"] = said[k] if k < len(said) else ""
        if kind == SOLVE:
            r["plan"] = s.folder
        else:
            r["difference"] = (None if r["robust"] is None or r["deterministic"] is None
                               else r["robust"] - r["deterministic"])
            r["evpi"] = (None if r["robust"] is None or r["wait_and_see"] is None
                         else r["wait_and_see"] - r["robust"])
        table.append(r)
    return pd.DataFrame(table)


def first_year_table(run) -> pd.DataFrame:
    sched = run.plan_schedule
    y0 = run.scenario.years[0]
    mine = sched[sched["start_year"].astype(int) == y0]
    rows = []
    for pid, g in mine.groupby("project_id", sort=True):
        head = g.iloc[0]
        now = g[g["year"].astype(int) == y0]
        rows.append({**{c: head[c] for c in FIRST_YEAR_COLUMNS[:13]},
                     "cost": now["cost"].astype(float).sum(),
                     "pooled_cost": now["pooled_cost"].astype(float).sum(),
                     "self_funded": now["self_funded"].astype(float).sum(),
                     "on_expected_money": pid in run.deterministic})
    table = pd.DataFrame(rows, columns=FIRST_YEAR_COLUMNS)
    for c in ("work_cost", "work_pooled_cost", "cost", "pooled_cost", "self_funded"):
        table[c] = table[c].astype(float).map(lambda x: f"{x:.4f}")
    return table


def _paired(a: list, b: list, level: float) -> dict:
    pairs = [(x, y) for x, y in zip(a, b) if x is not None and y is not None]
    out = interval([x - y for x, y in pairs], level)
    out["first_mean"] = sum(x for x, _ in pairs) / len(pairs) if pairs else None
    out["second_mean"] = sum(y for _, y in pairs) / len(pairs) if pairs else None
    return out


def summary_of(run, level: float = 0.95) -> dict:
    rob, det, ws = (_values(run.fresh, w) for w in ("robust", "deterministic",
                                                    "wait_and_see"))
    rob_in, det_in = _values(run.solved, "robust"), _values(run.solved, "deterministic")
    ws_in = (_values(run.solved, "wait_and_see") if run.method == "extensive"
             else list(run.decision.get("wait_and_see") or []))
    got = lambda v: [x for x in v if x is not None]  # noqa: E731
    vss, evpi = _paired(rob, det, level), _paired(ws, rob, level)
    vss_in, evpi_in = _paired(rob_in, det_in, level), _paired(ws_in, rob_in, level)
    fill = {"fresh": FRESH, "solve": SOLVE, "level": level}
    first = run.first
    costs = run.scenario.projects.set_index("project_id")["cost"]
    proven = lambda rows, w: sum(_status(getattr(s, w)) == "optimal" for s in rows)  # noqa
    return {
        "scenario": run.scenario.name,
        "command": "planner robust",
        "objective": run.objective,
        "alpha": run.alpha,
        "method": run.method,
        "value_rule": "the plan's value (models.evaluate.plan_value: gaps closed by "
                      "weight, late ones at the late factor, the on-time bonus, "
                      "soft-deadline penalties) under the weighted exit priority",
        "uncertainty": run.unc,
        "samples": len(run.solved),
        "fresh_samples": len(run.fresh),
        "seed_streams": {"solve": SOLVE, "fresh": FRESH},
        "first_year": {
            "year": run.scenario.years[0], "works": len(first),
            "cost": round(float(costs[list(first)].sum()), 4) if first else 0.0,
            "on_expected_money": len(first & run.deterministic),
            "only_robust": sorted(first - run.deterministic),
            "only_expected_money": sorted(run.deterministic - first)},
        "decision": run.decision,
        "expected_value": {"value": sum(got(rob)) / len(got(rob)) if got(rob) else None,
                           "spread": spread(got(rob), run.alpha) if got(rob) else None,
                           "in_sample": spread(got(rob_in), run.alpha),
                           "how": HOW["value"].format(**fill)},
        "vss": {"value": vss["mean"], **_trim(vss), "robust": vss["first_mean"],
                "deterministic": vss["second_mean"],
                "in_sample": {"value": vss_in["mean"], **_trim(vss_in)},
                "how": HOW["vss"].format(**fill)},
        "evpi": {"value": evpi["mean"], **_trim(evpi), "wait_and_see": evpi["first_mean"],
                 "robust": evpi["second_mean"],
                 "in_sample": {"value": evpi_in["mean"], **_trim(evpi_in)},
                 "how": HOW["evpi"].format(**fill)},
        "no_plan": {w: sum(x is None for x in v) for w, v in
                    (("robust", rob), ("deterministic", det), ("wait_and_see", ws))},
        "proven": {f"{w}_proven": proven(run.fresh, w) for w in
                   ("robust", "deterministic", "wait_and_see")},
    }


def _trim(d: dict) -> dict:
    return {k: d[k] for k in ("ci", "level", "sd", "se", "n")}


def write_outputs(run, stage: Path, budget) -> dict:
    summary = summary_of(run)
    summary["seconds"] = round(budget.elapsed(), 3)
    summary["time_limit"] = budget.limit
    write_csv(first_year_table(run), stage / "first_year.csv")
    write_csv(sample_table(run, run.solved, SOLVE), stage / "samples.csv")
    write_csv(sample_table(run, run.fresh, FRESH), stage / "evaluation.csv")
    (stage / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2,
                                                   default=float), encoding="utf-8")
    run.summary = summary
    verify(run.scenario, stage)
    return summary


def verify(scn, folder: Path) -> None:
    """The tables written, re-computed by the independent checker from the files and the
    scenario (planner.check.robust); a claim they do not bear out stops the run as a
    plan that fails its check stops `planner solve` (exit 3, the folder not kept)."""
    from ..check.robust import check_robust_folder
    from ..pipeline import VerificationError

    problems = check_robust_folder(scn, folder)
    if problems:
        raise VerificationError("the robust tables failed the independent check (a bug; "
                                "please report it):\n  " + "\n  ".join(
                                    str(v) for v in problems[:20]))


def lines(summary: dict) -> list[str]:
    """What the command prints."""
    f, v, e, x = summary["first_year"], summary["vss"], summary["evpi"], \
        summary["expected_value"]
    ci = lambda d: ("" if d.get("ci") is None else  # noqa: E731
                    f" ({d['level']:.0%} CI {d['ci'][0]:.2f} .. {d['ci'][1]:.2f}, n {d['n']})")
    out = [f"first year {f['year']}: {f['works']} works, {fmt_short(f['cost'])} "
           f"({f['on_expected_money']} also in the plan on expected money, "
           f"{len(f['only_robust'])} only here, {len(f['only_expected_money'])} only there)"]
    if x["spread"] is not None:
        s = x["spread"]
        out.append(f"value      {x['value']:.2f} on {s['n']} fresh samples (sd {s['sd']:.2f},"
                   f" {s['min']:.2f} .. {s['max']:.2f}; CVaR {s['alpha']:g} {s['cvar']:.2f});"
                   f" in-sample {x['in_sample']['mean']:.2f}")
    if v["value"] is not None:
        out.append(f"VSS        {v['value']:.2f}{ci(v)}: robust {v['robust']:.2f} vs "
                   f"expected-money first year {v['deterministic']:.2f}")
    if e["value"] is not None:
        out.append(f"EVPI       {e['value']:.2f}{ci(e)}: wait-and-see {e['wait_and_see']:.2f}")
    for what, count in summary["no_plan"].items():
        if count:
            out.append(f"no plan    {what.replace('_', '-')}: no plan keeping the hard rules "
                       f"found in {count} of {summary['fresh_samples']} fresh samples (left "
                       "out of the figures above)")
    return out
