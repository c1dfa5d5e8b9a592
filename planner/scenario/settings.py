"""The settings of scenario.yaml, each checked: years, weights, targets, deadlines,
locks, fairness, reserve, solver.  Problems name the key (`column`) and the value;
their rows are found afterwards from the key path."""

from __future__ import annotations

import difflib
import math
import re

from models.backends import DEFAULT_BACKEND, REGISTRY
from models.params import (
    ALIASES,
    EXTRAS_NOT_MAPPING,
    FIELDS,
    extra_problem,
    setting_problem,
    settle,
)

from .. import departments
from ..errors import Problems
from ..filecells import CONTROL
from ..schema import DEFAULT_WEIGHTS, DEFAULT_YEARS, MAX_YEARS, TARGETS, WEIGHT_LIMIT, YEAR_RANGE
from ..tables import parse_bool
from .yamlfile import YAML

SCOPES = ("all", "deep_poverty")
OBJECTIVES = ("max_coverage", "min_cost")
#: A new target code: text without list separators (`;`, `,`), `*` or spaces.
CODE = re.compile(r"^[^\s;,；，*]+$")


def is_number(value) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value))


def is_year(value) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool)
            and YEAR_RANGE[0] <= value <= YEAR_RANGE[1])


def years_of(config, problems: Problems) -> list[int]:
    years = config.get("years", list(DEFAULT_YEARS))
    if (not isinstance(years, list) or not years
            or not all(isinstance(y, int) and not isinstance(y, bool) for y in years)):
        problems.add(YAML, "must be a list of whole years like [2018, 2019, 2020]",
                     column="years", value=years)
        return list(DEFAULT_YEARS)
    if not all(is_year(y) for y in years) or len(years) > MAX_YEARS:
        problems.add(YAML, f"must be at most {MAX_YEARS} years between {YEAR_RANGE[0]} and "
                     f"{YEAR_RANGE[1]}", column="years", value=_short(years))
        return list(DEFAULT_YEARS)
    if any(b - a != 1 for a, b in zip(years, years[1:])):
        problems.add(YAML, "years must be consecutive and increasing", column="years", value=years)
    return years


def _short(value):
    text = repr(value)
    return value if len(text) <= 80 else text[:77] + "..."


def _weight_ok(value) -> bool:
    return is_number(value) and 0 <= value <= WEIGHT_LIMIT


def weights_of(config, problems: Problems, codes) -> dict:
    given = config.get("weights") or {}
    weights = dict(DEFAULT_WEIGHTS)
    weights["targets"] = {}
    if not isinstance(given, dict):
        problems.add(YAML, "must be a mapping", column="weights", value=given)
        return weights
    rule = f"must be a number between 0 and {WEIGHT_LIMIT:g}"
    for key, value in given.items():
        if key == "targets":
            if not isinstance(value, dict):
                problems.add(YAML, "must map target codes to weights, e.g. {road: 2}",
                             column="weights.targets", value=value)
                continue
            items = value.items()
        elif key in DEFAULT_WEIGHTS:
            if not _weight_ok(value):
                problems.add(YAML, rule, column=f"weights.{key}", value=value)
            else:
                weights[key] = float(value)
            continue
        else:
            items = [(key, value)]
        for code, w in items:
            if code not in codes:
                known = list(DEFAULT_WEIGHTS) + ["targets"] + list(codes)
                guess = difflib.get_close_matches(str(code), known, n=1, cutoff=0.6)
                hint = f"did you mean {guess[0]!r}?" if guess else \
                    f"use {', '.join(DEFAULT_WEIGHTS)} or a target code ({', '.join(codes)})"
                problems.add(YAML, f"unknown weight {code!r}; {hint}",
                             column=f"weights.{code}")
            elif not _weight_ok(w):
                problems.add(YAML, f"target weight {rule}", column=f"weights.{code}", value=w)
            else:
                weights["targets"][code] = float(w)
    if weights["late_factor"] > 1:
        problems.add(YAML, "must be between 0 and 1", column="weights.late_factor",
                     value=weights["late_factor"])
    return weights


