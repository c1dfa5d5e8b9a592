"""Dask clusters (planner/distributed.py): a worker killed mid-run loses no task, a task
that kills its worker twice is reported and the others kept, the local cluster binds no
fixed port, and README's cluster instructions (a `dask scheduler` and two `dask worker`
processes, `planner solve-many --scheduler`) run as written, with a worker killed."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import warnings
from pathlib import Path

import psutil

from planner.distributed import client_for, close, failure_text, run_tasks

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def dies(marker: str, times: int) -> str:
    """Kill the worker process running this task the first `times` runs (counted in a file
    beside `marker`), then return."""
    count = Path(marker)
    done = int(count.read_text()) if count.exists() else 0
    if done < times:
        count.write_text(str(done + 1))
        os.kill(os.getpid(), signal.SIGKILL)
    return f"{count.name} after {done} deaths"


def test_killed_worker_is_retried_and_twice_is_reported(tmp_path):
    hold = socket.socket()
    try:
        hold.bind(("127.0.0.1", 8787))  # what a first run would hold
    except OSError:
        pass  # someone holds it already: the same test
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        client = client_for(None, 2)
    try:
        assert not [w for w in seen if "already in use" in str(w.message)]
        assert client.cluster.scheduler.http_server.port != 8787
        items = [(str(tmp_path / "once"), 1), (str(tmp_path / "never"), 0),
                 (str(tmp_path / "always"), 99)]
        failed = lambda item, exc: f"{Path(item[0]).name} failed: {failure_text(exc)}"
        rows = run_tasks(client, dies, items, failed)
    finally:
        close(client)
        hold.close()
    assert sorted(rows) == sorted([
        "once after 1 deaths", "never after 0 deaths",
        "always failed: the Dask worker running it died each time it was run (killed, or "
        "out of memory); the other tasks were kept"])
    assert (tmp_path / "once").read_text() == "1"  # killed once, then run again and done


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def readme_cluster_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("On an existing Dask cluster", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, re.S).group(1)
    return [line.strip() for line in block.splitlines() if line.strip()]


def test_readme_cluster_runs_as_written_with_a_worker_killed(tmp_path):
    ports = {"8786": str(_free_port()), "8787": str(_free_port())}
    started: list[subprocess.Popen] = []
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}

    def argv(line: str) -> list[str]:
        for old, new in ports.items():
            line = line.replace(old, new)
        words = line.rstrip("&").split()
        return [str(BIN / words[0]), *words[1:]]

    try:
        for line in readme_cluster_commands():
            if line.startswith("planner solve-many"):
                run = subprocess.Popen(argv(line), cwd=tmp_path, env=env, text=True,
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                started.append(run)
                first = run.stdout.readline()  # the first scenario done: kill a worker
                workers = [c for p in started[1:3] for c in psutil.Process(p.pid).children()]
                assert workers, "no worker process under `dask worker`"
                workers[0].kill()
                out, err = run.communicate(timeout=240)
                assert run.returncode == 0, err[-2000:]
                assert first.strip() and (not workers[0].is_running()
                                           or workers[0].status() == psutil.STATUS_ZOMBIE)
            elif line.endswith("&"):
                started.append(subprocess.Popen(argv(line), cwd=tmp_path, env=env,
                                                stdout=subprocess.DEVNULL,
                                                stderr=subprocess.DEVNULL))
                time.sleep(1.0 if "scheduler" in line else 0.0)
            else:
                subprocess.run(argv(line), cwd=tmp_path, env=env, check=True,
                               capture_output=True, timeout=120)
        for name in ("county-a", "county-b", "county-c"):
            assert (tmp_path / "plans" / name / "schedule.csv").is_file(), name
    finally:
        for p in reversed(started):
            if p.poll() is None:
                p.terminate()
        for p in started:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
