"""The interface in Simplified Chinese and English (issue 10; README: Chinese first, English selectable).

- Every message the extractor finds (templates, Python, and the texts the templates hand to the plain-JS
  modules) has a non-empty, non-fuzzy English translation with the same placeholders.
- No template carries Chinese text outside `_()` / `{% trans %}`, except inside an element marked
  `lang="zh-CN"` (the language switch's own name, the fixed wording of the printed certificate).
- No plain-JS module carries Chinese text: the modules read their texts from the page.
- Every main page, rendered in English (browser language or the switch), shows no Chinese but data
  (names of people, enterprises, contests, grades…), and shows Chinese in the default language; the
  texts each module reads from its page are there, in both languages.
- The wheel ships the compiled catalog (the .mo files are not committed; hatch_build.py compiles them).
"""
from __future__ import annotations

import functools
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from jinja2 import Environment
from sqlalchemy import select

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "competition" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
MAPPING = ROOT / "babel.cfg"
# The extraction of `make messages` (Makefile): the default keywords plus lazy_gettext.
KEYWORDS = {**DEFAULT_KEYWORDS, "lazy_gettext": None, "lazy_pgettext": ((1, "c"), 2)}

# CJK ideographs, CJK punctuation (、。「」) and full-width forms (（）：，).
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]+")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w+\}")
VISIBLE_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label", "label"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


# --- the catalog ---------------------------------------------------------------------------------------------

@functools.cache
def extracted() -> list[tuple[str, str | None, str, int]]:
    """(msgid, context, file, line) of every message in the source tree, as `make messages` extracts them."""
    with MAPPING.open() as fileobj:
        method_map, options_map = parse_mapping_cfg(fileobj, str(MAPPING))
    found = []
    for filename, lineno, message, _comments, context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.append((msgid, context, filename, lineno))
    return found


def english_catalog():
    with CATALOG.open("rb") as fileobj:
        return read_po(fileobj, locale="en")


def test_the_extractor_sees_templates_python_and_the_texts_of_the_scripts():
    files = {filename for _, _, filename, _ in extracted()}
    assert any(f.startswith("templates/hr/") for f in files) and "templates/certificates/verify.html" in files
    assert "competition/web/views.py" in files and "competition/errors.py" in files
    msgids = {msgid for msgid, *_ in extracted()}
    # Texts of static/js/hr/*.js and lib/failures.js, handed over by the templates.
    assert {"网络连接失败，请检查网络后重试。", "正在检查并导入 {name} …", "第 {n} 级“{name}”"} <= msgids


def test_every_message_has_an_english_translation():
    catalog = english_catalog()
    problems = []
    for msgid, context, filename, lineno in extracted():
        entry = catalog.get(msgid, context=context)
        where = f"{filename}:{lineno} {msgid!r}" + (f" (context {context!r})" if context else "")
        if entry is None:
            problems.append(f"{where}: not in {CATALOG.name} (run `make messages` and translate it)")
        elif not entry.string:
            problems.append(f"{where}: no English")
        elif entry.fuzzy:
            problems.append(f"{where}: fuzzy")
        elif sorted(PLACEHOLDER.findall(msgid)) != sorted(PLACEHOLDER.findall(entry.string)):
            problems.append(f"{where}: placeholders differ in {entry.string!r}")
        elif CJK.search(entry.string):
            problems.append(f"{where}: Chinese left in {entry.string!r}")
    assert not problems, "\n".join(problems)


def test_the_catalog_has_no_fuzzy_or_empty_entries():
    catalog = english_catalog()
    bad = [entry.id for entry in catalog if entry.id and (entry.fuzzy or not entry.string)]
    assert not bad and not catalog.fuzzy, bad


# --- templates and scripts -----------------------------------------------------------------------------------

def template_text(source: str) -> str:
    """The template with every Jinja construct and `{% trans %}` block blanked out (newlines kept, so
    lines stay where they were): what is left is the literal HTML of the page."""
    out, in_trans, block_name, in_block = [], False, None, False
    for _lineno, kind, value in Environment().lex(source):
        if kind == "block_begin":
            in_block, block_name = True, None
        elif kind == "name" and in_block and block_name is None:
            block_name = value
            if value == "trans":
                in_trans = True
            elif value == "endtrans":
                in_trans = False
        elif kind == "block_end":
            in_block = False
        if kind == "data" and not in_trans:
            out.append(value)
        else:
            out.append("\n" * value.count("\n"))
    return "".join(out)


