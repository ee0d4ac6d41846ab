// The chief judge's console (/jury/{id}): the never-frozen jury board, the progress grid, the
// reconciliation alerts, module locks, every judge's values for one aspect, competitor status and
// time used, and the judge-analysis chart, each in a tab (jury.html; lib/tabs.js keeps the open one in
// the URL hash).
import { api } from './lib/api.js';
import { setUpTabs } from './lib/tabs.js';
import { BoardState, connectBoard, headerRow, renderRows, rowKey } from './live/board-core.js';
import { cell, fill as format, notice, readJson } from './lib/dom.js';
import { failureText, showFailure } from './lib/failures.js';

const config = readJson('board-config');
const text = readJson('board-text');
const state = new BoardState();
const base = `/contests/${config.contestId}`;
let chart = null;

function who(competitor) {
  return config.blind ? competitor.marking_no : `${competitor.bib} ${competitor.name}`;
}

// --- the jury board ---------------------------------------------------------------------------------
function boardColumns() {
  const labels = [[text.rank, 'num']];
  labels.push(...(config.blind ? [[text.marking_no]] : [[text.bib], [text.name], [text.enterprise]]));
  for (const m of config.modules) labels.push([m.code, 'num']);
  labels.push([text.total, 'num'], [text.complete]);
  return labels;
}

function boardCells(row) {
  const c = row.competitor;
  const out = [cell(row.status === 'active' ? row.rank : text[row.status], 'num rank')];
  if (config.blind) out.push(cell(c.marking_no));
  else out.push(cell(c.bib), cell(c.name, 'name'), cell(c.enterprise, 'enterprise'));
  for (const m of config.modules) out.push(cell(row.modules[m.code] ?? '', 'num'));
  out.push(cell(row.total, 'num total'), cell(row.complete ? text.yes : text.no));
  return out;
}

function renderBoard(changed = new Set()) {
  renderRows(document.getElementById('board-rows'), state.ordered(), boardCells, { changed });
}

// --- progress, alerts, locks --------------------------------------------------------------------------
// The server changes locks only while the contest is running or provisional; after 定稿 the console
// shows each module's state and offers no button the server would refuse.
let contestState = config.state;
const locksOpen = () => contestState === 'running' || contestState === 'provisional';

function renderLocks(modules) {
  const list = document.getElementById('locks');
  list.replaceChildren(...modules.map((m) => {
    const li = document.createElement('li');
    li.dataset.module = m.code;
    li.dataset.locked = m.locked;
    const label = document.createElement('span');
    label.textContent = `${m.code} ${m.name} · ${m.locked ? text.locked : text.unlocked}`;
    li.append(label);
    if (config.chief && locksOpen()) {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = m.locked ? 'button secondary' : 'button';
      button.textContent = m.locked ? text.unlock : text.lock;
      button.addEventListener('click', () => (m.locked ? askUnlock(m.code) : lock(m.code)));
      li.append(button);
    }
    return li;
  }));
}

function renderProgress(progress) {
  const table = document.getElementById('progress');
  const head = headerRow([[config.blind ? text.marking_no : text.bib], ...progress.modules.map((m) => [m.code, 'num'])]);
  const thead = document.createElement('thead');
  thead.append(head);
  const tbody = document.createElement('tbody');
  for (const entry of progress.competitors) {
    const tr = document.createElement('tr');
    tr.append(cell(who(entry.competitor)));
    for (const m of progress.modules) {
      const p = entry.modules[m.code];
      const td = cell(`${p.complete}/${p.total}`, 'num');
      td.dataset.done = p.complete === p.total;
      if (Object.values(p.aspects).includes('needs_reconciliation')) td.dataset.alert = 'true';
      tr.append(td);
    }
    tbody.append(tr);
  }
  table.replaceChildren(thead, tbody);
  const alerts = document.getElementById('alerts');
  alerts.replaceChildren(...(progress.reconciliation.length ? progress.reconciliation.map((r) => {
    const li = document.createElement('li');
    const values = r.values.map((v) => v.value).join(' / ');
    li.textContent = `${who(r.competitor)} · ${r.module_code} · ${format(text.alertValues, { aspect: `${r.aspect_code} ${r.aspect_name}`, values })}`;
    return li;
  }) : [Object.assign(document.createElement('li'), { textContent: text.none, className: 'muted' })]));
  document.getElementById('alert-count').textContent = progress.reconciliation.length || '';
  renderLocks(progress.modules);
}

async function refreshProgress() {
  try {
    const progress = await api('GET', `${base}/progress`);
    renderProgress(progress);
    lastProgress = progress;
    fillAspectChoice(progress);
    refreshValues();
  } catch (error) { notice(failureText(error, text), 'error'); }
}

// --- every judge's values for one aspect ----------------------------------------------------------------
let lastProgress = null;
let judges = null;

