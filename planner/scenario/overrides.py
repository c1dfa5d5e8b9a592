"""`overrides:` of a variant: changes of funds.csv rows and the villages/counties left out.

Every change must hit something: a stream, county or year that funds.csv does not
have is an error, as is an excluded village or county that villages.csv does not
have.  Values are bounded (a scale at most SCALE_LIMIT, an amount at most
MONEY_LIMIT)."""

from __future__ import annotations

import pandas as pd

from ..errors import Problems
from ..schema import MONEY_LIMIT, SCALE_LIMIT
from .settings import is_number
from .yamlfile import YAML


def _is_text(value) -> bool:
    return isinstance(value, (str, int)) and not isinstance(value, bool)


def _amount_ok(value, limit) -> bool:
    return is_number(value) and 0 <= value <= limit


def apply_fund_overrides(funds: pd.DataFrame, raw, problems: Problems) -> pd.DataFrame:
    if not raw:
        return funds
    if not isinstance(raw, list):
        problems.add(YAML, "must be a list of changes, e.g. [{stream: lottery, scale: 0.5}]",
                     column="overrides.funds", value=raw)
        return funds
    funds = funds.copy()
    for i, item in enumerate(raw, start=1):
        col = f"overrides.funds[{i}]"
        if not isinstance(item, dict) or not _is_text(item.get("stream")):
            problems.add(YAML, "each change is a mapping with a `stream`", column=col,
                         value=item)
            continue
        stream = str(item["stream"])
        mask = funds["stream"] == stream
        if not mask.any():
            known = ", ".join(sorted(funds["stream"].unique()))
            problems.add(YAML, f"unknown stream; streams: {known}",
                         column=f"{col}.stream", value=item["stream"])
            continue
        if "county" in item:
            county = item["county"]
            have = sorted(set(funds.loc[mask, "county"]) - {""})
            if not _is_text(county) or str(county) not in have:
                problems.add(YAML, f"stream {stream} has no money of this county; its "
                             f"counties: {', '.join(have) or 'none (pooled)'}",
                             column=f"{col}.county", value=county)
                continue
            mask &= funds["county"] == str(county)
        if "move" in item:
            _move(funds, mask, item["move"], f"{col}.move", problems)
            continue
        if "year" in item:
            year = item["year"]
            have = sorted(set(funds.loc[mask, "year"]))
            if not isinstance(year, int) or isinstance(year, bool) or year not in have:
                problems.add(YAML, f"must be one year in which the stream has money: "
                             f"{', '.join(map(str, have))}", column=f"{col}.year", value=year)
                continue
            mask &= funds["year"] == year
        if "scale" in item:
            if not _amount_ok(item["scale"], SCALE_LIMIT):
                problems.add(YAML, f"scale must be a number between 0 and {SCALE_LIMIT:g}",
                             column=f"{col}.scale", value=item["scale"])
                continue
            scaled = funds.loc[mask, "amount"] * float(item["scale"])
            if (scaled > MONEY_LIMIT).any():
                problems.add(YAML, f"scaled amounts exceed {MONEY_LIMIT:.0e}, the largest "
                             "plausible amount", column=f"{col}.scale", value=item["scale"])
                continue
            funds.loc[mask, "amount"] = scaled
        elif "set" in item:
            if not _amount_ok(item["set"], MONEY_LIMIT):
                problems.add(YAML, f"set must be a number between 0 and {MONEY_LIMIT:.0e}",
                             column=f"{col}.set", value=item["set"])
                continue
            funds.loc[mask, "amount"] = float(item["set"])
        else:
            problems.add(YAML, "a change needs scale, set or move", column=col, value=item)
    return funds


def _move(funds: pd.DataFrame, mask, move, col: str, problems: Problems) -> None:
    """{from: YEAR, to: YEAR, amount: X}: split over the rows in proportion to their money."""
    shape = "move needs a mapping {from: YEAR, to: YEAR, amount: >= 0}"
    if not isinstance(move, dict):
        problems.add(YAML, shape, column=col, value=move)
        return
    src, dst, amount = move.get("from"), move.get("to"), move.get("amount")
    if not _amount_ok(amount, MONEY_LIMIT) or not all(
            isinstance(y, int) and not isinstance(y, bool) for y in (src, dst)):
        problems.add(YAML, shape, column=col, value=move)
        return
    from_rows = mask & (funds["year"] == src)
    to_rows = mask & (funds["year"] == dst)
    have = funds.loc[from_rows, "amount"].sum()
    if not from_rows.any() or not to_rows.any():
        problems.add(YAML, "the stream has no money row in one of those years",
                     column=col, value=move)
        return
    if amount > have + 1e-9:
        problems.add(YAML, f"cannot move {amount}: the stream has {have:g} in {src}",
                     column=col, value=move)
        return
    share = funds.loc[from_rows, "amount"] / have if have > 0 else 0
    funds.loc[from_rows, "amount"] -= share * amount
    funds.loc[to_rows, "amount"] += amount * (
        funds.loc[to_rows, "amount"] / funds.loc[to_rows, "amount"].sum()
        if funds.loc[to_rows, "amount"].sum() > 0 else 1.0 / to_rows.sum())


def check_exclude(exclude: dict, villages: pd.DataFrame, problems: Problems) -> None:
    """Excluded villages and counties must exist (a typo would exclude nothing)."""
    for key, known, what in (("villages", set(villages["village_id"]), "village_id"),
                             ("counties", set(villages["county"]), "county")):
        for name in exclude.get(key, []):
            if name not in known:
                problems.add(YAML, f"unknown {what}; it is not in villages.csv",
                             column=f"overrides.exclude.{key}", value=name)
