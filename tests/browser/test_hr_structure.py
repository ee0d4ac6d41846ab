"""技能人才结构 in a real browser (promotion.md, "Skill-talent structure"; issue 23): an HR officer of a
power company whose electricians just had a final contest opens /hr/structure on a 1366×768 laptop; the
charts are drawn (canvas present, pixels painted) in Chinese and in English, the tables show the API's
figures, the target is set on the page, and the .xlsx read back with openpyxl holds the same numbers as
numbers. The admin's view over every enterprise has a total row equal to the sum of the rows."""
from __future__ import annotations

from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.browser.pages import sign_in
from tests.browser.test_hr_promotions import Api, prepare
from tests.masterdata import make_id

LAPTOP = {"width": 1366, "height": 768}
CANVASES = ("chart-levels", "chart-ratio", "chart-years")
LEVELS = ("5", "4", "3", "2", "1")

# Painted pixels of a canvas, and the sum of the numbers its chart draws.
PAINTED = """(id) => {
  const canvas = document.getElementById(id);
  const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) painted += 1;
  const chart = window.Chart.getChart(canvas);
  const drawn = chart.data.datasets.flatMap((set) => set.data).reduce((a, b) => a + (b || 0), 0);
  return {painted, width: canvas.width, height: canvas.height, drawn};
}"""


def add_people(world) -> None:
    """More of the company's people: a 高级技师, a 初级工, an apprentice, a student (not counted)."""
    hr, grid = world["hr"], world["grid"]
    people = (("周高工", "employee", "senior_technician"), ("吴初级", "employee", "junior"),
              ("郑学徒", "employee", "apprentice"), ("孙同学", "student", "technician"))
    for n, (name, kind, grade) in enumerate(people, start=20):
        hr("POST", f"/enterprises/{grid}/people", {
            "person_no": f"GW{n:03d}", "name": name, "id_type": "居民身份证", "id_number": make_id(n), "kind": kind,
            "grades": [{"occupation_code": "6-31-01-03", "grade_code": grade}]})


def assert_charts_drawn(page) -> None:
    page.locator("body[data-charts-ready='true']").wait_for()
    for canvas in CANVASES:
        result = page.evaluate(PAINTED, canvas)
        assert result["width"] > 200 and result["height"] > 100, (canvas, result)
        assert result["painted"] > 2000, (canvas, result)
        assert result["drawn"] > 0, (canvas, result)


def test_hr_structure_page_charts_target_and_xlsx(server, page, artefacts):
    world = prepare(server)
    hr = world["hr"]
    add_people(world)
    proposals = hr("GET", f"/contests/{world['contest']}/promotions")
    first = next(p for p in proposals if p["status"] == "proposed" and p["rank"] == 1)
    hr("POST", f"/promotions/{first['id']}/confirm", {"version": first["version"]})  # 王建国 → 技师, a certificate
    figures = hr("GET", f"/enterprises/{world['grid']}/skill-structure")
    assert figures["people"] == 9 and figures["by_year"] and figures["pending"]["high_skill"] > figures["high_skill"]

    page.set_viewport_size(LAPTOP)
    page.goto(server.url + "/hr/structure")
    sign_in(page, "hr_grid", "hr_grid-pass-1")
    page.wait_for_url(server.url + "/hr/structure")
    assert page.locator("h1").inner_text() == "技能人才结构"
    assert_charts_drawn(page)
    # the tables say what the API says
    now = page.get_by_test_id("levels-now").locator("td").all_inner_texts()
    assert [int(v) for v in now[:6]] == [figures["by_level"][lv] for lv in reversed(LEVELS)] + [figures["none"]]
    pending = page.get_by_test_id("levels-pending").locator("td").all_inner_texts()
    assert [int(v) for v in pending[:6]] == [figures["pending"]["by_level"][lv] for lv in reversed(LEVELS)] + \
        [figures["pending"]["none"]]
    ratio = f"{float(figures['high_skill_ratio']) * 100:.2f} %"
    assert page.get_by_test_id("figure-ratio").locator("[data-role='ratio']").inner_text() == ratio
    assert page.get_by_test_id("occupation-row").count() == 1
    assert "已达到目标 30.00 %" in page.get_by_test_id("figure-ratio").inner_text()
    # the page fits a laptop screen beside Excel: no sideways scrolling, the charts above the fold
    assert page.evaluate("document.documentElement.scrollWidth") <= LAPTOP["width"]
    assert page.locator("#chart-ratio").bounding_box()["y"] + 100 < LAPTOP["height"]
    page.screenshot(path=str(artefacts / "hr-structure.png"))
    page.screenshot(path=str(artefacts / "hr-structure-full.png"), full_page=True)

    # the target: a bad value is refused on the page, a good one is saved and moves the line
    page.get_by_test_id("target-input").fill("150")
    page.get_by_test_id("target-save").click()
    assert "0 到 100" in page.locator("#structure-messages").inner_text()
    page.get_by_test_id("target-input").fill("85.5")
    page.get_by_test_id("target-save").click()
    page.get_by_text("已保存目标：85.50 %").wait_for()
    assert "低于目标 85.50 %" in page.get_by_test_id("figure-ratio").inner_text()
    assert page.evaluate("window.Chart.getChart(document.getElementById('chart-ratio'))"
                         ".options.plugins.targetLine.value") == 85.5
    assert hr("GET", f"/enterprises/{world['grid']}/skill-structure")["high_skill_target"] == "0.8550"

    # the .xlsx holds the same numbers, as numbers
    with page.expect_download() as download:
        page.get_by_test_id("structure-xlsx").click()
    path = artefacts / "skill-structure.xlsx"
    download.value.save_as(path)
    book = load_workbook(path)
    rows = list(book["技能人才结构"].iter_rows(values_only=True))
    headers = rows[0]
    current, planned = (dict(zip(headers, row)) for row in rows[1:3])
    for row, source in ((current, figures), (planned, figures["pending"])):
        assert [row[h] for h in ("职工人数", "技能人才", "无等级", "高技能人才")] == \
            [source["people"], source["skilled"], source["none"], source["high_skill"]]
        assert all(isinstance(row[h], int) for h in ("职工人数", "技能人才", "无等级", "高技能人才"))
        assert [row[h] for h in ("五级/初级工", "四级/中级工", "三级/高级工", "二级/技师", "一级/高级技师")] == \
            [source["by_level"][lv] for lv in LEVELS]
        assert row["高技能人才占比"] == float(source["high_skill_ratio"])
    assert current["高技能人才占比目标"] == 0.855
    years = list(book["证书年度"].iter_rows(min_row=2, values_only=True))
    assert [(r[2], list(r[3:8])) for r in years] == [(y["year"], [y["by_level"][lv] for lv in LEVELS])
                                                     for y in figures["by_year"]]
    assert page.console_errors == []

    # English
    page.get_by_role("link", name="English").click()
    page.wait_for_url("**/hr/structure*")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Skill-talent structure"
    assert_charts_drawn(page)
    legend = page.evaluate("window.Chart.getChart(document.getElementById('chart-levels'))"
                           ".data.datasets.map((set) => set.label)")
    assert "No level" in legend and "Level 2 / Technician" in legend
    assert "below the target of 85.50 %" in page.get_by_test_id("figure-ratio").inner_text()
    page.screenshot(path=str(artefacts / "hr-structure-en.png"))
    assert page.console_errors == []


