"""Spreadsheet parsing in worker processes (issue 24; api.md, Conventions: imports).

openpyxl and the csv module read a file in Python, a row at a time. In the serving process (gunicorn's
single gevent worker) such a parse stalls every other request, and even in a thread it holds the GIL
for long stretches: `/healthz` waited 425 ms behind the worst files on a loaded machine. So every
import's parse (people .xlsx/.csv, marking scheme .xlsx) runs here, in one of WORKERS processes started
with the spawn method: a fresh interpreter that imports the parse's module and nothing of the app (no
Flask app, no gevent patches, no database connection). The request's greenlet waits on the pipe.

- Only plain data crosses: the arguments (a file name, the bytes) and a result of lists, dicts, str and
  numbers. A ServiceError raised by the parse comes back as its fields and is raised again here; any
  other exception is logged with the worker's traceback and raised as a RuntimeError (a 500, as before).
- At most WORKERS parses run at once; an upload that finds no worker free within WAIT_SECONDS is 503
  with Retry-After.
- A parse still running after PARSE_SECONDS (`COMPETITION_PARSE_SECONDS`) is 422 naming the limit; its
  process is killed, and the next parse starts a new one. Starting a worker (imports) is not counted.
- The workers end with the serving process: atexit, and a worker whose parent vanished reads EOF.
- `COMPETITION_PARSE_IN_PROCESS` (config) runs the parse in the calling process, same replies.
"""
from __future__ import annotations

import atexit
import importlib
import logging
import multiprocessing
import os
import select
import threading
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from competition.errors import ServiceError

log = logging.getLogger("competition.imports")

WORKERS = 2
PARSE_SECONDS = 30.0
WAIT_SECONDS = 10.0
START_SECONDS = 120.0  # a fresh interpreter importing openpyxl and the app's modules, on a loaded machine
T = TypeVar("T")
_ERROR_FIELDS = ("status", "message", "reason", "errors", "headers", "page_message", "context")


def _green() -> bool:
    try:
        from gevent.monkey import is_module_patched
    except ImportError:  # pragma: no cover - gevent is a dependency
        return False
    patched: bool = is_module_patched("threading")
    return patched


def _blocking(function: Callable[..., T], *args: Any) -> T:
    """A blocking call (pipe I/O) in gevent's thread pool when gevent runs this process."""
    if _green():
        from gevent import get_hub

        result: T = get_hub().threadpool.apply(function, args)
        return result
    return function(*args)


def _readable(connection: Connection, seconds: float) -> bool:
    """Wait for the worker's answer (or its end) without blocking the other greenlets."""
    if _green():
        from gevent.socket import wait_read

        try:
            wait_read(connection.fileno(), timeout=seconds)
        except OSError:  # socket.timeout (an OSError): nothing within the limit
            return False
        return True
    return bool(select.select([connection], [], [], seconds)[0])


# --- the worker process ---------------------------------------------------------------------------

def _reply(function: Callable[..., Any], args: tuple[Any, ...]) -> tuple[str, Any]:
    try:
        return "ok", function(*args)
    except ServiceError as error:
        return "refused", {name: getattr(error, name) for name in _ERROR_FIELDS}
    except Exception:  # noqa: BLE001 - a fault of the parse: the serving process logs it and answers 500
        return "fault", traceback.format_exc()


