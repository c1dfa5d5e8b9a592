"""Shared fixtures: a scenario-folder builder and a backend fixture over installed solvers."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from models.solve import available

BACKENDS = list(available())


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


@pytest.fixture(params=BACKENDS)
def backend(request):
    return request.param
