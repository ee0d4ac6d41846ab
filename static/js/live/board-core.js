// The live board: applies board:snapshot / board:update in seq order (live.md), asks for a resync
// when an update's prev_seq is not the last seq seen, and renders rows with a rank-change animation.

// The shared page helpers, under the names the board's and the judge pages' modules import them by.
export { cell, fill as format, readJson } from '../page.js';

const GROUP_HIDDEN = 0, GROUP_RANKED = 1, GROUP_UNRANKED = 2;

function bibKey(competitor) {
  const text = competitor.bib ?? competitor.marking_no ?? '';
  return text.split(/(\d+)/).map((part, i) => (i % 2 ? part.padStart(12, '0') : part)).join('');
}

// Board order: rows whose rank is not shown (final_only, or hidden in a ceremony) by bib, then the
// ranked rows by rank, then the unranked statuses (the server orders the same way).
export function sortRows(rows) {
  const group = (row) => (row.status !== 'active' ? GROUP_UNRANKED : row.rank == null ? GROUP_HIDDEN : GROUP_RANKED);
  return [...rows].sort((a, b) => group(a) - group(b) || (a.rank ?? 0) - (b.rank ?? 0)
    || bibKey(a.competitor).localeCompare(bibKey(b.competitor)) || a.competitor.id - b.competitor.id);
}

export class BoardState {
  constructor() { this.seq = null; this.rows = new Map(); this.previous = new Map(); }

  snapshot(payload) {
    this.previous = new Map(this.rows);
    this.seq = payload.seq;
    this.rows = new Map(payload.rows.map((row) => [row.competitor.id, row]));
    return true;
  }

  // Returns true when applied, false when ignored (old), or 'gap' when a resync is needed.
  update(payload) {
    if (this.seq !== null && payload.seq <= this.seq) return false;
    if (this.seq === null || payload.prev_seq !== this.seq) return 'gap';
    this.previous = new Map(this.rows);
    for (const row of payload.rows) this.rows.set(row.competitor.id, row);
    this.seq = payload.seq;
    return true;
  }

  ordered() { return sortRows([...this.rows.values()]); }
}

// Connects to /live and keeps `state` current; `onChange(kind, payload)` re-renders.
export function connectBoard({ contestId, view, state, onChange, onConnection }) {
  const socket = window.io('/live', {
    transports: ['websocket', 'polling'],
    tryAllTransports: true, // venue networks that block websockets fall back to long-polling
    // Called on every (re)connect: resume from the last seq seen (live.md, Connect).
    auth: (cb) => cb(state.seq === null ? { contest_id: contestId, view }
      : { contest_id: contestId, view, since_seq: state.seq }),
  });
  socket.on('connect', () => onConnection('connected'));
  socket.on('disconnect', () => onConnection('reconnecting'));
  socket.on('connect_error', () => onConnection(socket.active ? 'reconnecting' : 'offline'));
  socket.io.on('reconnect_failed', () => onConnection('offline'));
  socket.on('board:snapshot', (payload) => { state.snapshot(payload); onChange('snapshot', payload); });
  socket.on('board:update', (payload) => {
    const result = state.update(payload);
    if (result === 'gap') socket.emit('board:resync', state.seq === null ? {} : { since_seq: state.seq });
    else if (result) onChange('update', payload);
  });
  socket.on('contest:state', (payload) => onChange('state', payload));
  socket.on('module:lock', (payload) => onChange('lock', payload));
  socket.on('reveal:step', (payload) => onChange('reveal', payload));
  return socket;
}

// Re-render rows keyed by competitor id, animating moves (FLIP) and flashing changed rows.
export function renderRows(tbody, rows, buildCells, { changed = new Set(), animate = true } = {}) {
  const before = new Map();
  for (const tr of tbody.children) before.set(tr.dataset.id, tr.getBoundingClientRect().top);
  const existing = new Map([...tbody.children].map((tr) => [tr.dataset.id, tr]));
  const fragment = document.createDocumentFragment();
  for (const row of rows) {
    const id = String(row.competitor.id);
    const tr = existing.get(id) ?? document.createElement('tr');
    tr.dataset.id = id;
    tr.dataset.status = row.status;
    tr.replaceChildren(...buildCells(row));
    fragment.appendChild(tr);
    existing.delete(id);
  }
  tbody.replaceChildren(fragment);
  if (!animate) return;
  for (const tr of tbody.children) {
    const old = before.get(tr.dataset.id);
    const now = tr.getBoundingClientRect().top;
    if (old !== undefined && old !== now) {
      tr.classList.add(now < old ? 'moved-up' : 'moved-down');
      tr.animate([{ transform: `translateY(${old - now}px)` }, { transform: 'translateY(0)' }],
        { duration: 600, easing: 'cubic-bezier(.2,.8,.2,1)' });
      setTimeout(() => tr.classList.remove('moved-up', 'moved-down'), 2500);
    }
    if (changed.has(Number(tr.dataset.id))) {
      tr.classList.remove('flash');
      void tr.offsetWidth; // restart the animation
      tr.classList.add('flash');
    }
  }
}

export function headerRow(labels) {
  const tr = document.createElement('tr');
  for (const [text, className] of labels) {
    const th = document.createElement('th');
    th.textContent = text;
    if (className) th.className = className;
    tr.appendChild(th);
  }
  return tr;
}
