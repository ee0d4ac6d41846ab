"""operations.md, Production and scale-out: the production topology, run for real on this machine.

A real nginx, configured from deploy/nginx/competition.conf itself (rendered with local ports and
paths, never a second copy of its directives), in front of two `competition serve` processes
(gunicorn, gevent) sharing one migrated PostgreSQL schema and one Redis channel. Through nginx:
a real Chromium page follows the live board over a websocket, a polling-only Socket.IO client stays
on one process (sticky sessions), marks are PUT until both processes have accepted some, and every
new total shows on the page within 2 s whichever process accepted it. nginx serves /static itself:
with cache headers, and still after both app processes are stopped.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
import uuid
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.worlds import world_in
from tests.conftest import REDIS_URL, service_unavailable
from tests.live_server import LiveServer, free_port, prepared_server

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "deploy" / "nginx" / "competition.conf"
# Where the site file expects the installed package's static folder (documented in the file).
DEPLOYED_STATIC = "/opt/competition/venv/lib/python3.11/site-packages/competition/static"
MIME_TYPES = Path("/etc/nginx/mime.types")


def nginx_binary() -> str | None:
    named = os.environ.get("COMPETITION_TEST_NGINX")
    if named:
        return named if Path(named).exists() else None
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx")
                                          if Path(p).exists()), None)


# --- rendering the real site file ----------------------------------------------------------------

def render_site(backends: list[int], listen_port: int, static: Path, logs: Path) -> str:
    """deploy/nginx/competition.conf with the upstream servers, the listen address, the static folder
    and the log folder replaced; every other directive is the file's own."""
    text = SITE.read_text()

    upstream = re.search(r"upstream\s+competition_app\s*\{(?P<body>[^}]*)\}", text)
    assert upstream, "competition.conf has no `upstream competition_app { ... }` block"
    server_line = re.compile(r"^[ \t]*server[ \t]+127\.0\.0\.1:\d+;[ \t]*\n", re.M)
    body = upstream.group("body")
    first = server_line.search(body)
    assert first, "the upstream block has no `server 127.0.0.1:PORT;` line"
    body = server_line.sub("", body)
    ours = "".join(f"    server 127.0.0.1:{port};\n" for port in backends)
    body = body[:first.start()] + ours + body[first.start():]
    text = text[:upstream.start("body")] + body + text[upstream.end("body"):]

    listens = 0

    def listen(match: re.Match) -> str:
        nonlocal listens
        listens += 1
        return f"{match.group(1)}listen 127.0.0.1:{listen_port};\n" if listens == 1 else ""

    text = re.sub(r"^([ \t]*)listen[ \t]+[^;]+;[ \t]*\n", listen, text, flags=re.M)
    assert listens, "competition.conf has no `listen` directive"

    assert text.count(DEPLOYED_STATIC) == 2, f"competition.conf should alias /static/ and /static/vendor/ " \
                                             f"to {DEPLOYED_STATIC}"
    text = text.replace(DEPLOYED_STATIC, str(static))
    assert "/var/log/nginx/" in text
    return text.replace("/var/log/nginx/", f"{logs}/")