class _Chinese(HTMLParser):
    """Chinese in text and attributes, outside elements marked lang="zh…"."""

    def __init__(self, attributes=None):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str | None]] = []
        self.found: list[tuple[int, str]] = []
        self.attributes = attributes  # None: every attribute

    def _zh(self, lang: str | None = None) -> bool:
        if lang:
            return lang.lower().startswith("zh")
        for _tag, declared in reversed(self.stack):
            if declared:
                return declared.lower().startswith("zh")
        return False

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        lang = (values.get("lang") or None) if tag != "html" else None  # <html lang> is the page's language
        if not self._zh(lang):
            for name, value in attrs:
                wanted = self.attributes is None or name in self.attributes or name.startswith("data-")
                if value and wanted and CJK.search(value):
                    self.found.append((self.getpos()[0], f'<{tag} {name}="{value}">'))
        if tag not in VOID:
            self.stack.append((tag, lang))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data):
        if CJK.search(data) and not self._zh():
            self.found.append((self.getpos()[0], data.strip()))


def bare_chinese(source: str) -> list[tuple[int, str]]:
    parser = _Chinese()
    parser.feed(template_text(source))
    parser.close()
    return parser.found


def test_no_template_has_untranslated_text():
    templates = sorted((ROOT / "templates").rglob("*.html"))
    assert len(templates) > 20
    problems = [f"{path.relative_to(ROOT)}:{line}: {text!r}"
                for path in templates for line, text in bare_chinese(path.read_text(encoding="utf-8"))]
    assert not problems, "wrap these in {{ _('…') }}:\n" + "\n".join(problems)


def test_the_template_scan_catches_bare_text_and_spares_translated_and_marked_text():
    page = """{% extends "base.html" %}{% block content %}
<h1>{{ _('标题') }}</h1>{% trans %}说明{% endtrans %}{# 注释 #}<!-- 注释 -->
<p lang="zh-CN">职业技能等级证书 <small>CERTIFICATE</small></p>
<p>未翻译</p><img alt="图片" src="x.png"><input placeholder="{{ _('搜索') }}">
{% endblock %}"""
    assert [text for _, text in bare_chinese(page)] == ["未翻译", '<img alt="图片">']
    assert bare_chinese('<a href="{{ url }}" {% if x %}aria-current="true"{% endif %}>{{ _("首页") }}</a>') == []


def script_code(source: str) -> str:
    """A JS module without its comments (strings and template literals kept)."""
    token = re.compile(r"""'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"|`(?:\\.|[^`\\])*`|//[^\n]*|/\*.*?\*/""", re.S)
    return token.sub(lambda m: "" if m.group().startswith(("//", "/*")) else m.group(), source)


def test_no_script_has_untranslated_text():
    scripts = sorted((ROOT / "static" / "js").rglob("*.js"))
    assert len(scripts) > 10
    problems = [f"{path.relative_to(ROOT)}: {', '.join(CJK.findall(script_code(path.read_text(encoding='utf-8'))))}"
                for path in scripts if CJK.search(script_code(path.read_text(encoding="utf-8")))]
    assert not problems, "texts of the scripts come from the page (a data-i18n JSON block):\n" + "\n".join(problems)
    assert script_code("const a = '中文'; // 注释\n/* 注释 */ const b = `x`;") == "const a = '中文'; \n const b = `x`;"


def test_the_labels_of_fixed_vocabulary_are_chinese_by_default_and_english_on_request(app):
    from competition.domain.identity import ID_TYPES
    from competition.domain.levels import LEVEL_NAMES
    from competition.i18n import id_type_names, kind_names, level_names
    from competition.services.people import KIND_LABELS

    with app.test_request_context("/"):
        assert level_names() == LEVEL_NAMES and kind_names() == KIND_LABELS
        assert id_type_names() == {name: name for name in ID_TYPES}
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        english = [*level_names().values(), *kind_names().values(), *id_type_names().values()]
        assert level_names()[2] == "Level 2 / Technician" and not any(CJK.search(text) for text in english)


