"""A real server process for browser and multi-process tests: `competition serve` (gunicorn, gevent)
on a free port, against its own database, started and stopped by the test."""
from __future__ import annotations

import atexit
import logging
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import requests


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def logging_kept() -> Iterator[None]:
    """Undo what an in-process command does to logging: Alembic's fileConfig and the app's JSON handler
    would otherwise stay bound to the runner's captured streams (and levels) for the later tests."""
    names = ["", "competition", "alembic", "sqlalchemy.engine", "flask_migrate"]
    loggers = [logging.getLogger(name) for name in names]
    saved = [(lg.handlers[:], lg.level, lg.propagate, lg.disabled) for lg in loggers]
    try:
        yield
    finally:
        for lg, (handlers, level, propagate, disabled) in zip(loggers, saved):
            lg.handlers[:] = handlers
            lg.setLevel(level)
            lg.propagate, lg.disabled = propagate, disabled


@dataclass
class LiveServer:
    database_url: str
    instance_path: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "COMPETITION_DATABASE_URL": self.database_url,
                "COMPETITION_INSTANCE_PATH": str(self.instance_path),
                "COMPETITION_SECRET_KEY": "live-test-secret", **self.extra_env}

    def command(self, *args: str, stdin: str | None = None) -> str:
        """`competition ARGS` against this server's database, run in this process through click's test
        runner (tests/test_audit.py runs the console script itself): a subprocess would spend a
        second or two importing the application for each command."""
        from click.testing import CliRunner

        from competition.cli import main

        env = {key: value for key, value in self.env.items() if key.startswith("COMPETITION_")}
        with logging_kept():
            result = CliRunner().invoke(main, list(args), input=stdin, env=env)
        if result.exit_code != 0:
            raise RuntimeError(f"competition {' '.join(args)} failed ({result.exit_code}): {result.output}"
                               f"{result.exception!r}")
        return result.stdout

    def start(self, timeout: float = 120) -> LiveServer:
        """Start and wait for /healthz. The timeout bounds a loaded machine (parallel workers importing the
        app while the other tests run), it is not a figure: a healthy start takes a few seconds."""
        with open(self.instance_path / f"server-{self.port}.log", "ab") as log:  # the server keeps its own
            self.process = subprocess.Popen(
                [sys.executable, "-m", "competition", "serve", "--host", "127.0.0.1", "--port", str(self.port)],
                env=self.env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log_tail()}")
            try:
                if requests.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            except requests.RequestException:  # refused, or accepted before the worker is ready
                pass
            time.sleep(0.2)
        raise RuntimeError(f"server did not start: {self.log_tail()}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def log_tail(self, lines: int = 40) -> str:
        path = self.instance_path / f"server-{self.port}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""


def prepared_server(tmp_path: Path, database_url: str | None = None, **extra_env: str) -> LiveServer:
    """A server whose database is migrated (and nothing else yet). Without a database_url, a SQLite file
    copied from the one `competition db upgrade` made for this process's first server."""
    instance = tmp_path / "instance"
    instance.mkdir(exist_ok=True)
    if database_url is None:
        path = instance / "live.sqlite3"
        shutil.copyfile(_migrated_sqlite(), path)
        return LiveServer(f"sqlite:///{path}", instance, dict(extra_env))
    server = LiveServer(database_url, instance, dict(extra_env))
    server.command("db", "upgrade")
    return server


_MIGRATED: list[Path] = []


def _migrated_sqlite() -> Path:
    """A SQLite file migrated by `competition db upgrade` once per process (the migrations take a second
    or two of CPU; a browser test needs a server each), with its write-ahead log folded in."""
    if not _MIGRATED:
        directory = Path(tempfile.mkdtemp(prefix="competition-migrated-"))
        atexit.register(shutil.rmtree, directory, True)
        path = directory / "migrated.sqlite3"
        LiveServer(f"sqlite:///{path}", directory).command("db", "upgrade")
        with closing(sqlite3.connect(path)) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        _MIGRATED.append(path)
    return _MIGRATED[0]
