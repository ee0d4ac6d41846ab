"""The judge's tablet in a real browser, at tablet size with touch: QR sign-in, entering marks, the
offline queue, locks, conflict of interest, blind marking; and the chief judge's console."""
from __future__ import annotations

import copy
import re
import time

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.worlds import served_world, world_in
from tests.support import PASSWORD
from tests.world import SCHEME

LANDSCAPE = {"width": 1024, "height": 768}
PORTRAIT = {"width": 768, "height": 1024}

DESCRIBED = copy.deepcopy(SCHEME)
_DESCRIPTIONS = {
    "A1": "用万用表测量接线端子间电阻，按实测结果给分；读数保留两位小数。",
    "A2": "导线横平竖直、弯角一致、线槽整齐；按行业标准 0–3 分评价。",
    "A3": "整体安装质量（裁判组评分，去掉最高分和最低分后取平均）。",
    "B1": "从通电到功能全部正常所用时间换算的得分。",
}
for _module in DESCRIBED["components"][0]["modules"]:
    for _aspect in _module["aspects"]:
        _aspect["description"] = _DESCRIPTIONS[_aspect["code"]]


@pytest.fixture
def live(server):
    return server, served_world(server, scheme=DESCRIBED, extra_competitors=9, station_format="S-{n:02d}")


class Tablet:
    """A touch browser context at tablet size; console errors collected."""

    def __init__(self, browser, viewport=LANDSCAPE):
        self.context = browser.new_context(viewport=viewport, has_touch=True, locale="zh-CN")
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("console", lambda msg: self.errors.append(msg.text) if msg.type == "error" else None)

    def close(self):
        self.context.close()


@pytest.fixture
def tablets(browser):
    opened: list[Tablet] = []

    def open_tablet(viewport=LANDSCAPE) -> Tablet:
        opened.append(Tablet(browser, viewport))
        return opened[-1]

    yield open_tablet
    for tablet in opened:
        tablet.close()


def qr_link(browser, server, world, judge: str) -> str:
    """The organiser signs in, opens the QR sheet and reads the link printed under the judge's code."""
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.goto(f"{server.url}/login?next=/contests/{world.contest_id}/judge-qr")
    page.get_by_label("用户名").fill(world.organizer.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r".*/judge-qr$"))
    link = page.locator(f'a.qr-link[data-username="{world.judges[judge].username}"]')
    expect(link).to_have_count(1)
    expect(page.locator(".qr-card img")).to_have_count(len(world.judges))
    href = link.get_attribute("href")
    assert href.startswith(f"{server.url}/judge/qr/")
    context.close()
    return href


def open_worklist(tablet: Tablet, server, world, link: str):
    page = tablet.page
    page.goto(link)  # the link names the judge; its button signs in
    expect(page.get_by_test_id("qr-confirm")).to_be_visible()
    page.get_by_test_id("qr-sign-in").tap()
    page.wait_for_url(f"{server.url}/judge")
    page.locator(f'.judge-contest[data-id="{world.contest_id}"] .judge-contest-link').tap()
    page.wait_for_url(f"{server.url}/judge/contests/{world.contest_id}")
    expect(page.locator(".judge-tile").first).to_be_visible(timeout=10000)
    expect(page.get_by_test_id("health")).to_have_attribute("data-state", "online", timeout=10000)
    expect(page.get_by_test_id("health")).to_have_attribute("data-socket", "connected", timeout=10000)
    return page


def tile(page, world, competitor):
    return page.locator(f'.judge-tile[data-id="{world.competitors[competitor]}"]')


def choose(page, world, competitor, module, aspect):
    page.locator(f'.judge-module[data-module="{module}"]').tap()
    tile(page, world, competitor).tap()
    page.locator(f'.judge-aspect[data-aspect="{aspect}"]').tap()
    expect(page.locator("#entry-title")).to_contain_text(aspect)


def type_number(page, text: str):
    for char in text:
        page.locator(f'#digits .judge-key[data-key="{char}"]').tap()


