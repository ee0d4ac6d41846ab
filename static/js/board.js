// The public board page (/board/{id}): phones, and ?screen=1 for a 1920×1080 big screen that pages
// through more than 30 competitors.
import { BoardState, connectBoard, headerRow, renderRows, rowKey } from './live/board-core.js';
import { cell, fill as format, readJson } from './page.js';

const config = readJson('board-config');
const text = readJson('board-text');
const state = new BoardState();
const PAGE_SIZE = 30;
const PAGE_SECONDS = 12;
let contestState = config.state;
let frozen = false;
let page = 0;

const tbody = document.getElementById('board-rows');
const thead = document.getElementById('board-thead');
const conn = document.getElementById('conn');

function columns() {
  const labels = [[text.rank, 'num rank'], [text.bib, 'bib'], [config.teamSize > 1 ? text.team : text.name, 'name'],
    [text.enterprise, 'enterprise']];
  for (const c of config.components) labels.push([c.name, 'num component']);
  labels.push([text.total, 'num total'], [text.progress, 'num progress']);
  return labels;
}

function cells(row) {
  const status = row.status !== 'active' ? text[row.status] : null;
  const out = [cell(status ?? row.rank ?? '–', 'num rank'), cell(row.competitor.bib, 'bib'),
    cell(row.competitor.name, 'name'), cell(row.competitor.enterprise, 'enterprise')];
  for (const c of config.components) out.push(cell(row.components[c.code] ?? '', 'num component'));
  out.push(cell(row.total ?? '', 'num total'));
  out.push(cell(`${row.aspects_complete}/${config.aspectCount}`, 'num progress'));
  return out;
}

function visibleRows() {
  const rows = state.ordered();
  if (!config.screen || rows.length <= PAGE_SIZE) return rows;
  const pages = Math.ceil(rows.length / PAGE_SIZE);
  page %= pages;
  document.getElementById('page-indicator').textContent = format(text.page, { n: page + 1, m: pages });
  return rows.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE);
}

function render(changed) {
  renderRows(tbody, visibleRows(), cells, { changed });
  document.getElementById('seq').textContent = state.seq === null ? '' : `#${state.seq}`;
  document.getElementById('banner-frozen').hidden = !frozen;
  document.getElementById('banner-provisional').hidden = contestState !== 'provisional';
  document.getElementById('banner-final').hidden = contestState !== 'final';
  document.body.dataset.seq = state.seq ?? '';
}

function showReveal(step) {
  const box = document.getElementById('reveal');
  const row = step.row;
  box.replaceChildren();
  const rank = document.createElement('strong');
  rank.className = 'reveal-rank';
  rank.textContent = row.rank;
  const who = document.createElement('span');
  who.className = 'reveal-name';
  who.textContent = `${row.competitor.name} · ${row.competitor.enterprise}`;
  const total = document.createElement('span');
  total.className = 'reveal-total';
  total.textContent = row.total;
  box.append(rank, who, total);
  if (row.band) {
    const band = document.createElement('span');
    band.className = 'reveal-band';
    band.textContent = format(text.bandOf, { band: row.band });
    box.append(band);
  }
  box.hidden = false;
  box.classList.remove('pop');
  void box.offsetWidth;
  box.classList.add('pop');
}

function tickClock() {
  const clock = document.getElementById('clock');
  const now = Date.now();
  const starts = Date.parse(config.startsAt), ends = Date.parse(config.endsAt);
  const pad = (n) => String(n).padStart(2, '0');
  const span = (ms) => { const s = Math.max(0, Math.floor(ms / 1000));
    return `${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`; };
  if (now < starts) clock.textContent = `${text.starts} ${span(starts - now)}`;
  else if (now < ends && contestState === 'running') clock.textContent = `${text.remaining} ${span(ends - now)}`;
  else clock.textContent = contestState === 'running' ? text.ended : text[contestState] ?? '';
}

function setConnection(kind) {
  conn.dataset.state = kind;
  conn.textContent = text[kind];
}

thead.replaceChildren(headerRow(columns()));
connectBoard({
  contestId: config.contestId, view: 'public', state, onConnection: setConnection,
  onChange(kind, payload) {
    if (kind === 'snapshot') { contestState = payload.state; frozen = payload.frozen; render(new Set()); }
    else if (kind === 'update') render(new Set(payload.rows.map(rowKey)));
    else if (kind === 'state') { contestState = payload.state; frozen = payload.frozen; render(new Set()); }
    else if (kind === 'reveal') showReveal(payload);
  },
});
tickClock();
setInterval(tickClock, 1000);
if (config.screen) setInterval(() => { page += 1; render(new Set()); }, PAGE_SECONDS * 1000);
