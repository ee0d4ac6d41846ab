"""The chief judge's console in tabs (issue 21: "the console is one 4,500 px scroll"): at 1280×800 each
tab's page fits in about a screen and a half, a click shows its panel and hides the others, the arrow
keys, Home and End move between the tabs (WAI-ARIA tabs), and the open tab is kept in the URL hash so a
reload opens it again."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.worlds import served_world
from tests.support import PASSWORD

TABS = ["overview", "progress", "standings", "values", "competitors", "analysis"]
VIEWPORT = {"width": 1280, "height": 800}


def console(server, browser):
    world = served_world(server, extra_competitors=9)  # a dozen competitors
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{server.url}/login?next=/jury/{world.contest_id}")
    page.get_by_label("用户名").fill(world.judges["chief"].username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{server.url}/jury/{world.contest_id}")
    expect(page.get_by_test_id("connection")).to_have_attribute("data-state", "connected", timeout=15000)
    expect(page.locator("#progress tbody tr")).to_have_count(12)
    return world, context, page, errors


def shown_panels(page) -> list[str]:
    return page.evaluate("""() => [...document.querySelectorAll('[role=tabpanel]')]
        .filter((panel) => !panel.hidden && panel.getBoundingClientRect().height > 0)
        .map((panel) => panel.id)""")


def test_each_tab_shows_its_panel_and_fits_about_a_screen_and_a_half(server, browser, artefacts):
    _world, context, page, errors = console(server, browser)
    tablist = page.get_by_role("tablist")
    expect(tablist.get_by_role("tab")).to_have_count(len(TABS))
    assert shown_panels(page) == ["jury-panel-overview"]  # the first tab when the URL names none
    for name in TABS:
        tab = page.get_by_test_id(f"tab-{name}")
        tab.click()
        expect(tab).to_have_attribute("aria-selected", "true")
        assert shown_panels(page) == [f"jury-panel-{name}"]
        assert page.evaluate("location.hash") == f"#tab={name}"
        if name == "values":
            page.get_by_test_id("values-aspect").select_option("A2")
            expect(page.locator("#values tbody tr")).to_have_count(12)
        if name == "analysis":
            page.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('analysis-chart'))")
            width = page.get_by_test_id("analysis-chart").bounding_box()["width"]
            assert width > 600, width  # drawn at the panel's width, though hidden when the page loaded
        page.wait_for_timeout(200)
        height = page.evaluate("document.documentElement.scrollHeight")
        assert height <= 1.5 * VIEWPORT["height"], f"{name}: {height} px"
        box = tab.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44, box  # a finger's target on a tablet
        page.screenshot(path=str(artefacts / f"jury-tab-{name}-1280x800.png"))
    assert errors == []
    context.close()


def test_the_arrow_keys_move_between_tabs_and_a_reload_keeps_the_tab(server, browser):
    world, context, page, errors = console(server, browser)
    first = page.get_by_test_id("tab-overview")
    first.focus()
    page.keyboard.press("ArrowRight")
    progress = page.get_by_test_id("tab-progress")
    expect(progress).to_be_focused()
    expect(progress).to_have_attribute("aria-selected", "true")
    expect(progress).to_have_attribute("tabindex", "0")
    expect(first).to_have_attribute("tabindex", "-1")
    assert shown_panels(page) == ["jury-panel-progress"]
    page.keyboard.press("End")
    expect(page.get_by_test_id("tab-analysis")).to_be_focused()
    page.keyboard.press("ArrowRight")  # wraps round to the first
    expect(first).to_be_focused()
    page.keyboard.press("ArrowLeft")
    expect(page.get_by_test_id("tab-analysis")).to_be_focused()
    page.keyboard.press("Home")
    expect(first).to_have_attribute("aria-selected", "true")

    page.get_by_test_id("tab-competitors").click()
    page.reload()
    expect(page.get_by_test_id("tab-competitors")).to_have_attribute("aria-selected", "true")
    assert shown_panels(page) == ["jury-panel-competitors"]
    expect(page.locator("#competitors tbody tr")).to_have_count(12)

    page.goto(f"{server.url}/jury/{world.contest_id}#tab=nonsense")  # an unknown tab: the first one
    expect(first).to_have_attribute("aria-selected", "true")
    panel = page.locator("#jury-panel-overview")
    expect(panel).to_have_attribute("role", "tabpanel")
    expect(panel).to_have_attribute("aria-labelledby", "jury-tab-overview")
    assert errors == []
    context.close()
