"""What every `planner` command shares: one message and an exit code instead of a
traceback (`friendly` for the library's errors, `PlannerGroup` for any other exception),
the solver options (`with_solver_options`, made from the fields of
models.params.SolveParams), the summary print.

Exit codes: 0 success; 1 bad input or no plan possible; 2 usage error (click, an unknown
solver, a bad solver setting); INTERNAL_ERROR (3) a bug: an exception no command
expected, or a plan that failed the independent check (planner.pipeline.
VerificationError); 130 interrupted.
"""

from __future__ import annotations

import errno
import sys
import traceback
from dataclasses import MISSING
from functools import wraps
from pathlib import Path

import click

from models.money import fmt
from models.params import FIELDS, NAMES

from .errors import InputError
from .options import BackendName, BackendOption, Setting

#: the exit code of a bug (README, "Exit codes")
INTERNAL_ERROR = 3


def fail(message: str, code: int) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def debugging() -> bool:
    """`planner --debug` was given (False outside a click command)."""
    ctx = click.get_current_context(silent=True)
    return bool(ctx and ctx.find_root().params.get("debug"))


def internal_error(exc: BaseException, debug: bool) -> None:
    """One message for an exception no command expected, exit INTERNAL_ERROR; the
    traceback before it only with --debug."""
    if debug:
        traceback.print_exception(exc)
    what = str(exc).strip().splitlines()
    detail = f"{type(exc).__name__}: {what[0][:200]}" if what else type(exc).__name__
    fail(f"internal error, a bug in the planner (not in your input): {detail}; please "
         "report it with the command you ran"
         + ("" if debug else " and its traceback (run it as planner --debug ...)"),
         INTERNAL_ERROR)


class PlannerGroup(click.Group):
    """The `planner` group: any exception a command lets through (a bug) ends in one
    line and exit INTERNAL_ERROR instead of a traceback (`internal_error`); click's own
    exits, usage errors and aborts, a closed pipe (`planner ... | head`) and
    KeyboardInterrupt are left to click."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except OSError as exc:
            if exc.errno == errno.EPIPE:
                raise
            internal_error(exc, bool(ctx.params.get("debug")))
        except Exception as exc:
            internal_error(exc, bool(ctx.params.get("debug")))


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
            if debugging():
                traceback.print_exc()
            fail(str(exc), 1)
        except PlanningError as exc:
            if debugging():
                traceback.print_exc()
            fail(str(exc), exc.exit_code)
        except (BackendError, ParamsError) as exc:
            if debugging():
                traceback.print_exc()
            fail(str(exc), 2)
        except KeyboardInterrupt:
            fail(interrupted_message(), 130)
    return wrapper


#: the solver settings a command takes only when it asks for them (`solve`: both;
#: `sweep`, `solve-many`: the scheduler of their Dask tasks); the others every
#: solving command takes
OWN_SETTINGS = ("decompose", "scheduler")
COMMON_SETTINGS = tuple(name for name in NAMES if name not in OWN_SETTINGS)


#: how a solver setting's default reads in --help where the field's value does not say it
DEFAULT_WORDS = {"threads": "the machine's cores", "extras": "none",
                 "gap": "{value:g}; explain: 0, exact", "time_limit": "{value:g} s"}


def default_text(name: str) -> str:
    """'[default: ...]' of the option of SolveParams field `name`: scenario.yaml's
    `solver:` value, else the field's default; '' when the help says it already."""
    f = FIELDS[name]
    if "(default:" in (f.metadata["help"] or ""):
        return ""
    value = f.default if f.default is not MISSING else None
    words = DEFAULT_WORDS.get(name, "{value}").format(value=value)
    return f"[default: scenario.yaml solver: {name}, else {words}]"


def solver_option(name: str):
    """The command-line option of the SolveParams field `name`: its flag, help text and
    rule from the field (no default here: one not given keeps the scenario's or the
    field's, which the help states); --solver's choices are the backend registry."""
    meta = FIELDS[name].metadata
    text = " ".join(t for t in (meta["help"], default_text(name)) if t)
    if name == "extras":
        return click.option(meta["flag"], name, type=BackendOption(), multiple=True,
                            help=text)
    kind = BackendName() if name == "backend" else Setting(name)
    return click.option(meta["flag"], name, type=kind, default=None, help=text)


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
    cost = summary.get("priority_cost", {})
    if "batches" in cost:
        rows = "  ".join(f"{b['batch']}: {b['on_time']} vs {b['weighted']}"
                         for b in cost["batches"])
        click.echo(f"weighted   {rows}   (on time: this plan vs the weighted rule's, value "
                   f"{cost['plan_value']:.4f} vs {cost['value']:.4f}, {cost['status']})")
    click.echo(f"cost       {fmt(summary['total_cost'])} (pooled {fmt(summary['pooled_cost'])}, "
               f"of {fmt(summary['money_available'])} available)")
    if out is not None:
        click.echo(f"written    {out}/schedule.csv villages.csv funds.csv summary.json")
