// The judge's tablet (/judge/contests/{id}): pick a module → a competitor → an aspect, enter the value
// on the pad. Every mark goes through the device queue (queue.js), so it survives a lost connection
// or a reload and is stored exactly once. Module locks arrive live on the `judge` socket view.
import { api } from '../lib/api.js';
import { el, fill as format, readJson } from '../lib/dom.js';
import { MarkQueue } from './queue.js';
import { connectJudge, HealthIndicator } from './health.js';

const config = readJson('judge-config');
const text = readJson('judge-text');
const contestId = config.contestId;
const CACHE = `competition.judge.worklist.v1.u${config.userId}.c${contestId}`;
const $ = (id) => document.getElementById(id);

const model = {
  data: null,
  module: null,
  competitorId: null,
  aspectCode: null,
  input: '',
  choice: null,
  lastKey: null,
  search: '',
};

// --- helpers ----------------------------------------------------------------------------------------
let noticeTimer = null;
// The tablet's own notice (lib/dom.js's stays put): errors stay until replaced, others fade. Tap to close.
function announce(message, kind = 'info') {
  const node = $('notice');
  node.textContent = message;
  node.dataset.kind = kind;
  node.hidden = !message;
  clearTimeout(noticeTimer);
  if (message && kind !== 'error') noticeTimer = setTimeout(() => { node.hidden = true; }, 12000);
}

function competitorLabel(c) {
  if (!c) return '';
  if (model.data?.contest.blind || c.bib === undefined) return format(text.markingNo, { no: c.marking_no ?? c.id });
  return `${format(text.bib, { bib: c.bib })} ${c.name ?? ''}`.trim();
}

function tileNumber(c) {
  return model.data?.contest.blind || c.bib === undefined ? c.marking_no ?? String(c.id) : c.bib;
}

const aspectsIn = (moduleCode) => (model.data?.aspects ?? []).filter((a) => a.module_code === moduleCode);
const aspectByCode = (code) => (model.data?.aspects ?? []).find((a) => a.code === code);
const moduleByCode = (code) => (model.data?.modules ?? []).find((m) => m.code === code);
const competitorById = (id) => (model.data?.competitors ?? []).find((c) => c.id === id);
const markOf = (c, code) => c.marks.find((m) => m.aspect_code === code);
const same = (item, cid, code) => item.competitor_id === cid && item.aspect_code === code;

// The device queue as of this render (read once per render, not once per tile).
let queued = null;
function snapshotQueue() { queued = { pending: queue.pending(contestId), refused: queue.refused(contestId) }; }
function pendingFor(cid, code) {
  if (!queued) snapshotQueue();
  return queued.pending.filter((i) => same(i, cid, code)).at(-1) ?? null;
}
function refusedFor(cid, code) {
  if (!queued) snapshotQueue();
  return queued.refused.filter((i) => same(i, cid, code)).at(-1) ?? null;
}

function moduleClosedReason(module) {
  if (!module) return null;
  if (module.locked) return text.lockedPad;
  if (!module.open) return format(text.closedPad, { state: text[`state_${model.data.contest.state}`] ?? model.data.contest.state });
  return null;
}

// The server names why it refused a mark (`reason` in the error body); the tablet words it.
const REASON_TEXT = {
  stale_version: 'reasonStale', module_locked: 'reasonLocked', not_taking_marks: 'reasonClosed',
  panel_full: 'reasonFull', not_a_judge: 'reasonForbidden', not_assigned: 'reasonNotAssigned',
  conflict_of_interest: 'reasonConflict',
};

function reasonOf(item) {
  const message = item.message ?? '';
  let reason;
  if (REASON_TEXT[item.reason]) reason = text[REASON_TEXT[item.reason]];
  else if (item.status === 409 && item.current) reason = text.reasonStale;
  else if (item.status === 422) reason = format(text.reasonInvalidWith, { message });
  else if (item.status === 403) reason = text.reasonForbidden;
  else reason = message;
  let current = item.current;
  if (!current) {
    const competitor = competitorById(item.competitor_id);
    const mark = competitor && markOf(competitor, item.aspect_code);
    if (mark?.value != null) current = mark;
  }
  return current ? `${reason} · ${format(text.currentValue, current)}` : reason;
}

