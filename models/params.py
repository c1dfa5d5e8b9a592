"""The solver settings, defined once: `SolveParams`.

Each field carries its default, the values it may take (a rule) and its help text
(`dataclasses.field(metadata=...)`); the command-line options (`planner.cli_common`),
the keys of scenario.yaml's `solver:` (`planner.scenario.yamlfile.SOLVER_SETTINGS`) and the
library (`models.solve.solve`, `models.strategy.solve_planned`,
`planner.pipeline.plan_scenario`) all come from it.  A rule's `problem(value)` is the
one wording of a bad value: the command line says it after the option, scenario.yaml
after file, row and column, the library in a `ParamsError`.

Precedence: the defaults < scenario.yaml `solver:` < the command line
(`SolveParams.merged`); `solver: {name: cbc}` is read as `backend: cbc`.

`extras` are options of one backend, passed through to it; each backend lists the ones
it takes (`Backend.extras` in `models/backends/`), and any other is refused, never
ignored.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace

from .allowed import Bound, Choice, Text
from .backends import DEFAULT_BACKEND, REGISTRY, extras_of


class ParamsError(ValueError):
    """A solver setting outside what it may be, or an option its backend does not take."""

    def __init__(self, key: str, value, problem: str):
        super().__init__(f"solver setting {key}: {value!r}: {problem}")
        self.key, self.value, self.problem = key, value, problem


# ------------------------------------------------------------------- the settings

#: `decompose: auto` splits by county from this many projects on (and >= 2 counties)
AUTO_SPLIT_PROJECTS = 3000
#: most threads anyone may ask for (above the machine's cores: capped at the cores)
MAX_THREADS = 1024


def _setting(default=None, *, rule, help: str | None, flag: str, factory=None):
    meta = {"rule": rule, "help": help, "flag": flag}
    if factory is not None:
        return field(default_factory=factory, metadata=meta)
    return field(default=default, metadata=meta)


def _cores() -> int:
    return os.cpu_count() or 1


EXTRAS_HELP = ("An option of the backend, passed to it (repeatable); what each backend "
               "takes: `planner solvers`.")


@dataclass(frozen=True)
class SolveParams:
    """How to solve: which backend, for how long, how exactly, on how many threads.

    time_limit, threads and seed may be None in the library (no limit; the backend's
    own default); a missing or null value in scenario.yaml or on the command line
    keeps the default instead."""

    backend: str = _setting(
        DEFAULT_BACKEND, rule=Text("a backend name such as highs or cbc"), flag="--solver",
        help=f"Backend: {', '.join(REGISTRY)} (installed: `planner solvers`).")
    time_limit: float | None = _setting(
        60.0, rule=Bound("float", 0, 7 * 86400, lo_open=True, noun="a number of seconds"),
        flag="--time-limit", help="Seconds (> 0, at most 7 days).")
    gap: float = _setting(
        1e-3, rule=Bound("float", 0, 1, noun="a relative gap, a number"), flag="--gap",
        help="Relative optimality gap in [0, 1]; 0 asks for a proven optimum.")
    threads: int | None = _setting(
        rule=Bound("int", 1, MAX_THREADS, noun="a whole number of threads", cores=True),
        factory=_cores, flag="--threads",
        help=f"1..{MAX_THREADS}; more than the machine's cores is capped at the cores.")
    seed: int | None = _setting(
        0, rule=Bound("int", 0, 2**31 - 1, noun="a whole-number seed"), flag="--seed",
        help="Random seed of the backend (0..2**31-1).")
    decompose: str = _setting(
        "auto", rule=Choice(("auto", "county", "off")), flag="--decompose",
        help=f"Solve county by county as Dask tasks (auto: from {AUTO_SPLIT_PROJECTS:,} "
             "projects).")
    scheduler: str | None = _setting(
        None, rule=Text("a Dask scheduler address, tcp://host:port"), flag="--scheduler",
        help="Dask scheduler address for the Dask tasks (default: a local cluster).")
    extras: dict = field(default_factory=dict, hash=False, metadata={
        "rule": None, "help": EXTRAS_HELP, "flag": "--solver-option"})

    def __post_init__(self):
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "extras" or (value is None and f.name in NULLABLE):
                continue
            problem = f.metadata["rule"].problem(value)
            if problem:
                raise ParamsError(f.name, value, problem)
        if not isinstance(self.extras, Mapping):
            raise ParamsError("extras", self.extras, EXTRAS_NOT_MAPPING)
        object.__setattr__(self, "extras", read_extras(self.backend, self.extras))
        for key, value in self.extras.items():
            problem = extra_problem(self.backend, key, value)
            if problem:
                raise ParamsError(f"extras.{key}", value, problem)

    def updated(self, **given) -> SolveParams:
        """These settings with those `given` in their place (None: not given); given
        extras are added to these (a name given again takes the new value)."""
        changes = {}
        for key, value in given.items():
            if value is None:
                continue
            name = ALIASES.get(key, key)
            if name not in NAMES:
                raise TypeError(f"unknown solver setting {key!r}; the settings: "
                                f"{', '.join(YAML_KEYS)}")
            changes[name] = value
        if "extras" in changes:
            more = changes["extras"]
            if not isinstance(more, Mapping):
                raise ParamsError("extras", more, EXTRAS_NOT_MAPPING)
            changes["extras"] = {**self.extras, **more}
        return replace(self, **changes) if changes else self

    @classmethod
    def merged(cls, solver: Mapping | None = None, /, **given) -> SolveParams:
        """The defaults < scenario.yaml `solver:` (`solver`, checked by the scenario) <
        `given` (the command line; None: not given).  `name` stands for `backend`."""
        solver = dict(solver or {})
        for alias, name in ALIASES.items():
            value = solver.pop(alias, None)
            if value is not None:
                solver[name] = value
        return cls().updated(**solver).updated(**given)

    def keywords(self) -> dict:
        """What one solve takes, as keyword arguments of `models.solve.solve` (for the
        county split, whose workers take keywords)."""
        return {"backend": self.backend, **self.recorded()}

    def recorded(self) -> dict:
        """The settings a result records in its `options` (summary.json): time_limit,
        gap, threads, seed, and the extras when there are any."""
        out = {"time_limit": self.time_limit, "gap": self.gap, "threads": self.threads,
               "seed": self.seed}
        if self.extras:
            out["extras"] = dict(self.extras)
        return out


#: fields that may be None in the library (no time limit; the backend's default)
NULLABLE = ("time_limit", "threads", "seed", "scheduler")
#: other names scenario.yaml takes for a setting: `solver: {name: cbc}` reads naturally
ALIASES = {"name": "backend"}
NAMES = tuple(f.name for f in fields(SolveParams))
FIELDS = {f.name: f for f in fields(SolveParams)}
#: the keys of scenario.yaml's `solver:`: every setting, each alias after its setting
YAML_KEYS = tuple(k for n in NAMES for k in (n, *[a for a, t in ALIASES.items() if t == n]))
EXTRAS_NOT_MAPPING = "must be a mapping of the backend's options, e.g. {presolve: off}"


def setting_problem(key: str, value) -> str | None:
    """Why `value` is not allowed for the setting `key` (an alias too; not extras)."""
    return FIELDS[ALIASES.get(key, key)].metadata["rule"].problem(value)


def settle(key: str, value):
    """(the value used for an allowed `value` of `key`, a warning when it differs):
    threads above the machine's cores are capped at the cores."""
    return FIELDS[ALIASES.get(key, key)].metadata["rule"].settle(value)


