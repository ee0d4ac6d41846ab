// The phone board (live.md, Pages): tap a row for the competitor's detail sheet (enterprise, component
// and module scores, progress and status, as far as the public view carries them); search by name,
// bib or enterprise; follow competitors: pinned on top, remembered by the browser (localStorage, by
// row key, so a blind contest's rows are followed by bib).
import { rowKey } from '../live/board-core.js';
import { el, fill } from '../lib/dom.js';
import { statusText } from './cells.js';

function followStore(contestId) {
  const name = `board-follow:${contestId}`;
  let keys;
  try { keys = new Set(JSON.parse(localStorage.getItem(name) ?? '[]')); } catch { keys = new Set(); }
  return {
    has: (key) => keys.has(key),
    toggle(key) {
      if (keys.has(key)) keys.delete(key); else keys.add(key);
      try { localStorage.setItem(name, JSON.stringify([...keys])); } catch { /* private mode: this page only */ }
    },
  };
}

const searchable = (row) => [row.competitor.name, row.competitor.bib, row.competitor.enterprise,
  ...(row.competitor.members ?? []).map((m) => `${m.name} ${m.enterprise}`)].join(' ').toLowerCase();

export function phoneBoard(config, text, state, rerender) {
  const followed = followStore(config.contestId);
  const search = document.getElementById('board-search');
  const sheet = document.getElementById('sheet');
  const backdrop = document.getElementById('sheet-backdrop');
  const follow = document.getElementById('sheet-follow');
  let open = null; // the key of the row shown in the sheet

  function scoreList(title, entries, values) {
    const section = el('section', { className: 'sheet-section' });
    section.append(el('h3', {}, title));
    const list = el('dl', { className: 'sheet-scores' });
    for (const { code, name } of entries) {
      list.append(el('dt', {}, name), el('dd', { className: 'num' }, values[code] ?? text.notShown));
    }
    section.append(list);
    return section;
  }

  function fillSheet() {
    const row = state.rows.get(open);
    if (!row) { close(); return; }
    const { competitor } = row;
    document.getElementById('sheet-name').textContent = competitor.name;
    document.getElementById('sheet-sub').textContent = [competitor.bib && `${text.bib} ${competitor.bib}`,
      competitor.enterprise].filter(Boolean).join(' · ');
    const shown = row.total != null;
    const facts = el('dl', { className: 'sheet-facts' });
    const status = statusText(row, text);
    facts.append(el('dt', {}, text.rank), el('dd', { className: 'sheet-rank' }, row.rank ?? (status || text.notShown)),
      el('dt', {}, text.total), el('dd', { className: 'sheet-total num' }, shown ? row.total : text.notShown),
      el('dt', {}, text.status), el('dd', {}, status || (row.complete ? text.complete : text.incomplete)),
      el('dt', {}, text.progress),
      el('dd', {}, fill(text.progressOf, { n: row.aspects_complete, m: config.aspectCount })));
    const body = document.getElementById('sheet-body');
    body.replaceChildren(facts);
    if (competitor.members?.length) {
      const members = el('ul', { className: 'sheet-members' });
      members.append(...competitor.members.map((m) => el('li', {}, `${m.name} · ${m.enterprise}`)));
      body.append(members);
    }
    if (config.components.length) body.append(scoreList(text.scores, config.components, row.components));
    if (config.modules.length) body.append(scoreList(text.modules, config.modules, row.modules));
    follow.textContent = followed.has(open) ? text.unfollow : text.follow;
    follow.setAttribute('aria-pressed', String(followed.has(open)));
  }

  function close() {
    open = null;
    sheet.hidden = true;
    backdrop.hidden = true;
  }

  document.getElementById('board-rows').addEventListener('click', (event) => {
    const tr = event.target.closest('tr');
    if (!tr) return;
    open = tr.dataset.key;
    fillSheet();
    sheet.hidden = false;
    backdrop.hidden = false;
    document.getElementById('sheet-close').focus();
  });
  document.getElementById('sheet-close').addEventListener('click', close);
  backdrop.addEventListener('click', close);
  document.addEventListener('keydown', (event) => { if (event.key === 'Escape' && open) close(); });
  follow.addEventListener('click', () => { followed.toggle(open); fillSheet(); rerender(); });
  search.addEventListener('input', () => rerender());

  return {
    // Followed rows first (in board order), then the rest; only those matching the search.
    rows(rows) {
      const query = search.value.trim().toLowerCase();
      const matching = query ? rows.filter((row) => searchable(row).includes(query)) : rows;
      document.getElementById('board-empty').hidden = matching.length > 0;
      return [...matching.filter((row) => followed.has(rowKey(row))),
        ...matching.filter((row) => !followed.has(rowKey(row)))];
    },
    rendered(tbody) {
      for (const tr of tbody.children) {
        tr.classList.toggle('followed', followed.has(tr.dataset.key));
        tr.tabIndex = 0;
      }
      if (open) fillSheet();
    },
  };
}
