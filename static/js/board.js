// The public board page (/board/{id}): the phone board (detail sheet, search, follow), the big screen
// (?screen=1, paged, read from 10 m) and the broadcast overlay (?overlay=1) — live.md, Pages.
import { BoardState, connectBoard, headerRow, renderRows, rowKey } from './live/board-core.js';
import { fill as format, readJson } from './lib/dom.js';
import { cells, columns, markRows } from './board/cells.js';
import { Changes } from './board/changes.js';
import { showReveal } from './board/reveal.js';
import { ScreenPager, colgroup } from './board/screen.js';

const config = readJson('board-config');
const text = readJson('board-text');
const state = new BoardState();
let contestState = config.state;
let frozen = false;
let lastUpdate = null;

const tbody = document.getElementById('board-rows');
const table = document.getElementById('board-table');
const conn = document.getElementById('conn');
const changes = new Changes(() => render());
const pager = config.mode === 'screen' ? new ScreenPager({
  body: document.getElementById('board-body'), table, indicator: document.getElementById('page-indicator'),
  dwell: config.dwell, text, format, onTurn: () => render(),
}) : null;
// The phone's and the overlay's own behaviour: rows(rows) picks and orders the rows shown,
// rendered(tbody) marks them, announce(changes) tells of changed rows.
let mode = null;
if (config.mode === 'phone') mode = (await import('./board/phone.js')).phoneBoard(config, text, state, () => render());
if (config.mode === 'overlay') mode = (await import('./board/overlay.js')).overlayBoard(config, text);

// Final, yet active rows without a rank: the results wait for the ceremony (or one is running).
const held = (rows) => contestState === 'final' && rows.some((r) => r.status === 'active' && r.rank == null);

function render() {
  let rows = state.ordered();
  document.getElementById('banner-held').hidden = !held(rows);
  document.getElementById('banner-frozen').hidden = !frozen;
  document.getElementById('banner-provisional').hidden = contestState !== 'provisional';
  document.getElementById('banner-final').hidden = contestState !== 'final' || held(rows);
  if (mode) rows = mode.rows(rows);
  if (pager) rows = pager.slice(rows);
  renderRows(tbody, rows, (row) => cells(row, config, text, changes.by(rowKey(row))));
  markRows(tbody, rows, (key) => changes.highlighted(key));
  if (pager) pager.checkWidth();
  document.getElementById('seq').textContent = state.seq === null ? '' : `#${state.seq}`;
  document.getElementById('last-update').textContent = lastUpdate
    ? format(text.lastUpdate, { time: lastUpdate.toLocaleTimeString(document.documentElement.lang, { hour12: false }) }) : '';
  document.body.dataset.seq = state.seq ?? '';
  mode?.rendered?.(tbody);
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

const cols = columns(config, text);
document.getElementById('board-thead').replaceChildren(headerRow(cols));
if (pager) colgroup(document.getElementById('board-cols'), cols); // widths in em of the big screen's rows
connectBoard({
  contestId: config.contestId, view: 'public', state, onConnection: setConnection,
  onChange(kind, payload) {
    if (kind === 'snapshot' || kind === 'state') { contestState = payload.state; frozen = payload.frozen; }
    if (kind === 'update') {
      lastUpdate = new Date();
      const noted = changes.note(payload.rows, state.previous);
      mode?.announce?.(noted);
    }
    if (kind === 'reveal' && mode?.reveal) mode.reveal(payload);
    else if (kind === 'reveal') showReveal(document.getElementById('reveal'), payload, text);
    if (kind !== 'lock') render();
  },
});
tickClock();
setInterval(tickClock, 1000);