def test_the_wheel_ships_the_compiled_catalog(tmp_path):
    """The .mo files are not committed: the wheel build (hatch_build.py) compiles them from the .po."""
    import io
    import zipfile

    from babel.support import Translations
    from hatchling.builders.wheel import WheelBuilder

    (wheel,) = WheelBuilder(str(ROOT)).build(directory=str(tmp_path), versions=["standard"])
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        assert "competition/translations/en/LC_MESSAGES/messages.mo" in names
        assert {"competition/templates/base.html", "competition/static/js/lib/api.js"} <= names
        shipped = Translations(io.BytesIO(archive.read("competition/translations/en/LC_MESSAGES/messages.mo")))
    catalog = english_catalog()
    for entry in catalog:
        if entry.id:
            got = shipped.pgettext(entry.context, entry.id) if entry.context else shipped.gettext(entry.id)
            assert got == entry.string, entry.id
    assert shipped.gettext("登录") == "Sign in"


# --- the pages ------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module", autouse=True)
def _compiled_catalog():
    """The pages read the compiled catalog: compile it as `make translations` does when it is missing or
    older than the .po (a plain `pytest` run), and drop translations loaded before."""
    mo = CATALOG.with_suffix(".mo")
    if not mo.exists() or mo.stat().st_mtime < CATALOG.stat().st_mtime:
        with mo.open("wb") as fileobj:
            write_mo(fileobj, english_catalog())
        from competition.extensions import babel

        loaded = babel.__dict__.get("domain_instance")  # a cached property: there once a page was translated
        if loaded is not None:
            loaded.cache.clear()


@pytest.fixture
def backend() -> str:
    return "sqlite"  # the language of a page does not depend on the database


class _Visible(_Chinese):
    """The visible text of a page: text nodes outside <script>/<style> and the visible attributes, skipping
    elements marked lang="zh…"; plus the texts handed to the scripts (data-i18n JSON blocks)."""

    def __init__(self):
        super().__init__(attributes=VISIBLE_ATTRIBUTES)
        self.texts: list[str] = []
        self.script_texts: list[str] = []
        self._script: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._script = "i18n" if tag == "script" and "data-i18n" in dict(attrs) else "code"
        super().handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._script = None
        super().handle_endtag(tag)

    def handle_data(self, data):
        if self._script == "i18n":
            self.script_texts.extend(_strings(json.loads(data)))
        elif self._script is None and not self._zh():
            self.texts.append(data)


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


def visible(html: str) -> tuple[str, list[str]]:
    """(the page's visible text with its visible attributes, the texts handed to its scripts)."""
    parser = _Visible()
    parser.feed(html)
    parser.close()
    attributes = [text for _, text in parser.found]
    return "\n".join(parser.texts + attributes), parser.script_texts


def data_values(app) -> list[str]:
    """Every text stored in the database (names of contests, people, enterprises, grades, aspects…) and the
    masked names the public pages show, longest first."""
    from competition.domain.certificates import mask_name
    from competition.extensions import db

    skipped = {"audit_heads", "audit_entries", "idempotency_records", "login_failures", "api_tokens",
               "board_events", "board_published", "standings"}
    values: set[str] = set()
    with app.app_context():
        for table in db.metadata.sorted_tables:
            if table.name in skipped:
                continue
            for row in db.session.execute(select(table)):
                for value in row:
                    for text in _strings(value):
                        if CJK.search(text):
                            values.add(text)
                            values.add(mask_name(text))
    return sorted(values, key=len, reverse=True)


def chinese_left(text: str, data: list[str]) -> list[str]:
    for value in data:
        text = text.replace(value, " ")
    return CJK.findall(text)


def sign_in(app, username: str, password: str):
    browser = app.test_client()
    html = browser.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
    response = browser.post("/login", data={"username": username, "password": password, "csrf_token": token})
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:300]
    return browser