function fillAspectChoice(progress) {
  const select = document.getElementById('values-aspect');
  if (select.options.length > 1) return;
  for (const m of progress.modules) {
    const group = document.createElement('optgroup');
    group.label = `${m.code} ${m.name}`;
    for (const a of m.aspects) group.append(new Option(`${a.code} ${a.name}`, a.code));
    select.append(group);
  }
}

async function refreshValues() {
  const code = document.getElementById('values-aspect').value;
  const table = document.getElementById('values');
  if (!code || !lastProgress) { table.replaceChildren(); return; }
  if (judges === null) {
    try { judges = await api('GET', `${base}/judges`); } catch { judges = []; }
  }
  let marks;
  try { marks = await api('GET', `${base}/marks?aspect_code=${encodeURIComponent(code)}`); }
  catch (error) { showFailure(error, text); return; }
  const module = lastProgress.modules.find((m) => m.aspects.some((a) => a.code === code));
  const byCompetitor = new Map();
  for (const m of marks) {
    if (!byCompetitor.has(m.competitor_id)) byCompetitor.set(m.competitor_id, new Map());
    byCompetitor.get(m.competitor_id).set(m.judge_id, m);
  }
  // Columns: the judges who entered a value for this aspect, in the contest's judge order.
  const entered = new Set(marks.map((m) => m.judge_id));
  const columns = (judges ?? []).filter((j) => entered.has(j.user_id)).map((j) => ({ id: j.user_id, name: j.display_name || j.username }));
  for (const id of entered) if (!columns.some((c) => c.id === id)) columns.push({ id, name: `#${id}` });
  const thead = document.createElement('thead');
  thead.append(headerRow([[config.blind ? text.marking_no : text.bib], [text.aspectState],
    ...columns.map((c) => [c.name, 'num'])]));
  const tbody = document.createElement('tbody');
  for (const entry of lastProgress.competitors) {
    const tr = document.createElement('tr');
    tr.dataset.id = entry.competitor.id;
    const state = module ? entry.modules[module.code]?.aspects[code] : null;
    const stateCell = cell(state ? text[`state_${state}`] : '');
    if (state) stateCell.dataset.state = state;
    tr.append(cell(who(entry.competitor)), stateCell);
    const values = byCompetitor.get(entry.competitor.id) ?? new Map();
    for (const c of columns) {
      const mark = values.get(c.id);
      const td = cell(mark ? mark.value : '', 'num');
      if (mark) td.title = `v${mark.version}`;
      tr.append(td);
    }
    tbody.append(tr);
  }
  if (!lastProgress.competitors.length) tbody.append(Object.assign(document.createElement('tr'), { textContent: text.noValues }));
  table.replaceChildren(thead, tbody);
}

document.getElementById('values-aspect').addEventListener('change', refreshValues);

// --- competitor status and time used ----------------------------------------------------------------
let competitorList = [];

