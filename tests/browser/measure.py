"""What a spectator sees of a board, measured in the browser (live.md, Pages): the big screen's rows
and page, and the WCAG contrast of every text on the page computed from its computed colours."""
from __future__ import annotations

# Every visible text node's element: its colour over the background it stands on (the element's and
# its ancestors' background colours composited), and the WCAG 2 contrast ratio of the two.
CONTRAST = """() => {
  const parse = (c) => {
    const p = c.match(/[\\d.]+/g).map(Number);
    return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
  };
  const over = (top, under) => ({ r: top.r * top.a + under.r * (1 - top.a), g: top.g * top.a + under.g * (1 - top.a),
    b: top.b * top.a + under.b * (1 - top.a), a: 1 });
  const lum = (c) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
  const background = (el) => {
    const layers = [];
    for (let node = el; node; node = node.parentElement) {
      const c = parse(getComputedStyle(node).backgroundColor);
      if (c.a > 0) { layers.push(c); if (c.a >= 1) break; }
    }
    return layers.reverse().reduce((under, top) => over(top, under), { r: 255, g: 255, b: 255, a: 1 });
  };
  const results = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const el = node.parentElement;
    if (!node.textContent.trim() || el.closest('script, style')) continue;
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (!box.width || !box.height || style.visibility === 'hidden') continue;
    if (box.bottom <= 0 || box.top >= innerHeight) continue;
    const bg = background(el);
    const fg = over(parse(style.color), bg);
    const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
    results.push({ text: node.textContent.trim().slice(0, 30), ratio: (hi + 0.05) / (lo + 0.05), color: style.color,
                   background: `rgb(${bg.r}, ${bg.g}, ${bg.b})` });
  }
  return results;
}"""

# The big screen's rows on the page shown now, with each row's text sizes, and what frames them.
SCREEN = """() => {
  const box = (sel) => document.querySelector(sel).getBoundingClientRect();
  const rows = [...document.querySelectorAll('#board-rows tr')].map((tr) => {
    const r = tr.getBoundingClientRect();
    const fonts = [...tr.querySelectorAll('td, td *')].filter((el) => el.getBoundingClientRect().width > 0
      && [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()))
      .map((el) => parseFloat(getComputedStyle(el).fontSize));
    return { key: tr.dataset.key, top: r.top, bottom: r.bottom, height: r.height, fonts };
  });
  const indicator = document.getElementById('page-indicator');
  return { width: innerWidth, height: innerHeight, scroll: document.documentElement.scrollHeight,
           scrollWidth: document.documentElement.scrollWidth, rows, head: box('#board-thead').bottom,
           foot: box('.board-foot').top, footBottom: box('.board-foot').bottom, page: Number(indicator.dataset.page),
           indicator: indicator.innerText, indicatorHeight: indicator.getBoundingClientRect().height };
}"""


def low_contrast(page, minimum: float = 4.5) -> list[dict]:
    texts = page.evaluate(CONTRAST)
    assert texts, "no text measured"
    return [t for t in texts if t["ratio"] < minimum]
