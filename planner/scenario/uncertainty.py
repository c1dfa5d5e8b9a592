"""`uncertainty:` of scenario.yaml: what the money and the costs may turn out to be
(`planner robust`, planner.robust).

    uncertainty:
      samples: 20                  # how many samples the robust plan is made on
      seed: 7                      # the samples are drawn from it (numpy Generator)
      money:                       # per stream and year (and county): what arrives
        - {stream: special_bonds, year: 2019, cut: {p: 0.3, share: 0.2}}
        - {stream: lottery, year: 2020, range: {low: 0.8, high: 1.0}}
      costs:                       # per target: the relative overrun of a work's cost
        - {target: road, overrun: [0, 0.3]}

`cut`: with probability p the year's money is cut by `share` (else it arrives
whole); `range`: the amount times a factor drawn evenly from low..high.  `overrun`:
[low, high] drawn evenly (or one number: always that), the same draw for every work of
the target in a sample (a price level), for the works that start after the first
year: the first year's works are tendered now, at the costs of projects.csv.  The
first year's money is known when the plan is made (it is the decision taken now), so
an entry for it is refused.

Every value is checked here; a problem names the key (`uncertainty.money[2].cut.p`),
its row (found afterwards from the key path), the value and the fix.
"""

from __future__ import annotations

import pandas as pd

from ..errors import Problems
from ..schema import MONEY_LIMIT
from .settings import is_number
from .yamlfile import YAML

#: the most samples one robust run may draw (each is a copy of the program)
MAX_SAMPLES = 1000
#: the default number of samples
DEFAULT_SAMPLES = 10
#: the largest sampling seed (numpy's SeedSequence takes any whole number >= 0)
MAX_SEED = 2**32 - 1
#: a money factor (`range`) at most this: ten times the amount promised
FACTOR_LIMIT = 10.0
#: a relative cost overrun between these: 90 % cheaper .. ten times dearer
OVERRUN_LIMITS = (-0.9, 10.0)
EXAMPLE = ("e.g. uncertainty: {samples: 20, seed: 1, money: [{stream: special_bonds, "
           "year: 2019, cut: {p: 0.3, share: 0.2}}], costs: [{target: road, "
           "overrun: [0, 0.3]}]}")