// --- the model ----------------------------------------------------------------------------------------
async function load() {
  try {
    const data = await api('GET', `/contests/${contestId}/worklist`);
    model.data = data;
    try { window.localStorage.setItem(CACHE, JSON.stringify(data)); } catch { /* storage full */ }
    if (model.loadFailed) { model.loadFailed = false; announce(''); }
  } catch (error) {
    if (!model.data) {
      try { model.data = JSON.parse(window.localStorage.getItem(CACHE) ?? 'null'); } catch { model.data = null; }
      announce(model.data ? text.loadFailed : text.noData, 'error');
      model.loadFailed = true;
    }
    if (error.status === 401) announce(text.signInAgain, 'error');
  }
  if (!model.data) return;
  if (!model.module || !moduleByCode(model.module)) model.module = firstOpenModule()?.code ?? null;
  render();
}

// The module a judge starts in: the first one still taking marks with aspects of theirs, not a locked one.
function firstOpenModule() {
  const modules = model.data.modules;
  return modules.find((m) => !m.locked && m.open !== false && aspectsIn(m.code).length)
    ?? modules.find((m) => aspectsIn(m.code).length) ?? modules[0];
}

// What is still to enter in this module: an aspect with no value and nothing waiting in the queue.
const isOpen = (c, code) => markOf(c, code)?.value == null && !pendingFor(c.id, code);

// After 保存: the next open aspect of this competitor, else the next competitor (in tile order) with one.
function advance(competitor, aspectCode) {
  const aspects = aspectsIn(model.module).map((a) => a.code);
  const rest = aspects.slice(aspects.indexOf(aspectCode) + 1).concat(aspects.slice(0, aspects.indexOf(aspectCode)));
  const same = rest.find((code) => isOpen(competitor, code));
  if (same) { model.aspectCode = same; return; }
  const competitors = model.data.competitors.filter((c) => c.status === 'active');
  const at = competitors.findIndex((c) => c.id === competitor.id);
  const order = competitors.slice(at + 1).concat(competitors.slice(0, Math.max(at, 0)));
  const next = order.find((c) => aspects.some((code) => isOpen(c, code)));
  if (!next) return;
  model.competitorId = next.id;
  model.aspectCode = aspects.find((code) => isOpen(next, code));
}

// The tile search: a bib or marking number (its start), or a name where names are shown.
function matchesSearch(c) {
  const query = model.search.trim().toLowerCase();
  if (!query) return true;
  if (String(tileNumber(c)).toLowerCase().startsWith(query)) return true;
  return !model.data.contest.blind && typeof c.name === 'string' && c.name.toLowerCase().includes(query);
}

// An aspect's own words for 0–3 where its description lists them ("0 差 · 1 合格 · 2 良好 · 3 优秀");
// otherwise the WorldSkills standard's.
// Separators: the middle dot, ASCII and full-width semicolons and commas, the ideographic comma.
const PUNCT = '\u00b7;\uff1b,\uff0c\u3001';
const WORD = `([^\\s${PUNCT}0-9]+)`;
const SEP = `\\s*[${PUNCT}]?\\s*`;
const DESCRIPTORS = new RegExp(`0\\s*${WORD}${SEP}1\\s*${WORD}${SEP}2\\s*${WORD}${SEP}3\\s*${WORD}`);
function judgementWords(aspect) {
  const found = DESCRIPTORS.exec(aspect.description ?? '');
  return found ? found.slice(1, 5) : [0, 1, 2, 3].map((v) => text[`judgement${v}`]);
}

function applyLock(moduleCode, locked) {
  const module = moduleByCode(moduleCode);
  if (!module) return;
  module.locked = locked;
  const codes = new Set(module.aspects);
  for (const c of model.data.competitors) for (const m of c.marks) if (codes.has(m.aspect_code)) m.locked = locked;
}

function applyStored(item, answer) {
  const competitor = competitorById(item.competitor_id);
  const mark = competitor && markOf(competitor, item.aspect_code);
  if (mark) {
    Object.assign(mark, { value: answer.mark.value, version: answer.mark.version, mine: true, state: answer.aspect.state });
  }
}