def api_marks(server, world, competitor=None, aspect=None):
    params = {}
    if competitor:
        params["competitor_id"] = world.competitors[competitor]
    if aspect:
        params["aspect_code"] = aspect
    response = requests.get(f"{server.url}/api/v1/contests/{world.contest_id}/marks", params=params,
                            headers=world.organizer.headers, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def audit_puts(server, world):
    response = requests.get(f"{server.url}/api/v1/audit", params={"contest_id": world.contest_id},
                            headers=world.organizer.headers, timeout=10)
    assert response.status_code == 200, response.text
    return [e for e in response.json() if e["action"] == "mark.put"]


def lock(server, world, module):
    response = requests.post(f"{server.url}/api/v1/contests/{world.contest_id}/modules/{module}/lock",
                             headers=world.judges["chief"].headers, timeout=10)
    assert response.status_code == 200, response.text


# --- sign in by QR, enter a judgement and a measurement -------------------------------------------------

def test_qr_sign_in_then_judgement_and_measurement(live, browser, tablets, artefacts):
    server, world = live
    link = qr_link(browser, server, world, "j1")
    tablet = tablets()
    page = open_worklist(tablet, server, world, link)
    expect(page.locator(".judge-tile")).to_have_count(12)
    page.screenshot(path=str(artefacts / "judge-worklist-1024x768.png"))

    # a judgement: 0 / 1 / 2 / 3 buttons, then save
    choose(page, world, "c1", "A", "A2")
    expect(page.get_by_test_id("entry-description")).to_have_text(_DESCRIPTIONS["A2"])
    expect(page.get_by_test_id("entry-rule")).to_contain_text("范围 0 – 3")
    page.locator('.judge-key-judgement[data-value="2"]').tap()
    page.get_by_test_id("submit").tap()
    expect(page.get_by_test_id("confirm")).to_have_text("1号 张三 · A2：已保存 2 · 第1版 · 该项未完成（等待其他裁判）")

    # a measurement: the numeric pad, range and decimals checked before sending
    page.locator('.judge-aspect[data-aspect="A1"]').tap()
    expect(page.get_by_test_id("entry-rule")).to_contain_text("范围 0 – 5")
    expect(page.get_by_test_id("entry-rule")).to_contain_text("最多 2 位小数")
    type_number(page, "7")
    page.get_by_test_id("submit").tap()
    expect(page.get_by_test_id("entry-error")).to_have_text("数值必须在 0 到 5 之间")
    page.locator('#digits .judge-key[data-key="C"]').tap()
    type_number(page, "4.125")
    page.get_by_test_id("submit").tap()
    expect(page.get_by_test_id("entry-error")).to_have_text("最多 2 位小数")
    page.locator('#digits .judge-key[data-key="⌫"]').tap()
    expect(page.get_by_test_id("display")).to_have_text("4.12")
    page.locator('#digits .judge-key[data-key="⌫"]').tap()
    page.locator('#digits .judge-key[data-key="⌫"]').tap()
    type_number(page, "75")
    expect(page.get_by_test_id("display")).to_have_text("4.75")
    page.screenshot(path=str(artefacts / "judge-pad-1024x768.png"))
    page.get_by_test_id("submit").tap()
    expect(page.get_by_test_id("confirm")).to_have_text("1号 张三 · A1：已保存 4.75 · 第1版 · 该项已完成")
    expect(page.locator('.judge-aspect[data-aspect="A1"] .judge-aspect-value')).to_have_text("4.75")

    # a correction makes version 2 (the pad moved on to the next open aspect after 保存: back to A1)
    expect(page.locator("#entry-title")).to_contain_text("A3")
    page.locator('.judge-aspect[data-aspect="A1"]').tap()
    type_number(page, "4.5")
    page.get_by_test_id("submit").tap()
    expect(page.get_by_test_id("confirm")).to_have_text("1号 张三 · A1：已保存 4.50 · 第2版 · 该项已完成")

    marks = {(m["aspect_code"], m["judge_id"]): (m["value"], m["version"]) for m in api_marks(server, world, "c1")}
    assert marks == {("A2", world.judges["j1"].id): ("2", 1), ("A1", world.judges["j1"].id): ("4.50", 2)}
    page.screenshot(path=str(artefacts / "judge-pad-confirmed-1024x768.png"))

    page.set_viewport_size(PORTRAIT)
    page.reload()
    expect(page.locator(".judge-tile").first).to_be_visible()
    page.screenshot(path=str(artefacts / "judge-worklist-768x1024.png"))
    choose(page, world, "c2", "A", "A1")
    type_number(page, "3.5")
    page.screenshot(path=str(artefacts / "judge-pad-768x1024.png"))
    choose(page, world, "c2", "A", "A2")
    page.locator('.judge-key-judgement[data-value="3"]').tap()
    page.screenshot(path=str(artefacts / "judge-pad-judgement-768x1024.png"))
    assert tablet.errors == []


# --- where the tablet opens, finding a competitor, moving on after 保存, the aspect's own words --------------

def test_the_tablet_opens_where_marking_is_open_finds_and_moves_on(server, browser, tablets, artefacts):
    scheme = copy.deepcopy(DESCRIBED)
    worded = "线槽整齐、线号清晰；0 差 · 1 合格 · 2 良好 · 3 优秀"
    scheme["components"][0]["modules"][0]["aspects"][1]["description"] = worded
    world = served_world(server, scheme=scheme, extra_competitors=9)
    lock(server, world, "A")  # module A is locked before the judge opens the tablet
    tablet = tablets()
    page = open_worklist(tablet, server, world, qr_link(browser, server, world, "j1"))

    # it opens on B, the first module still taking marks, not on the locked A
    expect(page.locator('.judge-module[aria-pressed="true"]')).to_have_attribute("data-module", "B")

    # search by bib (its start) and by name; Enter opens the one competitor found
    search = page.get_by_test_id("search")
    search.fill("1")
    expect(page.locator(".judge-tile")).to_have_count(4)  # 1, 10, 11, 12
    search.fill("李四")
    expect(page.locator(".judge-tile")).to_have_count(1)
    search.press("Enter")
    expect(page.get_by_test_id("pad-competitor")).to_have_text("2号 李四")
    search.fill("不存在")
    expect(page.locator(".judge-tile")).to_have_count(0)
    expect(page.get_by_test_id("competitors")).to_contain_text("没有找到“不存在”")
    search.fill("")
    expect(page.locator(".judge-tile")).to_have_count(12)

    # after 保存 the pad moves on to the next competitor with B1 still open, and says what it stored
    type_number(page, "2.5")
    page.get_by_test_id("submit").tap()
    expect(page.get_by_test_id("confirm")).to_have_text("2号 李四 · B1：已保存 2.50 · 第1版 · 该项已完成")
    expect(page.get_by_test_id("pad-competitor")).to_have_text("3号 王五")
    expect(page.locator("#entry-title")).to_contain_text("B1")
    assert api_marks(server, world, "c2", "B1")[0]["value"] == "2.50"

    # the judgement keys use the aspect's own words for 0–3 where its description gives them
    response = requests.post(f"{server.url}/api/v1/contests/{world.contest_id}/modules/A/unlock", timeout=10,
                             json={"reason": "复核"}, headers=world.judges["chief"].headers)
    assert response.status_code == 200, response.text
    page.reload()
    choose(page, world, "c1", "A", "A2")
    expect(page.locator("#keys-judgement .judge-key-small")).to_have_text(["差", "合格", "良好", "优秀"])
    page.screenshot(path=str(artefacts / "judge-search-and-words-1024x768.png"))
    assert tablet.errors == []


def test_judgement_keys_keep_the_standard_words_without_the_aspects_own(live, browser, tablets):
    server, world = live
    tablet = tablets()
    page = open_worklist(tablet, server, world, qr_link(browser, server, world, "j1"))
    choose(page, world, "c1", "A", "A2")
    expect(page.locator("#keys-judgement .judge-key-small")).to_have_text(
        ["低于行业标准", "达到行业标准", "高于行业标准", "卓越"])


# --- offline: queued on the device, survives a reload, stored exactly once ------------------------------

class Outage:
    """Routes the tablet's PUT /marks: "down" (the request never reaches the server), "lose-answer"
    (the first attempt of each key reaches the server, which stores it, but the answer is lost on the
    way back), or "up". Every attempt is logged with its Idempotency-Key."""

    def __init__(self, page):
        self.page = page
        self.mode = "down"
        self.attempts: list[tuple[str, str]] = []
        self.delivered: set[str] = set()
        page.route("**/api/v1/contests/*/marks", self.handle)

    def handle(self, route, request):
        if request.method != "PUT":
            return route.continue_()
        key = request.headers.get("idempotency-key")
        if self.mode == "down":
            self.attempts.append((key, "unreachable"))
            return route.abort("internetdisconnected")
        response = route.fetch()
        if self.mode == "lose-answer" and key not in self.delivered:
            self.delivered.add(key)
            self.attempts.append((key, f"stored {response.status}, answer lost"))
            return route.abort("connectionreset")
        self.attempts.append((key, f"{response.status} replayed={response.headers.get('idempotent-replayed')}"))
        return route.fulfill(response=response)

    def stop(self):
        self.page.unroute("**/api/v1/contests/*/marks", self.handle)


def test_offline_marks_survive_a_reload_and_are_stored_exactly_once(live, browser, tablets, artefacts):
    """Two marks entered while the tablet is offline (context.set_offline) are queued and shown as
    pending. A page cannot be reloaded while the browser is offline, so the outage then continues as a
    blocked route: the browser is back online (the page reloads from the server) but PUT /marks still
    cannot reach it. After the reload both marks are still pending: they came back from the device's
    storage, not from the page's memory. Then the server is reachable again but the first answer to
    each mark is lost on the way back (the server did store it): the tablet sends the same request
    again with the same Idempotency-Key, the server replays its first answer, and the API shows each
    mark stored once (version 1, one audit entry each)."""
    server, world = live
    link = qr_link(browser, server, world, "j2")
    tablet = tablets()
    page = open_worklist(tablet, server, world, link)
    health = page.get_by_test_id("health")

    tablet.context.set_offline(True)
    expect(health).to_have_attribute("data-state", "offline")
    expect(health).to_contain_text("离线")
    choose(page, world, "c2", "A", "A1")
    type_number(page, "3.25")
    page.get_by_test_id("submit").tap()
    expect(page.get_by_test_id("confirm")).to_contain_text("A1：已存入本机，待发送：3.25。网络恢复后自动发送。")
    page.locator('.judge-aspect[data-aspect="A2"]').tap()
    page.locator('.judge-key-judgement[data-value="1"]').tap()
    page.get_by_test_id("submit").tap()
    expect(page.get_by_test_id("confirm")).to_contain_text("A2：已存入本机，待发送：1。网络恢复后自动发送。")
    expect(health).to_have_text("离线 · 2 条待发送")
    expect(tile(page, world, "c2")).to_have_attribute("data-mark", "pending")
    expect(page.locator('.judge-aspect[data-aspect="A1"] .judge-chip-pending')).to_have_text("待发送 3.25")
    page.screenshot(path=str(artefacts / "judge-offline-pending-1024x768.png"))

    outage = Outage(page)
    tablet.context.set_offline(False)
    expect(health).to_have_attribute("data-state", "online")
    deadline = time.monotonic() + 10
    while not outage.attempts and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    assert outage.attempts and all(outcome == "unreachable" for _, outcome in outage.attempts)
    page.reload()
    expect(page.locator(".judge-tile").first).to_be_visible()
    expect(health).to_contain_text("2 条待发送")
    expect(tile(page, world, "c2")).to_have_attribute("data-mark", "pending")
    assert api_marks(server, world, "c2") == []

    outage.mode = "lose-answer"
    expect(health).to_have_attribute("data-pending", "0", timeout=30000)
    expect(health).to_have_text("在线")
    outage.stop()
    expect(tile(page, world, "c2")).not_to_have_attribute("data-mark", "pending")

    stored = {(m["aspect_code"], m["judge_id"]): (m["value"], m["version"]) for m in api_marks(server, world, "c2")}
    assert stored == {("A1", world.judges["j2"].id): ("3.25", 1), ("A2", world.judges["j2"].id): ("1", 1)}
    puts = [e for e in audit_puts(server, world) if e["after"]["competitor_id"] == world.competitors["c2"]]
    assert sorted(e["after"]["aspect_code"] for e in puts) == ["A1", "A2"]
    keys = list(dict.fromkeys(key for key, _ in outage.attempts))
    assert len(keys) == 2  # one key per mark, kept across the reload and every retry
    for key in keys:
        outcomes = [outcome for k, outcome in outage.attempts if k == key]
        assert "stored 201, answer lost" in outcomes, outcomes
        assert outcomes[-1] == "201 replayed=true", outcomes
    # the page, reloaded once more, shows the stored values
    page.reload()
    choose(page, world, "c2", "A", "A1")
    expect(page.locator('.judge-aspect[data-aspect="A1"] .judge-aspect-value')).to_have_text("3.25")
    expect(page.get_by_test_id("entry-current")).to_have_text("当前：3.25（第1版）")
    assert [e for e in tablet.errors if "ERR_" not in e and "Failed to load" not in e] == []


# --- locks and stale values: refused, with the reason and the current value ----------------------------

def test_refusals_show_the_reason_and_the_current_value(live, browser, tablets, artefacts):
    server, world = live
    link = qr_link(browser, server, world, "j1")
    tablet = tablets()
    page = open_worklist(tablet, server, world, link)
    confirm = page.get_by_test_id("confirm")

    # a colleague stores the shared measurement after this tablet loaded it: 409, current value shown
    choose(page, world, "c1", "A", "A1")
    expect(page.get_by_test_id("entry-current")).to_have_text("尚未评分")
    response = requests.put(f"{server.url}/api/v1/contests/{world.contest_id}/marks", timeout=10,
                            json={"competitor_id": world.competitors["c1"], "aspect_code": "A1", "value": "2"},
                            headers=world.judges["j2"].headers)
    assert response.status_code == 201
    type_number(page, "4")
    page.get_by_test_id("submit").tap()
    expect(confirm).to_contain_text("A1：未保存：该数值已被其他裁判修改 · 当前值 2.00（第1版）")
    expect(page.get_by_test_id("refused")).to_contain_text("当前值 2.00（第1版）")
    expect(page.locator('.judge-aspect[data-aspect="A1"] .judge-aspect-value')).to_have_text("2.00")
    assert api_marks(server, world, "c1", "A1")[0]["value"] == "2.00"

    # the chief judge locks module B while the pad is open on it: the pad refuses at once
    choose(page, world, "c1", "B", "B1")
    type_number(page, "1.5")
    lock(server, world, "B")
    expect(page.get_by_test_id("entry-locked")).to_have_text("该模块已被裁判长锁定，不能录入或修改评分。")
    expect(page.get_by_test_id("submit")).to_be_disabled()
    expect(page.locator('.judge-module[data-module="B"]')).to_have_attribute("data-locked", "true")
    expect(page.locator("#notice")).to_contain_text("已被裁判长锁定")
    page.screenshot(path=str(artefacts / "judge-pad-locked-1024x768.png"))

    # a mark waiting on the device when the chief judge locks its module: the server refuses it (409)
    outage = Outage(page)
    choose(page, world, "c2", "A", "A2")
    page.locator('.judge-key-judgement[data-value="3"]').tap()
    page.get_by_test_id("submit").tap()
    expect(confirm).to_contain_text("A2：已存入本机，待发送：3。网络恢复后自动发送。")
    lock(server, world, "A")
    expect(page.get_by_test_id("entry-locked")).to_be_visible()
    outage.mode = "up"
    expect(confirm).to_contain_text("A2：未保存：该模块已被裁判长锁定", timeout=15000)
    outage.stop()
    refused = page.get_by_test_id("refused")
    expect(refused).to_contain_text("该模块已被裁判长锁定")
    expect(refused.locator("li")).to_have_count(2)
    expect(tile(page, world, "c2")).to_have_attribute("data-mark", "refused")
    expect(page.get_by_test_id("health")).to_have_attribute("data-pending", "0")
    assert api_marks(server, world, "c2", "A2") == []
    page.screenshot(path=str(artefacts / "judge-refused-1024x768.png"))
    refused.locator("li").first.get_by_role("button", name="知道了").tap()
    expect(refused.locator("li")).to_have_count(1)
    assert [e for e in tablet.errors if "409" not in e and "ERR_" not in e] == []


# --- conflict of interest ----------------------------------------------------------------------------

def test_conflicted_competitor_is_not_offered_and_its_api_call_is_403(live, browser, tablets):
    server, world = live
    link = qr_link(browser, server, world, "j3")  # j3 works for E2, like c3
    tablet = tablets()
    page = open_worklist(tablet, server, world, link)
    expect(tile(page, world, "c1")).to_be_visible()
    expect(tile(page, world, "c3")).to_have_count(0)
    assert "王五" not in page.content()
    status = page.evaluate("""async ([contest, competitor]) => {
        const csrf = document.querySelector('meta[name="csrf-token"]').content;
        const response = await fetch(`/api/v1/contests/${contest}/marks`, {method: 'PUT', credentials: 'same-origin',
          headers: {'Content-Type': 'application/json', 'X-CSRFToken': csrf},
          body: JSON.stringify({competitor_id: competitor, aspect_code: 'A2', value: 2})});
        return [response.status, await response.json()];
    }""", [world.contest_id, world.competitors["c3"]])
    assert status[0] == 403 and "回避" in status[1]["message"]
    assert api_marks(server, world, "c3") == []


# --- blind marking -----------------------------------------------------------------------------------

def test_blind_contest_shows_no_identity_to_the_judge(server, browser, tablets, artefacts):
    from competition.extensions import db
    from competition.models import Enterprise, Person

    with world_in(server.database_url, scheme=DESCRIBED, blind=True, extra_competitors=5, bib_format="BIB-{n:03d}",
                  station_format="ST-{n:02d}") as (_app, world):
        secrets = [p.name for p in db.session.query(Person)] + [e.name for e in db.session.query(Enterprise)]
    server.start()
    secrets += ["BIB-", "ST-0"]

    link = qr_link(browser, server, world, "j1")
    tablet = tablets()
    page = tablet.page
    bodies: list[tuple[str, str]] = []
    frames: list[str] = []

    def keep(response):
        try:
            bodies.append((response.url, response.text()))
        except Exception:  # noqa: BLE001 - redirects and aborted requests have no body
            pass

    page.on("response", keep)
    page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: frames.append(str(payload))))
    page = open_worklist(tablet, server, world, link)
    htmls = [page.content()]
    expect(tile(page, world, "c1").locator(".judge-tile-no")).to_have_text("M90")
    choose(page, world, "c1", "A", "A2")
    expect(page.get_by_test_id("pad-competitor")).to_have_text("加密号 M90")
    page.locator('.judge-key-judgement[data-value="2"]').tap()
    page.get_by_test_id("submit").tap()
    expect(page.get_by_test_id("confirm")).to_contain_text("已保存 2")
    lock(server, world, "B")
    expect(page.locator('.judge-module[data-module="B"]')).to_have_attribute("data-locked", "true")
    choose(page, world, "c2", "A", "A1")
    type_number(page, "9")
    page.get_by_test_id("submit").tap()  # refused on the device: out of range
    expect(page.get_by_test_id("entry-error")).to_be_visible()
    page.screenshot(path=str(artefacts / "judge-blind-1024x768.png"))
    htmls.append(page.content())
    page.goto(f"{server.url}/judge")
    htmls.append(page.content())
    assert any("/worklist" in url for url, _ in bodies)
    assert frames, "no socket frames seen"
    for where, text in [*bodies, *(("page", h) for h in htmls), *(("socket", f) for f in frames)]:
        for secret in secrets:
            assert secret not in text, f"{secret!r} appears in {where}"
    assert tablet.errors == []


