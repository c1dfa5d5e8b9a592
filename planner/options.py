"""The click types of the options: the solver settings (`Setting`, by the rules of
models.params.SolveParams, which scenario.yaml's `solver:` follows too: a bad value
is a usage error here, exit 2, and an input error there, exit 1, in the same words),
the backend's own options (`BackendOption`), and the other bounded options.
"""

from __future__ import annotations

import math

import click

from models.allowed import Bound, Choice
from models.backends import REGISTRY, BackendError, extras_of
from models.params import FIELDS, parse, setting_problem, settle

from .schema import MAX_SWEEP_POINTS, MAX_YEARS, SCALE_LIMIT, YEAR_RANGE


class Setting(click.ParamType):
    """The command-line value of the solver setting `key` (a SolveParams field): read
    and checked by the field's rule (NaN, inf and out-of-range numbers are usage
    errors); threads above the cores are capped with a warning."""

    def __init__(self, key: str):
        self.key = key
        self.rule = FIELDS[key].metadata["rule"]
        self.name = self.rule.kind if isinstance(self.rule, Bound) else "text"

    def get_metavar(self, param, ctx=None):
        if isinstance(self.rule, Choice):
            return "[" + "|".join(self.rule.values) + "]"
        return None

    def convert(self, value, param, ctx):
        number = value if isinstance(value, (int, float)) and not isinstance(value, bool) \
            else parse(self.key, str(value))
        problem = setting_problem(self.key, number)
        if problem:
            self.fail(f"{value!r}: {problem}", param, ctx)
        number, warning = settle(self.key, number)
        if warning:
            click.echo(f"warning: {warning}", err=True)
        return number


class BackendName(click.Choice):
    """--solver: one of the backends of the registry (models.backends.REGISTRY), listed
    as the option's choices in --help and shell completion; another name is a usage
    error in the registry's words (unknown solver ...; installed: ...).  One registered
    but not installed is refused when it is used (models.backends.get)."""

    def __init__(self):
        super().__init__(tuple(REGISTRY))

    def convert(self, value, param, ctx):
        name = str(value)
        try:
            extras_of(name)  # BackendError for a name the registry does not know
        except BackendError as exc:
            self.fail(str(exc), param, ctx)
        return name


class BackendOption(click.ParamType):
    """NAME=VALUE, an option of the backend (SolveParams.extras): (name, text); the value
    is read and checked against the backend once it is known (scenario.yaml may name
    it), by models.params."""

    name = "NAME=VALUE"

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        name, eq, text = str(value).partition("=")
        if not eq or not name.strip():
            self.fail(f"{value!r}: use NAME=VALUE, e.g. presolve=off", param, ctx)
        return name.strip(), text.strip()


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
