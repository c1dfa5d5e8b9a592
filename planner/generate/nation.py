"""The nation (``planner generate --nation``): the 832 national poverty counties.

`generate_nation` writes a scenario on the real list of the 832 national poverty
counties (``data/national_832_poverty_counties.csv``, a copy of
``../shared/data/real/national_832_poverty_counties.csv``; its README there and
``data/SOURCES.md`` give the provenance): each county in its real province with its
real exit year, about 128,000 poor villages in all (the policy's 12.8万 poor
villages; how many a county had is not public), and the 2017 Shanxi policy's works,
money and deadlines.  Planned over 2018-2020, the policy's years.  The stated rules
(every figure not from a source is one of the constants below):

* **Shanxi** is drawn as ``scenarios/shanxi-province`` is (`planner.generate.shanxi`,
  the same functions: its 58 counties' villages, exit batches, costs around the real
  unit costs, the special poverty fund at its real scale, the old-base lottery
  money), with the nation's seed, and its 36 national counties are kept (the 22
  provincial ones are not on the national list);
* **other provinces**: ``NATION_VILLAGES`` less Shanxi's villages, spread over the
  other counties by a gamma(4) draw (deep-poverty counties weighing ``SIZE_DEEP``),
  at least ``MIN_VILLAGES`` each; a village's exit year is its county's, or one, two
  or three years before, with the shares ``EXIT_OFFSET_SHARE`` (no village is due
  after its county exits); gaps, works and per-county money as the generator draws
  them (`planner.generate`, ``budget_ratio`` of the county's need, deadlines
  fundable county by county);
* **deep-poverty counties** (the real list of 334 is not in the data): every county
  of Tibet, every county that exited in 2020 (the last 52, all in the deep-poverty
  areas), the counties that exited in 2019 in the provinces of 三区三州 (Sichuan,
  Yunnan, Gansu, Qinghai, Xinjiang), and Shanxi's ten (`shanxi.DEEP_POVERTY_COUNTIES`);
* **province-level pooled money**: each province has a stream ``province_<code>``
  with a blank county (pooled over the province's counties; only the province's
  works list it in ``streams``): elsewhere the integrated fund (统筹整合资金) of its
  counties, held at the province; in Shanxi ``SHANXI_POOLED_SHARE`` of each county's
  poverty fund (the province keeps part of its special fund to allocate);
* **deadlines**: the policy's (`catalogue.policy_deadlines`, drinking water by 2020
  among them, in every province as the other clauses); those with a share
  (broadband 90 % by 2019, garbage treatment 90 % by 2020) hold per province, over
  its counties.

``provinces`` takes some provinces only (their names as in the list, e.g. 宁夏):
the counties' sizes are those of the whole nation, the rest is drawn for them.
Everything is vectorised with numpy/pandas (one short loop over provinces); the
same arguments write the same bytes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from .catalogue import STREAM_CARRY, policy_deadlines
from .money import fund_table
from .shanxi import (
    DEEP_POVERTY_COUNTIES,
    SEED as SHANXI_SEED,
    YEARS,
    county_frame,
    county_sizes,
    draw,
    funds as shanxi_funds,
    largest_remainder,
    only_streams,
    read_figures,
)
from .villages import numbered_ids, village_table
from .works import gap_table, project_table

DATA = Path(__file__).resolve().parent / "data"
NATIONAL_LIST = DATA / "national_832_poverty_counties.csv"
SHANXI = "山西"
#: poor villages in the nation (国家扶贫开发工作重点村 and 贫困村: 12.8万)
NATION_VILLAGES = 128_000
MIN_VILLAGES = 20
SIZE_SHAPE = 4.0
SIZE_DEEP = 1.25
#: share of a county's villages exiting in its exit year, and 1, 2, 3 years before
EXIT_OFFSET_SHARE = (0.45, 0.30, 0.15, 0.10)
#: the provinces of 三区三州 besides Tibet, whose 2019 counties are deep-poverty
SANQU_SANZHOU = ("四川", "云南", "甘肃", "青海", "新疆")
#: share of each Shanxi county's poverty fund held at the province (pooled)
SHANXI_POOLED_SHARE = 0.2
#: a code per province, for the province's pooled stream (province_<code>)
PROVINCE_CODES = {
    "山西": "shanxi", "河北": "hebei", "内蒙古": "neimenggu", "吉林": "jilin",
    "黑龙江": "heilongjiang", "安徽": "anhui", "江西": "jiangxi", "河南": "henan",
    "湖北": "hubei", "湖南": "hunan", "广西": "guangxi", "海南": "hainan",
    "重庆": "chongqing", "四川": "sichuan", "贵州": "guizhou", "云南": "yunnan",
    "西藏": "xizang", "陕西": "shaanxi", "甘肃": "gansu", "青海": "qinghai",
    "宁夏": "ningxia", "新疆": "xinjiang",
}
COUNTY_STREAMS = ("special_bonds", "poverty_fund", "lottery", "collective_fund")


def national_counties() -> pd.DataFrame:
    """The 832 counties: province, county, exit year, deep-poverty flag (the rule
    above), ordered by province code, then as in the list."""
    src = pd.read_csv(NATIONAL_LIST, dtype={"exit_year": int}, encoding="utf-8")
    df = pd.DataFrame({"province": src["province_as_in_source"],
                       "county": src["county_as_in_source"],
                       "exit_year": src["exit_year"]})
    unknown = sorted(set(df["province"]) - set(PROVINCE_CODES))
    if unknown:
        raise ValueError(f"provinces without a code: {unknown}")
    df["code"] = df["province"].map(PROVINCE_CODES)
    df["deep"] = ((df["province"] == "西藏") | (df["exit_year"] == 2020)
                  | ((df["exit_year"] == 2019) & df["province"].isin(SANQU_SANZHOU))
                  | ((df["province"] == SHANXI) & df["county"].isin(DEEP_POVERTY_COUNTIES)))
    return df.sort_values("code", kind="stable").reset_index(drop=True)


def generate_nation(out_dir: Path, seed: int, provinces=None, budget_ratio: float = 0.6,
                    name: str | None = None) -> dict:
    """Write the national scenario (or the given provinces of it) into ``out_dir``;
    return a few statistics."""
    counties = national_counties()
    if provinces:
        unknown = sorted(set(provinces) - set(counties["province"]))
        if unknown:
            raise ValueError(f"unknown province(s) {', '.join(unknown)}; the list has "
                             f"{', '.join(sorted(set(counties['province'])))}")
    rng = np.random.default_rng(seed)
    counties = nation_counties(seed, rng)
    if provinces:
        counties = counties[counties["province"].isin(provinces)].reset_index(drop=True)
    sx = _shanxi(seed) if (counties["province"] == SHANXI).any() else None
    other = counties[counties["province"] != SHANXI].reset_index(drop=True)
    parts = [] if sx is None else [sx]
    if len(other):
        parts.append(_others(rng, other, budget_ratio))
    vdf, gdf, pdf, fdf = _join(parts, counties)
    deadlines = _deadlines(counties)

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    name = name or (f"nation-s{seed}" if not provinces else
                    f"nation-{'-'.join(PROVINCE_CODES[p] for p in provinces)}-s{seed}")
    _write_yaml(out_dir / "scenario.yaml", name, deadlines, seed, provinces, budget_ratio)
    for fname, df in (("villages", vdf), ("gaps", gdf), ("projects", pdf), ("funds", fdf)):
        df.to_csv(out_dir / f"{fname}.csv", index=False, encoding="utf-8-sig",
                  lineterminator="\n")
    pooled = fdf[fdf["county"] == ""]
    return {
        "villages": int(len(vdf)), "counties": int(len(counties)),
        "provinces": int(counties["province"].nunique()),
        "deep_poverty_counties": int(counties["deep"].sum()),
        "gaps": int(len(gdf)), "projects": int(len(pdf)),
        "total_money_sum": round(float(fdf["amount"].sum()), 2),
        "pooled_money_sum": round(float(pooled["amount"].sum()), 2),
        "deadlines": len(deadlines),
    }


def _shanxi_frame() -> tuple[pd.DataFrame, dict]:
    return county_frame(DATA), read_figures(DATA)


def _shanxi(seed: int) -> dict:
    """Shanxi as scenarios/shanxi-province draws it (with the nation's seed), its
    national counties kept, SHANXI_POOLED_SHARE of their poverty fund pooled."""
    frame, fig = _shanxi_frame()
    rng = np.random.default_rng([seed, SHANXI_SEED])
    _, vdf, gdf, pdf, deadlines, need, _, _ = draw(rng, frame, fig)
    fdf = shanxi_funds(frame, need, fig)
    keep = set(frame.loc[frame["category"] == "national", "county"])
    vdf = vdf[vdf["county"].isin(keep)]
    gdf = gdf[gdf["village_id"].isin(set(vdf["village_id"]))]
    pdf = pdf[pdf["village_id"].isin(set(vdf["village_id"]))]
    fdf = fdf[fdf["county"].isin(keep)].reset_index(drop=True)
    pf = fdf["stream"] == "poverty_fund"
    held = np.round(fdf.loc[pf, "amount"] * SHANXI_POOLED_SHARE, 2)
    fdf.loc[pf, "amount"] = np.round(fdf.loc[pf, "amount"] - held, 2)
    fdf = pd.concat([fdf, _pooled_rows(fdf[pf].assign(amount=held), "shanxi")],
                    ignore_index=True)
    pooled = "province_shanxi"
    streams = only_streams(pdf["streams"], set(fdf["stream"]) - {pooled})
    pdf = pdf.assign(streams=_with_province(streams, ("poverty_fund", "lottery"), "shanxi"))
    return {"villages": vdf, "gaps": gdf, "projects": pdf, "funds": fdf}


def nation_counties(seed: int, rng=None) -> pd.DataFrame:
    """`national_counties` with the villages of each (column ``villages``): Shanxi's
    national counties as Shanxi's draw gives them (`shanxi.county_sizes` with the
    nation's seed, the first draw `_shanxi` makes), the others ``NATION_VILLAGES`` less
    Shanxi's by a gamma(SIZE_SHAPE) draw of ``rng`` (default: the seed's generator),
    deep-poverty counties weighing SIZE_DEEP, at least MIN_VILLAGES each."""
    counties = national_counties()
    rng = np.random.default_rng(seed) if rng is None else rng
    frame, fig = _shanxi_frame()
    sizes = pd.Series(county_sizes(np.random.default_rng([seed, SHANXI_SEED]), frame, fig),
                      index=frame["county"].to_numpy())
    shanxi = (counties["province"] == SHANXI).to_numpy()
    out = np.zeros(len(counties), dtype=np.int64)
    out[shanxi] = sizes.loc[counties.loc[shanxi, "county"]].to_numpy()
    w = rng.gamma(SIZE_SHAPE, size=int((~shanxi).sum()))
    w *= np.where(counties.loc[~shanxi, "deep"], SIZE_DEEP, 1.0)
    rest = NATION_VILLAGES - int(out.sum()) - MIN_VILLAGES * len(w)
    out[~shanxi] = MIN_VILLAGES + largest_remainder(rest, w)
    return counties.assign(villages=out)


def _others(rng, counties: pd.DataFrame, budget_ratio: float) -> dict:
    """The counties outside Shanxi: villages, gaps, works and money as the generator
    draws them, exit years by the rule above, the integrated fund pooled per province."""
    county_df = pd.DataFrame({"county": counties["county"], "deep": counties["deep"]})
    per_county = counties["villages"].to_numpy()
    vdf = village_table(rng, int(per_county.sum()), county_df, YEARS, per_county=per_county)
    exit_of = np.repeat(counties["exit_year"].to_numpy(), per_county)
    offset = rng.choice(len(EXIT_OFFSET_SHARE), size=len(vdf), p=EXIT_OFFSET_SHARE)
    vdf["exit_year"] = exit_of - offset
    gdf = gap_table(rng, vdf, YEARS)
    pdf = project_table(rng, vdf, gdf, YEARS)
    fdf, _, _ = fund_table(rng, vdf, gdf, pdf, county_df, YEARS, policy_deadlines(YEARS),
                           budget_ratio, pooled_stream=False)
    code_of = dict(zip(counties["county"], counties["code"]))
    integrated = fdf["stream"] == "integrated"
    pooled = [_pooled_rows(rows, code) for code, rows in
              fdf[integrated].assign(code=fdf["county"].map(code_of)).groupby("code",
                                                                             sort=False)]
    fdf = pd.concat([fdf[~integrated]] + pooled, ignore_index=True)
    code = vdf["county"].map(code_of).to_numpy()[
        pd.Index(vdf["village_id"]).get_indexer(pdf["village_id"])]
    streams = pdf["streams"].to_numpy().astype(object)
    listed = streams != ""
    mine = np.char.add("province_", code.astype(str)).astype(object)
    streams[listed] = [s.replace("integrated", m) for s, m in zip(streams[listed],
                                                                     mine[listed])]
    streams[~listed] = ";".join(COUNTY_STREAMS) + ";" + mine[~listed]
    return {"villages": vdf, "gaps": gdf, "projects": pdf.assign(streams=streams),
            "funds": fdf}


def _pooled_rows(rows: pd.DataFrame, code: str) -> pd.DataFrame:
    """One pooled row per year: the rows' money held by the province."""
    per_year = rows.groupby("year", sort=True)["amount"].sum().round(2)
    return pd.DataFrame({"stream": f"province_{code}", "year": per_year.index,
                         "amount": per_year.to_numpy(), "county": "",
                         "carry_over": "true" if STREAM_CARRY["integrated"] else "false",
                         "targets": "*"})


