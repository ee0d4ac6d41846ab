"""Regenerate the screenshots of the role guides (docs/guide-*.md) from the demo contest.

    make screenshots                         # installs the `docs` extra, writes docs/images/*.png
    .venv/bin/python docs/screenshots.py --out /tmp/shots

What it does, start to end, without touching the developer's own database under instance/: a
temporary instance directory with a fresh SQLite database, `competition db upgrade`, `competition
demo` (the same demo contest that `make run` loads), then `competition serve` on a free loopback
port. Playwright drives Debian's Chromium (/usr/bin/chromium, headless; no browser download) through
the roles in the order a contest day runs: the organiser (sign-in, contest list, the organiser's
console and a contest's page, API docs, the judges' QR sheet, the big screen), a judge on a tablet
(QR sign-in, a judgement, a measurement, the offline queue, a reconciliation, a locked module), the
chief judge (console, reconciliation alert, every judge's values, a lock and the unlock dialog, the
judge analysis), the rest of the marking through the API as the judges' tablets would send it, locks
and finalisation, the public board and the results ceremony, the HR officers (overview, grade scheme,
import with a bad row and then a good file, roster, promotions, confirming one, the certificate, its
public verification page) and the operator's pages (API docs, /readyz).

Every step waits for the state it photographs and fails loudly when the interface no longer gets
there, so a run that finishes is also a smoke test of the guides. The image names are fixed (the
guides link them); IMAGES below lists them all. With Pillow installed (the `docs` extra), each PNG is
reduced to a 256-colour palette, which keeps the whole set small enough to commit. Some of the images
are then taken from the role journeys instead (docs/journey_images.py, `make journey-images`): run
that after this script.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import random
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = Path(__file__).resolve().parent / "images"
CHROMIUM = os.environ.get("COMPETITION_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PASSWORD = "demo-pass-2026"  # competition.demo.DEMO_PASSWORD
CONTEST = 1  # the demo contest is the first one in a fresh database

DESKTOP = {"width": 1280, "height": 800}
LAPTOP = {"width": 1366, "height": 768}
TABLET = {"width": 1024, "height": 768}
PHONE = {"width": 390, "height": 844}
BIG_SCREEN = {"width": 1920, "height": 1080}
SCREEN_720 = {"width": 1280, "height": 720}
SCREEN_4K = {"width": 3840, "height": 2160}
# The big screen's three reference sizes (live.md, Pages): the 1080p shots keep their older names.
SCREENS = ((SCREEN_720, "1280x720"), (BIG_SCREEN, ""), (SCREEN_4K, "3840x2160"))

# Every image the script writes, in the order it writes them (the guides link each of them).
IMAGES = [
    "organiser-login.png", "organiser-contests.png", "organiser-console.png", "organiser-contest-page.png",
    "organiser-api-authorize.png", "organiser-api-contest.png",
    "organiser-api-scheme.png",
    "organiser-judge-qr.png",
    "judge-sign-in.png", "judge-qr-confirm.png", "judge-contests.png", "judge-worklist.png", "judge-judgement.png",
    "judge-measurement.png", "judge-saved.png", "judge-offline.png",
    "chief-console.png", "chief-values.png", "judge-reconcile.png", "chief-lock.png", "chief-unlock.png",
    "judge-locked.png", "chief-analysis.png", "chief-status.png",
    "board-phone.png", "board-phone-sheet.png",
    "board-screen-1280x720.png", "organiser-big-screen.png", "board-screen-page2.png", "board-screen-3840x2160.png",
    "landing.png",
    "event-phone.png", "event-screen-board.png", "event-screen-medals.png", "event-screen-ceremony.png",
    "board-overlay-1280x720.png", "board-overlay.png", "board-overlay-3840x2160.png", "board-held-phone.png",
    "board-reveal-1280x720.png", "organiser-reveal.png", "board-reveal-3840x2160.png", "board-final-phone.png",
    "hr-overview.png", "hr-grade-scheme.png", "hr-import-errors.png",
    "hr-import-done.png", "hr-people.png", "hr-promotions.png", "hr-confirm.png", "hr-confirmed.png",
    "hr-structure.png", "hr-certificate.png", "hr-verify.png",
    "operator-api-docs.png", "operator-readyz.png",
]


STARTED = time.monotonic()


def log(message: str) -> None:
    print(f"screenshots [{time.monotonic() - STARTED:5.1f}s] {message}", flush=True)


# --- the server ------------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """`competition serve` (gunicorn, gevent, one process) on a fresh SQLite database in `home`."""

    def __init__(self, home: Path):
        self.home = home
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        env = {k: v for k, v in os.environ.items() if not k.startswith("COMPETITION_")}
        self.env = env | {
            "COMPETITION_DATABASE_URL": f"sqlite:///{home / 'screenshots.sqlite3'}",
            "COMPETITION_INSTANCE_PATH": str(home),
            "COMPETITION_SECRET_KEY": secrets.token_hex(32),
            "COMPETITION_LOG_LEVEL": "WARNING",
        }

    def command(self, *args: str) -> str:
        result = subprocess.run([sys.executable, "-m", "competition", *args], env=self.env, cwd=ROOT,
                                capture_output=True, text=True, timeout=300)
        if result.returncode != 0:
            raise RuntimeError(f"competition {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def start(self, timeout: float = 120) -> None:
        self.log_file = open(self.home / "server.log", "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "competition", "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            env=self.env, cwd=ROOT, stdout=self.log_file, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"the server did not start:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if getattr(self, "log_file", None):
            self.log_file.close()

    def log_tail(self, lines: int = 40) -> str:
        path = self.home / "server.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""


class ApiError(RuntimeError):
    def __init__(self, status: int, body: Any, what: str):
        super().__init__(f"{what}: {status} {body}")
        self.status = status
        self.body = body


class Api:
    """The JSON API with bearer tokens, one per demo account (urllib: no extra dependency)."""

    def __init__(self, url: str):
        self.url = url
        self.tokens: dict[str, str] = {}

    def token(self, username: str) -> str:
        if username not in self.tokens:
            answer = self._send("POST", "/auth/token", {"username": username, "password": PASSWORD}, None)
            self.tokens[username] = answer["token"]
        return self.tokens[username]

    def __call__(self, user: str, method: str, path: str, body: Any = None) -> Any:
        return self._send(method, path, body, self.token(user))

    def _send(self, method: str, path: str, body: Any, token: str | None) -> Any:
        headers = {"Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if token:
            headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(f"{self.url}/api/v1{path}", data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                raw = response.read()
        except urllib.error.HTTPError as error:
            raw = error.read()
            try:
                parsed = json.loads(raw)
            except ValueError:
                parsed = raw.decode(errors="replace")
            raise ApiError(error.code, parsed, f"{method} {path}") from None
        return json.loads(raw) if raw else None


# --- the contest, through the API ------------------------------------------------------------------------

class Contest:
    """The demo contest as the API shows it to the chief judge, and the marks the judges still owe."""

    def __init__(self, api: Api, seed: int = 2026):
        self.api = api
        self.rng = random.Random(seed)
        scheme = api("demo_organizer", "GET", f"/contests/{CONTEST}/marking-scheme")
        self.aspects: dict[str, dict[str, Any]] = {}
        self.module_of: dict[str, str] = {}
        for component in scheme["components"]:
            for module in component["modules"]:
                for aspect in module["aspects"]:
                    self.aspects[aspect["code"]] = aspect
                    self.module_of[aspect["code"]] = module["code"]
        self.judges = api("demo_organizer", "GET", f"/contests/{CONTEST}/judges")
        self.username = {j["user_id"]: j["username"] for j in self.judges}
        self.competitors = api("demo_organizer", "GET", f"/contests/{CONTEST}/competitors")
        self.by_id = {c["id"]: c for c in self.competitors}

    def progress(self) -> dict[str, Any]:
        return self.api("demo_chief", "GET", f"/contests/{CONTEST}/progress")

    def marks(self) -> dict[tuple[int, str], dict[int, str]]:
        """(competitor id, aspect code) -> {judge user id: value}."""
        found: dict[tuple[int, str], dict[int, str]] = {}
        for mark in self.api("demo_chief", "GET", f"/contests/{CONTEST}/marks"):
            found.setdefault((mark["competitor_id"], mark["aspect_code"]), {})[mark["judge_id"]] = mark["value"]
        return found

    def may_mark(self, judge: dict[str, Any], competitor_id: int) -> bool:
        """Conflict of interest (回避): never a competitor of the judge's own employer."""
        employers = {m["enterprise_id"] for m in self.by_id[competitor_id]["members"]}
        return judge["enterprise_id"] is None or judge["enterprise_id"] not in employers

    def eligible(self, competitor_id: int, aspect_code: str, have: dict[int, str],
                 exclude: tuple[str, ...] = ()) -> list[str]:
        return [j["username"] for j in self.judges
                if j["user_id"] not in have and j["username"] not in exclude and self.may_mark(j, competitor_id)]

    def put(self, username: str, competitor_id: int, aspect_code: str, value: str) -> dict[str, Any]:
        return self.api(username, "PUT", f"/contests/{CONTEST}/marks",
                        {"competitor_id": competitor_id, "aspect_code": aspect_code, "value": value})

    def plausible(self, competitor_id: int, aspect_code: str) -> str:
        from competition.demo_marks import plausible, skill_of

        return plausible(self.aspects[aspect_code], skill_of(competitor_id), self.rng)

    def fill(self, modules: set[str]) -> int:
        """Enter every value still missing in these modules, as the judges' tablets would."""
        marks = self.marks()
        entered = 0
        for competitor in self.competitors:
            for code, aspect in self.aspects.items():
                if self.module_of[code] not in modules:
                    continue
                have = marks.get((competitor["id"], code), {})
                missing = max(0, aspect["panel_size"] - len(have))
                for username in self.eligible(competitor["id"], code, have)[:missing]:
                    self.put(username, competitor["id"], code, self.plausible(competitor["id"], code))
                    entered += 1
        return entered

    def reconcile(self, modules: set[str]) -> int:
        """Bring every flagged aspect within its spread: each outlying judge moves to the median."""
        changed = 0
        for item in self.progress()["reconciliation"]:
            competitor_id = item["competitor"]["id"]
            code = item["aspect_code"]
            if self.module_of[code] not in modules:
                continue
            values = sorted(Decimal(v["value"]) for v in item["values"])
            target = values[(len(values) - 1) // 2]
            for value in item["values"]:
                if Decimal(value["value"]) != target:
                    self.put(self.username[value["judge_id"]], competitor_id, code, str(target))
                    changed += 1
        return changed


# --- the browser -----------------------------------------------------------------------------------------

class Shots:
    """Browser contexts per device, sign-in, and the PNG files."""

    def __init__(self, browser, server: Server, out: Path):
        self.browser = browser
        self.server = server
        self.out = out
        self.written: list[str] = []
        self.contexts = []
        self.api = Api(server.url)
        self.page_errors: list[str] = []

    def context(self, viewport=DESKTOP, touch: bool = False, mobile: bool = False):
        context = self.browser.new_context(viewport=viewport, has_touch=touch, is_mobile=mobile, locale="zh-CN",
                                           timezone_id="Asia/Shanghai", device_scale_factor=1)
        context.set_default_timeout(20_000)
        self.contexts.append(context)
        return context

    def page(self, viewport=DESKTOP, touch: bool = False, mobile: bool = False):
        page = self.context(viewport, touch, mobile).new_page()
        page.on("pageerror", lambda exc: self.page_errors.append(f"{page.url}: {exc}"))
        return page

    def sign_in(self, page, username: str, next_path: str) -> None:
        from playwright.sync_api import expect

        page.goto(f"{self.server.url}/login?next={next_path}")
        page.locator('input[name="username"]').fill(username)
        page.locator('input[name="password"]').fill(PASSWORD)
        page.locator("#login-form button[type=submit]").click()
        page.wait_for_url(f"{self.server.url}{next_path.split('?')[0]}*")
        expect(page.get_by_test_id("signed-in-as")).to_be_visible()

    def save(self, target, name: str, *, full_page: bool = False) -> None:
        """Screenshot a page (the viewport, or the whole page) or one element to OUT/name."""
        assert name in IMAGES, f"{name} is not in IMAGES"
        if hasattr(target, "mouse"):  # a page
            png = target.screenshot(full_page=full_page, animations="disabled", caret="hide")
        else:
            png = target.screenshot(animations="disabled", caret="hide")
        (self.out / name).write_bytes(compact(png))
        self.written.append(name)
        log(f"{name} ({(self.out / name).stat().st_size // 1024} KiB)")

    def close(self) -> None:
        """Close every open page: live pages left open would keep refetching on each mark that follows."""
        for context in self.contexts:
            context.close()
        self.contexts = []


def compact(png: bytes) -> bytes:
    """A 256-colour palette PNG (Pillow, from the `docs` extra), 64 colours for the larger shots (the
    boards' few flat colours survive it, and a 4K board stays near 300 KiB); the original when Pillow
    is missing."""
    try:
        from PIL import Image
    except ImportError:
        return png
    image = Image.open(io.BytesIO(png)).convert("RGB")
    colours = 64 if image.width * image.height > 2_500_000 else 256
    reduced = image.quantize(colors=colours, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    buffer = io.BytesIO()
    reduced.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue() if buffer.tell() < len(png) else png


# --- the scenes ------------------------------------------------------------------------------------------

def organiser(shots: Shots) -> str:
    """Sign-in, the contest list, the organiser's console and the demo contest's page, the API docs
    (the same set-up, scripted), the QR sheet.
    Returns the QR sign-in link of demo_judge3."""
    from playwright.sync_api import expect

    url = shots.server.url
    page = shots.page()
    page.goto(f"{url}/login?next=/contests")
    page.locator('input[name="username"]').fill("demo_organizer")
    page.locator('input[name="password"]').fill(PASSWORD)
    shots.save(page, "organiser-login.png")
    page.locator("#login-form button[type=submit]").click()
    page.wait_for_url(f"{url}/contests")
    expect(page.locator("td", has_text="2026年辽宁省电工职业技能竞赛（示例）")).to_be_visible()
    shots.save(page, "organiser-contests.png")

    page.goto(f"{url}/organize")
    expect(page.get_by_test_id("organize-contests").locator("tbody tr")).not_to_have_count(0)
    shots.save(page, "organiser-console.png")
    page.goto(f"{url}/organize/contests/{CONTEST}")
    expect(page.get_by_test_id("scheme").locator("tbody tr")).not_to_have_count(0)
    expect(page.get_by_test_id("judges").locator("tbody tr")).to_have_count(7)
    expect(page.get_by_test_id("competitors").locator("tbody tr")).not_to_have_count(0)
    shots.save(page, "organiser-contest-page.png")

    api_docs_setup(shots, page)

    page.goto(f"{url}/contests/{CONTEST}/judge-qr")
    expect(page.get_by_test_id("qr-card")).to_have_count(7)
    shots.save(page, "organiser-judge-qr.png")
    link = page.locator('a.qr-link[data-username="demo_judge3"]').get_attribute("href")
    assert link and "/judge/qr/" in link, link
    return link


DRAFT = {
    "name": "2026年公司电工技能比武（草稿）", "occupation_code": "6-31-01-03", "tier": "enterprise",
    "timezone": "Asia/Shanghai", "starts_at": "2026-12-08T08:30:00+08:00", "ends_at": "2026-12-09T17:30:00+08:00",
    "visibility": "live", "precision": 2, "blind": True, "team_size": 1, "appeal_window_minutes": 120,
    "tie_breakers": [{"component": "P"}, {"time_used": "asc"}],
    "promotion_policy": {"min_total": "60.00", "eligible_kinds": ["employee"], "once_per_year": True, "bands": [
        {"name": "前3名", "ranks": [1, 3], "action": {"to_level": 2, "if_held": "next_level"}, "cap_level": 1},
        {"name": "前30%", "top_percent": 30, "action": {"raise_levels": 1}, "cap_level": 3}]},
}


def operation(page, method: str, path: str):
    """One operation of the Swagger UI on /api/docs, by method and the end of its path."""
    return page.locator(f".opblock.opblock-{method}").filter(
        has=page.locator(".opblock-summary-path", has_text=re.compile(re.escape(path) + "$")))


def execute(page, op, expected: int, **fields) -> str:
    """Try an operation out: fill the path parameters and the body, execute, wait for the answer."""
    from playwright.sync_api import expect

    op.locator(".opblock-summary").click()
    op.locator("button.try-out__btn").click()
    for name, value in fields.items():
        if name == "body":
            op.locator("textarea.body-param__text").fill(json.dumps(value, ensure_ascii=False, indent=2))
        elif name == "file":
            op.locator("input[type=file]").set_input_files(str(value))
        else:
            op.locator(f'input[placeholder="{name}"]').fill(str(value))
    op.locator("button.execute").click()
    status = op.locator(".live-responses-table tbody .response-col_status").first
    expect(status).to_have_text(str(expected))
    return op.locator(".live-responses-table tbody .response-col_description pre").first.inner_text()


TRIM_OPERATION = """op => {
    // Keep what was sent and what came back: hide the curl line, the request URL, the response
    // headers and the documented example responses; show the top of the request and response bodies.
    const hide = (node) => { if (node) node.style.display = 'none'; };
    op.querySelectorAll('.curl-command, .request-url').forEach(hide);
    op.querySelectorAll('table.responses-table:not(.live-responses-table)').forEach(hide);
    op.querySelectorAll('.responses-inner > div > h4').forEach(hide);
    op.querySelectorAll('.live-responses-table h5').forEach((h) => {
        if (/header/i.test(h.textContent)) { hide(h.nextElementSibling); hide(h); }
    });
    op.querySelectorAll('.live-responses-table pre').forEach((pre) => {
        pre.style.maxHeight = '300px'; pre.style.overflow = 'hidden';
    });
    op.querySelectorAll('textarea.body-param__text').forEach((area) => {
        area.style.height = '300px'; area.scrollTop = 0;
    });
}"""


def api_docs_setup(shots: Shots, page) -> None:
    """The organiser sets up a draft contest on /api/docs: authorise with a token, create the contest,
    import its marking scheme from the Excel template."""
    from playwright.sync_api import expect

    url = shots.server.url
    token = shots.api.token("demo_organizer")
    template = shots.server.home / "评分标准.xlsx"
    request = urllib.request.Request(f"{url}/api/v1/marking-scheme-template.xlsx",
                                     headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        template.write_bytes(response.read())

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{url}/api/docs")
    expect(page.locator(".opblock").first).to_be_visible()
    page.locator(".auth-wrapper button.authorize").click()
    modal = page.locator(".modal-ux")
    expect(modal).to_be_visible()
    modal.locator("input").first.fill(token)
    shots.save(page, "organiser-api-authorize.png")
    modal.locator("button.authorize").click()
    modal.locator("button.btn-done").click()
    expect(modal).to_be_hidden()

    create = operation(page, "post", "/api/v1/contests")
    created = json.loads(execute(page, create, 201, body=DRAFT))
    assert created["state"] == "draft", created
    create.evaluate(TRIM_OPERATION)
    shots.save(create, "organiser-api-contest.png")
    create.locator(".opblock-summary").click()

    scheme = operation(page, "post", "/marking-scheme/import")
    answer = json.loads(execute(page, scheme, 200, contest_id=created["id"], file=template))
    assert answer["components"], answer
    scheme.evaluate(TRIM_OPERATION)
    shots.save(scheme, "organiser-api-scheme.png")
    page.set_viewport_size(DESKTOP)


class Tablet:
    """demo_judge3 on a landscape tablet with touch."""

    def __init__(self, shots: Shots):
        self.shots = shots
        self.page = shots.page(TABLET, touch=True)
        self.url = shots.server.url

    def tile(self, competitor_id: int):
        return self.page.locator(f'.judge-tile[data-id="{competitor_id}"]')

    def choose(self, module: str, competitor_id: int, aspect: str) -> None:
        from playwright.sync_api import expect

        self.page.locator(f'.judge-module[data-module="{module}"]').tap()
        self.tile(competitor_id).tap()
        self.page.locator(f'.judge-aspect[data-aspect="{aspect}"]').tap()
        expect(self.page.locator("#entry-title")).to_contain_text(aspect)

    def type_number(self, text: str) -> None:
        for char in text:
            self.page.locator(f'#digits .judge-key[data-key="{char}"]').tap()

    def open_worklist(self) -> None:
        from playwright.sync_api import expect

        self.page.goto(f"{self.url}/judge/contests/{CONTEST}")
        expect(self.page.locator(".judge-tile").first).to_be_visible()
        expect(self.page.get_by_test_id("health")).to_have_attribute("data-socket", "connected")


def judge(shots: Shots, contest: Contest, qr_link: str) -> tuple[Tablet, int]:
    """QR sign-in, a judgement, a measurement, the offline queue. Returns the tablet and the id of the
    competitor whose A2 it marked."""
    from playwright.sync_api import expect

    tablet = Tablet(shots)
    page = tablet.page
    page.goto(f"{tablet.url}/judge")
    expect(page.locator("#judge-login-form")).to_be_visible()
    shots.save(page, "judge-sign-in.png")

    page.goto(qr_link)  # the link names the judge; its button signs in
    expect(page.get_by_test_id("qr-confirm")).to_contain_text("demo_judge3")
    shots.save(page, "judge-qr-confirm.png")
    page.get_by_test_id("qr-sign-in").tap()
    page.wait_for_url(f"{tablet.url}/judge")
    expect(page.locator(f'.judge-contest[data-id="{CONTEST}"]')).to_be_visible()
    shots.save(page, "judge-contests.png")
    page.locator(f'.judge-contest[data-id="{CONTEST}"] .judge-contest-link').tap()
    page.wait_for_url(f"{tablet.url}/judge/contests/{CONTEST}")
    expect(page.locator(".judge-tile").first).to_be_visible()
    expect(page.get_by_test_id("health")).to_have_attribute("data-socket", "connected")

    marks = contest.marks()
    me = next(j for j in contest.judges if j["username"] == "demo_judge3")

    def open_for(code: str, exclude: set[int] = frozenset()) -> list[int]:
        aspect = contest.aspects[code]
        return [c["id"] for c in contest.competitors if c["id"] not in exclude
                and me["user_id"] not in marks.get((c["id"], code), {})
                and len(marks.get((c["id"], code), {})) < aspect["panel_size"]]

    # module A: the tiles, then a judgement (0–3) for a competitor still missing it
    judged = open_for("A2")[0]
    page.locator('.judge-module[data-module="A"]').tap()
    tablet.tile(judged).tap()
    expect(page.locator(".judge-aspect").first).to_be_visible()
    shots.save(page, "judge-worklist.png")
    page.locator('.judge-aspect[data-aspect="A2"]').tap()
    expect(page.get_by_test_id("entry-rule")).to_contain_text("0 – 3")
    page.locator('.judge-key-judgement[data-value="2"]').tap()
    shots.save(page, "judge-judgement.png")
    page.get_by_test_id("submit").tap()
    expect(page.get_by_test_id("confirm")).to_contain_text("已保存 2")

    # module B: a measurement on the number pad, checked before it is sent
    measured = open_for("B1")[0]
    tablet.choose("B", measured, "B1")
    expect(page.get_by_test_id("entry-rule")).to_contain_text("最多 2 位小数")
    tablet.type_number("21.5")
    expect(page.get_by_test_id("display")).to_have_text("21.5")
    shots.save(page, "judge-measurement.png")
    page.get_by_test_id("submit").tap()
    expect(page.get_by_test_id("confirm")).to_contain_text("已保存 21.50")
    shots.save(page, "judge-saved.png")

    # offline: the mark waits on the device and goes out by itself when the network is back
    offline = open_for("B1", exclude={measured})[0]
    tablet.page.context.set_offline(True)
    health = page.get_by_test_id("health")
    expect(health).to_have_attribute("data-state", "offline")
    tablet.choose("B", offline, "B1")
    tablet.type_number("18")
    page.get_by_test_id("submit").tap()
    expect(page.get_by_test_id("confirm")).to_contain_text("已存入本机")
    expect(health).to_contain_text("1")
    shots.save(page, "judge-offline.png")
    tablet.page.context.set_offline(False)
    expect(health).to_have_attribute("data-pending", "0", timeout=30_000)
    return tablet, judged


def stage_reconciliation(contest: Contest, taken: int) -> tuple[int, str, str]:
    """An A2 (judgement) whose values disagree by more than 1: demo_judge3's outlier against the
    others' agreement. Returns (competitor id, outlier, agreed value)."""
    marks = contest.marks()
    me = next(j for j in contest.judges if j["username"] == "demo_judge3")
    for competitor in contest.competitors:
        cid = competitor["id"]
        have = marks.get((cid, "A2"), {})
        values = [int(v) for v in have.values()]
        if cid == taken or me["user_id"] in have or len(have) >= 3 or (values and max(values) - min(values) > 1):
            continue
        others = contest.eligible(cid, "A2", have, exclude=("demo_judge3",))
        if len(others) < 3 - len(have) - 1:
            continue
        agreed = int(statistics.median_low(values)) if values else 2
        outlier = 0 if agreed >= 2 else 3
        contest.put("demo_judge3", cid, "A2", str(outlier))
        for username in others[:3 - len(have) - 1]:
            contest.put(username, cid, "A2", str(agreed))
        return cid, str(outlier), str(agreed)
    raise RuntimeError("no competitor left for a reconciliation example")


def chief(shots: Shots, contest: Contest, tablet: Tablet, disputed: int, outlier: str, agreed: str):
    """The console with the reconciliation alert, every judge's values, the judge's correction, a lock,
    the unlock dialog, the locked module on the tablet, the analysis and the status dialog."""
    from playwright.sync_api import expect

    page = shots.page()
    shots.sign_in(page, "demo_chief", f"/jury/{CONTEST}")
    expect(page.get_by_test_id("connection")).to_have_attribute("data-state", "connected")
    alerts = page.get_by_test_id("alerts")
    bib = contest.by_id[disputed]["bib"]
    expect(alerts.locator("li").filter(has_text=f"{bib} ").filter(has_text="A2")).to_have_count(1)
    expect(page.locator('#locks li[data-module="T1"]')).to_have_attribute("data-locked", "true")
    page.mouse.move(0, 0)
    shots.save(page, "chief-console.png")

    page.get_by_test_id("tab-values").click()  # the console's tabs (jury.html)
    page.get_by_test_id("values-aspect").select_option("A2")
    row = page.locator(f'#values tr[data-id="{disputed}"]')
    expect(row.locator('[data-state="needs_reconciliation"]')).to_have_count(1)
    row.evaluate("node => { node.style.outline = '3px solid #b4232a'; }")  # the row the guide points at
    shots.save(page.locator("article.panel", has=page.get_by_test_id("values")), "chief-values.png")

    # the judge looks again and corrects the value on the tablet
    tp = tablet.page
    tablet.open_worklist()
    tp.locator('.judge-module[data-module="A"]').tap()
    expect(tablet.tile(disputed)).to_have_attribute("data-mark", re.compile("reconcil"))
    tablet.tile(disputed).tap()
    tp.locator('.judge-aspect[data-aspect="A2"]').tap()
    expect(tp.get_by_test_id("entry-current")).to_contain_text(outlier)
    tp.locator(f'.judge-key-judgement[data-value="{agreed}"]').tap()
    shots.save(tp, "judge-reconcile.png")
    tp.get_by_test_id("submit").tap()
    expect(tp.get_by_test_id("confirm")).to_contain_text("该项已完成")

    # the rest of module A comes in from the other tablets; then the chief locks it
    contest.fill({"A"})
    contest.reconcile({"A"})
    page.reload()
    expect(page.get_by_test_id("connection")).to_have_attribute("data-state", "connected")
    expect(alerts.locator("li", has_text=" · A · ")).to_have_count(0)
    page.get_by_test_id("tab-overview").click()  # the reload kept the values tab (#tab=values)
    lock_a = page.locator('#locks li[data-module="A"]')
    lock_a.get_by_role("button").click()
    expect(lock_a).to_have_attribute("data-locked", "true")
    expect(page.locator("#notice")).to_be_visible()
    page.evaluate("window.scrollTo(0, 0)")
    page.mouse.move(0, 0)
    shots.save(page, "chief-lock.png")

    lock_a.get_by_role("button").click()
    dialog = page.locator("#unlock-dialog")
    expect(dialog).to_be_visible()
    page.locator("#unlock-reason").fill("仲裁委员会要求复核 5 号工位接线测量")
    shots.save(page, "chief-unlock.png")
    page.locator("#unlock-cancel").click()
    expect(dialog).to_be_hidden()
    expect(lock_a).to_have_attribute("data-locked", "true")

    tablet.open_worklist()
    tp.locator('.judge-module[data-module="A"]').tap()
    tablet.tile(disputed).tap()
    tp.locator('.judge-aspect[data-aspect="A3"]').tap()
    expect(tp.get_by_test_id("entry-locked")).to_be_visible()
    shots.save(tp, "judge-locked.png")

    page.get_by_test_id("tab-analysis").click()
    chart = page.locator("article.panel", has=page.get_by_test_id("analysis-chart"))
    chart.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    shots.save(chart, "chief-analysis.png")

    page.get_by_test_id("tab-competitors").click()
    status_row = page.locator("#competitors tbody tr").first
    status_row.get_by_role("button").click()
    expect(page.locator("#status-dialog")).to_be_visible()
    page.locator("#status-time").fill("75:30")
    shots.save(page, "chief-status.png")
    page.locator("#status-cancel").click()


def boards_running(shots: Shots) -> None:
    from playwright.sync_api import expect

    url = shots.server.url
    phone = shots.page(PHONE, touch=True, mobile=True)
    phone.goto(f"{url}/board/{CONTEST}")
    expect(phone.get_by_test_id("connection")).to_have_attribute("data-state", "connected")
    expect(phone.locator("#board-rows tr").first).to_be_visible()
    shots.save(phone, "board-phone.png")
    phone.locator("#board-rows tr").nth(1).tap()  # the detail sheet
    expect(phone.get_by_test_id("sheet")).to_be_visible()
    phone.wait_for_timeout(400)  # the sheet's slide-in
    shots.save(phone, "board-phone-sheet.png")

    for viewport, size in SCREENS:  # the big screen, paged (1 / n) at every reference size
        screen = shots.page(viewport)
        screen.goto(f"{url}/board/{CONTEST}?screen=1&dwell=600")
        expect(screen.get_by_test_id("connection")).to_have_attribute("data-state", "connected")
        expect(screen.get_by_test_id("page")).to_have_attribute("data-page", "1")
        expect(screen.get_by_test_id("page")).to_contain_text("/")  # paged: 1 / n
        shots.save(screen, f"board-screen-{size}.png" if size else "organiser-big-screen.png")
    screen = shots.page(BIG_SCREEN)  # the second page, as the dwell turns it
    screen.goto(f"{url}/board/{CONTEST}?screen=1&dwell=2")
    expect(screen.get_by_test_id("connection")).to_have_attribute("data-state", "connected")
    expect(screen.get_by_test_id("page")).to_have_attribute("data-page", "2", timeout=30_000)
    screen.evaluate("() => new Promise((done) => setTimeout(done, 0))")
    shots.save(screen, "board-screen-page2.png")

    landing = shots.page(DESKTOP)
    landing.goto(f"{url}/")
    expect(landing.get_by_test_id("on-now").locator(f'[data-contest="{CONTEST}"]')).to_be_visible()
    shots.save(landing, "landing.png")


def overlay_while_finishing(shots: Shots, contest: Contest, api: Api) -> None:
    """The broadcast overlay at each size, open while the last marks come in: the top five and a lower
    third naming the competitor whose marks just changed; then the locks and finalisation."""
    from playwright.sync_api import expect

    overlays = []
    for viewport, size in SCREENS:
        overlay = shots.page(viewport)
        overlay.goto(f"{shots.server.url}/board/{CONTEST}?overlay=1")
        overlay.wait_for_function("() => document.body.dataset.seq !== ''")
        overlays.append((overlay, f"board-overlay-{size}.png" if size else "board-overlay.png"))
    mark_the_rest(contest)
    for overlay, _name in overlays:
        expect(overlay.get_by_test_id("lower-third")).to_be_visible()
    overlays[0][0].wait_for_timeout(700)  # the lower third's entrance
    for overlay, name in overlays:
        shots.save(overlay, name)
    finalise(api)


EVENT = 1  # the demo event (competition.demo_event): the demo contest, a final 选拔赛, a team contest
QUALIFIER = 2  # the event's final contest, whose results ceremony takes over the event screens


def events(shots: Shots, api: Api) -> None:
    """The event page on a phone, the event's big screen rotating (a board, the medal table) and a
    results ceremony taking it over."""
    from playwright.sync_api import expect

    url = shots.server.url
    phone = shots.page(PHONE, touch=True, mobile=True)
    phone.goto(f"{url}/events/{EVENT}")
    expect(phone.get_by_test_id("connection")).to_have_attribute("data-state", "connected")
    expect(phone.locator(".event-contest")).to_have_count(3)
    shots.save(phone, "event-phone.png", full_page=True)

    screen = shots.page(BIG_SCREEN)
    screen.goto(f"{url}/events/{EVENT}/screen?dwell=2")
    expect(screen.get_by_test_id("connection")).to_have_attribute("data-state", "connected")
    expect(screen.locator("#rotation")).to_have_attribute("data-page", f"contest-{CONTEST}", timeout=30_000)
    shots.save(screen, "event-screen-board.png")
    expect(screen.locator("#rotation")).to_have_attribute("data-page", "medals", timeout=30_000)
    shots.save(screen, "event-screen-medals.png")
    api("demo_organizer", "POST", f"/contests/{QUALIFIER}/reveal/start")
    for _ in range(10):  # from rank 12 up to rank 3: the bronze medal
        api("demo_organizer", "POST", f"/contests/{QUALIFIER}/reveal/next")
    expect(screen.locator(".event-ceremony-hero .reveal-award")).to_be_visible(timeout=30_000)
    shots.save(screen, "event-screen-ceremony.png")
    while True:
        try:
            api("demo_organizer", "POST", f"/contests/{QUALIFIER}/reveal/next")
        except ApiError as error:
            if error.status == 409:
                break
            raise


def mark_the_rest(contest: Contest) -> None:
    """The rest of module B from the judges' tablets."""
    entered = contest.fill({"B"})
    changed = contest.reconcile({"B"})
    log(f"marking finished through the API: {entered} values entered, {changed} changed")


def finalise(api: Api) -> None:
    """The chief's locks, and finalisation with the results held for the ceremony."""
    for module in ("A", "B", "T1"):
        try:
            api("demo_chief", "POST", f"/contests/{CONTEST}/modules/{module}/lock")
        except ApiError as error:
            if error.status != 409:  # already locked
                raise
    api("demo_organizer", "PATCH", f"/contests/{CONTEST}", {"ceremony": True})  # results wait for it
    api("demo_organizer", "POST", f"/contests/{CONTEST}/transition", {"to": "final"})


def boards_final(shots: Shots, api: Api) -> None:
    from playwright.sync_api import expect

    url = shots.server.url
    phone = shots.page(PHONE, touch=True, mobile=True)
    phone.goto(f"{url}/board/{CONTEST}")
    expect(phone.get_by_test_id("held")).to_be_visible()  # final, held for the ceremony
    shots.save(phone, "board-held-phone.png")

    screens = []
    for viewport, size in SCREENS:
        screen = shots.page(viewport)
        screen.goto(f"{url}/board/{CONTEST}?screen=1&dwell=600")
        expect(screen.get_by_test_id("connection")).to_have_attribute("data-state", "connected")
        screens.append((screen, f"board-reveal-{size}.png" if size else "organiser-reveal.png"))
    api("demo_organizer", "POST", f"/contests/{CONTEST}/reveal/start")
    for _ in range(20):  # from rank 24 up to rank 5
        api("demo_organizer", "POST", f"/contests/{CONTEST}/reveal/next")
    # as a ceremony paces it: the earlier rows' highlight over (10 s) before fourth place is revealed
    screens[0][0].wait_for_timeout(10_500)
    api("demo_organizer", "POST", f"/contests/{CONTEST}/reveal/next")  # rank 4: the podium still to come
    for screen, name in screens:
        expect(screen.locator("#reveal")).to_have_attribute("data-rank", "4")
        expect(screen.get_by_test_id("connection")).to_have_attribute("data-state", "connected")
        try:  # the boards' publisher may lag the reveal steps on a busy machine: only rank 4 just changed
            screen.wait_for_function("() => document.querySelectorAll('#board-rows tr.changed').length <= 1",
                                     timeout=20_000)
        except Exception:  # noqa: BLE001 - a photo with older highlights still shows the ceremony
            log(f"{name}: more than the newest row still highlighted")
    screens[0][0].wait_for_timeout(1500)  # the pop-in animation
    for screen, name in screens:
        shots.save(screen, name)
    while True:
        try:
            api("demo_organizer", "POST", f"/contests/{CONTEST}/reveal/next")
        except ApiError as error:
            if error.status == 409:
                break
            raise
    phone.reload()
    expect(phone.locator("#banner-final")).to_be_visible()
    expect(phone.locator("#board-rows tr").first.locator("td.rank")).to_contain_text("1")
    shots.save(phone, "board-final-phone.png")


def people_csv(rows: list[tuple[str, str, str, str]], bad: int | None = None) -> bytes:
    """An import file in the template's columns; row index `bad` gets a wrong check digit."""
    from competition.domain.identity import id_check_char

    lines = ["工号,姓名,证件类型,证件号码,人员类别,手机号,职业编码,等级"]
    for n, (number, name, kind, grade) in enumerate(rows):
        first17 = f"210102{19900101 + n * 100 + n:08d}{n * 37 % 1000:03d}"
        check = id_check_char(first17)
        if n == bad:
            check = "0" if check != "0" else "1"
        lines.append(f"{number},{name},居民身份证,{first17}{check},{kind},1390000{n:04d},"
                     f"{'6-31-01-03' if grade else ''},{grade}")
    return ("\ufeff" + "\n".join(lines) + "\n").encode("utf-8")


NEW_PEOPLE = [("GRID101", "邓文静", "职工", "中级工"), ("GRID102", "韩立军", "职工", "高级工"),
              ("GRID103", "曹明", "职工", ""), ("GRID104", "彭晓燕", "职工", "初级工")]


def hr(shots: Shots) -> None:
    from playwright.sync_api import expect

    url = shots.server.url
    # the steelworks' scheme has sub-levels (技师一档 < 技师二档)
    page = shots.page()
    shots.sign_in(page, "demo_hr2", "/hr/grade-scheme")
    expect(page.get_by_test_id("ladder")).to_be_visible()
    expect(page.locator("#scheme-rows tr")).to_have_count(8)
    shots.save(page, "hr-grade-scheme.png", full_page=True)

    page = shots.page()
    shots.sign_in(page, "demo_hr1", "/hr")
    expect(page.get_by_test_id("promotions-card")).to_be_visible()
    shots.save(page, "hr-overview.png")

    folder = shots.server.home
    bad = folder / "新员工名册-有误.csv"
    bad.write_bytes(people_csv(NEW_PEOPLE, bad=2))
    good = folder / "新员工名册.csv"
    good.write_bytes(people_csv(NEW_PEOPLE))
    page.goto(f"{url}/hr/people/import")
    page.locator("#import-file").set_input_files(str(bad))
    page.locator("#import-submit").click()
    expect(page.get_by_test_id("import-errors")).to_be_visible()
    shots.save(page, "hr-import-errors.png")
    page.locator("#import-file").set_input_files(str(good))
    page.locator("#import-submit").click()
    expect(page.get_by_test_id("import-success")).to_contain_text("新增 4 人")
    shots.save(page, "hr-import-done.png")

    page.goto(f"{url}/hr/people")
    expect(page.locator("td", has_text="邓文静")).to_be_visible()
    shots.save(page, "hr-people.png")

    page.goto(f"{url}/hr/promotions")
    expect(page.get_by_test_id("promotion-row").first).to_be_visible()
    page.locator("details.promo-ineligible summary").click()
    expect(page.get_by_test_id("ineligible-row").first).to_be_visible()
    shots.save(page, "hr-promotions.png", full_page=True)
    page.locator("details.promo-ineligible summary").click()
    page.set_viewport_size({"width": 1280, "height": 1000})
    first = page.locator('tr[data-testid="promotion-row"][data-status="proposed"]').first
    name = first.get_attribute("data-person")
    row_id = first.get_attribute("data-id")
    row = page.locator(f'tr[data-testid="promotion-row"][data-id="{row_id}"]')
    row.locator('[data-action="confirm"]').click()
    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(name)
    shots.save(page, "hr-confirm.png")
    page.get_by_test_id("confirm-ok").click()
    link = row.get_by_test_id("certificate-link")
    expect(link).to_be_visible()
    shots.save(page, "hr-confirmed.png")
    page.set_viewport_size(DESKTOP)
    number = re.search(r"[YS]\d{21}", link.inner_text()).group(0)

    page.set_viewport_size(LAPTOP)  # HR works on a laptop with Excel open beside the browser
    page.goto(f"{url}/hr/structure")
    expect(page.locator("body[data-charts-ready='true']")).to_be_attached()
    expect(page.get_by_test_id("chart-years")).to_be_visible()  # the certificate just issued
    shots.save(page, "hr-structure.png")
    page.set_viewport_size(DESKTOP)

    page.goto(f"{url}/certificates/{number}")
    expect(page.locator("body")).to_contain_text(number)
    page.set_viewport_size({"width": 1000, "height": 1300})
    shots.save(page, "hr-certificate.png", full_page=False)

    phone = shots.page(PHONE, touch=True, mobile=True)
    phone.goto(f"{url}/verify/{number}")
    expect(phone.locator("body")).to_contain_text(number)
    expect(phone.locator("body")).not_to_contain_text(name)  # the name is masked
    shots.save(phone, "hr-verify.png")


def operator(shots: Shots) -> None:
    from playwright.sync_api import expect

    url = shots.server.url
    page = shots.page()
    page.goto(f"{url}/api/docs")
    expect(page.locator(".opblock").first).to_be_visible()
    shots.save(page, "operator-api-docs.png")

    small = shots.page({"width": 800, "height": 300})
    small.goto(f"{url}/readyz")
    expect(small.locator("body")).to_contain_text('"status":"ready"')
    shots.save(small, "operator-readyz.png")


# --- main ------------------------------------------------------------------------------------------------

@contextmanager
def workspace(keep: bool) -> Iterator[Path]:
    home = Path(tempfile.mkdtemp(prefix="competition-screenshots-"))
    try:
        yield home
    finally:
        if keep:
            log(f"kept {home}")
        else:
            shutil.rmtree(home, ignore_errors=True)


def run(out: Path, keep: bool = False) -> list[str]:
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"{CHROMIUM} is missing: apt-get install -y chromium fonts-noto-cjk "
                         "(or set COMPETITION_CHROMIUM)")
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        raise SystemExit("Playwright is missing: make screenshots installs it (pip install -e '.[docs]')") from None
    expect.set_options(timeout=20_000)
    out.mkdir(parents=True, exist_ok=True)
    with workspace(keep) as home:
        server = Server(home)
        log(f"fresh database in {home}")
        server.command("db", "upgrade")
        server.command("demo")
        server.start()
        log(f"serving the demo contest on {server.url}")
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
                shots = Shots(browser, server, out)
                api = shots.api
                try:
                    contest = Contest(api)
                    link = organiser(shots)
                    tablet, judged = judge(shots, contest, link)
                    disputed, outlier, agreed = stage_reconciliation(contest, judged)
                    chief(shots, contest, tablet, disputed, outlier, agreed)
                    shots.close()
                    boards_running(shots)
                    shots.close()
                    events(shots, api)
                    shots.close()
                    overlay_while_finishing(shots, contest, api)
                    shots.close()
                    boards_final(shots, api)
                    shots.close()
                    hr(shots)
                    shots.close()
                    operator(shots)
                finally:
                    for error in shots.page_errors:
                        log(f"page error: {error}")
                    shots.close()
                    browser.close()
        except Exception:
            log(f"server log:\n{server.log_tail()}")
            raise
        finally:
            server.stop()
    missing = [name for name in IMAGES if name not in shots.written]
    if missing:
        raise SystemExit(f"not written: {', '.join(missing)}")
    return shots.written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"where the PNGs go (default {DEFAULT_OUT})")
    parser.add_argument("--keep", action="store_true", help="keep the temporary database and server log")
    args = parser.parse_args(argv)
    started = time.monotonic()
    written = run(args.out.resolve(), keep=args.keep)
    total = sum((args.out / name).stat().st_size for name in written)
    log(f"{len(written)} images, {total / 1024 / 1024:.1f} MiB, in {time.monotonic() - started:.0f} s → {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
