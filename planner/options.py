"""Numeric options, bounded once (planner.schema.OPTION_BOUNDS) for the command line
(click types: a bad value is a usage error, exit 2) and scenario.yaml `solver:`
(an input error, exit 1).

Threads: 1..MAX_THREADS; more than the machine's cores is capped at the cores with
a warning (more threads than cores only slows a solve down).
"""

from __future__ import annotations

import math
import os

import click

from .schema import MAX_SWEEP_POINTS, MAX_YEARS, OPTION_BOUNDS, SCALE_LIMIT, YEAR_RANGE, Bound


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def bound_text(b: Bound) -> str:
    def num(x):
        return f"{int(x):,}" if b.kind == "int" else f"{x:g}"
    lo = f"> {num(b.lo)}" if b.lo_open else f">= {num(b.lo)}"
    return f"{b.noun} {lo} and <= {num(b.hi)}"


def option_problem(key: str, value) -> str | None:
    """Why `value` is not allowed for option `key` (None: allowed)."""
    b = OPTION_BOUNDS[key]
    ok_type = _is_int(value) if b.kind == "int" else (
        (_is_int(value) or isinstance(value, float)) and math.isfinite(value))
    if not ok_type or value < b.lo or (b.lo_open and value == b.lo) or value > b.hi:
        return f"must be {bound_text(b)}"
    return None


def cap_threads(threads: int) -> tuple[int, str | None]:
    """Threads above the machine's cores are capped at the cores, with a warning."""
    cores = os.cpu_count() or 1
    if threads > cores:
        return cores, (f"threads {threads} is more than the {cores} cores of this machine; "
                       f"using {cores}")
    return threads, None


class Bounded(click.ParamType):
    """A click option bounded by OPTION_BOUNDS[key]: NaN, inf and out-of-range values are
    usage errors; threads above the cores are capped with a warning."""

    def __init__(self, key: str):
        self.key = key
        self.bound = OPTION_BOUNDS[key]
        self.name = self.bound.kind

    def convert(self, value, param, ctx):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            number = value
        else:
            text = str(value).strip()
            try:
                number = int(text) if self.bound.kind == "int" else float(text)
            except ValueError:
                self.fail(f"{value!r}: must be {bound_text(self.bound)}", param, ctx)
        problem = option_problem(self.key, number)
        if problem:
            self.fail(f"{value!r}: {problem}", param, ctx)
        if self.key == "threads":
            number, warning = cap_threads(number)
            if warning:
                click.echo(f"warning: {warning}", err=True)
        return number


def parse_range(text: str) -> list[float]:
    """'0.5:1.5:0.1' -> [0.5, 0.6, ..., 1.5] (end included)."""
    try:
        a, b, step = (float(x) for x in text.split(":"))
    except ValueError:
        raise ValueError("use START:STOP:STEP, e.g. 0.5:1.5:0.1") from None
    if step <= 0 or b < a or a < 0:
        raise ValueError("need 0 <= START <= STOP and STEP > 0")
    n = math.floor((b - a) / step + 1e-9) + 1
    return [round(a + i * step, 10) for i in range(n)]


class BudgetScale(click.ParamType):
    """START:STOP:STEP of finite scales in 0..SCALE_LIMIT, at most MAX_SWEEP_POINTS points;
    converted to the list of scales (`parse_range`)."""

    name = "START:STOP:STEP"

    def convert(self, value, param, ctx):
        if isinstance(value, list):
            return value
        try:
            a, b, step = (float(x) for x in str(value).split(":"))
        except ValueError:
            self.fail(f"{value!r}: use START:STOP:STEP, e.g. 0.5:1.5:0.1", param, ctx)
        if not all(math.isfinite(x) for x in (a, b, step)):
            self.fail(f"{value!r}: START, STOP and STEP must be finite numbers", param, ctx)
        if not 0 <= a <= b <= SCALE_LIMIT or step <= 0:
            self.fail(f"{value!r}: need 0 <= START <= STOP <= {SCALE_LIMIT:g} and STEP > 0",
                      param, ctx)
        points = math.floor((b - a) / step + 1e-9) + 1
        if points > MAX_SWEEP_POINTS:
            self.fail(f"{value!r}: {points:,} points; a sweep takes at most "
                      f"{MAX_SWEEP_POINTS:,} (use a larger STEP)", param, ctx)
        return parse_range(str(value))


class FiniteRange(click.FloatRange):
    """click.FloatRange that also refuses NaN (which compares false to every bound)."""

    def convert(self, value, param, ctx):
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        return number


#: Upper bounds of the other numeric options (generate, alternatives).
MAX_VILLAGES = 200_000
MAX_COUNTIES = 1_000
MAX_ALTERNATIVES = 100
MAX_TOP = 10_000
MAX_RATIO = 100.0


class YearList(click.ParamType):
    """2018,2019,2020: consecutive increasing years in schema.YEAR_RANGE, at most
    schema.MAX_YEARS of them (the rule `years:` of scenario.yaml follows)."""

    name = "YEARS"

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        try:
            years = tuple(int(y) for y in str(value).split(","))
        except ValueError:
            self.fail(f"{value!r}: years must be like 2018,2019,2020", param, ctx)
        if (len(years) > MAX_YEARS or not all(YEAR_RANGE[0] <= y <= YEAR_RANGE[1] for y in years)
                or any(b - a != 1 for a, b in zip(years, years[1:]))):
            self.fail(f"{value!r}: give at most {MAX_YEARS} consecutive increasing years "
                      f"between {YEAR_RANGE[0]} and {YEAR_RANGE[1]}, e.g. 2018,2019,2020",
                      param, ctx)
        return years


#: numpy's seeds: 0 .. 2**32 - 1
MAX_GENERATE_SEED = 2**32 - 1