def targets_catalogue(config, problems: Problems) -> dict[str, dict]:
    """The built-in targets and the new ones of `targets:` (which may not redefine a
    built-in)."""
    catalogue = {code: {"name_zh": t.name_zh, "department": t.department}
                 for code, t in TARGETS.items()}
    extra = config.get("targets") or {}
    if not isinstance(extra, dict):
        problems.add(YAML, "must map new target codes to {name, department}",
                     column="targets", value=extra)
        return catalogue
    for code, info in extra.items():
        col = f"targets.{code}"
        if not isinstance(code, str) or not CODE.match(code):
            problems.add(YAML, "a target code must be text without spaces, `;`, `,` or `*`, "
                         "e.g. drainage", column=col, value=code)
            continue
        if code in TARGETS:
            problems.add(YAML, "is a built-in target and cannot be redefined; choose a new "
                         "code", column=col, value=code)
            continue
        if info is None:
            info = {}
        if not isinstance(info, dict):
            problems.add(YAML, "must be a mapping {name, department}", column=col, value=info)
            continue
        bad = [k for k in ("name", "department")
               if k in info and (not isinstance(info[k], str) or CONTROL.search(info[k]))]
        if bad:
            problems.add(YAML, "must be text without control characters",
                         column=f"{col}.{bad[0]}", value=info[bad[0]])
            continue
        catalogue[code] = {"name_zh": info.get("name") or code,
                           "department": info.get("department") or ""}
    return catalogue


def deadlines_of(raw, years, codes, counties, problems: Problems, deadline_cls) -> list:
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
        if not isinstance(target, str) or target not in codes:
            problems.add(YAML, f"unknown target; known: {', '.join(codes)}",
                         column=f"{col}.target", value=target)
            ok = False
        if not isinstance(year, int) or isinstance(year, bool) or year not in years:
            problems.add(YAML, f"year must lie in the horizon {years[0]}-{years[-1]}",
                         column=f"{col}.year", value=year)
            ok = False
        if isinstance(scope, str) and scope not in SCOPES and scope in counties:
            scope = [scope]  # one county named without brackets
        if isinstance(scope, list):
            bad = [c for c in scope if not isinstance(c, (str, int)) or str(c) not in counties]
            if bad:
                problems.add(YAML, f"unknown county {bad[0]!r}; counties: "
                             f"{', '.join(sorted(counties))}", column=f"{col}.scope",
                             value=scope)
                ok = False
            scope = tuple(str(c) for c in scope)
        elif scope not in SCOPES:
            problems.add(YAML, "scope must be all, deep_poverty or a list of counties",
                         column=f"{col}.scope", value=scope)
            ok = False
        if not is_number(share) or not 0 < share <= 1:
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
            out.append(deadline_cls(str(target), int(year), scope, float(share), bool(soft)))
    return out


def mapping_of_lists(raw, key: str, allowed: tuple[str, ...], problems: Problems) -> dict:
    """`lock: {in: [...], out: [...]}`, `exclude: {villages: [...], counties: [...]}`
    (unknown keys are reported by the key check)."""
    if raw is None or raw == {}:
        return {}
    if not isinstance(raw, dict):
        problems.add(YAML, f"must be a mapping like {{{allowed[0]}: [...], {allowed[1]}: [...]}}",
                     column=key, value=raw)
        return {}
    out = {}
    for name, items in raw.items():
        if name not in allowed or items is None:
            continue
        if isinstance(items, (str, int)) and not isinstance(items, bool):
            items = [items]
        if (not isinstance(items, list)
                or any(not isinstance(x, (str, int)) or isinstance(x, bool) for x in items)):
            problems.add(YAML, "must be a list of ids", column=f"{key}.{name}", value=items)
            continue
        out[name] = [str(x) for x in items]
    return out


def fairness_of(raw, problems: Problems) -> dict:
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
            if not is_number(value) or not 0 <= value <= 1:
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
    return out


#: the exit-priority rules of scenario.yaml's `exit_priority:`
EXIT_RULES = ("lexicographic", "weighted", "none")
#: the batch of the villages that exited before the horizon (consolidation, 巩固提升)
EXITED = "exited"


