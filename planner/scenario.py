"""A scenario folder: scenario.yaml (with `base` and `overrides`) and four tables.

`load_scenario(folder)` reads, applies overrides, validates every cross
reference and returns a `Scenario`: typed tables and settings, nothing solved.
Every problem is reported with file, row and column (`InputError`).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from .errors import InputError, Problem, Problems
from .schema import DEFAULT_EXIT_STANDARD, DEFAULT_WEIGHTS, DEFAULT_YEARS, FILES, TARGETS
from .tables import find_table, parse_bool, read_table

YAML = "scenario.yaml"
SCOPES = ("all", "deep_poverty")
OBJECTIVES = ("max_coverage", "min_cost")


@dataclass(frozen=True)
class Deadline:
    target: str
    year: int
    scope: str | tuple[str, ...] = "all"  # all | deep_poverty | counties
    share: float = 1.0
    soft: bool = False

    def label(self) -> str:
        scope = self.scope if isinstance(self.scope, str) else "+".join(self.scope)
        return f"{self.target}@{self.year}[{scope}]>={self.share:g}"


@dataclass
class Scenario:
    name: str
    folder: Path
    years: list[int]
    objective: str
    exit_standard: tuple[str, ...]
    deadlines: list[Deadline]
    weights: dict
    solver: dict
    villages: pd.DataFrame
    gaps: pd.DataFrame
    projects: pd.DataFrame
    funds: pd.DataFrame
    targets: dict[str, dict]  # code -> {name_zh, department}
    lock_in: frozenset = frozenset()
    lock_out: frozenset = frozenset()
    input_files: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    fairness: dict = field(default_factory=dict)  # max_spread, min_rate, maximin
    partial_credit: bool = False  # cumulative gaps valued pro rata of their progress
    reserve: list = field(default_factory=list)  # [{stream, share}] for deep-poverty villages

    def target_weight(self, code: str) -> float:
        return float(self.weights["targets"].get(code, self.weights["target_weight"]))

    def input_hashes(self) -> dict[str, str]:
        return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in self.input_files}


# ---------------------------------------------------------------- yaml

def _read_yaml(folder: Path, chain: tuple[Path, ...] = ()) -> tuple[dict, Path, list[Path]]:
    """scenario.yaml merged with its `base` chain; returns (config, table folder, files)."""
    path = folder / YAML
    if folder.resolve() in chain:
        raise InputError(Problem(YAML, f"`base` chain loops back to {folder}"))
    if not folder.is_dir():
        raise InputError(Problem(str(folder), "is not a scenario folder"))
    config: dict = {}
    files: list[Path] = []
    if path.is_file():
        files.append(path)
        try:
            config = yaml.safe_load(path.read_text(encoding="utf-8-sig")) or {}
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            row = mark.line + 1 if mark else None
            ctx = getattr(exc, "context_mark", None)
            where = ""
            if ctx is not None and getattr(exc, "context", None):
                where = f"; {exc.context} on row {ctx.line + 1}"
            raise InputError(Problem(
                str(path), f"is not valid YAML ({getattr(exc, 'problem', exc)}{where}); "
                "check brackets, quotes, colons and indentation there", row=row)) from None
        except UnicodeDecodeError:
            raise InputError(Problem(str(path), "is not UTF-8 text")) from None
        if not isinstance(config, dict):
            raise InputError(Problem(str(path), "must be a mapping of keys (name, years, ...)"))
    if path.is_file() and not chain:
        config["_yaml_rows"] = _yaml_rows(path)
    base = config.get("base")
    if base is None:
        return config, folder, files
    if not isinstance(base, str):
        raise InputError(Problem(str(path), "must be a folder path", column="base", value=base))
    base_folder = (folder / base).resolve()
    base_cfg, table_folder, base_files = _read_yaml(base_folder, chain + (folder.resolve(),))
    merged = dict(base_cfg)
    merged.pop("overrides", None)
    merged.pop("_yaml_rows", None)
    for key, value in config.items():
        if key == "weights" and isinstance(value, dict) and isinstance(merged.get("weights"), dict):
            merged["weights"] = {**merged["weights"], **value}
        elif key != "base":
            merged[key] = value
    # Tables of the variant folder itself replace the base's.
    own = [t for t in FILES if find_table(folder, t)]
    merged["_table_folders"] = {t: (folder if t in own else
                                    base_cfg.get("_table_folders", {}).get(t, table_folder))
                                for t in FILES}
    return merged, folder, base_files + files


def _yaml_rows(path: Path) -> dict[str, int]:
    """Row (1-based line) of each key path: `years`, `deadlines[2]`, `deadlines[2].share`."""
    rows: dict[str, int] = {}

    def walk(node, key):
        if key:
            rows.setdefault(key, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                name = f"{key}.{k.value}" if key else str(k.value)
                rows.setdefault(name, k.start_mark.line + 1)
                walk(v, name)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value, start=1):
                walk(item, f"{key}[{i}]")

    try:
        root = yaml.compose(path.read_text(encoding="utf-8-sig"))
    except (yaml.YAMLError, UnicodeDecodeError):
        return {}
    if root is not None:
        walk(root, "")
    return rows


def _locate_yaml(problems: Problems, rows: dict[str, int]) -> None:
    """Give scenario.yaml problems the row of their key where it can be found."""
    import dataclasses

    for i, p in enumerate(problems.items):
        if p.file != YAML or p.row is not None or not p.column:
            continue
        key = p.column
        while key and key not in rows:
            key = key.rpartition(".")[0] if "." in key else ""
        if key:
            problems.items[i] = dataclasses.replace(p, row=rows[key])


def _years(config, problems: Problems) -> list[int]:
    years = config.get("years", list(DEFAULT_YEARS))
    if (not isinstance(years, list) or not years
            or not all(isinstance(y, int) and not isinstance(y, bool) for y in years)):
        problems.add(YAML, "must be a list of whole years like [2018, 2019, 2020]",
                     column="years", value=years)
        return list(DEFAULT_YEARS)
    if any(b - a != 1 for a, b in zip(years, years[1:])):
        problems.add(YAML, "years must be consecutive and increasing", column="years", value=years)
    return years


def _weights(config, problems: Problems, codes) -> dict:
    given = config.get("weights") or {}
    weights = dict(DEFAULT_WEIGHTS)
    weights["targets"] = {}
    if not isinstance(given, dict):
        problems.add(YAML, "must be a mapping", column="weights", value=given)
        return weights
    for key, value in given.items():
        if key == "targets" and isinstance(value, dict):
            items = value.items()
        elif key in DEFAULT_WEIGHTS:
            items = None
        else:
            items = [(key, value)]
        if items is None:
            if not _is_number(value) or value < 0:
                problems.add(YAML, "must be a number >= 0", column=f"weights.{key}", value=value)
            else:
                weights[key] = float(value)
            continue
        for code, w in items:
            if code not in codes:
                problems.add(YAML, f"is not a target code; known: {', '.join(codes)}",
                             column="weights", value=code)
            elif not _is_number(w) or w < 0:
                problems.add(YAML, "target weight must be a number >= 0",
                             column=f"weights.{code}", value=w)
            else:
                weights["targets"][code] = float(w)
    if weights["late_factor"] > 1:
        problems.add(YAML, "must be between 0 and 1", column="weights.late_factor",
                     value=weights["late_factor"])
    return weights


def _is_number(value) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value))


def _targets_catalogue(config, problems: Problems) -> dict[str, dict]:
    catalogue = {code: {"name_zh": t.name_zh, "department": t.department}
                 for code, t in TARGETS.items()}
    extra = config.get("targets") or {}
    if not isinstance(extra, dict):
        problems.add(YAML, "must map new target codes to {name, department}",
                     column="targets", value=extra)
        return catalogue
    for code, info in extra.items():
        info = info if isinstance(info, dict) else {}
        catalogue[str(code)] = {"name_zh": str(info.get("name", code)),
                                "department": str(info.get("department", ""))}
    return catalogue


def _deadlines(raw, years, codes, counties, problems: Problems) -> list[Deadline]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        problems.add(YAML, "must be a list of {target, year, scope, share}, e.g. "
                     "[{target: road, year: 2020}]", column="deadlines", value=raw)
        return []
    out = []
    for i, item in enumerate(raw, start=1):
        col = f"deadlines[{i}]"
        if not isinstance(item, dict):
            problems.add(YAML, "must be a mapping {target, year, scope, share}", column=col,
                         value=item)
            continue
        target, year = item.get("target"), item.get("year")
        scope = item.get("scope", "all")
        share = item.get("share", 1.0)
        soft = item.get("soft", False)
        ok = True
        if target not in codes:
            problems.add(YAML, f"unknown target; known: {', '.join(codes)}",
                         column=f"{col}.target", value=target)
            ok = False
        if year not in years:
            problems.add(YAML, f"year must lie in the horizon {years[0]}-{years[-1]}",
                         column=f"{col}.year", value=year)
            ok = False
        if isinstance(scope, str) and scope not in SCOPES and scope in counties:
            scope = [scope]  # one county named without brackets
        if isinstance(scope, list):
            bad = [c for c in scope if str(c) not in counties]
            if bad:
                problems.add(YAML, f"unknown county {bad[0]!r}; counties: {', '.join(sorted(counties))}",
                             column=f"{col}.scope", value=scope)
                ok = False
            scope = tuple(str(c) for c in scope)
        elif scope not in SCOPES:
            problems.add(YAML, "scope must be all, deep_poverty or a list of counties",
                         column=f"{col}.scope", value=scope)
            ok = False
        if not _is_number(share) or not 0 < share <= 1:
            problems.add(YAML, "share must be a number in (0, 1]", column=f"{col}.share",
                         value=share)
            ok = False
        if not isinstance(soft, bool):
            soft = parse_bool(str(soft))
            if soft is None:
                problems.add(YAML, "soft must be true or false", column=f"{col}.soft",
                             value=item.get("soft"))
                ok = False
        if ok:
            out.append(Deadline(str(target), int(year), scope, float(share), bool(soft)))
    return out


# ---------------------------------------------------------------- overrides

def _apply_fund_overrides(funds: pd.DataFrame, raw, problems: Problems) -> pd.DataFrame:
    if not raw:
        return funds
    if not isinstance(raw, list):
        problems.add(YAML, "must be a list of changes", column="overrides.funds")
        return funds
    funds = funds.copy()
    for i, item in enumerate(raw, start=1):
        col = f"overrides.funds[{i}]"
        if not isinstance(item, dict) or "stream" not in item:
            problems.add(YAML, "each change needs a `stream`", column=col, value=item)
            continue
        mask = funds["stream"] == str(item["stream"])
        if not mask.any():
            problems.add(YAML, f"unknown stream; streams: {', '.join(sorted(funds['stream'].unique()))}",
                         column=f"{col}.stream", value=item["stream"])
            continue
        if "county" in item:
            mask &= funds["county"] == str(item["county"])
        if "move" in item:
            move = item["move"] or {}
            src, dst, amount = move.get("from"), move.get("to"), move.get("amount")
            if not (_is_number(amount) and amount >= 0):
                problems.add(YAML, "move needs {from: YEAR, to: YEAR, amount: >= 0}",
                             column=f"{col}.move", value=move)
                continue
            from_rows = mask & (funds["year"] == src)
            to_rows = mask & (funds["year"] == dst)
            have = funds.loc[from_rows, "amount"].sum()
            if not from_rows.any() or not to_rows.any():
                problems.add(YAML, "the stream has no money row in one of those years",
                             column=f"{col}.move", value=move)
                continue
            if amount > have + 1e-9:
                problems.add(YAML, f"cannot move {amount}: the stream has {have:g} in {src}",
                             column=f"{col}.move", value=move)
                continue
            share = funds.loc[from_rows, "amount"] / have if have > 0 else 0
            funds.loc[from_rows, "amount"] -= share * amount
            funds.loc[to_rows, "amount"] += amount * (
                funds.loc[to_rows, "amount"] / funds.loc[to_rows, "amount"].sum()
                if funds.loc[to_rows, "amount"].sum() > 0 else 1.0 / to_rows.sum())
            continue
        if "year" in item:
            mask &= funds["year"] == item["year"]
        if "scale" in item:
            if not _is_number(item["scale"]) or item["scale"] < 0:
                problems.add(YAML, "scale must be a number >= 0", column=f"{col}.scale",
                             value=item["scale"])
                continue
            funds.loc[mask, "amount"] *= float(item["scale"])
        elif "set" in item:
            if not _is_number(item["set"]) or item["set"] < 0:
                problems.add(YAML, "set must be a number >= 0", column=f"{col}.set",
                             value=item["set"])
                continue
            funds.loc[mask, "amount"] = float(item["set"])
        else:
            problems.add(YAML, "a change needs scale, set or move", column=col, value=item)
    return funds


# ---------------------------------------------------------------- validation

def _dup(frame: pd.DataFrame, keys: list[str], problems: Problems, what: str):
    dup = frame.duplicated(keys, keep="first")
    for _, row in frame[dup].iterrows():
        first = frame[(frame[keys] == row[keys]).all(axis=1)]["_row"].iloc[0]
        problems.add(frame.attrs["file"], f"duplicate {what}; first given on row {first}; each must be "
                     "unique: remove or correct one of the rows",
                     row=row["_row"], column=keys[-1], value=row[keys[-1]])


def _validate_villages(v: pd.DataFrame, years, problems: Problems):
    f = v.attrs["file"]
    _dup(v, ["village_id"], problems, "village_id")
    for r in v.itertuples():
        if r.exit_year > years[-1]:
            problems.add(f, f"exit year after the horizon {years[0]}-{years[-1]}; "
                         "extend `years` in scenario.yaml or correct the year",
                         row=r._1, column="exit_year", value=r.exit_year)
        elif r.exit_year < 1949:
            problems.add(f, "is not a plausible year", row=r._1, column="exit_year",
                         value=r.exit_year)
        for col in ("population", "poor_households"):
            val = getattr(r, col)
            if val is not None and not pd.isna(val) and val < 0:
                problems.add(f, "must be >= 0", row=r._1, column=col, value=val)


def _validate_gaps(g, village_ids, codes, problems):
    f = g.attrs["file"]
    _dup(g, ["village_id", "target"], problems, "gap (village_id, target)")
    for r in g.itertuples():
        if r.village_id not in village_ids:
            problems.add(f, "unknown village_id; it is not in villages.csv",
                         row=r._1, column="village_id", value=r.village_id)
        if r.target not in codes:
            problems.add(f, f"unknown target; known: {', '.join(codes)}",
                         row=r._1, column="target", value=r.target)
        if r.weight is not None and not pd.isna(r.weight) and r.weight < 0:
            problems.add(f, "weight must be >= 0", row=r._1, column="weight", value=r.weight)
        if r.quantity is not None and not pd.isna(r.quantity) and r.quantity <= 0:
            problems.add(f, "quantity must be > 0", row=r._1, column="quantity", value=r.quantity)


def _validate_projects(p, gaps_set, village_ids, streams, years, problems):
    f = p.attrs["file"]
    _dup(p, ["project_id"], problems, "project_id")
    ids = set(p["project_id"])
    first, last = years[0], years[-1]
    for r in p.itertuples():
        row = r._1
        if r.village_id not in village_ids:
            problems.add(f, "unknown village_id; it is not in villages.csv",
                         row=row, column="village_id", value=r.village_id)
        elif (r.village_id, r.target) not in gaps_set:
            problems.add(f, f"target is not a gap of village {r.village_id} in gaps.csv; "
                         "add the gap or correct the target", row=row, column="target",
                         value=r.target)
        if r.cost < 0:
            problems.add(f, "cost must be >= 0", row=row, column="cost", value=r.cost)
        if r.duration < 1 or r.duration > len(years):
            problems.add(f, f"duration must be 1..{len(years)} years (the horizon)",
                         row=row, column="duration", value=r.duration)
            continue
        if r.cost_profile is not None:
            prof = r.cost_profile
            if len(prof) != r.duration:
                problems.add(f, f"needs {r.duration} shares (one per year of duration)",
                             row=row, column="cost_profile", value=";".join(map(str, prof)))
            elif any(s < 0 for s in prof) or abs(sum(prof) - 1) > 1e-6:
                problems.add(f, f"shares must be >= 0 and sum to 1 (they sum to {sum(prof):g})",
                             row=row, column="cost_profile", value=";".join(map(str, prof)))
        lo = r.earliest_year if r.earliest_year is not None else first
        hi = r.latest_year if r.latest_year is not None else last
        for col, val in (("earliest_year", r.earliest_year), ("latest_year", r.latest_year)):
            if val is not None and not first <= val <= last:
                problems.add(f, f"year outside the horizon {first}-{last}",
                             row=row, column=col, value=val)
        if lo > hi:
            problems.add(f, "earliest_year is after latest_year", row=row,
                         column="latest_year", value=hi)
        elif min(hi, last - r.duration + 1) < lo:
            problems.add(f, f"a {r.duration}-year work starting in {lo} or later cannot "
                         f"finish by {last}", row=row, column="earliest_year", value=lo)
        if not 0 <= r.self_share <= 1:
            problems.add(f, "self_share must be between 0 and 1", row=row,
                         column="self_share", value=r.self_share)
        for s in r.streams:
            if s not in streams:
                problems.add(f, f"unknown stream; funds.csv has: {', '.join(sorted(streams))}",
                             row=row, column="streams", value=s)
        if r.contributes is not None and not pd.isna(r.contributes) and r.contributes <= 0:
            problems.add(f, "contributes must be > 0", row=row, column="contributes",
                         value=r.contributes)
        for q in r.requires:
            if q == r.project_id:
                problems.add(f, "a project cannot require itself", row=row,
                             column="requires", value=q)
            elif q not in ids:
                problems.add(f, "requires an unknown project_id; give project_ids of "
                             f"rows of {f}, `;`-separated", row=row,
                             column="requires", value=q)
    _check_cycles(p, problems)


def _check_cycles(p: pd.DataFrame, problems: Problems):
    graph = {r.project_id: [q for q in r.requires] for r in p.itertuples()}
    rows = dict(zip(p["project_id"], p["_row"]))
    state: dict[str, int] = {}
    for start in graph:
        if start in state:
            continue
        stack = [(start, iter(graph[start]))]
        path = [start]
        state[start] = 1
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                state[node] = 2
                stack.pop()
                path.pop()
                continue
            if nxt not in graph:
                continue
            if state.get(nxt) == 1:
                cycle = path[path.index(nxt):] + [nxt]
                problems.add(p.attrs["file"], f"`requires` forms a cycle {' -> '.join(cycle)}; "
                             "no order can satisfy it", row=rows[nxt], column="requires")
                return
            if nxt not in state:
                state[nxt] = 1
                path.append(nxt)
                stack.append((nxt, iter(graph[nxt])))


def _validate_funds(fu, counties, codes, years, problems):
    f = fu.attrs["file"]
    _dup(fu, ["stream", "county", "year"], problems, "money row (stream, county, year)")
    for r in fu.itertuples():
        row = r._1
        if r.year not in years:
            problems.add(f, f"year outside the horizon {years[0]}-{years[-1]}",
                         row=row, column="year", value=r.year)
        if r.amount < 0:
            problems.add(f, "amount must be >= 0", row=row, column="amount", value=r.amount)
        if r.county and r.county not in counties:
            problems.add(f, f"unknown county; villages.csv has: {', '.join(sorted(counties))}",
                         row=row, column="county", value=r.county)
        for t in r.targets:
            if t != "*" and t not in codes:
                problems.add(f, f"unknown target; known: {', '.join(codes)} or *",
                             row=row, column="targets", value=t)
    for stream, grp in fu.groupby("stream", sort=False):
        pooled = grp["county"] == ""
        if pooled.any() and not pooled.all():
            problems.add(f, f"stream {stream!r} has rows with and without a county; give a "
                         "stream either per county or pooled (blank county) on every row",
                         row=int(grp.loc[pooled != pooled.iloc[0], "_row"].iloc[0]),
                         column="county")
    for r in fu.itertuples():
        k, share = r.returns_after, r.return_share
        if k is not None and not pd.isna(k) and k < 1:
            problems.add(f, "returns_after must be a whole number of years >= 1",
                         row=r._1, column="returns_after", value=k)
        if share is not None and not pd.isna(share):
            if not 0 < share <= 1:
                problems.add(f, "return_share must be in (0, 1]", row=r._1,
                             column="return_share", value=share)
            if k is None or pd.isna(k):
                problems.add(f, "return_share needs returns_after (years until the money "
                             "comes back)", row=r._1, column="returns_after")
    for r in fu.itertuples():
        lev, lim = r.leverage, r.outside_limit
        if lev is not None and not pd.isna(lev):
            if lev < 0:
                problems.add(f, "leverage must be >= 0", row=r._1, column="leverage", value=lev)
            if r.returns_after is not None and not pd.isna(r.returns_after):
                problems.add(f, "a stream is either revolving or levering, not both",
                             row=r._1, column="leverage", value=lev)
        if lim is not None and not pd.isna(lim):
            if lim < 0:
                problems.add(f, "outside_limit must be >= 0", row=r._1, column="outside_limit",
                             value=lim)
            if lev is None or pd.isna(lev):
                problems.add(f, "outside_limit needs leverage", row=r._1, column="leverage")
    for (stream, county), grp in fu.groupby(["stream", "county"], sort=False):
        levers = {None if v is None or pd.isna(v) else float(v) for v in grp["leverage"]}
        if len(levers) > 1:
            problems.add(f, f"stream {stream!r} gives different leverage on different rows; "
                         "give the same on every row of a stream",
                         row=int(grp["_row"].iloc[1]), column="leverage")
        revolving = {(None if v is None or pd.isna(v) else int(v),
                      None if w is None or pd.isna(w) else float(w))
                     for v, w in zip(grp["returns_after"], grp["return_share"])}
        if len(revolving) > 1:
            problems.add(f, f"stream {stream!r} gives different returns_after/return_share "
                         "on different rows; give the same on every row of a stream",
                         row=int(grp["_row"].iloc[1]), column="returns_after")
        kinds = {tuple(sorted(t)) for t in grp["targets"]}
        if len(kinds) > 1:
            problems.add(f, f"stream {stream!r} lists different targets in different years; "
                         "give the same targets on every row of a stream",
                         row=int(grp["_row"].iloc[1]), column="targets")


# ---------------------------------------------------------------- entry point

def load_scenario(folder: str | Path) -> Scenario:
    folder = Path(folder)
    problems = Problems()
    config, _, files = _read_yaml(folder)
    yaml_rows = config.pop("_yaml_rows", {})
    table_folders = config.pop("_table_folders", {t: folder for t in FILES})
    years = _years(config, problems)
    objective = config.get("objective", "max_coverage")
    if objective not in OBJECTIVES:
        problems.add(YAML, f"must be one of {', '.join(OBJECTIVES)}", column="objective",
                     value=objective)
    catalogue = _targets_catalogue(config, problems)
    codes = list(catalogue)
    _locate_yaml(problems, yaml_rows)
    problems.raise_if_any()

    tables = {}
    for t in FILES:
        tables[t] = read_table(Path(table_folders[t]), t, problems)
    _locate_yaml(problems, yaml_rows)
    problems.raise_if_any()
    for t in FILES:
        files.append(Path(tables[t].attrs["path"]))
    villages, gaps, projects, funds = (tables[t] for t in FILES)

    overrides = config.get("overrides") or {}
    if not isinstance(overrides, dict):
        problems.add(YAML, "must be a mapping (funds, deadlines, weights, exclude, lock)",
                     column="overrides")
        overrides = {}
    if "deadlines" in overrides:
        config["deadlines"] = overrides["deadlines"]
    if isinstance(overrides.get("weights"), dict):
        config["weights"] = {**(config.get("weights") or {}), **overrides["weights"]}
    funds = _apply_fund_overrides(funds, overrides.get("funds"), problems)

    village_ids = set(villages["village_id"])
    counties = set(villages["county"])
    streams = set(funds["stream"])
    _validate_villages(villages, years, problems)
    _validate_gaps(gaps, village_ids, codes, problems)
    gaps_set = set(zip(gaps["village_id"], gaps["target"]))
    _validate_projects(projects, gaps_set, village_ids, streams, years, problems)
    _validate_funds(funds, counties, codes, years, problems)
    weights = _weights(config, problems, codes)
    deadlines = _deadlines(config.get("deadlines"), years, codes, counties, problems)

    exit_standard = config.get("exit_standard", list(DEFAULT_EXIT_STANDARD))
    if not isinstance(exit_standard, list) or any(t not in codes for t in exit_standard):
        problems.add(YAML, f"must be a list of target codes from: {', '.join(codes)}",
                     column="exit_standard", value=exit_standard)
        exit_standard = list(DEFAULT_EXIT_STANDARD)

    exclude = _mapping_of_lists(overrides.get("exclude"), "overrides.exclude",
                                ("villages", "counties"), problems)
    lock = {**_mapping_of_lists(config.get("lock"), "lock", ("in", "out"), problems),
            **_mapping_of_lists(overrides.get("lock"), "overrides.lock", ("in", "out"),
                                problems)}
    lock_in = frozenset(str(x) for x in lock.get("in", []) or [])
    lock_out = frozenset(str(x) for x in lock.get("out", []) or [])
    locked = read_table(folder, "locked", problems, required=False)
    if locked is not None:  # locked.csv in the scenario's own folder: project_id, lock
        files.append(Path(locked.attrs["path"]))
        for r in locked.itertuples():
            word = str(r.lock).strip().lower()
            if word not in ("in", "out"):
                problems.add(locked.attrs["file"], "lock must be in or out", row=r._1,
                             column="lock", value=r.lock)
            elif r.project_id not in set(projects["project_id"]):
                problems.add(locked.attrs["file"], "unknown project_id; it is not in "
                             "projects.csv", row=r._1, column="project_id", value=r.project_id)
        lock_in |= set(locked.loc[locked["lock"].str.lower() == "in", "project_id"])
        lock_out |= set(locked.loc[locked["lock"].str.lower() == "out", "project_id"])
    project_ids = set(projects["project_id"])
    for pid in sorted((lock_in | lock_out) - project_ids):
        problems.add(YAML, "lock names an unknown project_id", column="lock", value=pid)
    for pid in sorted(lock_in & lock_out):
        problems.add(YAML, "a project cannot be locked both in and out", column="lock", value=pid)
    solver = config.get("solver") or {}
    if not isinstance(solver, dict):
        problems.add(YAML, "must be a mapping (backend, time_limit, gap, threads, seed)",
                     column="solver", value=solver)
        solver = {}
    _check_solver(solver, problems)
    fairness = _fairness(config.get("fairness"), problems)
    partial_credit = config.get("partial_credit", False)
    if not isinstance(partial_credit, bool):
        problems.add(YAML, "must be true or false", column="partial_credit",
                     value=partial_credit)
        partial_credit = False
    reserve = _reserve(config.get("reserve"), set(funds["stream"]), problems)
    _locate_yaml(problems, yaml_rows)
    problems.raise_if_any()

    ex_v = set(map(str, exclude.get("villages", []) or []))
    ex_c = set(map(str, exclude.get("counties", []) or []))
    if ex_v or ex_c:
        drop = set(villages.loc[villages["village_id"].isin(ex_v) |
                                villages["county"].isin(ex_c), "village_id"])
        villages = villages[~villages["village_id"].isin(drop)]
        gaps = gaps[~gaps["village_id"].isin(drop)]
        projects = projects[~projects["village_id"].isin(drop)]
        funds = funds[~funds["county"].isin(ex_c)]  # an excluded county's own money goes too

    projects = _fill_project_defaults(projects, years, catalogue)
    warnings = [w for t in FILES for w in tables[t].attrs.get("warnings", [])]
    warnings += _unit_warnings(projects, funds)
    return Scenario(
        name=str(config.get("name") or folder.resolve().name),
        folder=folder,
        years=years,
        objective=objective,
        exit_standard=tuple(exit_standard),
        deadlines=deadlines,
        weights=weights,
        solver=solver,
        fairness=fairness,
        partial_credit=partial_credit,
        reserve=reserve,
        villages=villages.reset_index(drop=True),
        gaps=gaps.reset_index(drop=True),
        projects=projects.reset_index(drop=True),
        funds=funds.reset_index(drop=True),
        targets=catalogue,
        lock_in=lock_in,
        lock_out=lock_out,
        input_files=files,
        warnings=warnings,
    )


def _mapping_of_lists(raw, key: str, allowed: tuple[str, ...], problems: Problems) -> dict:
    """`lock: {in: [...], out: [...]}`, `exclude: {villages: [...], counties: [...]}`."""
    if raw is None or raw == {}:
        return {}
    if not isinstance(raw, dict):
        problems.add(YAML, f"must be a mapping like {{{allowed[0]}: [...], {allowed[1]}: [...]}}",
                     column=key, value=raw)
        return {}
    out = {}
    for name, items in raw.items():
        if name not in allowed:
            problems.add(YAML, f"unknown key; use {' or '.join(allowed)}",
                         column=f"{key}.{name}", value=name)
            continue
        if items is None:
            continue
        if isinstance(items, (str, int)) and not isinstance(items, bool):
            items = [items]
        if not isinstance(items, list) or any(isinstance(x, (list, dict)) for x in items):
            problems.add(YAML, "must be a list of ids", column=f"{key}.{name}", value=items)
            continue
        out[name] = items
    return out


def _fairness(raw, problems: Problems) -> dict:
    """fairness: {max_spread: 0..1, min_rate: 0..1, maximin: bool} between counties."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        problems.add(YAML, "must be a mapping {max_spread, min_rate, maximin}",
                     column="fairness", value=raw)
        return {}
    out = {}
    for key, value in raw.items():
        if key in ("max_spread", "min_rate"):
            if not _is_number(value) or not 0 <= value <= 1:
                problems.add(YAML, "must be a share between 0 and 1", column=f"fairness.{key}",
                             value=value)
            else:
                out[key] = float(value)
        elif key == "maximin":
            if not isinstance(value, bool):
                problems.add(YAML, "must be true or false", column="fairness.maximin",
                             value=value)
            else:
                out[key] = value
        else:
            problems.add(YAML, "unknown fairness setting; use max_spread, min_rate, maximin",
                         column=f"fairness.{key}", value=key)
    return out


