"""What every `planner` command shares: one message and an exit code instead of a
traceback (`friendly`), the solver options (`with_solver_options`, made from the fields
of models.params.SolveParams), the summary print.
"""

from __future__ import annotations

import sys
import traceback
from functools import wraps
from pathlib import Path

import click

from models.money import fmt
from models.params import FIELDS, NAMES

from .errors import InputError
from .options import BackendOption, Setting


def fail(message: str, code: int) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def friendly(func):
    """Turn the library's errors into one message and an exit code; --debug shows more."""
    @wraps(func)
    def wrapper(*args, **kwargs):
        from models.params import ParamsError
        from models.solve import BackendError

        from .outdir import begin, interrupted_message
        from .pipeline import PlanningError

        begin()
        try:
            return func(*args, **kwargs)
        except InputError as exc:
            if click.get_current_context().find_root().params.get("debug"):
                traceback.print_exc()
            fail(str(exc), 1)
        except PlanningError as exc:
            fail(str(exc), exc.exit_code)
        except (BackendError, ParamsError) as exc:
            fail(str(exc), 2)
        except KeyboardInterrupt:
            fail(interrupted_message(), 130)
    return wrapper


#: the solver settings a command takes only when it asks for them (`solve`: both;
#: `sweep`, `solve-many`: the scheduler of their Dask tasks); the others every
#: solving command takes
OWN_SETTINGS = ("decompose", "scheduler")
COMMON_SETTINGS = tuple(name for name in NAMES if name not in OWN_SETTINGS)


def solver_option(name: str):
    """The command-line option of the SolveParams field `name`: its flag, help text and
    rule from the field (no default here: one not given keeps the scenario's or the
    field's)."""
    meta = FIELDS[name].metadata
    if name == "extras":
        return click.option(meta["flag"], name, type=BackendOption(), multiple=True,
                            help=meta["help"])
    return click.option(meta["flag"], name, type=Setting(name), default=None,
                        help=meta["help"])


def with_solver_options(*own: str):
    """Decorator: the common solver options, and those of `own` (OWN_SETTINGS), handed to
    the command as one `solver` dict of the settings given (those left out keep the
    scenario's or the defaults), ready for SolveParams.merged."""
    names = COMMON_SETTINGS + tuple(own)

    def decorate(func):
        @wraps(func)
        def wrapper(*args, **kwargs):
            given = {k: kwargs.pop(k) for k in names}
            given["extras"] = dict(given.get("extras") or ()) or None
            return func(*args, solver={k: v for k, v in given.items() if v is not None},
                        **kwargs)
        for name in reversed(names):
            wrapper = solver_option(name)(wrapper)
        return wrapper
    return decorate


def print_summary(summary: dict, out: Path | None) -> None:
    click.echo(f"scenario   {summary['scenario']}  ({summary['objective_kind']})")
    gap = summary["gap"]
    click.echo(f"status     {summary['status']}  solver {summary['solver']}  "
               f"{summary['seconds']:.2f} s")
    bound = summary["best_bound"]
    click.echo(f"objective  {summary['objective']:.4f}   bound "
               f"{'-' if bound is None else f'{bound:.4f}'}   gap "
               f"{'-' if gap is None else f'{gap:.4%}'}")
    click.echo(f"gaps       {summary['gaps_closed']} of {summary['gaps_planned']} closed")
    possible = summary.get("villages_possible", {})
    batches = "  ".join(
        f"{y}: {summary['villages_on_time'][y]}/"
        + (f"{possible[y]}/" if y in possible else "") + f"{summary['villages_due'][y]}"
        for y in summary["villages_due"])
    click.echo(f"on time    {batches}" + ("   (on time/possible/due)" if possible else ""))
    click.echo(f"cost       {fmt(summary['total_cost'])} (pooled {fmt(summary['pooled_cost'])}, "
               f"of {fmt(summary['money_available'])} available)")
    if out is not None:
        click.echo(f"written    {out}/schedule.csv villages.csv funds.csv summary.json")
