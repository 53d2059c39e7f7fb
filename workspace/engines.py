"""Where chunk tasks run: in this process (``local``) or on Dask workers (``dask``).

Dask is used through its futures API only (``Client.submit``); without ``--scheduler`` a
``LocalCluster`` of worker processes is started and closed with the run. A Dask scheduler
runs whatever code its clients send: keep its port on a private network or use TLS
(``tls://`` addresses with :class:`EngineSettings`' certificate files).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass

from clustering.errors import Cancelled, InputError

from .bare_main import bare_main_module

__all__ = ["Engine", "EngineSettings", "connection_summary", "open_engine"]

log = logging.getLogger(__name__)

CONNECT_SECONDS = 10
"""How long connecting to a scheduler may take before the run is refused."""
SCHEDULER_ENV = "CLUSTERLAB_DASK_SCHEDULER"
DASK_MISSING = ("Dask is not installed; install it with pip install 'clusterlab[dask]' "
                "(or pip install 'dask[distributed]') and run again.")


@dataclass(frozen=True)
class EngineSettings:
    """How to reach the engine; none of it is part of a run's key.

    Parameters
    ----------
    engine : {"local", "dask"}
    scheduler : str, optional
        ``tcp://HOST:PORT`` or ``tls://HOST:PORT`` of a running scheduler (default
        ``$CLUSTERLAB_DASK_SCHEDULER``; else a ``LocalCluster`` is started).
    workers : int, optional
        Worker processes of the ``LocalCluster`` (default: half the cores, at least 2).
    tls_ca_file, tls_cert, tls_key : str, optional
        Certificates for a ``tls://`` scheduler (``distributed.security.Security``).
    chunk_rows : int
        Rows per chunk task.
    gpu : bool
        Chunk tasks need a GPU: submitted with ``resources={"GPU": 1}`` and run on
        ``cuda``; without ``scheduler`` a ``dask_cuda.LocalCUDACluster`` (one worker per GPU)
        is started. Workers of an external cluster must be started with
        ``--resources GPU=1`` (``dask cuda worker`` does this).
    """

    engine: str = "local"
    scheduler: str | None = None
    workers: int | None = None
    tls_ca_file: str | None = None
    tls_cert: str | None = None
    tls_key: str | None = None
    chunk_rows: int = 100_000
    gpu: bool = False

    def validate(self) -> EngineSettings:
        """Check the fields; return ``self`` (``InputError`` naming the bad one)."""
        if self.engine not in ("local", "dask"):
            raise InputError(f"engine must be local or dask, not '{self.engine}'.")
        if self.workers is not None and self.workers < 1:
            raise InputError(f"workers must be at least 1, not {self.workers}.")
        if self.engine == "local" and (self.scheduler or self.workers):
            raise InputError("--scheduler and --workers are settings of the dask engine; add "
                             "--engine dask or leave them out.")
        if self.chunk_rows < 1:
            raise InputError(f"chunk size must be at least 1 row, not {self.chunk_rows}.")
        return self


class Engine:
    """Runs ``fn(*args)`` for many argument tuples and reports each result as it comes."""

    name = "local"

    def map(self, fn: Callable, arg_list: list[tuple], on_result: Callable[[int, object], None],
            should_stop: Callable[[], bool], label: str) -> None:
        """Run every task; ``on_result(i, result)`` in completion order.

        Raises
        ------
        Cancelled
            ``should_stop()`` became true; unfinished tasks are dropped.
        """
        for i, args in enumerate(arg_list):
            if should_stop():
                raise Cancelled("cancelled by the user")
            on_result(i, fn(*args))

    def describe(self) -> dict:
        """What ran the tasks (for ``run.json``)."""
        return {"engine": "local", "pid": os.getpid()}

    def close(self) -> None:
        """Release the engine's resources."""


