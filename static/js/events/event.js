// The event pages (events.md, Event screens). /events/{id}: the contests with state, progress and
// leader, and the medal table, for phones. /events/{id}/screen: a big screen that rotates through the
// running contests' boards and the medal table, `dwell` seconds each; while any contest runs its
// results ceremony, the screen shows that ceremony until it ends, then rotates again. Everything comes
// from the event room's `event:update` (overview + medal table) and the public standings.
import { api } from '../lib/api.js';
import { cell, el, fill, readJson } from '../lib/dom.js';

const config = readJson('event-config');
const text = readJson('event-text');
let data = config.initial;
let page = 0;
const boards = new Map(); // contest id -> public standings rows (screen)
const awards = new Map(); // contest id -> competitor id -> award name, as far as revealed (ceremony)
const ROWS_PER_PAGE = 8; // the top rows of a board, sized to fill a 16:9 screen below the titles

function leaderText(row) {
  if (!row.leader) return text.none;
  const who = row.leader.competitor;
  return `${who.name}${who.enterprise ? ` · ${who.enterprise}` : ''}${row.leader.total ? ` · ${row.leader.total}` : ''}`;
}

function progressBar(value) {
  const bar = el('span', { className: 'event-progress' });
  const fillBar = el('span', { className: 'event-progress-fill' });
  fillBar.style.width = `${Math.round(Number(value) * 100)}%`;
  bar.append(fillBar);
  bar.title = `${Math.round(Number(value) * 100)}%`;
  return bar;
}

// The award columns worth showing: every code with at least one award (all of them while none is won).
function shownCodes(table) {
  const won = table.award_codes.filter((code) => table.rows.some((row) => row.counts[code]));
  return won.length ? won : table.award_codes;
}

function medalTable(table, limit = Infinity) {
  const node = el('table', { className: 'data medal-table' });
  const head = el('tr');
  const codes = shownCodes(table);
  head.append(el('th', { className: 'num' }, text.rank), el('th', { className: 'enterprise' }, text.enterprise));
  for (const code of codes) head.append(el('th', { className: 'num' }, table.award_names[code] ?? code));
  head.append(el('th', { className: 'num' }, text.total));
  const thead = el('thead');
  thead.append(head);
  const tbody = el('tbody');
  for (const row of table.rows.slice(0, limit)) {
    const tr = el('tr');
    tr.dataset.enterpriseId = row.enterprise.id;
    tr.append(cell(row.rank, 'num rank'), cell(row.enterprise.name, 'enterprise'));
    for (const code of codes) tr.append(cell(row.counts[code] ?? 0, 'num'));
    tr.append(cell(row.total_awards, 'num total'));
    tbody.append(tr);
  }
  if (!table.rows.length) {
    const tr = el('tr');
    const td = cell(text.noMedals, 'muted');
    td.colSpan = codes.length + 3;
    tr.append(td);
    tbody.append(tr);
  }
  node.append(thead, tbody);
  return node;
}

function renderPhone() {
  const list = document.getElementById('contests');
  list.replaceChildren(...data.overview.map((row) => {
    const item = el('li', { className: 'event-contest' });
    item.dataset.contestId = row.contest_id;
    item.dataset.state = row.state;
    const title = row.state === 'draft' ? el('strong', {}, row.name) : el('a', {}, row.name);
    if (row.state !== 'draft') title.href = `/board/${row.contest_id}`;
    const state = el('span', { className: `tag state-${row.state}` }, row.ceremony ? text.ceremony : text.states[row.state]);
    const line = el('div', { className: 'event-contest-line' });
    line.append(el('span', { className: 'muted' }, text.progress), progressBar(row.progress));
    const leader = el('div', { className: 'event-leader' }, fill(text.leaderOf, { who: leaderText(row) }));
    item.append(title, state, line, leader);
    return item;
  }));
  document.getElementById('medal-table').replaceWith(Object.assign(medalTable(data.medal_table),
    { id: 'medal-table' }));
  document.getElementById('medal-table').dataset.testid = 'medal-table';
}

// --- the big screen ----------------------------------------------------------------------------------

function screenPages() {
  const running = data.overview.filter((row) => row.state === 'running' || row.state === 'provisional');
  return [...running.map((row) => ({ kind: 'board', row })), { kind: 'medals' }];
}

async function loadBoard(contestId) {
  try {
    boards.set(contestId, (await api('GET', `/contests/${contestId}/standings`)).rows);
  } catch { /* keep the last rows; the next update tries again */ }
}

