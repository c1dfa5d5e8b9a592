"""summary.json: the run (solver, status, value, bound), the plan's counts (gaps closed,
villages on time and due per exit year, each deadline's villages met / required from
models.evaluate), its money, fairness, the value rule, options, input hashes and
package versions."""

from __future__ import annotations

import platform
import sys
from importlib import metadata

import numpy as np
import pandas as pd

from models.evaluate import deadline_counts
from models.instance import Instance
from models.money import DECIMALS, UNIT_NAME
from models.result import Result

from ..scenario import Scenario


def _total(values) -> float:
    return round(float(values), DECIMALS)


def _fairness(scn: Scenario, result: Result, sched: pd.DataFrame,
              villages: pd.DataFrame) -> dict:
    """On-time rate per county, the spread, and money reserved for deep-poverty villages."""
    planned = villages[~villages["relocated"]]
    rates = {c: round(float((g["on_time"] == True).mean()), 6)  # noqa: E712
             for c, g in planned.groupby("county", sort=True)}
    out = {"settings": dict(scn.fairness), "county_on_time_rate": rates,
           "worst_county_rate": min(rates.values()) if rates else None,
           "rate_spread": (max(rates.values()) - min(rates.values())) if rates else None}
    if "maximin_rate" in result.options:
        out["maximin_rate"] = result.options["maximin_rate"]
    deep = set(scn.villages.loc[scn.villages["deep_poverty"].astype(bool), "village_id"])
    reserve = []
    for r in scn.reserve:
        amount = scn.funds.loc[scn.funds["stream"] == r["stream"], "amount"].sum()
        spent = sched.loc[sched["village_id"].isin(deep), r["stream"]].sum() \
            if r["stream"] in sched else 0.0
        reserve.append({"stream": r["stream"], "share": r["share"],
                        "reserved": _total(float(amount) * r["share"]),
                        "spent_in_deep_poverty_villages": _total(spent)})
    out["reserve"] = reserve
    return out


def _versions() -> dict:
    out = {"python": platform.python_version()}
    for pkg in ("village-planner", "numpy", "pandas", "pulp", "highspy", "ortools"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = ""
    return out


def _deadlines(scn: Scenario, inst: Instance, start: np.ndarray) -> list[dict]:
    out = []
    for d, (spec, met, required) in zip(scn.deadlines, deadline_counts(inst, start)):
        out.append({"deadline": d.label(), "target": d.target, "year": d.year,
                    "scope": d.scope if isinstance(d.scope, str) else list(d.scope),
                    "share": d.share, "soft": d.soft,
                    "villages_in_scope": int(np.unique(spec.villages).size),
                    "required": required, "met": met})
    return out


def summary_of(scn: Scenario, inst: Instance, result: Result, sched: pd.DataFrame,
               villages: pd.DataFrame, funds: pd.DataFrame) -> dict:
    planned = villages[~villages["relocated"]]
    on_time, due, possible = {}, {}, {}
    for year, grp in planned.groupby("exit_year"):
        on_time[str(int(year))] = int((grp["on_time"] == True).sum())  # noqa: E712
        due[str(int(year))] = int(len(grp))
        possible[str(int(year))] = int((grp["on_time_possible"] == True).sum())  # noqa: E712
    close = inst.close_year(result.start)
    stream_cols = sorted(set(inst.pool_stream))
    return {
        "scenario": scn.name,
        "objective_kind": scn.objective,
        "solver": result.backend,
        "solver_version": result.backend_version,
        "status": result.status.value,
        "objective": result.objective,
        "best_bound": result.bound,
        "gap": result.gap,
        "seconds": round(result.seconds, 3),
        "gaps_total": int(len(scn.gaps)),
        "gaps_planned": int(inst.n_gaps),
        "gaps_closed": int((close < inst.n_years).sum()),
        "villages": int(len(villages)),
        "villages_planned": int(len(planned)),
        "villages_on_time": on_time,
        "villages_due": due,
        "villages_possible": possible,
        "total_cost": _total(sched["cost"].sum()),
        "pooled_cost": _total(sched["pooled_cost"].sum()),
        "self_funded": _total(sched["self_funded"].sum()),
        "spent_by_stream": {s: _total(sched[s].sum()) for s in stream_cols},
        "outside_money": {c[len("outside_"):]: _total(sched[c].sum())
                          for c in sched.columns if c.startswith("outside_")},
        "money_available": _total(funds.groupby(["stream", "county"])["budget"].sum().sum()),
        "deadlines": _deadlines(scn, inst, result.start),
        "fairness": _fairness(scn, result, sched, villages),
        "exit_priority": ({"rule": scn.exit_priority["rule"]}
                          if "exit_priority" not in result.options
                          else {k: v for k, v in result.options["exit_priority"].items()}),
        **({"priority_cost": result.options["priority_cost"]}
           if "priority_cost" in result.options else {}),
        "value_rule": {
            "gap_value": "weight of the gap (gaps.csv weight, else the target's weight) if its "
                         "work finishes by the village's due year (its exit year, or the first "
                         "year for villages that exited before the horizon), else weight * "
                         "late_factor",
            "village_bonus": "on_time_bonus per planned village whose exit-standard gaps all "
                             "close by its due year",
            "soft_deadlines": "minus soft_deadline_penalty per village a soft deadline falls short",
            "tie_break": "cheaper, then earlier, worth less than half of 0.0001 in total: it "
                         "never trades value away",
            "weights": {k: v for k, v in scn.weights.items()},
            "exit_standard": list(scn.exit_standard),
        },
        "options": {k: v for k, v in result.options.items() if k != "slack"},
        "inputs": scn.input_hashes(),
        "versions": _versions(),
        "command": " ".join(sys.argv[1:]) if sys.argv else "",
        "lang": scn.lang,  # the language of the tables written (planner.plan.lang)
        "money_unit": UNIT_NAME,  # of every money column and amount
        "target_names": {code: t["name_zh"] for code, t in scn.targets.items()},
    }