def _whole(value, lo: int, hi: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and lo <= value <= hi


def _text(value) -> bool:
    return isinstance(value, (str, int)) and not isinstance(value, bool)


def uncertainty_of(raw, years: list[int], funds: pd.DataFrame, projects: pd.DataFrame,
                   problems: Problems) -> dict | None:
    """The checked `uncertainty:` as plain data, None when the key is absent:
    {"samples", "seed", "money": [{stream, year, county (None: every row of the
    stream's year), kind "cut" with p, share | kind "range" with low, high}],
    "costs": [{target, low, high}]}."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        problems.add(YAML, f"must be a mapping of samples, seed, money and costs; {EXAMPLE}",
                     column="uncertainty", value=raw)
        return None
    out = {"samples": raw.get("samples", DEFAULT_SAMPLES), "seed": raw.get("seed", 0),
           "money": [], "costs": []}
    if not _whole(out["samples"], 1, MAX_SAMPLES):
        problems.add(YAML, f"samples must be a whole number from 1 to {MAX_SAMPLES}",
                     column="uncertainty.samples", value=out["samples"])
    if not _whole(out["seed"], 0, MAX_SEED):
        problems.add(YAML, f"seed must be a whole number from 0 to {MAX_SEED}",
                     column="uncertainty.seed", value=out["seed"])
    out["money"] = _money(raw.get("money"), years, funds, problems)
    out["costs"] = _costs(raw.get("costs"), projects, problems)
    if not out["money"] and not out["costs"] and not problems:
        problems.add(YAML, f"gives nothing uncertain: add money: or costs:; {EXAMPLE}",
                     column="uncertainty", value=raw)
    return out


def _items(raw, key: str, shape: str, problems: Problems) -> list:
    if raw is None:
        return []
    if not isinstance(raw, list):
        problems.add(YAML, f"must be a list of {shape}", column=f"uncertainty.{key}",
                     value=raw)
        return []
    return raw


def _money(raw, years, funds: pd.DataFrame, problems: Problems) -> list[dict]:
    shape = "{stream, year, [county], cut: {p, share}} or {stream, year, range: {low, high}}"
    out, seen = [], {}
    for i, item in enumerate(_items(raw, "money", shape, problems), start=1):
        col = f"uncertainty.money[{i}]"
        if not isinstance(item, dict):
            problems.add(YAML, f"must be a mapping {shape}", column=col, value=item)
            continue
        rows = _money_rows(item, col, years, funds, problems)
        if rows is None:
            continue
        kinds = [k for k in ("cut", "range") if k in item]
        if len(kinds) != 1:
            problems.add(YAML, "give exactly one of cut: {p, share} (the money is cut by "
                         "share with probability p) or range: {low, high} (the amount "
                         "times a factor drawn evenly from low to high)", column=col,
                         value=item)
            continue
        kind = kinds[0]
        law = _cut(item[kind], f"{col}.cut", problems) if kind == "cut" else \
            _range(item[kind], f"{col}.range", rows, problems)
        if law is None:
            continue
        key = (str(item["stream"]), item["year"])
        counties = set(rows["county"])
        for j, other in seen.get(key, []):
            if counties & other:
                problems.add(YAML, f"this stream and year already has a distribution "
                             f"(uncertainty.money[{j}]); give one per stream, year and "
                             "county", column=col, value=item)
                break
        else:
            seen.setdefault(key, []).append((i, counties))
            county = item.get("county")
            out.append({"stream": key[0], "year": key[1], "kind": kind,
                        "county": None if county is None else str(county), **law})
    return out


def _money_rows(item: dict, col: str, years, funds: pd.DataFrame, problems: Problems):
    """The funds.csv rows the entry changes, or None (the problem added)."""
    stream, year = item.get("stream"), item.get("year")
    streams = sorted(funds["stream"].unique())
    if not _text(stream) or str(stream) not in streams:
        problems.add(YAML, f"unknown stream; streams of funds.csv: {', '.join(streams)}",
                     column=f"{col}.stream", value=stream)
        return None
    mask = funds["stream"] == str(stream)
    later = f"{years[1]}-{years[-1]}" if len(years) > 2 else (
        str(years[1]) if len(years) > 1 else "none: the horizon has one year")
    if not isinstance(year, int) or isinstance(year, bool) or year not in years:
        problems.add(YAML, f"year must be a year of the horizon after the first ({later})",
                     column=f"{col}.year", value=year)
        return None
    if year == years[0]:
        problems.add(YAML, f"{year} is the first year: its money is known when the plan "
                     f"is made (the decision taken now); give a later year ({later})",
                     column=f"{col}.year", value=year)
        return None
    mask &= funds["year"] == year
    if "county" in item:
        have = sorted(set(funds.loc[mask, "county"]) - {""})
        if not _text(item["county"]) or str(item["county"]) not in have:
            problems.add(YAML, f"stream {stream} has no {year} money of this county; its "
                         f"counties that year: {', '.join(have) or 'none (pooled)'}",
                         column=f"{col}.county", value=item["county"])
            return None
        mask &= funds["county"] == str(item["county"])
    if not mask.any():
        problems.add(YAML, f"stream {stream} has no money row in {year} in funds.csv; "
                     "name a year it has money in", column=f"{col}.year", value=year)
        return None
    return funds[mask]


def _cut(raw, col: str, problems: Problems) -> dict | None:
    if not isinstance(raw, dict) or set(raw) != {"p", "share"}:
        problems.add(YAML, "must be {p: probability of the cut, share: the share cut}, "
                     "e.g. {p: 0.3, share: 0.2}", column=col, value=raw)
        return None
    ok = True
    if not is_number(raw["p"]) or not 0 <= raw["p"] <= 1:
        problems.add(YAML, "p must be a probability between 0 and 1, e.g. p: 0.3",
                     column=f"{col}.p", value=raw["p"])
        ok = False
    if not is_number(raw["share"]) or not 0 < raw["share"] <= 1:
        problems.add(YAML, "share must be the share of the money cut, above 0 and at "
                     "most 1, e.g. share: 0.2", column=f"{col}.share", value=raw["share"])
        ok = False
    return {"p": float(raw["p"]), "share": float(raw["share"])} if ok else None


def _range(raw, col: str, rows: pd.DataFrame, problems: Problems) -> dict | None:
    if not isinstance(raw, dict) or set(raw) != {"low", "high"}:
        problems.add(YAML, "must be {low, high}: the amount times a factor drawn evenly "
                     "from low to high, e.g. {low: 0.8, high: 1.0}", column=col, value=raw)
        return None
    low, high = raw["low"], raw["high"]
    for name, value in (("low", low), ("high", high)):
        if not is_number(value) or not 0 <= value <= FACTOR_LIMIT:
            problems.add(YAML, f"{name} must be a factor of the amount between 0 and "
                         f"{FACTOR_LIMIT:g}, e.g. 0.8", column=f"{col}.{name}", value=value)
            return None
    if low > high:
        problems.add(YAML, "low must not be above high; swap them", column=col, value=raw)
        return None
    if (rows["amount"] * high > MONEY_LIMIT).any():
        problems.add(YAML, f"the amount times high exceeds {MONEY_LIMIT:.0e}, the largest "
                     "plausible amount", column=f"{col}.high", value=high)
        return None
    return {"low": float(low), "high": float(high)}


def _costs(raw, projects: pd.DataFrame, problems: Problems) -> list[dict]:
    shape = "{target, overrun: [low, high]}, e.g. {target: road, overrun: [0, 0.3]}"
    out, seen = [], {}
    targets = sorted(projects["target"].unique())
    lo_limit, hi_limit = OVERRUN_LIMITS
    for i, item in enumerate(_items(raw, "costs", shape, problems), start=1):
        col = f"uncertainty.costs[{i}]"
        if not isinstance(item, dict):
            problems.add(YAML, f"must be a mapping {shape}", column=col, value=item)
            continue
        target = item.get("target")
        if not _text(target) or str(target) not in targets:
            problems.add(YAML, f"no work of projects.csv has this target; targets with "
                         f"works: {', '.join(targets)}", column=f"{col}.target", value=target)
            continue
        if str(target) in seen:
            problems.add(YAML, f"target {target} already has an overrun "
                         f"(uncertainty.costs[{seen[str(target)]}]); give one per target",
                         column=f"{col}.target", value=target)
            continue
        seen[str(target)] = i
        overrun = item.get("overrun")
        if is_number(overrun):
            overrun = [overrun, overrun]
        if (not isinstance(overrun, list) or len(overrun) != 2
                or not all(is_number(x) and lo_limit <= x <= hi_limit for x in overrun)):
            problems.add(YAML, f"overrun must be [low, high], relative to the cost, each "
                         f"between {lo_limit:g} and {hi_limit:g}, e.g. [0, 0.3] for 0-30 % "
                         "dearer (or one number)", column=f"{col}.overrun",
                         value=item.get("overrun"))
            continue
        if overrun[0] > overrun[1]:
            problems.add(YAML, "low must not be above high; swap them",
                         column=f"{col}.overrun", value=item.get("overrun"))
            continue
        out.append({"target": str(target), "low": float(overrun[0]),
                    "high": float(overrun[1])})
    return out