def _with_province(streams: pd.Series, county_streams, code: str) -> pd.Series:
    """A work's streams with its province's pooled stream: a blank list (any) becomes
    the county streams and the province's; a listed one gains the province's."""
    mine = f"province_{code}"
    return streams.map(lambda s: f"{s};{mine}" if s else ";".join(county_streams) + ";" + mine)


def _join(parts: list[dict], counties: pd.DataFrame):
    """The parts' tables in one, villages and works numbered anew in county order (an
    id is unique within its part: keys are part|id)."""
    def keyed(df, col, i):
        return df.assign(**{col: str(i) + "|" + df[col]})

    vdf = pd.concat([keyed(p["villages"], "village_id", i) for i, p in enumerate(parts)],
                    ignore_index=True)
    gdf = pd.concat([keyed(p["gaps"], "village_id", i) for i, p in enumerate(parts)],
                    ignore_index=True)
    pdf = pd.concat([keyed(keyed(p["projects"], "village_id", i), "project_id", i)
                     .assign(requires=np.where(p["projects"]["requires"] != "",
                                               str(i) + "|" + p["projects"]["requires"], ""))
                     for i, p in enumerate(parts)], ignore_index=True)
    order = pd.Index(counties["county"]).get_indexer(vdf["county"])
    vdf = vdf.iloc[np.argsort(order, kind="stable")].reset_index(drop=True)
    vpos = pd.Index(vdf["village_id"])
    gdf = gdf.iloc[np.argsort(vpos.get_indexer(gdf["village_id"]), kind="stable")]
    pdf = pdf.iloc[np.argsort(vpos.get_indexer(pdf["village_id"]), kind="stable")]
    new_v = numbered_ids("V", len(vdf), width=max(6, len(str(len(vdf)))))
    new_p = numbered_ids("P", len(pdf), width=max(7, len(str(len(pdf)))))
    vmap = pd.Series(new_v, index=vdf["village_id"].to_numpy())
    pmap = pd.Series(new_p, index=pdf["project_id"].to_numpy())
    req = pdf["requires"].to_numpy().astype(object)
    has = req != ""
    req[has] = pmap.loc[req[has]].to_numpy()
    vdf = vdf.assign(village_id=new_v)
    gdf = gdf.assign(village_id=vmap.loc[gdf["village_id"]].to_numpy()).reset_index(drop=True)
    pdf = pdf.assign(project_id=new_p, requires=req,
                     village_id=vmap.loc[pdf["village_id"]].to_numpy()).reset_index(drop=True)
    fdf = pd.concat([p["funds"] for p in parts], ignore_index=True)
    fdf = fdf.sort_values(["stream", "year"], kind="stable").reset_index(drop=True)
    return vdf, gdf, pdf, fdf


def _deadlines(counties: pd.DataFrame) -> list[dict]:
    """The policy's deadlines, those with a share per province."""
    out = []
    for d in policy_deadlines(YEARS):
        if d.get("share", 1.0) >= 1.0:
            out.append(d)
            continue
        for _, mine in counties.groupby("code", sort=False):
            out.append({**d, "scope": mine["county"].tolist()})
    return out


def _write_yaml(path: Path, name, deadlines, seed, provinces, budget_ratio):
    doc = {"name": name, "years": list(YEARS), "objective": "max_coverage",
           "deadlines": deadlines}
    header = (
        "# The national poverty counties (832, real provinces and exit years), written by\n"
        f"#   planner generate --nation --seed {seed}"
        + (f" --provinces {','.join(provinces)}" if provinces else "")
        + f" (budget_ratio={budget_ratio})\n"
        "# See planner/generate/nation.py for every rule.  Deadlines from the 2017 Shanxi\n"
        "# policy (drinking water by 2020 among them); those with a share hold per province.\n"
    )
    body = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, default_flow_style=None,
                          width=100)
    path.write_text(header + body, encoding="utf-8", newline="\n")
