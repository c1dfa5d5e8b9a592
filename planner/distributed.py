"""Dask as the engine for many solves: a client (a LocalCluster sized to the machine,
or an existing cluster by address) and a `map` that runs functions as Dask tasks.

Plumbing only: it knows nothing of scenarios or plans (`planner.many` plans many
scenarios on it, `planner.sweep` the points of a curve, `planner.pipeline` the counties
of one).

A worker that dies (killed, out of memory) loses no task: Dask runs the tasks it held
again on another worker (a local cluster allows ALLOWED_FAILURES such deaths per task;
a task that raises is retried once too, `retries`), and `run_tasks` reports a task that
failed again in its own row (`failed`) and keeps every other result.

The local cluster binds no fixed port: the scheduler's HTTP server (Dask always starts
one) listens on a free loopback port, and the dashboard is off, so two runs at once do
not collide on 8787.  Its workers are processes, except when the main module is a
script that Dask's worker processes would run again (multiprocessing's spawn imports
the main script; without an `if __name__ == "__main__":` guard every worker would plan
anew and fail to start): then the workers are threads of this process.
"""

from __future__ import annotations

import ast
import os
import sys
import warnings
from contextlib import contextmanager
from pathlib import Path

#: the local cluster's HTTP server: a free port on the loopback interface
HTTP_ADDRESS = "127.0.0.1:0"
GUARD_HINT = ('put the code that plans under `if __name__ == "__main__":` (Dask starts '
              "worker processes that import the main script again)")


#: deaths of a worker running a task before the task is given up (KilledWorker): a task is
#: run again once, and one that kills its worker twice is reported
ALLOWED_FAILURES = 1
#: a task that raises is run again this many times
RETRIES = 1


class ClusterError(RuntimeError):
    """A local Dask cluster that cannot start: one sentence, with what to do."""


def has_main_guard(path: str | Path) -> bool:
    """Whether the script has a top-level `if __name__ == "__main__":` block."""
    try:
        tree = ast.parse(Path(path).read_text(encoding="utf-8-sig"))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return False
    for node in tree.body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Compare):
            sides = [node.test.left, *node.test.comparators]
            names = {s.id for s in sides if isinstance(s, ast.Name)}
            texts = {s.value for s in sides if isinstance(s, ast.Constant)}
            if "__name__" in names and "__main__" in texts:
                return True
    return False


def processes_safe() -> bool:
    """Whether worker processes may be spawned: the main module is interactive (a
    notebook, the REPL), run by module name (`python -m`), or a guarded script."""
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if path is None or getattr(main, "__spec__", None) is not None:
        return True
    return has_main_guard(path)


def local_cluster(workers: int):
    from dask.distributed import LocalCluster

    if getattr(sys.modules.get("__main__"), "__name__", "") == "__mp_main__":
        # a worker process importing the main script: its top level plans again
        raise ClusterError(f"a Dask worker process ran the planning again: {GUARD_HINT}")
    import dask

    processes = processes_safe()
    try:
        # one task at a time per worker thread: a worker's death is then blamed on the
        # task it ran, not on one queued behind it
        with dask.config.set({"distributed.scheduler.allowed-failures": ALLOWED_FAILURES,
                              "distributed.scheduler.worker-saturation": 1.0}):
            return LocalCluster(n_workers=workers, threads_per_worker=1, processes=processes,
                                dashboard_address=HTTP_ADDRESS,
                                scheduler_kwargs={"dashboard": False})
    except RuntimeError as exc:
        if "failed to start" not in str(exc):
            raise
        raise ClusterError(f"the local Dask cluster's workers failed to start: {GUARD_HINT}") \
            from None


def client_for(scheduler: str | None, tasks: int):
    """A Dask client: the given scheduler, or a local cluster sized to the machine."""
    from dask.distributed import Client

    if scheduler:
        return Client(scheduler)
    workers = max(1, min(os.cpu_count() or 1, tasks))
    return Client(local_cluster(workers))


def run_tasks(client, fn, items, failed, on_result=None) -> list:
    """fn(*item) for each item as a Dask task; the results in the order they finish.  A
    task that still fails after Dask ran it again (its worker died again: KilledWorker;
    or it raised) is `failed(item, exc)` in its place; the others are kept.
    `on_result(row, done, total)` is called as each one finishes."""
    from dask.distributed import as_completed

    futures = {client.submit(fn, *item, pure=False, retries=RETRIES): item for item in items}
    rows = []
    for fut in as_completed(futures):
        try:
            row = fut.result()
        except Exception as exc:  # noqa: BLE001 - reported in its row; the others go on
            row = failed(futures[fut], exc)
        rows.append(row)
        if on_result:
            on_result(row, len(rows), len(futures))
    return rows


def failure_text(exc: BaseException) -> str:
    """One line for a task given up: a worker that died running it twice, or its error."""
    from distributed.scheduler import KilledWorker

    if isinstance(exc, KilledWorker):
        return ("the Dask worker running it died each time it was run (killed, or out of "
                "memory); the other tasks were kept")
    return f"{type(exc).__name__}: {exc}".splitlines()[0]


def close(client) -> None:
    cluster = getattr(client, "cluster", None)
    client.close()
    if cluster is not None:
        cluster.close()


@contextmanager
def dask_mapper(scheduler: str | None = None, tasks: int | None = None):
    """Yields map(fn, *iterables) -> list, each call a Dask task, results in order."""
    client = client_for(scheduler, tasks or (os.cpu_count() or 1))
    try:
        def mapper(fn, *iterables):
            with warnings.catch_warnings():
                # the county programs are megabytes in the graph, which Dask says each
                # time on stderr; sent ahead (scatter) they would be lost with a worker
                # that dies, which the retries are for
                warnings.filterwarnings("ignore", "Sending large graph", UserWarning)
                futures = client.map(fn, *iterables, pure=False, retries=RETRIES)
            return client.gather(futures)
        mapper.workers = max(1, len(client.scheduler_info().get("workers", {})))
        yield mapper
    finally:
        close(client)