def check_languages(app, pages: list[tuple[object, str, int]]) -> None:
    """Each (client, url, status) in English by the browser's language and by the switch, and in Chinese."""
    data = data_values(app)
    problems = []
    for browser, url, status in pages:
        zh = browser.get(url)
        assert zh.status_code == status, (url, zh.status_code)
        html = zh.get_data(as_text=True)
        assert 'lang="zh-CN"' in html[:200], url
        text, script_texts = visible(html)
        assert chinese_left(text, data), f"{url}: no Chinese in the default language"
        assert not script_texts or any(CJK.search(t) for t in script_texts), url
        for way in ("browser", "switch"):
            if way == "browser":
                english = browser.get(url, headers={"Accept-Language": "en-US,en;q=0.9"})
            else:
                browser.get("/lang/en")
                english = browser.get(url, headers={"Accept-Language": "zh-CN"})
                browser.get("/lang/zh_CN")
                page = browser.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)
                assert 'lang="zh-CN"' in page[:200]
                browser.delete_cookie("lang")
            assert english.status_code == status, (url, way, english.status_code)
            html = english.get_data(as_text=True)
            assert 'lang="en"' in html[:200], (url, way)
            text, script_texts = visible(html)
            left = chinese_left(text, data)
            if left:
                problems.append(f"{url} ({way}): {left}")
            untranslated = [t for t in script_texts if CJK.search(t)]
            if untranslated:
                problems.append(f"{url} ({way}), texts of the scripts: {untranslated}")
    assert not problems, "Chinese left in English pages:\n" + "\n".join(problems)


@pytest.fixture
def demo(app):
    from competition import demo as demo_data
    from competition.extensions import db

    with app.app_context():
        demo_data.load()
        db.session.commit()


def test_the_demo_pages_speak_english_and_chinese(app, demo):
    """Every main page with the demo contest, in both languages; and the texts each plain-JS module reads
    from its page."""
    from competition.demo import DEMO_PASSWORD
    from competition.extensions import db
    from competition.models import Contest, Enterprise

    with app.app_context():
        contest_id = db.session.scalar(select(Contest.id))
        enterprise_id = db.session.scalar(select(Enterprise.id).where(Enterprise.code == "DEMO-GRID"))
    anonymous = app.test_client()
    admin = sign_in(app, "demo_admin", DEMO_PASSWORD)
    organizer = sign_in(app, "demo_organizer", DEMO_PASSWORD)
    hr = sign_in(app, "demo_hr1", DEMO_PASSWORD)
    judge = sign_in(app, "demo_judge3", DEMO_PASSWORD)
    chief = sign_in(app, "demo_chief", DEMO_PASSWORD)
    scoped = f"enterprise_id={enterprise_id}"
    check_languages(app, [
        (anonymous, "/", 200), (anonymous, "/login", 200), (anonymous, "/contests", 200),
        (anonymous, f"/board/{contest_id}", 200), (anonymous, f"/board/{contest_id}?screen=1", 200),
        (anonymous, "/judge", 200), (anonymous, "/judge/qr/no-such-link", 410),
        (anonymous, "/verify/Y000021000001262999999", 404), (anonymous, "/board/999999", 404),
        (anonymous, "/api/docs", 200),
        (organizer, "/contests", 200), (organizer, f"/contests/{contest_id}/appeals", 200),
        (organizer, f"/contests/{contest_id}/judge-qr", 200), (organizer, f"/hr/people?{scoped}", 200),
        (admin, f"/jury/{contest_id}", 200), (admin, "/hr", 200), (admin, f"/hr?{scoped}", 200),
        (admin, f"/hr/grade-scheme?{scoped}", 200), (admin, f"/hr/people?{scoped}", 200),
        (admin, f"/hr/people/import?{scoped}", 200), (admin, f"/hr/promotions?{scoped}", 200),
        (hr, "/hr", 200), (hr, "/hr/grade-scheme", 200), (hr, "/hr/people", 200), (hr, "/hr/people/import", 200),
        (hr, "/hr/promotions", 200), (hr, f"/jury/{contest_id}", 403),
        (judge, "/judge", 200), (judge, f"/judge/contests/{contest_id}", 200),
        (chief, f"/jury/{contest_id}", 200), (chief, "/judge", 200),
        (organizer, "/organize", 200), (organizer, f"/organize/contests/{contest_id}", 200),
        (admin, "/organize", 200), (admin, f"/organize/contests/{contest_id}", 200),
        (judge, "/organize", 403), (hr, f"/organize/contests/{contest_id}", 403),
        (admin, "/admin/users", 200), (admin, "/admin/enterprises", 200),
        (organizer, "/admin/users", 403), (hr, "/admin/enterprises", 403),
    ])
    check_script_texts([
        (anonymous, f"/board/{contest_id}", "board-text", "text", ("board.js",)),
        (chief, f"/jury/{contest_id}", "board-text", "text", ("jury.js",)),
        (organizer, f"/contests/{contest_id}/appeals", "appeals-text", "text", ("appeals.js",)),
        (judge, "/judge", "judge-text", "text", ("judge/home.js",)),
        (judge, f"/judge/contests/{contest_id}", "judge-text", "text", ("judge/worklist.js", "judge/health.js")),
        (hr, "/hr", "failure-text", "site", ("lib/failures.js",)),
        (hr, "/hr/grade-scheme", "scheme-text", "text", ("hr/grade-scheme.js",)),
        (hr, "/hr/people/import", "import-text", "text", ("hr/import.js",)),
        (hr, "/hr/promotions", "promo-labels", "labels", ("hr/promotions.js",)),
        (organizer, "/organize", "organize-text", "text",
         ("organize/index.js", "organize/settings-form.js")),
        (organizer, f"/organize/contests/{contest_id}", "organize-text", "text",
         ("organize/lifecycle.js", "organize/scheme.js", "organize/judges.js",
          "organize/competitors.js", "organize/settings.js", "organize/settings-form.js")),
        (admin, "/admin/users", "admin-text", "text", ("admin/users.js",)),
        (admin, "/admin/enterprises", "admin-text", "text", ("admin/enterprises.js",)),
    ])