// --- rendering ----------------------------------------------------------------------------------------
function render() {
  snapshotQueue();
  renderModules();
  renderTiles();
  renderPad();
  renderRefused();
  $('judge-name').textContent = model.data.judge.name;
  $('contest-state').textContent = text[`state_${model.data.contest.state}`] ?? model.data.contest.state;
  health.update();
}

function renderModules() {
  $('modules').replaceChildren(...model.data.modules.map((m) => {
    const button = el('button', {
      type: 'button', class: 'judge-module', 'data-module': m.code, 'data-locked': String(m.locked),
      'aria-pressed': String(m.code === model.module),
    }, el('span', { class: 'judge-module-code', text: m.code }), el('span', { class: 'judge-module-name', text: m.name }),
    m.locked ? el('span', { class: 'judge-lock', text: text.locked }) : null);
    button.addEventListener('click', () => { selectModule(m.code); });
    return button;
  }));
}

function tileMark(c) {
  const codes = aspectsIn(model.module).map((a) => a.code);
  let missing = 0, reconcile = false, pending = false, refused = false;
  for (const code of codes) {
    const mark = markOf(c, code);
    if (refusedFor(c.id, code)) refused = true;
    if (pendingFor(c.id, code)) pending = true;
    else if (!mark || mark.value == null) missing += 1;
    if (mark?.state === 'needs_reconciliation') reconcile = true;
  }
  if (refused) return ['refused', text.refusedTag];
  if (pending) return ['pending', text.pendingTag];
  if (reconcile) return ['reconcile', text.reconcile];
  if (!codes.length || missing === 0) return ['done', text.done];
  return ['missing', format(text.missing, { n: missing })];
}

function renderTiles() {
  const list = $('competitors');
  const competitors = model.data.competitors;
  if (!competitors.length) {
    list.replaceChildren(el('li', { class: 'judge-empty', text: text.noCompetitors }));
    $('summary').textContent = '';
    return;
  }
  let done = 0;
  for (const c of competitors) if (tileMark(c)[0] === 'done') done += 1;
  const shown = competitors.filter(matchesSearch);
  if (!shown.length) {
    list.replaceChildren(el('li', { class: 'judge-empty', text: format(text.noMatch, { query: model.search.trim() }) }));
    $('summary').textContent = format(text.summary, { done, total: competitors.length });
    return;
  }
  list.replaceChildren(...shown.map((c) => {
    const [kind, label] = tileMark(c);
    const button = el('button', {
      type: 'button', class: 'judge-tile', 'data-id': c.id, 'data-mark': kind, 'data-status': c.status,
      'aria-pressed': String(c.id === model.competitorId),
    },
    el('span', { class: 'judge-tile-no', text: tileNumber(c) }),
    c.name !== undefined && !model.data.contest.blind ? el('span', { class: 'judge-tile-name', text: c.name }) : null,
    el('span', { class: 'judge-tile-mark', text: label }),
    c.status !== 'active' ? el('span', { class: 'judge-tile-status', text: text[`status_${c.status}`] ?? c.status }) : null);
    button.addEventListener('click', () => selectCompetitor(c.id));
    return el('li', {}, button);
  }));
  $('summary').textContent = format(text.summary, { done, total: competitors.length });
}

function renderPad() {
  const competitor = competitorById(model.competitorId);
  const aspects = aspectsIn(model.module);
  $('pad-empty').hidden = !!competitor;
  $('pad-body').hidden = !competitor;
  if (!competitor) return;
  $('pad-competitor').textContent = competitorLabel(competitor);
  const station = !model.data.contest.blind && competitor.station ? format(text.station, { station: competitor.station }) : '';
  const status = competitor.status !== 'active' ? text[`status_${competitor.status}`] ?? competitor.status : '';
  $('pad-status').textContent = [station, status].filter(Boolean).join(' · ');
  $('pad-status').className = status ? 'judge-chip judge-chip-warn' : 'judge-pad-sub';
  if (!aspects.length) {
    $('aspects').replaceChildren(el('li', { class: 'judge-empty', text: text.noAspects }));
    $('entry').hidden = true;
    $('entry-info').hidden = true;
    return;
  }
  if (!aspects.some((a) => a.code === model.aspectCode)) model.aspectCode = aspects[0].code;
  $('aspects').replaceChildren(...aspects.map((a) => aspectRow(competitor, a)));
  renderEntry(competitor, aspectByCode(model.aspectCode));
}

