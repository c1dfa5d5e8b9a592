"""Shared fixtures: a scenario-folder builder and a backend fixture over the installed
solvers, narrowed with `pytest --backends highs,cbc` (default: every installed one)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from models.solve import available

BACKENDS = list(available())


def pytest_addoption(parser):
    parser.addoption("--backends", default="", metavar="NAMES",
                     help="comma-separated backends the backend tests run on "
                          f"(default: every installed one: {','.join(BACKENDS)})")


def selected_backends(config) -> list[str]:
    """The backends `--backends` names, in the order given; all installed when empty."""
    names = [n.strip() for n in config.getoption("--backends").split(",") if n.strip()]
    if not names:
        return list(BACKENDS)
    unknown = [n for n in names if n not in BACKENDS]
    if unknown:
        raise pytest.UsageError(f"--backends: {', '.join(unknown)} not installed; "
                                f"installed: {', '.join(BACKENDS)}")
    return list(dict.fromkeys(names))


def pytest_configure(config):
    selected_backends(config)  # a bad --backends is a usage error before collection


def pytest_generate_tests(metafunc):
    """Every test asking for `backend` runs once per selected backend, unless it
    parametrizes `backend` itself."""
    if "backend" not in metafunc.fixturenames:
        return
    for mark in metafunc.definition.iter_markers("parametrize"):
        names = mark.args[0] if mark.args else mark.kwargs.get("argnames", "")
        if "backend" in ([n.strip() for n in names.split(",")] if isinstance(names, str)
                         else list(names)):
            return
    metafunc.parametrize("backend", selected_backends(metafunc.config), indirect=True)


def _csv(path: Path, header: str, rows: list[str]) -> None:
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")


def write_scenario(folder: Path, *, villages, gaps, projects, funds, config=None,
                   project_header="project_id,village_id,target,cost",
                   fund_header="stream,year,amount,carry_over,targets",
                   village_header="village_id,name,county,exit_year,deep_poverty") -> Path:
    """Write a scenario folder from CSV row strings; returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    _csv(folder / "villages.csv", village_header, villages)
    _csv(folder / "gaps.csv", "village_id,target", gaps)
    _csv(folder / "projects.csv", project_header, projects)
    _csv(folder / "funds.csv", fund_header, funds)
    cfg = {"years": [2019, 2020]}
    cfg.update(config or {})
    (folder / "scenario.yaml").write_text(yaml.safe_dump(cfg, allow_unicode=True),
                                          encoding="utf-8")
    return folder


@pytest.fixture
def make_scenario(tmp_path):
    counter = iter(range(1000))

    def make(**kw):
        return write_scenario(tmp_path / f"scn{next(counter)}", **kw)
    return make


@pytest.fixture
def backend(request):
    """One selected backend's name (parametrized by pytest_generate_tests)."""
    return request.param


@pytest.fixture(scope="session")
def backends(request) -> list[str]:
    """The selected backends, for tests that compare them on one instance."""
    return selected_backends(request.config)
