"""`competition demo --simulate`: a day at the venue, through the HTTP API, until stopped.

The judges' tablets fill every open aspect of the running demo contest. Once everything open is
marked, judges correct marks (revisions), as they do until the chief judge locks a module. After a
round of revisions the chief judge locks the modules, the organiser finalises, and the next contest
of the day starts with the same scheme, competitors and judges. So a board keeps moving for as long
as the process runs.

Every write goes through the HTTP API with the demo accounts' tokens, as the tablets and consoles
would. The database is only read here, and each read transaction ends before the next request goes
out: the server must never wait for this process's locks.
"""
from __future__ import annotations

import json
import random
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from competition import clock
from competition.demo import DEMO_PASSWORD
from competition.demo_marks import open_slots, plausible, skill_of
from competition.extensions import db
from competition.models import Competitor, Contest, ContestJudge, ContestState, Mark, ModuleLock, User

Log = Callable[[str], None]


class ApiError(RuntimeError):
    """The server refused a step of the day that the simulation cannot go on without."""


class Api:
    """The few HTTP calls the simulated tablets and consoles make."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self._tokens: dict[str, str] = {}

    def token(self, username: str) -> str:
        if username not in self._tokens:
            status, body = self.call("POST", "/auth/token", None,
                                     {"username": username, "password": DEMO_PASSWORD})
            if status != 201:
                raise ApiError(f"signing in as {username} failed: {status} {body}")
            self._tokens[username] = body["token"]
        return self._tokens[username]

    def call(self, method: str, path: str, username: str | None, body: Any = None) -> tuple[int, Any]:
        headers = {"Content-Type": "application/json"}
        if username is not None:
            headers["Authorization"] = f"Bearer {self.token(username)}"
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.base_url}/api/v1{path}", data=data, method=method,
                                         headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                raw = response.read()
                return response.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as error:
            raw = error.read()
            try:
                return error.code, json.loads(raw) if raw else None
            except ValueError:
                return error.code, raw.decode(errors="replace")

    def must(self, method: str, path: str, username: str, body: Any = None) -> Any:
        status, answer = self.call(method, path, username, body)
        if status >= 400:
            raise ApiError(f"{method} {path} as {username}: {status} {answer}")
        return answer


def running_demo_contest() -> int:
    """The first running demo contest (the one `competition demo` loaded)."""
    contest_id = db.session.scalar(select(Contest.id).where(Contest.is_demo.is_(True),
                                                            Contest.state == ContestState.RUNNING)
                                   .order_by(Contest.id))
    db.session.rollback()
    if contest_id is None:
        raise RuntimeError("no running demo contest in this database: run `competition demo` first")
    return contest_id


class Day:
    """One simulated day: marks, revisions, then the next contest. `step()` makes one move."""

    def __init__(self, api: Api, contest_id: int, rng: random.Random, log: Log, revisions: int) -> None:
        self.api, self.rng, self.log, self.revisions = api, rng, log, revisions
        self.contest_id = contest_id
        self.revised = 0
        self._slots: list[tuple[int, int, dict[str, Any]]] = []
        self._read_staff()

    def _read_staff(self) -> None:
        seats = db.session.execute(select(ContestJudge.user_id, User.username, ContestJudge.chief)
                                   .join(User, User.id == ContestJudge.user_id)
                                   .where(ContestJudge.contest_id == self.contest_id)).all()
        self.judges = {user_id: username for user_id, username, _ in seats}
        self.chief = next((username for _, username, chief in seats if chief), None)
        db.session.rollback()

    def step(self) -> int:
        """One move of the day; returns how many marks it entered (0 or 1)."""
        if not self._slots:  # read once per batch; a slot a real judge filled meanwhile becomes a revision
            contest = db.session.get(Contest, self.contest_id)
            self._slots = open_slots(contest, list(self.judges)) if contest is not None else []
            db.session.rollback()
            self.rng.shuffle(self._slots)
        if self._slots:
            judge_id, competitor_id, aspect = self._slots.pop()
            value = plausible(aspect, skill_of(competitor_id), self.rng)
            return self._mark(judge_id, competitor_id, aspect["code"], value, "")
        if self.revised < self.revisions:
            revision = self._revision()
            if revision is not None:
                self.revised += 1
                return self._mark(*revision, " (revision)")
        self.next_contest()
        return 0

    def _mark(self, judge_id: int, competitor_id: int, aspect_code: str, value: str, note: str) -> int:
        username = self.judges[judge_id]
        status, _ = self.api.call("PUT", f"/contests/{self.contest_id}/marks", username,
                                  {"competitor_id": competitor_id, "aspect_code": aspect_code, "value": value})
        self.log(f"simulate: {username} → competitor {competitor_id} {aspect_code} = {value}{note} ({status})")
        return 1

    def _revision(self) -> tuple[int, int, str, str] | None:
        """A judge's own mark in a module still open, re-entered with another plausible value."""
        contest = db.session.get(Contest, self.contest_id)
        scheme = contest.scheme if contest is not None else None
        locked = set(db.session.scalars(select(ModuleLock.module_code).where(
            ModuleLock.contest_id == self.contest_id, ModuleLock.locked.is_(True))))
        marks = db.session.execute(select(Mark.judge_id, Mark.competitor_id, Mark.aspect_code, Mark.value)
                                   .where(Mark.contest_id == self.contest_id).order_by(Mark.id)).all()
        db.session.rollback()
        aspects = {aspect["code"]: aspect for component in (scheme or {}).get("components", [])
                   for module in component["modules"] if module["code"] not in locked
                   for aspect in module["aspects"]}
        candidates = [m for m in marks if m.aspect_code in aspects and m.judge_id in self.judges]
        self.rng.shuffle(candidates)
        for judge_id, competitor_id, aspect_code, old in candidates:
            for _ in range(5):
                value = plausible(aspects[aspect_code], skill_of(competitor_id), self.rng)
                if Decimal(value) != old:
                    return judge_id, competitor_id, aspect_code, value
        return None

    def next_contest(self) -> None:
        """Close this contest (the chief judge locks, the organiser finalises) and start the next one."""
        contest = db.session.get(Contest, self.contest_id)
        if contest is None:
            raise RuntimeError(f"contest {self.contest_id} is gone")
        settings = _settings_of(contest)
        scheme = contest.scheme
        modules = [m["code"] for c in (scheme or {}).get("components", []) for m in c["modules"]]
        entries = [{"person_id": c.members[0].person_id, "bib": c.bib, "station": c.station}
                   for c in db.session.scalars(select(Competitor).where(Competitor.contest_id == contest.id)
                                               .order_by(Competitor.id)) if c.members]
        seats = [{"user_id": s.user_id, "chief": s.chief, "aspects": s.aspects}
                 for s in db.session.scalars(select(ContestJudge).where(ContestJudge.contest_id == contest.id)
                                             .order_by(ContestJudge.id))]
        locked = set(db.session.scalars(select(ModuleLock.module_code).where(
            ModuleLock.contest_id == contest.id, ModuleLock.locked.is_(True))))
        number = db.session.scalar(select(Contest.id).order_by(Contest.id.desc())) or 0
        db.session.rollback()
        if self.chief is not None:
            for code in modules:
                if code not in locked:
                    self.api.must("POST", f"/contests/{self.contest_id}/modules/{code}/lock", self.chief, {})
        self.api.must("POST", f"/contests/{self.contest_id}/transition", "demo_organizer", {"to": "final"})
        self.log(f"simulate: contest {self.contest_id} is final; the next one starts")
        settings["name"] = f"{_base_name(settings['name'])} 第{number + 1}场（示例）"
        created = self.api.must("POST", "/contests", "demo_organizer", settings)
        contest_id = created["id"]
        self.api.must("PUT", f"/contests/{contest_id}/marking-scheme", "demo_organizer", _without_nulls(scheme))
        for entry in entries:
            self.api.must("POST", f"/contests/{contest_id}/competitors", "demo_organizer", entry)
        for seat in seats:
            self.api.must("POST", f"/contests/{contest_id}/judges", "demo_organizer", seat)
        self.api.must("POST", f"/contests/{contest_id}/transition", "demo_organizer", {"to": "running"})
        self.log(f"simulate: contest {contest_id} «{settings['name']}» is running")
        self.contest_id, self.revised = contest_id, 0
        self._read_staff()


