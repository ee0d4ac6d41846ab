// The live board: applies board:snapshot / board:update in seq order (live.md), asks for a resync
// when an update's prev_seq is not the last seq seen, and renders rows with a rank-change animation.

const GROUP_HIDDEN = 0, GROUP_RANKED = 1, GROUP_UNRANKED = 2;

// A row's identity on the board: its bib, unique in a contest and in every row that names the
// competitor (the public rows of a blind contest carry no competitor id until it is final; the id
// then appears without changing the key), else the id (a blind judge's jury rows: marking numbers).
export function rowKey(row) {
  const { bib, id } = row.competitor;
  return bib != null ? `bib:${bib}` : `id:${id}`;
}

function bibKey(competitor) {
  const text = competitor.bib ?? competitor.marking_no ?? '';
  return text.split(/(\d+)/).map((part, i) => (i % 2 ? part.padStart(12, '0') : part)).join('');
}

// Board order: rows whose rank is not shown (final_only, or hidden in a ceremony) by bib, then the
// ranked rows by rank, then the unranked statuses (the server orders the same way).
export function sortRows(rows) {
  const group = (row) => (row.status !== 'active' ? GROUP_UNRANKED : row.rank == null ? GROUP_HIDDEN : GROUP_RANKED);
  return [...rows].sort((a, b) => group(a) - group(b) || (a.rank ?? 0) - (b.rank ?? 0)
    || bibKey(a.competitor).localeCompare(bibKey(b.competitor)) || rowKey(a).localeCompare(rowKey(b)));
}

export class BoardState {
  constructor() { this.seq = null; this.rows = new Map(); this.previous = new Map(); }

  snapshot(payload) {
    this.previous = new Map(this.rows);
    this.seq = payload.seq;
    this.rows = new Map(payload.rows.map((row) => [rowKey(row), row]));
    return true;
  }

  // Returns true when applied, false when ignored (old), or 'gap' when a resync is needed.
  update(payload) {
    if (this.seq !== null && payload.seq <= this.seq) return false;
    if (this.seq === null || payload.prev_seq !== this.seq) return 'gap';
    this.previous = new Map(this.rows);
    for (const row of payload.rows) this.rows.set(rowKey(row), row);
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

// Re-render rows keyed by rowKey, animating moves (FLIP) and flashing the changed rows (a set of keys).
export function renderRows(tbody, rows, buildCells, { changed = new Set(), animate = true } = {}) {
  const before = new Map();
  for (const tr of tbody.children) before.set(tr.dataset.key, tr.getBoundingClientRect().top);
  const existing = new Map([...tbody.children].map((tr) => [tr.dataset.key, tr]));
  const fragment = document.createDocumentFragment();
  for (const row of rows) {
    const key = rowKey(row);
    const tr = existing.get(key) ?? document.createElement('tr');
    tr.dataset.key = key;
    if (row.competitor.id != null) tr.dataset.id = row.competitor.id;
    tr.dataset.status = row.status;
    tr.replaceChildren(...buildCells(row));
    fragment.appendChild(tr);
    existing.delete(key);
  }
  tbody.replaceChildren(fragment);
  if (!animate) return;
  for (const tr of tbody.children) {
    const old = before.get(tr.dataset.key);
    const now = tr.getBoundingClientRect().top;
    if (old !== undefined && old !== now) {
      tr.classList.add(now < old ? 'moved-up' : 'moved-down');
      tr.animate([{ transform: `translateY(${old - now}px)` }, { transform: 'translateY(0)' }],
        { duration: 600, easing: 'cubic-bezier(.2,.8,.2,1)' });
      setTimeout(() => tr.classList.remove('moved-up', 'moved-down'), 2500);
    }
    if (changed.has(tr.dataset.key)) {
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