def exit_priority_of(raw, years: list[int], problems: Problems) -> dict:
    """exit_priority: lexicographic (default), weighted, none, or the order of the
    batches, e.g. [2018, 2019, 2020, exited] (lexicographic in that order; batches not
    named follow in the default order: the years of the horizon, then exited)."""
    default = [str(y) for y in years] + [EXITED]
    if raw is None or raw == "lexicographic":
        return {"rule": "lexicographic", "order": default}
    if raw in ("weighted", "none"):
        return {"rule": raw, "order": []}
    if not isinstance(raw, list) or not raw:
        problems.add(YAML, f"must be one of {', '.join(EXIT_RULES)} or a list of exit years "
                     f"of the horizon and '{EXITED}', e.g. [{years[0]}, {EXITED}]",
                     column="exit_priority", value=raw)
        return {"rule": "lexicographic", "order": default}
    order = []
    for item in raw:
        label = str(item)
        if label not in default or isinstance(item, bool):
            problems.add(YAML, f"is not a batch: give an exit year of the horizon "
                         f"({years[0]}-{years[-1]}) or '{EXITED}'", column="exit_priority",
                         value=item)
        elif label in order:
            problems.add(YAML, "names a batch twice", column="exit_priority", value=item)
        else:
            order.append(label)
    return {"rule": "lexicographic", "order": order + [b for b in default if b not in order]}


def reserve_of(raw, streams: set, problems: Problems) -> list:
    """reserve: [{stream, share}]: that share of the stream only for deep-poverty villages."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        problems.add(YAML, "must be a list of {stream, share}", column="reserve", value=raw)
        return []
    out = []
    for i, item in enumerate(raw, start=1):
        col = f"reserve[{i}]"
        if not isinstance(item, dict) or not isinstance(item.get("stream"), str) \
                or item.get("stream") not in streams:
            problems.add(YAML, f"needs a stream of funds.csv ({', '.join(sorted(streams))})",
                         column=col, value=item)
            continue
        share = item.get("share")
        if not is_number(share) or not 0 < share <= 1:
            problems.add(YAML, "share must be a number in (0, 1]", column=f"{col}.share",
                         value=share)
            continue
        out.append({"stream": item["stream"], "share": float(share)})
    return out


#: the languages of the written tables (planner.plan.lang)
LANGS = ("en", "zh")


def lang_of(raw, problems: Problems) -> str:
    """lang: en (default) or zh: the language of the plan tables written."""
    if raw is None:
        return LANGS[0]
    if raw not in LANGS:
        problems.add(YAML, f"must be one of {', '.join(LANGS)} (the language of the plan "
                     "tables: English or Chinese)", column="lang", value=raw)
        return LANGS[0]
    return raw


def departments_of(raw, problems: Problems) -> dict[str, str]:
    """departments: {name: department}: more names of departments (planner.departments);
    returns the whole name -> canonical name table."""
    found = departments.problems_of(raw)
    for key, value, what in found:
        problems.add(YAML, what, column=key, value=value)
    return departments.names(None if found else raw)


def check_solver(solver: dict, problems: Problems) -> list[str]:
    """Values of `solver:` (its keys are checked against yamlfile.SOLVER_SETTINGS), by the
    rules of models.params.SolveParams, in the words of the command line; `extras` by
    the backend named (or the default one).  Returns warnings (threads capped at the
    cores, the value in `solver` changed accordingly)."""
    warnings = []
    for key, value in list(solver.items()):
        name = ALIASES.get(key, key)
        if value is None or name == "extras" or name not in FIELDS:
            continue
        problem = setting_problem(key, value)
        if problem:
            problems.add(YAML, problem, column=f"solver.{key}", value=value)
            continue
        solver[key], warning = settle(key, value)
        if warning:
            warnings.append(f"{YAML}, solver.{key}: {warning}")
    extras = solver.get("extras")
    if extras is None:
        return warnings
    if not isinstance(extras, dict):
        problems.add(YAML, EXTRAS_NOT_MAPPING, column="solver.extras", value=extras)
        return warnings
    backend = next((solver[k] for k in (*ALIASES, "backend") if solver.get(k) is not None),
                   DEFAULT_BACKEND)
    # an unknown backend is refused when the solve asks for it
    if isinstance(backend, str) and backend in REGISTRY:
        for key, value in extras.items():
            problem = extra_problem(backend, key, value)
            if problem:
                problems.add(YAML, problem, column=f"solver.extras.{key}", value=value)
    return warnings