def parse(key: str, text: str):
    """The value a command-line text stands for (`problem` names a text it is not)."""
    return FIELDS[key].metadata["rule"].parse(text)


def extra_problem(backend: str, key, value) -> str | None:
    """Why the option `key` = `value` is not allowed for `backend` (None: allowed);
    BackendError when the backend is unknown."""
    spec = extras_of(backend)
    if key not in spec:
        takes = ", ".join(spec) or "no options"
        guess = difflib.get_close_matches(str(key), list(spec), n=1, cutoff=0.6)
        hint = f"did you mean {guess[0]!r}? " if guess else ""
        return f"unknown option {key!r} for backend {backend}; {hint}{backend} takes: {takes}"
    return spec[key].problem(value)


def read_extras(backend: str, extras: Mapping) -> dict:
    """Extras as their backend takes them: texts (the command line) read by each
    option's rule, on/off words as True/False; unknown names and bad values kept as they
    are (for `extra_problem` to name)."""
    if not extras:
        return {}
    spec = extras_of(backend)
    out = {}
    for key, value in extras.items():
        rule = spec.get(key)
        if rule is not None:
            value = rule.parse(value) if isinstance(value, str) else value
            if rule.problem(value) is None:
                value = rule.settle(value)[0]
        out[key] = value
    return out