function aspectRow(competitor, aspect) {
  const mark = markOf(competitor, aspect.code);
  const pending = pendingFor(competitor.id, aspect.code);
  const refused = refusedFor(competitor.id, aspect.code);
  const chips = [];
  if (pending) chips.push(el('span', { class: 'judge-chip judge-chip-pending', text: `${text.pendingTag} ${pending.value}` }));
  if (refused) chips.push(el('span', { class: 'judge-chip judge-chip-refused', text: text.refusedTag }));
  if (mark?.state === 'needs_reconciliation') chips.push(el('span', { class: 'judge-chip judge-chip-warn', text: text.reconcile }));
  else if (mark?.state === 'complete') chips.push(el('span', { class: 'judge-chip judge-chip-ok', text: text.done }));
  const button = el('button', {
    type: 'button', class: 'judge-aspect', 'data-aspect': aspect.code, 'aria-pressed': String(aspect.code === model.aspectCode),
  },
  el('span', { class: 'judge-aspect-code', text: aspect.code }),
  el('span', { class: 'judge-aspect-main' },
    el('span', { class: 'judge-aspect-name' }, aspect.name, el('small', { text: text[`type_${aspect.type}`] ?? aspect.type })),
    chips.length ? el('span', { class: 'judge-aspect-chips' }, ...chips) : null),
  el('span', { class: 'judge-aspect-value', text: mark?.value ?? '—' }));
  button.addEventListener('click', () => selectAspect(aspect.code));
  return el('li', {}, button);
}

function ruleText(aspect) {
  const parts = [text[`type_${aspect.type}`] ?? aspect.type, format(text.range, { min: aspect.min, max: aspect.max })];
  parts.push(aspect.decimals ? format(text.decimals, { n: aspect.decimals }) : text.integer);
  if (aspect.type === 'measurement') parts.push(text.shared);
  else parts.push(format(text.panelOf, { n: aspect.panel_size }));
  return parts.join(' · ');
}

function renderEntry(competitor, aspect) {
  $('entry').hidden = false;
  $('entry-info').hidden = false;
  const module = moduleByCode(model.module);
  const mark = markOf(competitor, aspect.code);
  $('entry').dataset.type = aspect.type;
  $('entry-title').textContent = `${aspect.code} ${aspect.name}`;
  $('entry-rule').textContent = ruleText(aspect);
  $('entry-description').textContent = aspect.description;
  $('entry-description').hidden = !aspect.description;
  $('entry-current').textContent = mark?.value != null ? format(text.current, mark) : text.noValue;
  const closed = moduleClosedReason(module);
  $('entry-locked').hidden = !closed;
  $('entry-locked').textContent = closed ?? '';
  $('entry').dataset.closed = String(!!closed);
  const judgement = aspect.type === 'judgement';
  $('keys-judgement').hidden = !judgement;
  $('keys-numeric').hidden = judgement;
  if (judgement) {
    const words = judgementWords(aspect);
    $('keys-judgement').replaceChildren(...aspect.values.map((v) => {
      const button = el('button', {
        type: 'button', class: 'judge-key judge-key-judgement', 'data-value': v,
        'aria-pressed': String(model.choice === v), disabled: !!closed,
      }, el('span', { class: 'judge-key-big', text: v }), el('span', { class: 'judge-key-small', text: words[Number(v)] ?? '' }));
      button.addEventListener('click', () => { model.choice = v; hideError(); renderEntry(competitor, aspect); });
      return button;
    }));
  } else {
    $('display').textContent = model.input || '';
    $('display').dataset.empty = String(!model.input);
    for (const key of $('digits').querySelectorAll('button')) key.disabled = !!closed || (key.dataset.key === '.' && !aspect.decimals);
  }
  $('submit').disabled = !!closed;
}