function clock(seconds) {
  if (seconds === null || seconds === undefined) return '';
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

function parseClock(textValue) {
  const value = textValue.trim();
  if (!value) return null;
  let match = /^(\d+):([0-5]\d)$/.exec(value);
  if (match) return Number(match[1]) * 60 + Number(match[2]);
  match = /^(\d+):([0-5]\d):([0-5]\d)$/.exec(value);
  if (match) return Number(match[1]) * 3600 + Number(match[2]) * 60 + Number(match[3]);
  return undefined;
}

function naturalKey(c) {
  const label = (config.blind ? c.marking_no : c.bib) ?? '';
  return label.split(/(\d+)/).map((part, i) => (i % 2 ? part.padStart(12, '0') : part)).join('');
}

async function refreshCompetitors() {
  try { competitorList = await api('GET', `${base}/competitors`); } catch (error) { notice(failureText(error, text), 'error'); return; }
  competitorList.sort((a, b) => naturalKey(a).localeCompare(naturalKey(b)) || a.id - b.id);
  const table = document.getElementById('competitors');
  const thead = document.createElement('thead');
  const may = config.chief || config.organizer;
  thead.append(headerRow([[config.blind ? text.marking_no : text.bib], [text.aspectState], [text.reason ?? ''],
    [text.timeUsed ?? '', 'num'], ['']]));
  const tbody = document.createElement('tbody');
  for (const c of competitorList) {
    const tr = document.createElement('tr');
    tr.dataset.id = c.id;
    tr.dataset.status = c.status;
    tr.append(cell(who(c)), cell(text[c.status] ?? c.status), cell(c.status_reason ?? ''), cell(clock(c.time_used_seconds), 'num'));
    const actions = document.createElement('td');
    if (may) {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'button secondary small';
      button.textContent = text.edit;
      button.addEventListener('click', () => askStatus(c));
      actions.append(button);
    }
    tr.append(actions);
    tbody.append(tr);
  }
  table.replaceChildren(thead, tbody);
}

function askStatus(competitor) {
  const dialog = document.getElementById('status-dialog');
  dialog.dataset.id = competitor.id;
  document.getElementById('status-who').textContent = who(competitor);
  document.getElementById('status-select').value = competitor.status;
  document.getElementById('status-reason').value = competitor.status_reason ?? '';
  document.getElementById('status-time').value = clock(competitor.time_used_seconds);
  dialog.showModal();
}

document.getElementById('status-cancel').addEventListener('click', () => document.getElementById('status-dialog').close());
document.getElementById('status-form').addEventListener('submit', async (event) => {
  const dialog = document.getElementById('status-dialog');
  const seconds = parseClock(document.getElementById('status-time').value);
  if (seconds === undefined) { event.preventDefault(); notice(text.badTime, 'error'); return; }
  const reason = document.getElementById('status-reason').value.trim();
  const body = { status: document.getElementById('status-select').value, time_used_seconds: seconds, reason: reason || null };
  const competitor = competitorList.find((c) => String(c.id) === dialog.dataset.id);
  try {
    await api('PATCH', `${base}/competitors/${dialog.dataset.id}`, body);
    notice(format(text.statusSaved, { who: competitor ? who(competitor) : dialog.dataset.id }));
  } catch (error) { showFailure(error, text); }
  refreshCompetitors();
  refreshProgress();
});

let analysis = [];  // the last judge analysis, for the chart's tooltips
async function refreshAnalysis() {
  const data = await api('GET', `${base}/judge-analysis`);
  analysis = data;
  const labels = data.map((j) => `${j.name} (${j.count})`);
  const deviations = data.map((j) => (j.mean_deviation === null ? 0 : Number(j.mean_deviation)));
  if (!window.Chart) return;
  if (chart) {
    chart.data.labels = labels;
    chart.data.datasets[0].data = deviations;
    chart.update();
    return;
  }
  chart = new window.Chart(document.getElementById('analysis-chart'), {
    type: 'bar',
    data: { labels, datasets: [{ label: text.deviation, data: deviations, backgroundColor: '#b4232a' }] },
    options: {
      animation: false,
      plugins: {
        legend: { display: true },
        tooltip: { callbacks: { label: (item) => `${item.formattedValue} ${text.points} · ${text.count} ${analysis[item.dataIndex]?.count ?? 0}` } },
      },
      scales: { y: { beginAtZero: true, title: { display: true, text: text.deviationAxis } } },
    },
  });
}

async function lock(code) {
  try { await api('POST', `${base}/modules/${encodeURIComponent(code)}/lock`); notice(`${code} ${text.locked}`); }
  catch (error) { showFailure(error, text); }
  refreshProgress();
}

function askUnlock(code) {
  const dialog = document.getElementById('unlock-dialog');
  document.getElementById('unlock-module').textContent = code;
  document.getElementById('unlock-reason').value = '';
  dialog.dataset.module = code;
  dialog.showModal();
}

document.getElementById('unlock-cancel').addEventListener('click', () => document.getElementById('unlock-dialog').close());
document.getElementById('unlock-form').addEventListener('submit', async (event) => {
  const dialog = document.getElementById('unlock-dialog');
  const reason = document.getElementById('unlock-reason').value.trim();
  if (!reason) { event.preventDefault(); notice(text.reasonRequired, 'error'); return; }
  try {
    await api('POST', `${base}/modules/${encodeURIComponent(dialog.dataset.module)}/unlock`, { reason });
    notice(`${dialog.dataset.module} ${text.unlocked}`);
  } catch (error) { showFailure(error, text); }
  refreshProgress();
});

// --- live ---------------------------------------------------------------------------------------------
let pending = null;
function refreshSoon() {
  clearTimeout(pending);
  pending = setTimeout(() => { refreshProgress(); refreshAnalysis(); refreshCompetitors(); }, 300);
}

setUpTabs(document.getElementById('jury-tabs'), { onShow: (name) => { if (name === 'analysis') chart?.resize(); } });
document.getElementById('board-thead').replaceChildren(headerRow(boardColumns()));
connectBoard({
  contestId: config.contestId, view: 'jury', state,
  onConnection(kind) { const node = document.getElementById('conn'); node.dataset.state = kind; node.textContent = text[kind]; },
  onChange(kind, payload) {
    if ((kind === 'snapshot' || kind === 'state') && payload.state) contestState = payload.state;
    if (kind === 'snapshot') renderBoard();
    else if (kind === 'update') { renderBoard(new Set(payload.rows.map(rowKey))); refreshSoon(); }
    else refreshSoon();
  },
});
refreshProgress();
refreshAnalysis();
refreshCompetitors();
