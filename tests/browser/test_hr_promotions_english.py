"""The HR promotions page in English at a laptop's width: the table fits its box (no column cut off, the
certificate number inside the actions column) and the band's rule is English."""
from __future__ import annotations

from tests.browser.test_hr_promotions import prepare, row_of


def test_promotions_in_english_fit_a_laptop(server, page, artefacts):
    prepare(server)
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(server.url + "/lang/en?next=/hr/promotions")
    page.get_by_label("Username").fill("hr_grid")
    page.get_by_label("Password").fill("hr_grid-pass-1")
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(server.url + "/hr/promotions")
    first = row_of(page, "王建国")
    assert first.get_by_test_id("band-rule").inner_text().startswith("ranks 1–3 · to Level 2")
    first.get_by_role("button", name="Confirm promotion").click()
    page.locator("#confirm-dialog").wait_for(state="visible")
    page.get_by_test_id("confirm-ok").click()
    first.get_by_test_id("certificate-link").wait_for()
    page.screenshot(path=str(artefacts / "hr-promotions-en-1366.png"), full_page=True)
    overflowing = page.evaluate("""() => [...document.querySelectorAll('.promo-table td, .promo-table th')]
        .filter((cell) => cell.scrollWidth > cell.clientWidth + 1).map((cell) => cell.textContent.trim())""")
    assert overflowing == []
    table, box = page.evaluate("""() => { const t = document.querySelector('.promo-table');
        return [t.scrollWidth, t.parentElement.clientWidth]; }""")
    assert table <= box, (table, box)
    assert page.console_errors == []
