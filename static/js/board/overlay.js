// The broadcast overlay (?overlay=1, live.md Pages): a transparent page for a livestream's browser
// source (OBS): the top five, and a lower third announcing each change (a competitor's new total,
// rank and places moved; a ceremony's revealed row), one after another, each for a few seconds.
import { fill } from '../lib/dom.js';
import { moveText } from './cells.js';

const SHOW_MS = 6000;
const QUEUE_MAX = 3;

function part(className, content) {
  const node = document.createElement('span');
  node.className = className;
  node.textContent = content ?? '';
  return node;
}

export function overlayBoard(config, text) {
  const box = document.getElementById('lower-third');
  const queue = [];
  let showing = false;
  document.documentElement.style.background = 'transparent'; // OBS browser sources without :has()

  function next() {
    const item = queue.shift();
    if (!item) { box.hidden = true; showing = false; return; }
    showing = true;
    const { row, by } = item;
    const rank = row.rank != null ? fill(text.rankOf, { rank: row.rank }) : text[row.status] ?? '';
    box.replaceChildren(part('lt-name', row.competitor.name), part('lt-enterprise', row.competitor.enterprise),
      part('lt-rank', `${rank} ${moveText(by)}`.trim()), part('lt-total', row.total));
    box.dataset.key = row.competitor.bib ?? '';
    box.hidden = false;
    box.classList.remove('enter');
    void box.offsetWidth; // restart the animation
    box.classList.add('enter');
    setTimeout(next, SHOW_MS);
  }

  // A burst of marks (a module entered at once) must not queue minutes of lower thirds: a competitor
  // waits once, with the newest change, and only the latest few wait at all.
  function announce(items) {
    for (const item of items) {
      const key = item.row.competitor.bib ?? item.row.competitor.name;
      const at = queue.findIndex((queued) => (queued.row.competitor.bib ?? queued.row.competitor.name) === key);
      if (at >= 0) queue.splice(at, 1);
      queue.push(item);
    }
    queue.splice(0, Math.max(0, queue.length - QUEUE_MAX));
    if (!showing) next();
  }

  return {
    rows: (rows) => rows.slice(0, 5),
    announce: (noted) => announce(noted.map(({ row, by }) => ({ row, by }))),
    reveal: (step) => announce([{ row: step.row, by: 0 }]),
  };
}