def test_the_promotion_and_certificate_pages_speak_english_and_chinese(app, client, admin):
    from tests.promotion_fixtures import promotion_contest
    from tests.support import PASSWORD

    contest = promotion_contest(client, admin, [95, 94, 93, 92, 91, 50], grades={1: "senior"})
    confirmed = contest.confirm(1)
    assert confirmed.status_code == 200
    number = confirmed.get_json()["certificate"]["number"]
    assert contest.reject(3).status_code == 200
    hr = sign_in(app, contest.hr_of(1).username, PASSWORD)
    other_hr = sign_in(app, contest.hr_of(2).username, PASSWORD)
    check_languages(app, [
        (hr, "/hr/promotions", 200), (other_hr, "/hr/promotions", 200), (hr, "/hr", 200),
        (hr, f"/certificates/{number}", 200), (other_hr, f"/certificates/{number}", 404),
        (app.test_client(), f"/verify/{number}", 200),
    ])
    # The printed certificate keeps its Chinese wording (marked lang="zh-CN") in either language.
    english = hr.get(f"/certificates/{number}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<h1 class="cert-title" lang="zh-CN">职业技能等级证书</h1>' in english and "Print" in english


def script_blocks(html: str) -> dict[str, dict]:
    return {block_id: json.loads(body) for block_id, body in re.findall(
        r'<script type="application/json" id="([\w-]+)" data-i18n>(.*?)</script>', html, re.S)}


def check_script_texts(pages: list[tuple[object, str, str, str, tuple[str, ...]]]) -> None:
    """For each (client, url, block id, variable, modules): the page's data-i18n block has the same keys in
    Chinese and English, Chinese values in Chinese and none in English, and every `variable.key` the
    modules read."""
    for browser, url, block_id, variable, modules in pages:
        zh = script_blocks(browser.get(url).get_data(as_text=True))[block_id]
        en = script_blocks(browser.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True))[block_id]
        assert zh.keys() == en.keys(), (url, block_id)
        assert all(CJK.search(text) for text in _strings(zh) if text), (url, block_id)
        assert not any(CJK.search(text) for text in _strings(en)), (url, block_id)
        for module in modules:
            source = (ROOT / "static" / "js" / module).read_text(encoding="utf-8")
            used = set(re.findall(rf"\b{variable}\.(\w+)", script_code(source)))
            assert used, (module, variable)
            assert used <= zh.keys(), f"{module} reads {sorted(used - zh.keys())} missing from #{block_id} on {url}"
