"""What every role's journey shares (issue 21): a new user's browser that starts on the landing page `/`,
in Chinese or English, and fails the journey on any console error, any HTTP answer >= 400 the journey
did not ask for (so also any control offered and then refused), and any text overflowing its box or a
short label broken over two lines. Each step is photographed into build/journeys/<role>-<lang>/NN-name.png
(docs/journey_images.py copies chosen Chinese ones into docs/images for the guides)."""
from __future__ import annotations

import functools
import re
import shutil
from contextlib import contextmanager
from pathlib import Path

from babel.messages.pofile import read_po
from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parents[3]
OUT = ROOT / "build" / "journeys"
CATALOG = ROOT / "competition" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
LANGS = ["zh", "en"]
DESKTOP = {"width": 1280, "height": 800}
TABLET = {"width": 1024, "height": 768}

# Visible text-bearing elements whose text runs past their box (scrollWidth > clientWidth + 1), and short
# one-word labels (status cells, buttons: 进行中, 启用中) broken over two lines. An element that scrolls
# on purpose (overflow-x auto or scroll) is left alone, and so is a label for screen readers only (1 px).
LAYOUT = """() => {
  const found = [];
  const selector = 'td, th, button, .button, label, .tag, .chip, [data-testid$="state"], [data-testid$="status"]';
  for (const el of document.querySelectorAll(selector)) {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (box.width <= 2 || box.height <= 2 || style.visibility === 'hidden') continue;  // hidden, or for screen readers
    const text = el.innerText.trim();
    if (!text || ['auto', 'scroll'].includes(style.overflowX)) continue;
    if (el.scrollWidth > el.clientWidth + 1 && style.display !== 'inline') {
      found.push(`overflow: ${el.tagName.toLowerCase()} "${text.slice(0, 40)}" ${el.scrollWidth} > ${el.clientWidth}`);
    }
    if (text.length <= 8 && !/\\s/.test(text) && !el.children.length) {
      const range = document.createRange();
      range.selectNodeContents(el);
      const lines = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
      if (lines.size > 1) found.push(`wrapped: ${el.tagName.toLowerCase()} "${text}"`);
    }
  }
  return found;
}"""


@functools.cache
def english() -> dict[str, str]:
    with CATALOG.open("rb") as handle:
        return {m.id: m.string for m in read_po(handle) if m.id and isinstance(m.id, str) and m.string}


class Journey:
    """One role's day in one language, in a browser context of its own."""

    def __init__(self, browser, server, role: str, lang: str, viewport=DESKTOP, touch: bool = False):
        self.server, self.lang = server, lang
        self.context = browser.new_context(viewport=viewport, has_touch=touch, locale="zh-CN")
        self.page = self.context.new_page()
        self.console: list[tuple[str, str]] = []  # (text, url) of console errors and page errors
        self.refused: list[str] = []  # answers >= 400 nobody asked for
        self.asked: list[tuple[int, str]] = []  # the refusals the current step asks for
        self.answered: set[str] = set()  # urls of the refusals asked for and received
        self.was_offline = False  # offline() was used: the requests it could not send are expected
        self.page.on("pageerror", lambda exc: self.console.append((str(exc), "")))
        self.page.on("console", self._console)
        self.page.on("response", self._response)
        self.folder = OUT / f"{role}-{lang}"
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        self.steps = 0

    def _console(self, message) -> None:
        if message.type == "error":
            self.console.append((message.text, (message.location or {}).get("url", "")))

    def _response(self, response) -> None:
        if response.status < 400:
            return
        if any(status == response.status and part in response.url for status, part in self.asked):
            self.answered.add(response.url)
        else:
            self.refused.append(f"{response.status} {response.request.method} {response.url}")

    def t(self, text: str, **values) -> str:
        """A Chinese interface text in the journey's language (the English catalog's msgstr)."""
        said = english().get(text, text) if self.lang == "en" else text
        return said % values if values else said

    @contextmanager
    def refusal(self, status: int, url_part: str):
        """Inside: one answer `status` to a url containing `url_part` is what the step asks for (a wrong
        password, a bad file). The step must wait inside for what the page shows of it."""
        self.asked.append((status, url_part))
        try:
            yield
        finally:
            self.asked.remove((status, url_part))

    def offline(self, offline: bool) -> None:
        """The device loses (True) or regains its network; what the browser could not send meanwhile is
        logged as net::ERR_INTERNET_DISCONNECTED, which the journey then expects."""
        self.was_offline = self.was_offline or offline
        self.context.set_offline(offline)

    def problems(self) -> list[str]:
        errors = [text for text, url in self.console
                  if not (text.startswith("Failed to load resource") and url in self.answered)
                  and not (self.was_offline and "net::ERR_INTERNET_DISCONNECTED" in text)]
        return [*(f"console: {e}" for e in errors), *(f"refused: {r}" for r in self.refused)]

    def step(self, name: str, full_page: bool = False, page=None) -> Path:
        """Check the page as it stands (layout, errors so far) and photograph it."""
        page = page or self.page
        page.wait_for_load_state()
        self.steps += 1
        path = self.folder / f"{self.steps:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        misfits = page.evaluate(LAYOUT)
        assert not misfits, f"step {name}: text does not fit its box: {misfits}"
        problems = self.problems()
        assert not problems, f"step {name}: {problems}"
        return path

    # --- the steps every journey starts with ---------------------------------------------------------

    def land(self) -> None:
        """The landing page, switched to English by its own link for an English journey."""
        self.page.goto(self.server.url + "/")
        self.choose_language()
        expect(self.page.locator("h1")).to_contain_text(self.t("职业技能竞赛 · 实时评分与直接晋升"))
        self.step("landing")

    def choose_language(self) -> None:
        """For an English journey, the page header's English link (a cookie: every later page follows)."""
        if self.lang == "en":
            self.page.get_by_role("link", name="English").click()
            expect(self.page.locator("html")).to_have_attribute("lang", "en")

    def sign_in(self, username: str, password: str, page=None) -> None:
        """From the landing page: its 登录 link, then the form."""
        page = page or self.page
        page.get_by_role("link", name=self.t("登录"), exact=True).first.click()
        self.fill_sign_in(username, password, page)

    def fill_sign_in(self, username: str, password: str, page=None) -> None:
        page = page or self.page
        page.get_by_label(self.t("用户名")).fill(username)
        page.get_by_label(self.t("密码")).fill(password)
        page.get_by_role("button", name=self.t("登录"), exact=True).click()

    def close(self) -> None:
        self.context.close()


def expect_url(page, path_pattern: str) -> None:
    page.wait_for_url(re.compile(path_pattern))
