// The promotions page's "what does confirming this batch do to our ratio" (promotion.md, Skill-talent
// structure): beside each contest's batch buttons, the enterprise's high-skill ratio now and, while
// proposals are selected, as it would be once the selected ones were confirmed. The figures come from
// GET /api/v1/enterprises/{id}/skill-structure?promotion_ids=…; an answer that arrives after a newer
// selection is dropped.
import { api } from '../lib/api.js';
import { fill, readJson } from '../lib/dom.js';

const config = readJson('ratio-preview-config');
const latest = new WeakMap(); // section -> number of its latest request
const timers = new WeakMap();

const percent = (ratio) => (ratio === null || ratio === undefined ? '—' : `${(Number(ratio) * 100).toFixed(2)} %`);

async function refresh(section, ids) {
  const node = section.querySelector('[data-role="ratio-preview"]');
  if (!node || !config.url) return;
  const ticket = (latest.get(section) || 0) + 1;
  latest.set(section, ticket);
  const query = ids.map((id) => `promotion_ids=${encodeURIComponent(id)}`).join('&');
  let figures = null;
  try {
    figures = await api('GET', query ? `${config.url}?${query}` : config.url);
  } catch { /* no preview: the figures stay hidden */ }
  if (latest.get(section) !== ticket) return;
  if (!figures) {
    node.hidden = true;
    return;
  }
  const text = ids.length
    ? fill(config.after, { now: percent(figures.high_skill_ratio), after: percent(figures.pending.high_skill_ratio),
      n: ids.length, target: percent(figures.high_skill_target) })
    : fill(config.now, { now: percent(figures.high_skill_ratio) });
  const link = document.createElement('a');
  link.href = config.structureUrl;
  link.textContent = text;
  node.replaceChildren(link);
  node.dataset.now = figures.high_skill_ratio ?? '';
  node.dataset.after = ids.length ? (figures.pending.high_skill_ratio ?? '') : '';
  node.hidden = false;
}

// Show the ratio for the proposals `ids` selected in `section` (a contest's block), shortly after the
// selection settles.
export function previewRatio(section, ids) {
  clearTimeout(timers.get(section));
  timers.set(section, setTimeout(() => refresh(section, ids), 150));
}