def test_admin_overview_has_a_total_row(server, page, artefacts):
    world = prepare(server)
    add_people(world)
    admin = Api(server.url, "root", "admin-pass-1")
    steel = admin("POST", "/enterprises", {"code": "STEEL", "name": "鞍钢示范厂", "site_code": "000102"})["id"]
    admin("PUT", f"/enterprises/{steel}/grade-scheme", {"grades": admin("GET", "/grade-scheme-templates/eight-grade")})
    for n, grade in enumerate(("senior", "technician", "junior"), start=40):
        admin("POST", f"/enterprises/{steel}/people", {
            "person_no": f"AG{n}", "name": f"鞍钢职工{n}", "id_type": "居民身份证", "id_number": make_id(n),
            "kind": "employee", "grades": [{"occupation_code": "6-31-01-03", "grade_code": grade}]})
    overview = admin("GET", "/skill-structure")
    page.set_viewport_size(LAPTOP)
    page.goto(server.url + "/admin/skill-structure")
    sign_in(page, "root", "admin-pass-1")
    page.wait_for_url(server.url + "/admin/skill-structure")
    rows = page.get_by_test_id("overview-row")
    assert rows.count() == len(overview["rows"]) == 2
    total = page.get_by_test_id("overview-total").locator("td").all_inner_texts()
    per_row = [row.locator("td").all_inner_texts() for row in rows.all()]
    # every count column of the total is the sum of the rows (ratios are recomputed, not summed)
    for column in range(len(total)):
        if "%" not in total[column] and total[column].strip() not in ("", "—"):
            assert int(total[column]) == sum(int(r[column]) for r in per_row)
    assert int(total[0]) == overview["total"]["people"]
    page.get_by_test_id("admin-nav-skill-structure").wait_for()
    page.screenshot(path=str(artefacts / "admin-skill-structure.png"))
    assert page.console_errors == []


def test_promotions_page_shows_the_ratio_before_and_after_the_selected_batch(server, page, artefacts):
    """The promotions page of prepare(): 王建国 and 杨帆 are 高级工 among five skilled (40.00 %); 刘洋 (no
    grade, rank 4) and 陈静 (初级工, rank 5) are proposed 高级工: confirming both gives 4 of 6 (66.67 %)."""
    world = prepare(server)
    page.set_viewport_size(LAPTOP)
    page.goto(server.url + "/hr/promotions")
    sign_in(page, "hr_grid", "hr_grid-pass-1")
    page.wait_for_url(server.url + "/hr/promotions")
    preview = page.get_by_test_id("ratio-preview")
    expect(preview).to_have_text("高技能人才占比 40.00 %")
    for name in ("刘洋", "陈静"):
        page.locator(f'tr[data-testid="promotion-row"][data-person="{name}"] .promo-check').check()
    expect(preview).to_have_text("高技能人才占比 40.00 % → 66.67 %（确认所选 2 项后；目标 30.00 %）")
    ids = [int(page.locator(f'tr[data-testid="promotion-row"][data-person="{name}"]').get_attribute("data-id"))
           for name in ("刘洋", "陈静")]
    query = "&".join(f"promotion_ids={i}" for i in ids)
    figures = world["hr"]("GET", f"/enterprises/{world['grid']}/skill-structure?{query}")
    assert (figures["high_skill_ratio"], figures["pending"]["high_skill_ratio"]) == ("0.4000", "0.6667")
    page.screenshot(path=str(artefacts / "hr-promotions-ratio.png"))

    # confirming one of them moves "now"; the other stays selected
    row = page.locator('tr[data-testid="promotion-row"][data-person="刘洋"]')
    row.get_by_role("button", name="确认晋升").click()
    page.get_by_test_id("confirm-ok").click()
    row.get_by_test_id("certificate-link").wait_for()
    expect(preview).to_have_text("高技能人才占比 50.00 % → 66.67 %（确认所选 1 项后；目标 30.00 %）")
    assert page.console_errors == []
