"""Make scenarios/shanxi-province/: a province of Shanxi's shape (issue 15, part 3).

Run from the project root:

    python scenarios/shanxi-province/make_scenario.py [--out DIR]

It writes scenario.yaml, villages.csv, gaps.csv, projects.csv, funds.csv and
county_summary.csv into DIR (default: this folder).  The same code and sources
give the same bytes: numpy's ``default_rng(SEED)`` is the only randomness and
every table is drawn and written in a fixed order.

Real (read from ``sources/``): the 58 counties with their names, prefectures,
status and exit years; the villages per exit batch; the unit costs and money
figures (``sources/figures.csv``, each row naming its source).  Assumed (the
constants of ``planner/generate/shanxi.py``, where the drawing lives, shared with
``planner generate --nation``; README.md lists them all): the deep-poverty and old-base
counties, the villages per county and batch, the spread of costs around the
real unit costs, the share of the special fund for these works.  Synthetic,
from the project's generator (``planner.generate``): village names, townships,
sizes, gaps and candidate works, whose costs are then redrawn around the real
unit costs where one is known.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))  # this checkout's planner, installed or not

from planner.generate.shanxi import (  # noqa: E402
    BATCHES,
    SEED,
    YEARS,
    county_frame,
    deadline_room,
    draw,
    funds,
    only_streams,
    read_figures,
)

NAME = "shanxi-province"

# ---------------------------------------------------------------- writing
def county_summary(counties, batches, vdf, gdf, pdf, need, fdf) -> pd.DataFrame:
    """county_summary.csv: one row per county, what this script gave it."""
    gaps = gdf["village_id"].map(vdf.set_index("village_id")["county"]).value_counts()
    projects = pdf["village_id"].map(vdf.set_index("village_id")["county"]).value_counts()
    money = fdf.pivot_table(index="county", columns="stream", values="amount", aggfunc="sum",
                            sort=False)
    c = counties["county"]
    out = pd.DataFrame({
        "county": c,
        "prefecture": counties["prefecture"],
        "category": counties["category"],
        "exit_year": counties["exit_year"],
        "deep_poverty": np.where(counties["deep"], "true", "false"),
        "old_base_lottery": np.where(counties["lottery"], "true", "false"),
        "villages": counties["villages"],
        **{(f"exited_{y}_or_before" if y == BATCHES[0] else f"exit_{y}"): batches[:, j]
           for j, y in enumerate(BATCHES)},
        "gaps": c.map(gaps).fillna(0).astype(int),
        "projects": c.map(projects).fillna(0).astype(int),
        "need_万元": np.round(need, 2),
        "poverty_fund_2018_2020_万元": c.map(money["poverty_fund"]).round(2),
        "lottery_2018_2020_万元": c.map(money["lottery"]).fillna(0.0).round(2),
        "note": np.where(counties["unidentified"], "not identified: the sources name 16 of "
                         "the 17 counties of the 2019 batch; kept under a marked name", ""),
    })
    return out


def write_yaml(path: Path, deadlines: list[dict]) -> None:
    doc = {"name": NAME, "years": list(YEARS), "objective": "max_coverage",
           "deadlines": deadlines}
    header = (
        "# Shanxi's 58 poverty counties and 7,993 poor villages, 2018-2020: written by\n"
        "# scenarios/shanxi-province/make_scenario.py (see README.md: real figures and\n"
        "# assumptions).  Deadlines from the 2017 Shanxi policy: grids of deep-poverty\n"
        "# counties by 2018; broadband in 90 % of the villages by 2019; all grids, roads,\n"
        "# dangerous houses and drinking water, and garbage treatment in 90 %, by 2020.\n"
        "# No solver settings: the defaults plan it within 1 % of the bound (README.md).\n"
    )
    body = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, default_flow_style=None)
    path.write_text(header + body, encoding="utf-8", newline="\n")


def write_csv(df: pd.DataFrame, path: Path) -> None:
    df.to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\n")


def make(out: Path, sources: Path = HERE / "sources") -> dict:
    """Draw the scenario and write it into ``out``; return a few totals."""
    fig = read_figures(sources)
    rng = np.random.default_rng(SEED)
    counties = county_frame(sources)
    batches, vdf, gdf, pdf, deadlines, need, forced, forced_lot = draw(rng, counties, fig)
    fdf = funds(counties, need, fig)
    pdf["streams"] = only_streams(pdf["streams"], set(fdf["stream"]))
    room = deadline_room(counties, fdf, forced, forced_lot)
    if room.min() < 1:
        raise ValueError("a county's money cannot pay for the works its deadlines force")

    out.mkdir(parents=True, exist_ok=True)
    write_yaml(out / "scenario.yaml", deadlines)
    for name, df in (("villages", vdf), ("gaps", gdf), ("projects", pdf), ("funds", fdf)):
        write_csv(df, out / f"{name}.csv")
    write_csv(county_summary(counties, batches, vdf, gdf, pdf, need, fdf),
              out / "county_summary.csv")
    return {"villages": len(vdf), "gaps": len(gdf), "projects": len(pdf),
            "need": float(need.sum()), "money": float(fdf["amount"].sum()),
            "forced": forced.sum(axis=0).tolist(), "least_room": float(room.min())}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=HERE, help="folder to write (default: here)")
    args = ap.parse_args(argv)
    stats = make(args.out)
    print(f"{stats['villages']} villages, {stats['gaps']} gaps, {stats['projects']} projects; "
          f"need {stats['need']:,.2f} 万元, money {stats['money']:,.2f} 万元; deadlines force "
          f"{', '.join(f'{f:,.0f}' for f in stats['forced'])} 万元 by "
          f"{', '.join(map(str, YEARS))}; least money/forced {stats['least_room']:.2f}")


if __name__ == "__main__":
    main()