function boardTable(rows, limit) {
  const table = el('table', { className: 'event-board' });
  const head = el('tr');
  head.append(el('th', { className: 'num' }, text.rank), el('th', {}, text.bib), el('th', {}, text.name),
    el('th', {}, text.enterprise), el('th', { className: 'num' }, text.score));
  const thead = el('thead');
  thead.append(head);
  const tbody = el('tbody');
  for (const row of rows.slice(0, limit)) {
    const tr = el('tr');
    if (row.rank && row.rank <= 3) tr.dataset.podium = row.rank;
    tr.append(cell(row.rank ?? '–', 'num rank'), cell(row.competitor.bib, 'bib'), cell(row.competitor.name, 'name'),
      cell(row.competitor.enterprise, 'enterprise'), cell(row.total ?? '', 'num total'));
    tbody.append(tr);
  }
  table.append(thead, tbody);
  return table;
}

function renderPage() {
  const pages = screenPages();
  page %= pages.length;
  const current = pages[page];
  const box = document.getElementById('rotation');
  const section = el('div', { className: `event-page-${current.kind}` });
  section.dataset.page = current.kind === 'board' ? `contest-${current.row.contest_id}` : 'medals';
  if (current.kind === 'board') {
    section.append(el('h2', { className: 'event-page-title' }, `${current.row.name} · ${text.states[current.row.state]}`));
    section.append(boardTable(boards.get(current.row.contest_id) ?? [], ROWS_PER_PAGE));
  } else {
    section.append(el('h2', { className: 'event-page-title' }, text.medals));
    section.append(medalTable(data.medal_table, ROWS_PER_PAGE));
  }
  box.replaceChildren(section);
  box.dataset.page = section.dataset.page;
  document.getElementById('page-indicator').textContent = fill(text.page, { n: page + 1, m: pages.length });
}

async function loadAwards(contestId) {
  try {
    const found = await api('GET', `/contests/${contestId}/awards`);
    awards.set(contestId, new Map(found.map((a) => [a.competitor.id, a.award.name])));
  } catch { /* shown without the award until the next update */ }
}

async function renderCeremony(row) {
  await Promise.all([loadBoard(row.contest_id), loadAwards(row.contest_id)]);
  const box = document.getElementById('ceremony');
  const shown = (boards.get(row.contest_id) ?? []).filter((r) => r.rank !== null);
  // revealed from the bottom up: the best rank shown is the one just revealed
  const latest = shown.length ? shown.reduce((a, b) => (a.rank <= b.rank ? a : b)) : null;
  const parts = [el('h2', { className: 'event-page-title' }, `${text.ceremony} · ${row.name}`)];
  if (latest) {
    const hero = el('div', { className: 'event-ceremony-hero' });
    hero.append(el('strong', { className: 'reveal-rank' }, latest.rank), el('span', { className: 'reveal-name' },
      `${latest.competitor.name} · ${latest.competitor.enterprise}`), el('span', { className: 'reveal-total' }, latest.total ?? ''));
    const award = awards.get(row.contest_id)?.get(latest.competitor.id);
    if (award) hero.append(el('span', { className: 'reveal-award' }, award));
    parts.push(hero);
  }
  parts.push(boardTable([...shown].sort((a, b) => a.rank - b.rank), 8));
  box.replaceChildren(...parts);
  box.dataset.contestId = row.contest_id;
}

function renderScreen() {
  const ceremony = data.overview.find((row) => row.ceremony);
  const box = document.getElementById('ceremony');
  document.body.classList.toggle('ceremony-on', Boolean(ceremony));
  box.hidden = !ceremony;
  document.getElementById('rotation').hidden = Boolean(ceremony);
  document.getElementById('page-indicator').hidden = Boolean(ceremony);
  if (ceremony) renderCeremony(ceremony);
  else renderPage();
}

async function refresh() {
  if (config.screen) {
    await Promise.all(data.overview.filter((row) => row.state !== 'draft').map((row) => loadBoard(row.contest_id)));
    renderScreen();
  } else renderPhone();
}

function connect() {
  const conn = document.getElementById('conn');
  const socket = window.io('/live', { transports: ['websocket', 'polling'], tryAllTransports: true,
    auth: { event_id: config.eventId, view: 'public' } });
  const setState = (kind) => { conn.dataset.state = kind; conn.textContent = text[kind] ?? text.reconnecting; };
  socket.on('connect', () => setState('connected'));
  socket.on('disconnect', () => setState('reconnecting'));
  socket.on('connect_error', () => setState('reconnecting'));
  socket.on('event:update', (payload) => {
    data = payload;
    document.body.dataset.updates = String(Number(document.body.dataset.updates ?? 0) + 1);
    refresh();
  });
}

refresh();
connect();
if (config.screen) {
  setInterval(() => {
    if (data.overview.some((row) => row.ceremony)) return;
    page += 1;
    renderPage();
  }, config.dwell * 1000);
}