class DaskEngine(Engine):
    """Tasks on a Dask cluster through ``Client.submit``."""

    name = "dask"

    def __init__(self, client, cluster=None, gpu: bool = False, owned: bool = True) -> None:
        self.client, self.cluster, self.gpu, self.owned = client, cluster, gpu, owned

    def map(self, fn, arg_list, on_result, should_stop, label) -> None:  # noqa: D102
        extra = {"resources": {"GPU": 1}} if self.gpu else {}
        futures = {self.client.submit(fn, *args, key=f"{label}-{i:05d}", pure=False, **extra): i
                   for i, args in enumerate(arg_list)}
        pending = set(futures)
        try:
            while pending:
                if should_stop():
                    raise Cancelled("cancelled by the user")
                done, pending = _wait_some(pending)
                for future in done:
                    on_result(futures[future], future.result())
        except BaseException:
            self.client.cancel(list(futures), force=True)
            raise
        finally:
            for future in futures:
                future.release()

    def describe(self) -> dict:  # noqa: D102
        info = self.client.scheduler_info()
        workers = info.get("workers", {})
        return {"engine": "dask", "scheduler": self.client.scheduler.address,
                "local_cluster": self.cluster is not None, "workers": len(workers),
                "threads": sum(w.get("nthreads", 0) for w in workers.values())}

    def close(self) -> None:  # noqa: D102
        if not self.owned:  # the caller's own client (a notebook's): left open
            return
        try:
            self.client.close()
        finally:
            if self.cluster is not None:
                self.cluster.close()


def _wait_some(pending: set):
    """Wait up to half a second for some of ``pending``; return (done, still pending)."""
    from distributed import wait

    try:
        wait(list(pending), timeout=0.5, return_when="FIRST_COMPLETED")
    except TimeoutError:
        pass
    done = {f for f in pending if f.done()}
    return done, pending - done


def _existing_client(address: str):
    """This process's default Dask client when it is connected to ``address``, else None."""
    from distributed import default_client

    try:
        client = default_client()
    except ValueError:  # no client in this process
        return None
    same = client.status == "running" and client.scheduler is not None and \
        client.scheduler.address == address
    return client if same else None


def _security(settings: EngineSettings):
    if not (settings.tls_ca_file or settings.tls_cert or settings.tls_key):
        return None
    from distributed.security import Security

    return Security(tls_ca_file=settings.tls_ca_file, tls_client_cert=settings.tls_cert,
                    tls_client_key=settings.tls_key, require_encryption=True)


def open_engine(settings: EngineSettings) -> Engine:
    """Connect to (or start) the engine.

    Raises
    ------
    InputError
        Dask is not installed, or the scheduler cannot be reached within
        :data:`CONNECT_SECONDS`.
    """
    settings.validate()
    if settings.engine == "local":
        return Engine()
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise InputError(DASK_MISSING) from None
    address = settings.scheduler or os.environ.get(SCHEDULER_ENV) or None
    if address:
        existing = _existing_client(address)
        if existing is not None:  # one client per process: a second breaks lost-task retries
            return DaskEngine(existing, gpu=settings.gpu, owned=False)
        try:
            client = Client(address, timeout=CONNECT_SECONDS, security=_security(settings))
        except (OSError, TimeoutError, ValueError) as exc:
            raise InputError(f"Cannot reach the Dask scheduler at {address} within "
                             f"{CONNECT_SECONDS} s ({type(exc).__name__}); check the address "
                             "and that the scheduler is running, or leave --scheduler out to "
                             "start workers on this machine.") from None
        return DaskEngine(client, gpu=settings.gpu)
    if settings.gpu:
        try:
            from dask_cuda import LocalCUDACluster
        except ImportError:
            raise InputError("GPU workers need dask-cuda; install it with pip install "
                             "dask-cuda (on a machine with CUDA) or leave --gpu-workers "
                             "out.") from None
        with bare_main_module():  # spawned workers must not rerun the app script
            cluster = LocalCUDACluster(resources={"GPU": 1}, dashboard_address=None)
        return DaskEngine(Client(cluster), cluster, gpu=True)
    workers = settings.workers or max(2, (os.cpu_count() or 2) // 2)
    with bare_main_module():  # spawned workers must not rerun the app script
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)
    log.info("started a LocalCluster of %d worker processes at %s", workers,
             cluster.scheduler_address)
    return DaskEngine(Client(cluster), cluster)


def connection_summary(settings: EngineSettings) -> str:
    """One line on the engine's workers, threads and memory ("test connection")."""
    engine = open_engine(settings)
    try:
        if not isinstance(engine, DaskEngine):
            return f"local engine: this process ({os.cpu_count()} cores)"
        workers = engine.client.scheduler_info().get("workers", {})
        memory = sum(w.get("memory_limit", 0) for w in workers.values())
        threads = sum(w.get("nthreads", 0) for w in workers.values())
        return (f"{engine.client.scheduler.address}: {len(workers)} worker(s), {threads} "
                f"thread(s), {memory / 2**30:.1f} GiB memory")
    finally:
        engine.close()
