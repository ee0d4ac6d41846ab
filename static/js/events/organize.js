// The organiser's event pages: /organize/events (create an event) and /organize/events/{id} (attach
// contests, choose award schemes, qualify from a final contest into a draft one, draw lots).
// Everything goes through the JSON API (competition/api/events.py, PATCH /contests/{id}).
import { api } from '../lib/api.js';
import { cell, fill, notice, option, readJson } from '../lib/dom.js';
import { clearFailure, showFailure } from '../lib/failures.js';

const config = readJson('organize-config');
const text = readJson('organize-text');
const formValues = (form) => Object.fromEntries(new FormData(form).entries());

function newEventPage() {
  const form = document.getElementById('new-event');
  const errors = document.getElementById('new-errors');
  form.addEventListener('submit', async (submit) => {
    submit.preventDefault();
    clearFailure({ form, list: errors });
    try {
      const event = await api('POST', '/events', formValues(form));
      window.location.assign(`${config.eventUrl}${event.id}`);
    } catch (error) { showFailure(error, text, { form, list: errors }); }
  });
}

const byId = new Map((config.contests ?? []).map((c) => [c.id, c]));

function attachSection() {
  const list = document.getElementById('contest-choices');
  const attached = config.contestIds.map((id) => byId.get(id));
  const others = config.contests.filter((c) => !config.contestIds.includes(c.id) && c.eventId === null);
  list.replaceChildren(...[...attached, ...others].map((contest) => {
    const item = document.createElement('li');
    const label = document.createElement('label');
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.value = contest.id;
    box.checked = config.contestIds.includes(contest.id);
    label.append(box, ` ${contest.name} · ${contest.occupation} · ${text.states[contest.state]}`);
    item.append(label);
    return item;
  }));
  const errors = document.getElementById('attach-errors');
  document.getElementById('attach').addEventListener('submit', async (submit) => {
    submit.preventDefault();
    clearFailure({ list: errors });
    const ids = [...list.querySelectorAll('input:checked')].map((box) => Number(box.value));
    try {
      await api('PUT', `/events/${config.eventId}/contests`, { contest_ids: ids });
      window.location.reload();
    } catch (error) { showFailure(error, text, { list: errors }); }
  });
}

function sameScheme(a, b) { return JSON.stringify(a) === JSON.stringify(b); }

function schemeSection() {
  const rows = document.getElementById('scheme-rows');
  const errors = document.getElementById('scheme-errors');
  rows.replaceChildren(...config.contestIds.map((id) => {
    const contest = byId.get(id);
    const tr = document.createElement('tr');
    const select = document.createElement('select');
    select.append(option('', text.noScheme));
    for (const scheme of config.schemes) select.append(option(scheme.id, scheme.title));
    const current = config.schemes.find((s) => sameScheme(s.awards, contest.awards));
    if (current) select.value = current.id;
    else if (contest.awards.length) { select.append(option('custom', text.custom)); select.value = 'custom'; }
    const draft = contest.state === 'draft';
    select.disabled = !draft;
    const save = document.createElement('button');
    save.type = 'button';
    save.className = 'button secondary';
    save.textContent = text.save;
    save.disabled = !draft;
    save.title = draft ? '' : text.draftOnly;
    save.addEventListener('click', async () => {
      clearFailure({ list: errors });
      if (select.value === 'custom') return;
      const scheme = config.schemes.find((s) => s.id === select.value);
      try {
        await api('PATCH', `/contests/${id}`, { awards: scheme ? scheme.awards : [] });
        notice(text.saved);
      } catch (error) { showFailure(error, text, { list: errors }); }
    });
    const td = document.createElement('td');
    td.append(select);
    const action = document.createElement('td');
    action.append(save);
    tr.dataset.contestId = id;
    tr.append(cell(contest.name), cell(text.states[contest.state]), td, action);
    return tr;
  }));
}

function qualifySection() {
  const source = document.getElementById('qualify-source');
  const target = document.getElementById('qualify-target');
  for (const c of config.contests.filter((c) => c.state === 'final')) source.append(option(c.id, c.name));
  for (const c of config.contests.filter((c) => c.state === 'draft')) target.append(option(c.id, c.name));
  const form = document.getElementById('qualify');
  const errors = document.getElementById('qualify-errors');
  form.addEventListener('submit', async (submit) => {
    submit.preventDefault();
    clearFailure({ form, list: errors });
    const values = formValues(form);
    const body = { to_contest_id: Number(values.target) };
    if (values.top) body.top = Number(values.top);
    else if (values.top_percent) body.top_percent = values.top_percent;
    try {
      const answer = await api('POST', `/contests/${values.source}/qualify`, body);
      notice(fill(text.added, { n: answer.added.length, bibs: answer.added.map((c) => `${c.bib} ${c.name}`).join(text.listSeparator) }));
    } catch (error) { showFailure(error, text, { form, list: errors }); }
  });
}

function drawSection() {
  const select = document.getElementById('draw-contest');
  for (const c of config.contests.filter((c) => c.state === 'draft' || c.state === 'running')) {
    select.append(option(c.id, c.name));
  }
  const form = document.getElementById('draw');
  const errors = document.getElementById('draw-errors');
  const result = document.getElementById('draw-result');
  form.addEventListener('submit', async (submit) => {
    submit.preventDefault();
    clearFailure({ form, list: errors });
    const values = formValues(form);
    const body = { what: values.what };
    if (values.seed) body.seed = values.seed;
    try {
      const answer = await api('POST', `/contests/${values.contest}/draw`, body);
      notice(fill(text.drawn, { seed: answer.seed }));
      const head = document.createElement('tr');
      for (const label of [text.competitor, text.bib, text.station]) {
        const th = document.createElement('th');
        th.textContent = label;
        head.append(th);
      }
      result.replaceChildren(head, ...answer.assignment.map((a) => {
        const tr = document.createElement('tr');
        tr.append(cell(a.name), cell(a.bib), cell(a.station ?? ''));
        return tr;
      }));
      result.hidden = false;
    } catch (error) { showFailure(error, text, { form, list: errors }); }
  });
}

if (document.getElementById('new-event')) newEventPage();
else {
  attachSection();
  schemeSection();
  qualifySection();
  drawSection();
}
