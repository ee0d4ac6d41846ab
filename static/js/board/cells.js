// The public board's columns and cells, shared by the phone board, the big screen and the overlay.
// The top three carry a glyph (★) and a label as well as a colour; a rank change shows ▲n / ▼n.
import { cell, el, fill } from '../lib/dom.js';

const TOP_LABELS = { 1: 'top1', 2: 'top2', 3: 'top3' };

// The component columns shown: none on the big screen when a single component makes the total.
const shownComponents = (config) => (config.mode === 'screen' && config.components.length < 2 ? []
  : config.components);

// [label, class, width in em of the row's text (null: takes the rest)]
export function columns(config, text) {
  const list = [[text.rank, 'num rank', 2.6], [text.move, 'move', 2.3], [text.bib, 'bib', 2.5],
    [config.teamSize > 1 ? text.team : text.name, 'name', 4.6], [text.enterprise, 'enterprise', null]];
  for (const c of shownComponents(config)) list.push([c.name, 'num component', 3.7]);
  list.push([text.total, 'num total', 3.9], [text.progress, 'num progress', 3.1]);
  return list;
}

// The top three are marked once marking has begun (before, everyone shares rank 1).
const topOf = (row) => (row.status === 'active' && row.rank != null && row.rank <= 3 && row.aspects_complete > 0
  ? row.rank : null);

function rankCell(row, text) {
  const node = cell('', 'num rank');
  const label = TOP_LABELS[topOf(row)];
  if (row.status !== 'active' || row.rank == null) {
    node.textContent = '–';
  } else if (label) {
    const glyph = document.createElement('span');
    glyph.className = 'medal';
    glyph.textContent = '★';
    glyph.setAttribute('aria-hidden', 'true');
    node.title = text[label];
    node.append(glyph, String(row.rank));
  } else {
    node.textContent = String(row.rank);
  }
  return node;
}

export function moveText(by) {
  if (!by) return '';
  return `${by > 0 ? '▲' : '▼'}${Math.abs(by)}`;
}

function moveCell(by, text) {
  const node = cell(moveText(by), `move${by > 0 ? ' up' : by < 0 ? ' down' : ''}`);
  if (by) node.title = fill(by > 0 ? text.up : text.down, { n: Math.abs(by) });
  return node;
}

export function statusText(row, text) {
  return row.status !== 'active' ? text[row.status] ?? row.status : '';
}

// A row's cells; `by`: the places it moved lately (0: none).
export function cells(row, config, text, by = 0) {
  const { competitor } = row;
  const name = cell(competitor.name, 'name');
  if (competitor.enterprise) name.append(el('span', { className: 'sub' }, competitor.enterprise)); // phones
  const status = statusText(row, text);
  if (status) {
    name.append(' ', el('span', { className: 'status-tag' }, status));
  }
  const out = [rankCell(row, text), moveCell(by, text), cell(competitor.bib, 'bib'), name,
    cell(competitor.enterprise, 'enterprise')];
  for (const c of shownComponents(config)) out.push(cell(row.components[c.code], 'num component'));
  out.push(cell(row.total, 'num total'));
  out.push(cell(status || `${row.aspects_complete}/${config.aspectCount}`, 'num progress'));
  return out;
}

// Marks the top three (data-top) and the highlighted rows after a render.
export function markRows(tbody, rows, isHighlighted) {
  [...tbody.children].forEach((tr, n) => {
    const row = rows[n];
    const top = topOf(row);
    if (top) tr.dataset.top = top;
    else delete tr.dataset.top;
    tr.classList.toggle('changed', isHighlighted(tr.dataset.key));
  });
}
