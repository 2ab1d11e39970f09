"""The process model of ``expapi serve``: build the app once, fork the workers, keep them alive.

The parent imports everything and builds the app before it forks, so the workers share those
pages with it (copy-on-write) instead of each importing connexion, SQLAlchemy and the spec
again; ``gc.freeze`` keeps the collector from touching, and so copying, the shared objects.
Each worker opens its own database engine in the app's lifespan, after the fork. The parent
only watches: a worker that dies (crash, OOM kill, signal) is replaced, whatever the worker
count; SIGTERM or SIGINT is passed to the workers, which finish the requests in flight, and
the parent then exits 0.
"""

from __future__ import annotations

import gc
import importlib
import logging
import os
import signal
import time
from collections.abc import Callable

import uvicorn

from expapi.cli import malloc

log = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
# A worker that dies sooner than this after its start waits before it is replaced, so that
# a worker that cannot start does not turn into a fork loop.
QUICK_DEATH_S = 5.0
RESTART_PAUSE_S = 1.0


def serve(app_factory: Callable[[], object], *, workers: int, **uvicorn_options) -> None:
    """Serve ``app_factory()`` from ``workers`` forked processes until SIGTERM or SIGINT.

    ``uvicorn_options`` are uvicorn.Config's keyword arguments (host, port, log_config, ...).
    """
    config = uvicorn.Config(app_factory(), **uvicorn_options)
    config.load()  # uvicorn's protocol and loop modules too, before the fork
    _preload_thread_pool()
    socket = config.bind_socket()  # bound once, in the parent: every worker accepts on it
    gc.collect()
    gc.freeze()
    malloc.tune()  # inherited by the workers
    children: dict[int, float] = {}  # pid -> when it started
    stopping = False

    def stop(signum, _frame) -> None:
        nonlocal stopping
        if not stopping:
            log.info("%s: stopping %d worker(s) once their requests in flight are done", signal.Signals(signum).name, len(children))
        stopping = True
        for pid in children:
            _signal(pid, signal.SIGTERM)

    previous = {number: signal.signal(number, stop) for number in STOP_SIGNALS}
    try:
        for _ in range(workers):
            if stopping:
                break
            _start_recorded(config, socket, children)
        while children:
            try:
                pid, status = os.wait()
            except ChildProcessError:
                break
            started = children.pop(pid, None)
            if started is None or stopping:
                continue
            log.error("worker %d %s; starting another", pid, _describe(status))
            if time.monotonic() - started < QUICK_DEATH_S:
                time.sleep(RESTART_PAUSE_S)
            if not stopping:
                _start_recorded(config, socket, children)
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        socket.close()


def _preload_thread_pool() -> None:
    """anyio's asyncio backend, which runs the handlers in threads: imported at the first call
    otherwise, in each worker (a dozen modules, each worker's own copy)."""
    try:
        importlib.import_module("anyio._backends._asyncio")  # private; only an import moved earlier
    except ImportError:
        pass


def _start_recorded(config: uvicorn.Config, socket, children: dict[int, float]) -> None:
    """Fork a worker and record it with SIGTERM and SIGINT held back: a stop handled between
    the fork and the record would not signal the new worker, and serve would never exit."""
    signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        children[_start(config, socket)] = time.monotonic()
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)


def _start(config: uvicorn.Config, socket) -> int:
    pid = os.fork()
    if pid:
        return pid
    # The worker: the parent's signal handlers are not its own; uvicorn installs its own.
    code = 1
    try:
        for number in STOP_SIGNALS:
            signal.signal(number, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)  # held back by _start_recorded
        malloc.start_trimming()
        uvicorn.Server(config).run(sockets=[socket])
        code = 0
    except BaseException:  # noqa: BLE001 - a worker never returns into the parent's code
        log.exception("worker %d failed", os.getpid())
    finally:
        logging.shutdown()
        os._exit(code)


def _signal(pid: int, number: int) -> None:
    try:
        os.kill(pid, number)
    except ProcessLookupError:
        pass


def _describe(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"was killed by {signal.Signals(os.WTERMSIG(status)).name}"
    return f"exited with status {os.waitstatus_to_exitcode(status)}"