def _reserve(raw, streams: set, problems: Problems) -> list:
    """reserve: [{stream, share}]: that share of the stream only for deep-poverty villages."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        problems.add(YAML, "must be a list of {stream, share}", column="reserve", value=raw)
        return []
    out = []
    for i, item in enumerate(raw, start=1):
        col = f"reserve[{i}]"
        if not isinstance(item, dict) or item.get("stream") not in streams:
            problems.add(YAML, f"needs a stream of funds.csv ({', '.join(sorted(streams))})",
                         column=col, value=item)
            continue
        share = item.get("share")
        if not _is_number(share) or not 0 < share <= 1:
            problems.add(YAML, "share must be a number in (0, 1]", column=f"{col}.share",
                         value=share)
            continue
        out.append({"stream": item["stream"], "share": float(share)})
    return out


def _check_solver(solver: dict, problems: Problems) -> None:
    checks = {
        "time_limit": (lambda v: _is_number(v) and v > 0, "a number of seconds > 0"),
        "gap": (lambda v: _is_number(v) and v >= 0, "a number >= 0, e.g. 0.001"),
        "threads": (lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 1,
                    "a whole number >= 1"),
        "seed": (lambda v: isinstance(v, int) and not isinstance(v, bool), "a whole number"),
        "backend": (lambda v: isinstance(v, str), "a backend name such as highs or cbc"),
        "name": (lambda v: isinstance(v, str), "a backend name such as highs or cbc"),
        "decompose": (lambda v: v in ("auto", "county", "off"), "auto, county or off"),
        "scheduler": (lambda v: isinstance(v, str), "a Dask scheduler address, tcp://host:port"),
    }
    for key, value in solver.items():
        if key not in checks:
            problems.add(YAML, f"unknown solver setting; use {', '.join(checks)}",
                         column=f"solver.{key}", value=key)
        elif value is not None and not checks[key][0](value):
            problems.add(YAML, f"must be {checks[key][1]}", column=f"solver.{key}", value=value)


#: Above this median, costs or amounts look like 元 rather than 万元.
YUAN_SUSPECT = 1e5


def _unit_warnings(projects: pd.DataFrame, funds: pd.DataFrame) -> list[str]:
    """Money that looks like 元 instead of 万元: a warning, the plan is still made."""
    out = []
    med_cost = float(projects["cost"].median()) if len(projects) else 0.0
    med_amount = float(funds["amount"].median()) if len(funds) else 0.0
    for file, column, what, med, other, other_what in (
            (projects.attrs.get("file", "projects.csv"), "cost", "project cost", med_cost,
             med_amount, "fund amount"),
            (funds.attrs.get("file", "funds.csv"), "amount", "fund amount", med_amount,
             med_cost, "project cost")):
        if med <= YUAN_SUSPECT:
            continue
        ratio = f"{med / YUAN_SUSPECT:.3g} times the plausible {YUAN_SUSPECT:,.0f} 万元"
        if other > 0:
            ratio += f", and {med / other:.3g} times the median {other_what} ({other:,.4g})"
        out.append(f"{file}, column {column}: the median {what} is {med:,.4g}, {ratio}; "
                   "the money looks like 元 rather than 万元: divide it by 10,000")
    return out


def _fill_project_defaults(p: pd.DataFrame, years, catalogue) -> pd.DataFrame:
    p = p.copy()
    p["earliest_year"] = [y if y is not None else years[0] for y in p["earliest_year"]]
    p["latest_year"] = [y if y is not None else years[-1] for y in p["latest_year"]]
    p["cost_profile"] = [prof if prof is not None else tuple([1.0 / d] * d)
                         for prof, d in zip(p["cost_profile"], p["duration"])]
    p["department"] = [d if d else catalogue[t]["department"]
                       for d, t in zip(p["department"], p["target"])]
    return p
