"""Policy rules: deadlines, fairness between counties, the exit standard (min_cost)."""

from __future__ import annotations

import pandas as pd

from .facts import Facts
from .report import Report


def check_deadlines(f: Facts, rep: Report) -> None:
    """Hard deadlines: at the end of the year, at least ceil(share * villages in
    scope) villages have no open gap of the target (no gap at all counts as met)."""
    for r in f.deadline_results:
        d = r["deadline"]
        if d.soft or r["met"] >= r["required"]:
            continue
        shown = ", ".join(r["open"][:10]) + (" ..." if len(r["open"]) > 10 else "")
        rep.add("deadline", f"deadline {d.label()}: {r['met']} of {r['n']} villages in scope "
                f"have no open {d.target} gap at the end of {d.year}; {r['required']} must "
                f"(open in: {shown})")


def county_rates(f: Facts) -> pd.Series:
    """On-time rate per county: planned villages on time / planned villages."""
    vt = f.village_table[~f.village_table["relocated_bool"]]
    return vt.groupby("county")["on_time_bool"].mean().sort_index()


def check_fairness(f: Facts, rep: Report) -> None:
    """fairness.min_rate: every county's on-time rate (planned villages on time / planned)
    is at least min_rate; fairness.max_spread: the highest minus the lowest at most it."""
    settings = f.inp.fairness
    if not settings.get("min_rate") and settings.get("max_spread") is None:
        return
    rates = county_rates(f)
    low = settings.get("min_rate")
    if low:
        for county, rate in rates.items():
            if rate < low - 1e-9:
                rep.add("fairness", f"county {county}: on-time rate {rate:.4f} < min_rate {low}")
    spread = settings.get("max_spread")
    if spread is not None and len(rates) and rates.max() - rates.min() > spread + 1e-9:
        rep.add("fairness", f"on-time rates spread {rates.max() - rates.min():.4f} "
                            f"({rates.idxmax()} {rates.max():.4f}, {rates.idxmin()} "
                            f"{rates.min():.4f}) > max_spread {spread}")


def check_exit_standard(f: Facts, rep: Report) -> None:
    """min_cost: every planned village closes its exit-standard gaps by its due year
    (its exit year, or the first year for villages that exited before)."""
    g = f.gaps
    bad = g[g["planned"] & g["exit"] & ~g["on_time"]]
    rep.each("exit_standard", bad,
             lambda r: f"village {r['village_id']}: exit-standard gap {r['target']} is due by "
                       f"{r['due']} but " + ("stays open" if pd.isna(r["close_year"]) else
                                             f"closes in {int(r['close_year'])}"))
