"""Samples of `uncertainty:` (planner.scenario.uncertainty): what the money and costs
turn out to be, drawn reproducibly, and each sample's scenario.

Sample k of stream s is drawn by its own numpy Generator, seeded by
`SeedSequence(seed, spawn_key=(s, k))`: the samples the plan is made on (stream
SOLVE) and the fresh ones it is measured on (stream FRESH) never share a draw, and
sample k is the same whatever the number of samples.  Within a sample the entries
are drawn in the order scenario.yaml gives them: money first (a `cut` one uniform
number, cut when it is below p; a `range` one uniform factor), then the costs (one
uniform overrun per target).  A stream-year entry without a county changes every
county's row of it by the same draw.

Amounts and costs are rounded to 4 decimals (one yuan when the unit is 万元), as the
files hold them.  The works of `now` (the first year's, tendered now) keep the cost
of projects.csv; every other work costs (1 + overrun) times it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..scenario import Scenario

#: the seed streams: the samples the plan is made on, the fresh ones it is measured on
SOLVE, FRESH = 0, 1
#: the draw of expected money and costs (not a sample)
EXPECTED = -1
STREAM_NAMES = {SOLVE: "solve", FRESH: "fresh", EXPECTED: "expected"}


@dataclass(frozen=True)
class Draw:
    stream: int  # SOLVE, FRESH or EXPECTED
    index: int  # 0-based within its stream
    money: tuple  # factor of the amount, one per uncertainty.money entry
    costs: tuple  # relative overrun, one per uncertainty.costs entry

    @property
    def name(self) -> str:
        """The sample's folder name: 001, 002, ... (the expected draw: expected)."""
        return "expected" if self.stream == EXPECTED else f"{self.index + 1:03d}"


def draw(unc: dict, stream: int, k: int) -> Draw:
    """Sample k of `stream` (see the module's docstring)."""
    rng = np.random.default_rng(np.random.SeedSequence(unc["seed"], spawn_key=(stream, k)))
    money = []
    for m in unc["money"]:
        if m["kind"] == "cut":
            money.append(1.0 - m["share"] if rng.random() < m["p"] else 1.0)
        else:
            money.append(float(rng.uniform(m["low"], m["high"])))
    costs = tuple(float(rng.uniform(c["low"], c["high"])) for c in unc["costs"])
    return Draw(stream, k, tuple(money), costs)


def draws(unc: dict, stream: int, n: int) -> list[Draw]:
    return [draw(unc, stream, k) for k in range(n)]


def expected(unc: dict) -> Draw:
    """The expected money and costs: 1 - p share for a cut, the middle of a range."""
    money = tuple(1.0 - m["p"] * m["share"] if m["kind"] == "cut" else
                  (m["low"] + m["high"]) / 2 for m in unc["money"])
    costs = tuple((c["low"] + c["high"]) / 2 for c in unc["costs"])
    return Draw(EXPECTED, 0, money, costs)


def entry_names(unc: dict) -> tuple[list[str], list[str]]:
    """Column names of the money factors (`money special_bonds 2019`, with the county
    when one is named) and the overruns (`overrun road`)."""
    money = [f"money {m['stream']} {m['year']}" + (f" {m['county']}" if m["county"] else "")
             for m in unc["money"]]
    return money, [f"overrun {c['target']}" for c in unc["costs"]]


def funds_of(funds: pd.DataFrame, unc: dict, d: Draw) -> pd.DataFrame:
    out = funds.copy()
    for m, factor in zip(unc["money"], d.money):
        rows = (out["stream"] == m["stream"]) & (out["year"] == m["year"])
        if m["county"] is not None:
            rows &= out["county"] == m["county"]
        out.loc[rows, "amount"] = (out.loc[rows, "amount"] * factor).round(4)
    return out


def projects_of(projects: pd.DataFrame, unc: dict, d: Draw,
                now: frozenset = frozenset()) -> pd.DataFrame:
    out = projects.copy()
    later = ~out["project_id"].isin(now)
    for c, overrun in zip(unc["costs"], d.costs):
        rows = later & (out["target"] == c["target"])
        out.loc[rows, "cost"] = (out.loc[rows, "cost"] * (1.0 + overrun)).round(4)
    return out


def weighted(scn: Scenario) -> Scenario:
    """The scenario judged by its value: the lexicographic exit priority becomes the
    weighted rule (one objective, each village on time worth the same bonus); `none`
    stays."""
    if scn.exit_priority.get("rule") != "lexicographic":
        return scn
    return dataclasses.replace(scn, exit_priority={"rule": "weighted", "order": []})


def sample_scenario(base: Scenario, unc: dict, d: Draw, now=frozenset()) -> Scenario:
    """The scenario of draw `d` in memory (money and costs changed; `now`: the works of
    the first year, at their cost), from the weighted `base`."""
    return dataclasses.replace(base, funds=funds_of(base.funds, unc, d),
                               projects=projects_of(base.projects, unc, d, frozenset(now)),
                               warnings=[], input_files=list(base.input_files))