def _settings_of(contest: Contest) -> dict[str, Any]:
    now = clock.now().replace(microsecond=0)
    return {"name": contest.name, "occupation_code": contest.occupation.code, "tier": contest.tier,
            "timezone": contest.timezone, "starts_at": now.isoformat(),
            "ends_at": (now + timedelta(hours=8)).isoformat(), "visibility": contest.visibility,
            "precision": contest.precision, "blind": contest.blind, "team_size": contest.team_size,
            "appeal_window_minutes": contest.appeal_window_minutes, "tie_breakers": contest.tie_breakers,
            "promotion_policy": contest.promotion_policy, "awards": contest.awards,
            "event_id": contest.event_id}  # the next contest of the day joins the same event


def _base_name(name: str) -> str:
    """The contest's name without the 第N场 and 示例 marks a simulated day adds."""
    for mark in ("（示例）", "(示例)"):
        name = name.replace(mark, "")
    head, _, tail = name.rpartition(" 第")
    return head if head and tail.endswith("场") else name.strip()


def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _without_nulls(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_without_nulls(item) for item in value]
    return value


def simulate(base_url: str, *, interval: float = 1.0, seed: int | None = None, limit: int | None = None,
             revisions: int = 40, log: Log = print) -> int:
    """Keep the demo's venue busy until stopped (or `limit` marks); returns the marks entered."""
    rng = random.Random(seed)
    day = Day(Api(base_url), running_demo_contest(), rng, log, revisions)
    entered = 0
    while limit is None or entered < limit:
        entered += day.step()
        time.sleep(interval * rng.uniform(0.5, 1.5))
    return entered
