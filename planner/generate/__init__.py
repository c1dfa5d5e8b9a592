"""Synthetic scenarios of realistic shape (``planner generate``).

`generate()` writes a complete scenario folder -- ``scenario.yaml``,
``villages.csv``, ``gaps.csv``, ``projects.csv`` and ``funds.csv`` -- for any
number of villages and counties, from one seed.  The same arguments give the
same bytes (numpy's ``default_rng(seed)`` is the only source of randomness and
every table is built and written in a fixed order).  Everything is vectorised
with numpy/pandas: a whole province (8,000 villages in 58 counties, about
54,000 projects) takes well under a second.

The shape follows the 2017 Shanxi policy (``关于加快推进贫困村提升工程的实施意见``):

* counties carry real Shanxi county names; the first ``ceil(counties / 3)``
  of them are deep-poverty counties (深度贫困县).  The list starts with the ten
  deep-poverty counties the policy refers to (10个深度贫困县), so a one-county
  scenario is 石楼县, a deep-poverty county; the status given to the other
  names is illustrative;
* villages get an exit batch: about 5 % exited before the horizon (短板补课),
  the rest spread over the horizon with a bump in the middle; about 2 % are
  relocated (整村搬迁).  Relocated villages keep their gaps and projects, as a
  county's survey would list them, but the planner does not plan them and the
  money below is not sized for them;
* each village lacks each of the 14 targets with a target-specific probability
  (infrastructure more often in deep-poverty villages, everything less often in
  villages that already exited); at least one gap per village;
* the project library holds one candidate per gap and, for about 15 % of gaps,
  a second alternative (cheaper but longer, or a different design).  Costs are
  truncated-lognormal inside target-specific ranges in 万元, larger villages
  costing more for the size-driven works.  These ranges are illustrative
  magnitudes of Chinese rural works, not official data;
* money comes in the five streams of the policy, per county and year, sized to
  ``budget_ratio`` times the county's pooled need (the least pooled money that
  closes every gap of its planned villages), then adjusted so that the hard
  deadlines are fundable (see `planner.generate.money`).

The package, one module per part of a scenario, in the order they are drawn:

* ``catalogue.py``: the catalogues (names, targets, gap odds, cost ranges,
  departments, streams) and the policy's deadlines;
* ``villages.py``: counties and villages (villages.csv);
* ``works.py``: gaps and projects (gaps.csv, projects.csv);
* ``money.py``: the deadlines' forced costs and the money (funds.csv);
* ``shanxi.py``: a province drawn on Shanxi's real figures (scenarios/shanxi-province);
* ``nation.py``: the 832 real national poverty counties (``planner generate --nation``);
* this module: `generate` itself, its argument checks and scenario.yaml.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import yaml

from .catalogue import COUNTY_NAMES, DEADLINE_MARGIN, STREAM_CODES, TARGET_CODES, policy_deadlines
from .money import forced_costs, fund_table
from .villages import county_table, village_table
from .works import gap_table, project_table

__all__ = ["generate", "forced_costs", "COUNTY_NAMES", "TARGET_CODES", "STREAM_CODES",
           "DEADLINE_MARGIN"]


def generate(
    out_dir: Path,
    villages: int,
    counties: int,
    seed: int,
    years=(2018, 2019, 2020),
    name: str | None = None,
    pooled_stream: bool = False,
    budget_ratio: float = 0.6,
) -> dict:
    """Write a synthetic scenario folder and return a few statistics.

    Parameters
    ----------
    out_dir: folder to write (created if missing; the five files are replaced).
    villages, counties: how many; every county gets at least one village.
    seed: seed of ``numpy.random.default_rng``; same arguments, same bytes.
    years: the planning horizon, consecutive years.
    name: the scenario's label; default ``generated-v{villages}-c{counties}-s{seed}``.
    pooled_stream: give the ``integrated`` stream as one province-level row per
        year (blank ``county``) instead of one row per county and year.
    budget_ratio: money over the horizon as a share of the pooled need.

    Returns
    -------
    dict with ``villages``, ``counties``, ``deep_poverty_counties``, ``gaps``,
    ``projects``, ``total_need`` (万元, planned villages only), ``total_money``
    (dict stream -> 万元 over the horizon), ``total_money_sum`` and ``topup``
    (money added to ``special_bonds`` beyond ``budget_ratio`` to keep the
    deadlines fundable).
    """
    years = tuple(int(y) for y in years)
    _check_args(villages, counties, years, budget_ratio)
    name = name or f"generated-v{villages}-c{counties}-s{seed}"
    rng = np.random.default_rng(seed)

    county_df = county_table(counties)
    vdf = village_table(rng, villages, county_df, years)
    gdf = gap_table(rng, vdf, years)
    pdf = project_table(rng, vdf, gdf, years)
    deadlines = policy_deadlines(years)
    fdf, need, topup = fund_table(rng, vdf, gdf, pdf, county_df, years, deadlines,
                                  budget_ratio, pooled_stream)

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    _write_yaml(out_dir / "scenario.yaml", name, years, deadlines, seed,
                villages, counties, budget_ratio, pooled_stream)
    for fname, df in (("villages", vdf), ("gaps", gdf), ("projects", pdf), ("funds", fdf)):
        df.to_csv(out_dir / f"{fname}.csv", index=False, encoding="utf-8-sig",
                  lineterminator="\n")

    money = fdf.groupby("stream", sort=False)["amount"].sum()
    total_money = {s: round(float(money.get(s, 0.0)), 2) for s in STREAM_CODES}
    return {
        "villages": int(len(vdf)),
        "counties": int(counties),
        "deep_poverty_counties": int(county_df["deep"].sum()),
        "gaps": int(len(gdf)),
        "projects": int(len(pdf)),
        "total_need": round(float(need), 2),
        "total_money": total_money,
        "total_money_sum": round(sum(total_money.values()), 2),
        "topup": round(float(topup), 2),
    }


def _check_args(villages, counties, years, budget_ratio):
    if counties < 1 or villages < counties:
        raise ValueError(f"need at least one county and one village per county "
                         f"(got {villages} villages, {counties} counties)")
    if not years or any(b != a + 1 for a, b in zip(years, years[1:])):
        raise ValueError(f"years must be consecutive, got {list(years)}")
    if not budget_ratio > 0:
        raise ValueError(f"budget_ratio must be positive, got {budget_ratio}")


def _write_yaml(path, name, years, deadlines, seed, villages, counties,
                budget_ratio, pooled_stream):
    doc = {"name": name, "years": list(years), "objective": "max_coverage",
           "deadlines": deadlines}
    header = (
        "# Synthetic scenario written by planner.generate.generate(\n"
        f"#   villages={villages}, counties={counties}, seed={seed}, years={list(years)},\n"
        f"#   budget_ratio={budget_ratio}, pooled_stream={pooled_stream})\n"
        "# Deadlines from the 2017 Shanxi policy, at its own years on this horizon: grids\n"
        "# of deep-poverty counties by 2018; broadband in 90 % of villages by 2019; all\n"
        "# grids, roads, dangerous houses and drinking water, and garbage treatment in\n"
        "# 90 %, by 2020 (a year before the horizon falls on its first year).\n"
    )
    body = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, default_flow_style=None)
    path.write_text(header + body, encoding="utf-8", newline="\n")