function renderRefused() {
  const { refused } = queued;
  $('refused-panel').hidden = !refused.length;
  $('refused').replaceChildren(...refused.map((item) => {
    const aspect = aspectByCode(item.aspect_code);
    const button = el('button', { type: 'button', class: 'button secondary', text: text.dismiss });
    button.addEventListener('click', () => queue.dismiss(item.key));
    return el('li', { 'data-key': item.key },
      el('span', { class: 'judge-refused-what', text: `${item.label ?? ''} · ${item.aspect_code} ${aspect?.name ?? ''} · ${item.value}` }),
      el('span', { class: 'judge-refused-why', text: reasonOf(item) }), button);
  }));
}

// --- choosing -----------------------------------------------------------------------------------------
function clearEntry() { model.input = ''; model.choice = null; hideError(); }
function hideError() { $('entry-error').hidden = true; }
function showError(message) { $('entry-error').textContent = message; $('entry-error').hidden = false; }
function confirmLine(message, kind) {
  const node = $('confirm');
  node.textContent = message;
  node.dataset.kind = kind;
  node.hidden = !message;
}

function selectModule(code) {
  model.module = code;
  model.aspectCode = null;
  clearEntry();
  confirmLine('');
  render();
}

function selectCompetitor(id) {
  model.competitorId = id;
  clearEntry();
  confirmLine('');
  const competitor = competitorById(id);
  const aspects = aspectsIn(model.module);
  if (!aspects.some((a) => a.code === model.aspectCode)) {
    const open = aspects.find((a) => markOf(competitor, a.code)?.value == null);
    model.aspectCode = (open ?? aspects[0])?.code ?? null;
  }
  render();
  if (window.matchMedia('(max-width: 700px)').matches) $('pad').scrollIntoView({ behavior: 'smooth' });
}

function selectAspect(code) {
  model.aspectCode = code;
  clearEntry();
  confirmLine('');
  render();
}

// --- the numeric pad -------------------------------------------------------------------------------
function buildDigits() {
  const keys = ['7', '8', '9', '4', '5', '6', '1', '2', '3', '.', '0', '⌫', 'C'];
  const labels = { C: text.clear };
  $('digits').replaceChildren(...keys.map((key) => {
    const button = el('button', {
      type: 'button', class: `judge-key${key === 'C' ? ' judge-key-clear' : ''}${key === '⌫' ? ' judge-key-back' : ''}`,
      'data-key': key, 'aria-label': key === '⌫' ? text.backspace : key === 'C' ? text.clear : key, text: labels[key] ?? key,
    });
    button.addEventListener('click', () => press(key));
    return button;
  }));
}

function press(key) {
  if ($('entry').dataset.closed === 'true') return;
  hideError();
  if (key === '⌫') model.input = model.input.slice(0, -1);
  else if (key === 'C') model.input = '';
  else if (key === '.') { if (!model.input.includes('.')) model.input = (model.input || '0') + '.'; }
  else if (model.input.length < 9) model.input = model.input === '0' ? key : model.input + key;
  $('display').textContent = model.input;
  $('display').dataset.empty = String(!model.input);
}

function checkNumber(aspect, raw) {
  const input = raw.endsWith('.') ? raw.slice(0, -1) : raw;
  if (!/^\d+(\.\d+)?$/.test(input)) return { error: text.invalidNumber };
  const decimals = (input.split('.')[1] ?? '').length;
  if (decimals > aspect.decimals) return { error: format(text.tooMany, { n: aspect.decimals }) };
  const value = Number(input);
  if (value < Number(aspect.min) || value > Number(aspect.max)) return { error: format(text.outOfRange, aspect) };
  return { value: input };
}