def _serve(connection: Connection, preload: str) -> None:
    """The worker's loop: import the parse's module, say so, then answer one job at a time."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the server ends us
    importlib.import_module(preload)
    connection.send("ready")
    while True:
        try:
            job = connection.recv()
        except (EOFError, OSError):  # the serving process is gone
            return
        if job is None:
            return
        try:
            connection.send(_reply(*job))
        except (BrokenPipeError, OSError):
            return


# --- the serving side -----------------------------------------------------------------------------

def _answer(reply: tuple[str, Any], function: Callable[..., Any]) -> Any:
    kind, value = reply
    if kind == "ok":
        return value
    if kind == "refused":
        fields = dict(value)
        raise ServiceError(fields.pop("status"), fields.pop("message"), **fields.pop("context"), **fields)
    log.error("parsing with %s failed in its worker process:\n%s", function.__qualname__, value)
    raise RuntimeError(f"{function.__qualname__} failed in its worker process")


def timed_out(seconds: float) -> ServiceError:
    return ServiceError(422, f"Reading the file took longer than {seconds:g} s; split it into smaller files.",
                        errors={"file": [f"not read within {seconds:g} s (the limit of an import)"]},
                        reason="parse_timeout")


class _Worker:
    def __init__(self, preload: str):
        context = multiprocessing.get_context("spawn")
        self.connection, child = context.Pipe()
        for end in (self.connection, child):  # a socket pair, which gevent's socket module made non-blocking
            os.set_blocking(end.fileno(), True)
        self.process = context.Process(target=_serve, args=(child, preload), daemon=True,
                                       name="competition-parse")
        self.process.start()
        child.close()
        self.ready = False

    def call(self, function: Callable[..., Any], args: tuple[Any, ...], seconds: float) -> tuple[str, Any]:
        if not self.ready:
            if not _readable(self.connection, START_SECONDS) or _blocking(self.connection.recv) != "ready":
                raise EOFError("the parse worker did not start")
            self.ready = True
        _blocking(self.connection.send, (function, args))
        if not _readable(self.connection, seconds):
            raise TimeoutError
        reply: tuple[str, Any] = _blocking(self.connection.recv)
        return reply

    def stop(self, *, kill: bool = False) -> None:
        if not kill and self.process.is_alive():
            try:
                self.connection.send(None)
            except OSError:
                kill = True
        if kill and self.process.is_alive():
            self.process.kill()
        self.connection.close()
        self.process.join(0 if kill else 2)
        if self.process.is_alive():
            self.process.kill()


class ParsePool:
    """At most `workers` parses at once, each in its own process; idle processes are kept."""

    def __init__(self, workers: int = WORKERS, wait_seconds: float = WAIT_SECONDS):
        self.pid = os.getpid()
        self.wait_seconds = wait_seconds
        self.slots = threading.BoundedSemaphore(workers)  # gevent's when gevent has patched threading
        self.idle: list[_Worker] = []
        self.busy: set[_Worker] = set()

    def run(self, function: Callable[..., T], args: tuple[Any, ...], seconds: float = PARSE_SECONDS) -> T:
        if not self.slots.acquire(timeout=self.wait_seconds):
            raise ServiceError(503, "Other imports are being read; try again shortly.", reason="imports_busy",
                               headers={"Retry-After": str(max(1, round(self.wait_seconds)))})
        try:
            worker = self._take(function.__module__)
            try:
                reply = worker.call(function, args, seconds)
            except TimeoutError:
                log.warning("parsing with %s took over %g s: its worker process is killed", function.__qualname__,
                            seconds)
                self._drop(worker)
                raise timed_out(seconds) from None
            except (EOFError, OSError) as error:  # the worker died (killed, out of memory)
                self._drop(worker)
                raise RuntimeError(f"the parse worker process ended: {error!r}") from None
            except BaseException:  # the request's greenlet killed, arguments that cannot cross: start afresh
                self._drop(worker)
                raise
            self.busy.discard(worker)
            self.idle.append(worker)
        finally:
            self.slots.release()
        result: T = _answer(reply, function)
        return result

    def _take(self, preload: str) -> _Worker:
        while True:
            try:
                worker = self.idle.pop()
            except IndexError:
                worker = _Worker(preload)
                break
            if worker.process.is_alive():
                break
            worker.stop(kill=True)  # ended while idle (killed from outside)
        self.busy.add(worker)
        return worker

    def _drop(self, worker: _Worker) -> None:
        self.busy.discard(worker)
        worker.stop(kill=True)

    def shutdown(self) -> None:
        if os.getpid() != self.pid:  # inherited by a fork: the processes are the parent's
            return
        for worker in self.idle:
            worker.stop()
        for worker in list(self.busy):
            worker.stop(kill=True)
        self.idle.clear()
        self.busy.clear()


_shared: ParsePool | None = None
_shared_lock = threading.Lock()


def shared_pool() -> ParsePool:
    """This process's pool, made at its first parse (after gevent has patched the process)."""
    global _shared
    with _shared_lock:
        if _shared is None or _shared.pid != os.getpid():
            _shared = ParsePool()
            atexit.register(_shared.shutdown)
        return _shared


def parse(function: Callable[..., T], *args: Any) -> T:
    """`function(*args)` in a worker process: a module-level function of plain arguments that returns
    plain data (or raises ServiceError). Under the app's config when there is one."""
    from flask import current_app, has_app_context

    config = current_app.config if has_app_context() else {}
    if config.get("COMPETITION_PARSE_IN_PROCESS"):
        result: T = _answer(_reply(function, args), function)
        return result
    return shared_pool().run(function, args, float(config.get("COMPETITION_PARSE_SECONDS") or PARSE_SECONDS))