def main_config(prefix: Path, site: Path) -> str:
    """What /etc/nginx/nginx.conf is to the site in production: the http block around it, with every
    path nginx writes to under the test's own prefix."""
    mime = f"include {MIME_TYPES};" if MIME_TYPES.exists() else (
        "types { text/html html; text/css css; application/javascript js; application/json json;"
        " image/svg+xml svg; image/png png; text/plain txt; }")
    temp = "\n".join(f"    {name}_temp_path {prefix / 'temp' / name};"
                     for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    # As root, nginx's workers would switch to `nobody`, who cannot enter pytest's private tmp folder.
    user = "user root root;\n" if os.geteuid() == 0 else ""
    return (f"{user}worker_processes 1;\npid {prefix / 'nginx.pid'};\n"
            f"error_log {prefix / 'logs' / 'error.log'} info;\n"
            "events { worker_connections 1024; }\n"
            "http {\n"
            f"    {mime}\n    default_type application/octet-stream;\n    sendfile on;\n{temp}\n"
            f"    access_log {prefix / 'logs' / 'access.log'};\n"
            f"    include {site};\n"
            "}\n")


@dataclass
class Nginx:
    prefix: Path
    port: int
    process: subprocess.Popen

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def access_log(self) -> Path:
        return self.prefix / "logs" / "competition.access.log"

    def log_tail(self) -> str:
        path = self.prefix / "logs" / "error.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-30:]) if path.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_nginx(binary: str, prefix: Path, backends: list[int]) -> Nginx:
    for folder in ("logs", "temp"):
        (prefix / folder).mkdir(parents=True, exist_ok=True)
    from competition.paths import STATIC

    port = free_port()
    site = prefix / "competition.conf"
    site.write_text(render_site(backends, port, STATIC, prefix / "logs"))
    conf = prefix / "nginx.conf"
    conf.write_text(main_config(prefix, site))
    base = [binary, "-p", f"{prefix}/", "-e", str(prefix / "logs" / "error.log"), "-c", str(conf)]
    checked = subprocess.run([*base, "-t"], capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, f"nginx -t refused the rendered site:\n{checked.stderr}"
    with open(prefix / "logs" / "stdout.log", "ab") as output:  # nginx keeps its own descriptor
        process = subprocess.Popen([*base, "-g", "daemon off;"], stdout=output, stderr=subprocess.STDOUT)
    nginx = Nginx(prefix, port, process)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"nginx exited: {nginx.log_tail()}")
        try:
            if requests.get(f"{nginx.url}/healthz", timeout=2).status_code == 200:
                return nginx
        except requests.ConnectionError:
            pass
        time.sleep(0.1)
    nginx.stop()
    raise RuntimeError(f"nginx did not proxy /healthz: {nginx.log_tail()}")


def start_server(server: LiveServer, timeout: float = 30) -> None:
    """LiveServer.start, tolerating a slow worker boot: gunicorn's master accepts connections before
    its worker has imported the app (about 2 s here), and LiveServer.start gives up on the first
    /healthz read timeout instead of trying again."""
    try:
        server.start(timeout)
        return
    except RuntimeError:
        raise
    except requests.RequestException:
        pass
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"server exited: {server.log_tail()}")
        try:
            if requests.get(f"{server.url}/healthz", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server did not start: {server.log_tail()}")


# --- services ---------------------------------------------------------------------------------------

@pytest.fixture
def nginx_path() -> str:
    binary = nginx_binary()
    if binary is None:
        named = os.environ.get("COMPETITION_TEST_NGINX")
        service_unavailable("nginx", f"{named} does not exist" if named else
                            "no nginx binary on PATH or in /usr/sbin (apt-get install -y nginx)")
    return binary


@pytest.fixture
def redis_url() -> str:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as exc:  # noqa: BLE001
        service_unavailable("Redis", f"{REDIS_URL}: {exc}")
    return REDIS_URL


@pytest.fixture
def topology(tmp_path, nginx_path, empty_postgres_url, redis_url):
    """nginx in front of two app processes on one schema and one Redis channel, with a running contest."""
    env = {"COMPETITION_REDIS_URL": redis_url, "COMPETITION_REDIS_CHANNEL": f"competition-test-{uuid.uuid4().hex[:8]}"}
    servers = []
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        servers.append(prepared_server(tmp_path / name, empty_postgres_url, **env))
    with world_in(empty_postgres_url) as (_app, world):
        pass
    nginx = None
    try:
        for server in servers:
            start_server(server)
        nginx = start_nginx(nginx_path, tmp_path / "nginx", [server.port for server in servers])
        yield nginx, servers, world
    finally:
        if nginx is not None:
            nginx.stop()
        for server in servers:
            server.stop()


# --- helpers -----------------------------------------------------------------------------------------

def marks_served(server: LiveServer) -> int:
    """PUT .../marks requests in the process's own JSON request log."""
    path = server.instance_path / f"server-{server.port}.log"
    count = 0
    for line in path.read_text(errors="replace").splitlines():
        if not line.startswith("{"):
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if (entry.get("logger") == "competition.access" and entry.get("method") == "PUT"
                and str(entry.get("path", "")).endswith("/marks")):
            count += 1
    return count


class PollingSpectator:
    """A Socket.IO client on the long-polling transport only: it works through nginx only if every
    request of its session reaches the same process."""

    def __init__(self, url: str, contest_id: int):
        import socketio

        self.updates: list[dict] = []
        self.client = socketio.Client(reconnection=False)
        self.client.on("board:update", self.updates.append, namespace="/live")
        self.client.connect(url, namespaces=["/live"], transports=["polling"],
                            auth={"contest_id": contest_id, "view": "public"}, wait_timeout=10)

    def wait_for_total(self, competitor_id: int, total: str, timeout: float = 5) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for update in list(self.updates):
                if any(row["competitor"]["id"] == competitor_id and row["total"] == total
                       for row in update["rows"]):
                    return
            time.sleep(0.05)
        raise AssertionError(f"the polling client never saw total {total}; "
                             f"seqs {[u['seq'] for u in self.updates]}")


def upstreams_of_polling(nginx: Nginx) -> dict[str, set[str]]:
    """Engine.IO session id -> the upstream addresses nginx sent its polling requests to."""
    sessions: dict[str, set[str]] = {}
    for line in nginx.access_log.read_text(errors="replace").splitlines():
        query = re.search(r"\"[A-Z]+ /socket\.io/\?(\S*) HTTP", line)
        sid = re.search(r"(?:^|&)sid=([^&]+)", query.group(1)) if query else None
        upstream = re.search(r"upstream=(\S+)", line)
        if sid and upstream and "transport=polling" in query.group(1):
            sessions.setdefault(sid.group(1), set()).add(upstream.group(1))
    return sessions


# --- the test ----------------------------------------------------------------------------------------

def test_behind_nginx_marks_reach_the_board_from_either_process_and_nginx_serves_static(topology, page):
    nginx, (a, b), world = topology
    c3 = world.competitors["c3"]

    # Static files come from nginx: its cache headers, none of the app's headers, gzip on CSS and JS.
    css = requests.get(f"{nginx.url}/static/css/app.css", headers={"Accept-Encoding": "gzip"}, timeout=10)
    assert css.status_code == 200
    assert css.headers["Cache-Control"] == "public, max-age=3600"
    assert css.headers.get("Content-Encoding") == "gzip"
    assert "Content-Security-Policy" not in css.headers  # the app sets it on everything it serves
    from competition.paths import STATIC

    assert css.content == (STATIC / "css" / "app.css").read_bytes()
    vendor = requests.get(f"{nginx.url}/static/vendor/socket.io-client/socket.io.min.js", timeout=10)
    assert vendor.status_code == 200
    assert vendor.headers["Cache-Control"] == "public, max-age=2592000"
    assert "javascript" in vendor.headers["Content-Type"]
    # Everything else is the app's, proxied: its security headers, gzip'd JSON.
    spec = requests.get(f"{nginx.url}/api/v1/openapi.json", headers={"Accept-Encoding": "gzip"}, timeout=10)
    assert spec.status_code == 200 and spec.headers.get("Content-Encoding") == "gzip"
    assert "Content-Security-Policy" in spec.headers
    ready = requests.get(f"{nginx.url}/readyz", timeout=10)
    assert ready.status_code == 200 and ready.json()["checks"] == {"database": "ok", "redis": "ok"}

    # A real browser on the board, through nginx: page, static modules and the websocket.
    websockets: list[str] = []
    page.on("websocket", lambda ws: websockets.append(ws.url))
    page.goto(f"{nginx.url}/board/{world.contest_id}")
    page.get_by_test_id("connection").filter(has_text="实时连接").wait_for(timeout=10000)
    assert any(url.startswith(f"ws://127.0.0.1:{nginx.port}/socket.io/") for url in websockets), websockets
    assert "competition_affinity" in {cookie["name"] for cookie in page.context.cookies()}
    total_cell = page.locator(f'#board-rows tr[data-id="{c3}"] td.total')
    assert total_cell.inner_text() == "0.00"

    polling = PollingSpectator(nginx.url, world.contest_id)
    try:
        # Marks through nginx without cookies: nginx spreads them over both processes. Keep going
        # until each process has accepted at least one (and at least four in all).
        values = ["1", "2.5", "4.5", "3", "0.5", "5", "1.5", "4", "2", "3.5"]
        served = {a.port: marks_served(a), b.port: marks_served(b)}
        accepted_by: list[int] = []
        for attempt in range(40):
            value = values[attempt % len(values)]
            total = f"{Decimal(value) * 5:.2f}"  # A1 is 5 of 20 points of a component weighing 100
            started = time.monotonic()
            response = requests.put(f"{nginx.url}/api/v1/contests/{world.contest_id}/marks", timeout=10,
                                    json={"competitor_id": c3, "aspect_code": "A1", "value": value},
                                    headers=world.judges["j1"].headers)
            assert response.status_code in (200, 201), response.text
            now = {a.port: marks_served(a), b.port: marks_served(b)}
            grew = [port for port in now if now[port] > served[port]]
            assert len(grew) == 1, f"one process must have logged the PUT: {served} -> {now}"
            accepted_by.append(grew[0])
            served = now
            expect(total_cell).to_have_text(total, timeout=2000)
            assert time.monotonic() - started < 2, f"total {total} (via :{grew[0]}) took too long"
            polling.wait_for_total(c3, total)
            if len(accepted_by) >= 4 and {a.port, b.port} <= set(accepted_by):
                break
        assert {a.port, b.port} <= set(accepted_by), f"nginx sent every PUT to one process: {accepted_by}"
    finally:
        polling.client.disconnect()

    # A QR sign-in link's one-time token stays out of nginx's log (the app answers 410: unknown).
    secret = f"qr-secret-{int(time.time() * 1000)}"
    assert requests.get(f"{nginx.url}/judge/qr/{secret}", timeout=10).status_code == 410
    redacted = '"GET /judge/qr/[redacted] HTTP/1.1" 410'
    deadline = time.monotonic() + 10  # nginx logs a request after its answer has gone out
    while redacted not in (logged := nginx.access_log.read_text(errors="replace")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert secret not in logged and redacted in logged

    # The polling session stayed on one process the whole time (sticky sessions).
    sid_upstreams = upstreams_of_polling(nginx)
    assert sid_upstreams, "no polling requests in nginx's access log"
    for sid, upstreams in sid_upstreams.items():
        assert len(upstreams) == 1, f"polling session {sid} was spread over {upstreams}"
    assert page.console_errors == []

    # With both app processes gone, nginx still serves the static files (and 502 for the rest).
    a.stop()
    b.stop()
    assert requests.get(f"{nginx.url}/healthz", timeout=10).status_code == 502
    again = requests.get(f"{nginx.url}/static/css/app.css", timeout=10)
    assert again.status_code == 200 and again.content == css.content