// --- entering a mark ---------------------------------------------------------------------------------
async function submit() {
  const competitor = competitorById(model.competitorId);
  const aspect = aspectByCode(model.aspectCode);
  if (!competitor || !aspect) return;
  const closed = moduleClosedReason(moduleByCode(aspect.module_code));
  if (closed) { showError(closed); return; }
  let value;
  if (aspect.type === 'judgement') {
    if (model.choice === null) { showError(text.pickValue); return; }
    value = model.choice;
  } else {
    const checked = checkNumber(aspect, model.input);
    if (checked.error) { showError(checked.error); return; }
    value = checked.value;
  }
  const mark = markOf(competitor, aspect.code);
  const item = queue.add({
    contest_id: contestId, competitor_id: competitor.id, aspect_code: aspect.code, value,
    // A measurement is shared: expect the version seen, so a colleague's newer value is not overwritten.
    expected_version: aspect.type === 'measurement' ? mark?.version ?? 0 : null,
    label: competitorLabel(competitor),
  });
  model.lastKey = item.key;
  clearEntry();
  advance(competitor, aspect.code);
  confirmLine(`${whatOf(item)}${text.sending}`, 'sending');
  render();
  await queue.flush();
  if (queue.pending(contestId).some((i) => i.key === item.key) && model.lastKey === item.key) {
    confirmLine(`${whatOf(item)}${format(text.queued, { value })}`, 'queued');
  }
}

// The pad has moved on after 保存, so each confirmation names the entry it is about.
const whatOf = (item) => format(text.entryOf, { who: item.label, aspect: item.aspect_code });

// --- the queue, the live connection, the health indicator ------------------------------------------
const queue = new MarkQueue(config.userId, {
  onChange() { if (model.data) render(); else health.update(); },
  onStored(item, answer) {
    applyStored(item, answer);
    if (item.key === model.lastKey) {
      confirmLine(`${whatOf(item)}${format(text.stored, {
        value: answer.mark.value, version: answer.mark.version, state: text[`state_${answer.aspect.state}`] ?? answer.aspect.state,
      })}`, 'stored');
    }
    if (model.data) render();
  },
  onRefused(item) {
    if (item.key === model.lastKey) confirmLine(`${whatOf(item)}${format(text.refused, { reason: reasonOf(item) })}`, 'refused');
    load();
  },
  onAuth() { announce(text.signInAgain, 'error'); },
});

const health = new HealthIndicator($('health'), text, () => queue.pending(contestId).length);

connectJudge({
  contestId,
  health,
  onConnect() { queue.flush(); if (model.data) load(); },
  onHello(payload) {
    if (!model.data) return;
    for (const [code, locked] of Object.entries(payload.locks ?? {})) applyLock(code, locked);
    if (payload.state !== model.data.contest.state) load(); else render();
  },
  onLock(payload) {
    if (!model.data) return;
    applyLock(payload.module_code, payload.locked);
    const name = moduleByCode(payload.module_code)?.name ?? '';
    announce(format(payload.locked ? text.lockedNotice : text.unlockedNotice, { code: payload.module_code, name }),
      payload.locked ? 'warn' : 'info');
    render();
  },
  onState() { load(); },
});

buildDigits();
$('notice').addEventListener('click', () => announce(''));
// Signing out with marks still on the device: they stay queued for this judge's next sign-in here.
document.querySelector('.judge-bar form')?.addEventListener('submit', (event) => {
  const waiting = queue.pending().length;
  if (waiting && !window.confirm(format(text.signOutPending, { n: waiting }))) event.preventDefault();
});
$('submit').addEventListener('click', submit);
document.addEventListener('keydown', (event) => {
  if ($('keys-numeric').hidden || $('pad-body').hidden || event.target.closest?.('input, textarea')) return;
  if (/^[0-9.]$/.test(event.key)) press(event.key);
  else if (event.key === 'Backspace') press('⌫');
  else if (event.key === 'Enter') submit();
});
document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible') { load(); queue.flush(); } });
setInterval(() => { if (navigator.onLine && document.visibilityState === 'visible') load(); }, 60000);
load();

$('search').addEventListener('input', (event) => { model.search = event.target.value; if (model.data) renderTiles(); });
$('search').addEventListener('keydown', (event) => {  // Enter opens the one competitor the search found
  if (event.key !== 'Enter' || !model.data) return;
  const found = model.data.competitors.filter(matchesSearch);
  if (found.length === 1) selectCompetitor(found[0].id);
});
