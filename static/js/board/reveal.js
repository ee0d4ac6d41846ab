// The results ceremony on the public board (live.md, Results ceremony): each `reveal:step` shows the
// revealed competitor, animated; on the big screen the card fills a third of the screen height or more.
import { fill } from '../lib/dom.js';

function part(tag, className, content) {
  const node = document.createElement(tag);
  node.className = className;
  node.textContent = content;
  return node;
}

export function showReveal(box, step, text) {
  const { row } = step;
  box.replaceChildren(part('strong', 'reveal-rank', fill(text.rankOf, { rank: row.rank })),
    part('span', 'reveal-name', row.competitor.name),
    part('span', 'reveal-enterprise', row.competitor.enterprise ?? ''),
    part('span', 'reveal-total', row.total ?? ''));
  if (row.band) box.append(part('span', 'reveal-band', fill(text.bandOf, { band: row.band })));
  box.dataset.rank = row.rank;
  box.hidden = false;
  box.classList.remove('pop');
  void box.offsetWidth; // restart the animation
  box.classList.add('pop');
}