# --- the chief judge's console -------------------------------------------------------------------------

def test_chief_console_sets_status_and_shows_every_judges_values(live, browser, artefacts):
    server, world = live
    for judge, value in (("j1", 2), ("j2", 3), ("j4", 0)):
        response = requests.put(f"{server.url}/api/v1/contests/{world.contest_id}/marks", timeout=10,
                                json={"competitor_id": world.competitors["c1"], "aspect_code": "A2", "value": value},
                                headers=world.judges[judge].headers)
        assert response.status_code == 201
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(f"{server.url}/login?next=/jury/{world.contest_id}")
    page.get_by_label("用户名").fill(world.judges["chief"].username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{server.url}/jury/{world.contest_id}")

    # every judge's values for one aspect (the console's tabs: jury.html)
    page.get_by_test_id("tab-values").click()
    page.get_by_test_id("values-aspect").select_option("A2")
    values = page.get_by_test_id("values")
    row = values.locator(f'tr[data-id="{world.competitors["c1"]}"]')
    expect(row).to_contain_text("需复核")
    for value in ("2", "3", "0"):
        expect(row).to_contain_text(value)
    expect(values.locator("thead")).to_contain_text(world.judges["j1"].username)

    # competitor status and time used
    page.get_by_test_id("tab-competitors").click()
    competitors = page.get_by_test_id("competitors")
    competitors.locator(f'tr[data-id="{world.competitors["c2"]}"] button').click()
    page.get_by_label("状态", exact=True).select_option("absent")
    page.get_by_label("原因", exact=True).fill("未按时报到")
    page.get_by_label("用时（分:秒）").fill("75:30")
    page.get_by_role("button", name="保存状态").click()
    expect(competitors.locator(f'tr[data-id="{world.competitors["c2"]}"]')).to_contain_text("缺考")
    expect(competitors.locator(f'tr[data-id="{world.competitors["c2"]}"]')).to_contain_text("75:30")
    response = requests.get(f"{server.url}/api/v1/contests/{world.contest_id}/competitors", timeout=10,
                            headers=world.organizer.headers)
    c2 = next(c for c in response.json() if c["id"] == world.competitors["c2"])
    assert (c2["status"], c2["status_reason"], c2["time_used_seconds"]) == ("absent", "未按时报到", 4530)
    page.screenshot(path=str(artefacts / "jury-console-1280x900.png"), full_page=True)

    # the judge analysis names its unit and says how to read it
    page.get_by_test_id("tab-analysis").click()
    expect(page.get_by_test_id("analysis-note")).to_contain_text("单位为分")
    page.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('analysis-chart'))")
    axis = page.evaluate("() => Chart.getChart(document.getElementById('analysis-chart')).options.scales.y.title.text")
    assert axis == "与裁判组均值的平均偏差（分）"
    labels = page.evaluate("() => Chart.getChart(document.getElementById('analysis-chart')).data.labels")
    assert any(label.startswith(world.judges["j1"].username) or "(1)" in label for label in labels), labels
    assert errors == []
    context.close()


def test_a_final_contest_offers_the_chief_no_lock_or_unlock(browser, server):
    """After 定稿 the server refuses every lock change (409 locks_closed), so the console offers none."""
    from competition.extensions import db
    from competition.models import Contest, ContestState
    from tests.browser.worlds import make_provisional, world_in

    with world_in(server.database_url) as (_app, world):
        make_provisional(world, appeal_window_minutes=0)
        db.session.get(Contest, world.contest_id).state = ContestState.FINAL
        db.session.commit()
    server.start()
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{server.url}/login?next=/jury/{world.contest_id}")
    page.get_by_label("用户名").fill(world.judges["chief"].username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{server.url}/jury/{world.contest_id}")
    locks = page.locator("#locks li")
    locks.first.wait_for(timeout=15000)
    assert locks.count() >= 1
    expect(locks.first).to_contain_text("已锁定")
    assert page.locator("#locks button").count() == 0
    context.close()
