// Competitors: the list (GET /contests/{id}/competitors) with a status change per row (PATCH
// …/competitors/{cid}), and a new entry (POST …/competitors): an enterprise, then a person of it
// (GET /enterprises/{id}/people), or team_size people and a team name for a team event.
import { api } from '../api.js';
import { cell, clearFailure, fill, fillTable, notice, option, showFailure } from './common.js';

export function initCompetitors(config, text) {
  const path = `/contests/${config.contestId}/competitors`;
  const table = document.getElementById('competitors');
  const form = document.getElementById('competitor-form');
  const errors = document.getElementById('competitor-errors');
  const loadFailed = (error) => notice(fill(text.loadFailed, { message: error.message }), 'error');

  function statusCell(competitor) {
    const td = document.createElement('td');
    const row = document.createElement('form');
    row.className = 'decide-form status-form';
    const select = document.createElement('select');
    select.name = 'status';
    select.setAttribute('aria-label', text.status);
    select.append(...Object.entries(text.statuses).map(([value, label]) => option(value, label)));
    select.value = competitor.status;
    const reason = document.createElement('input');
    reason.name = 'reason';
    reason.maxLength = 2000;
    reason.placeholder = text.reason;
    reason.setAttribute('aria-label', text.reason);
    reason.value = competitor.status_reason ?? '';
    const save = document.createElement('button');
    save.type = 'submit';
    save.className = 'button secondary';
    save.textContent = text.save;
    row.append(select, reason, save);
    row.addEventListener('submit', async (event) => {
      event.preventDefault();
      clearFailure(errors);
      try {
        await api('PATCH', `${path}/${competitor.id}`, { status: select.value, reason: reason.value.trim() || null });
        notice(fill(text.statusSaved, { name: `${competitor.bib} ${competitor.name}` }));
        await load();
      } catch (error) {
        showFailure(error, text, errors, text.errorLabels);
      }
    });
    td.append(row);
    return td;
  }

  function render(competitors) {
    fillTable(table, [text.bib, text.station, text.markingNo, text.competitor, text.enterprise, text.status],
      competitors, (c) => {
        const tr = document.createElement('tr');
        tr.dataset.competitorId = c.id;
        const enterprises = [...new Set((c.members ?? []).map((m) => m.enterprise))].join(', ');
        tr.append(cell(c.bib), cell(c.station), cell(c.marking_no), cell(c.name), cell(enterprises), statusCell(c));
        return tr;
      }, text.noCompetitors);
  }

  const load = () => api('GET', path).then(render).catch(loadFailed);

  if (form) {
    const enterprise = document.getElementById('competitor-enterprise');
    const search = document.getElementById('competitor-search');
    const person = document.getElementById('competitor-person');
    let timer = null;

    const loadPeople = async () => {
      if (!enterprise.value) {
        person.replaceChildren();
        return;
      }
      const q = encodeURIComponent(search.value.trim());
      try {
        const found = await api('GET', `/enterprises/${enterprise.value}/people?page_size=500&q=${q}`);
        const options = found.map((p) => option(p.id, `${p.person_no} ${p.name}`));
        if (config.teamSize === 1) options.unshift(option('', found.length ? text.choosePerson : text.noPeople));
        person.replaceChildren(...options);
      } catch (error) {
        loadFailed(error);
      }
    };

    api('GET', '/enterprises').then((list) => {
      enterprise.append(...list.map((e) => option(e.id, `${e.name} ${e.code}`)));
    }).catch(loadFailed);
    enterprise.addEventListener('change', loadPeople);
    search.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(loadPeople, 250);
    });

    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      clearFailure(errors);
      const chosen = [...person.selectedOptions].map((o) => o.value).filter(Boolean).map(Number);
      const body = { bib: form.elements.bib.value.trim(), station: form.elements.station.value.trim() || null,
        marking_no: form.elements.marking_no.value.trim() || null };
      if (config.teamSize === 1) {
        if (!chosen.length) {
          notice(text.choosePerson, 'error');
          return;
        }
        [body.person_id] = chosen;
      } else {
        if (chosen.length !== config.teamSize) {
          notice(fill(text.chooseMembers, { n: config.teamSize }), 'error');
          return;
        }
        body.member_ids = chosen;
        body.team_name = form.elements.team_name.value.trim();
      }
      try {
        const created = await api('POST', path, body);
        notice(fill(text.competitorAdded, { name: `${created.bib} ${created.name}` }));
        for (const name of ['bib', 'station', 'marking_no']) form.elements[name].value = '';
        await load();
      } catch (error) {
        showFailure(error, text, errors, text.errorLabels);
      }
    });
  }

  load();
}
