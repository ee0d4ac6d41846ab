// Competitors: the list (GET /contests/{id}/competitors) with a status change per row (PATCH
// …/competitors/{cid}), and a new entry (POST …/competitors): an enterprise, then a person of it
// (GET /enterprises/{id}/people); for a team event, people of one or more enterprises added one
// enterprise at a time to the team's list ("add to team"), then a team name.
import { api } from '../lib/api.js';
import { cell, fill, fillTable, notice, option } from '../lib/dom.js';
import { clearFailure, failureText, showFailure } from '../lib/failures.js';

export function initCompetitors(config, text) {
  const path = `/contests/${config.contestId}/competitors`;
  const table = document.getElementById('competitors');
  const form = document.getElementById('competitor-form');
  const errors = document.getElementById('competitor-errors');
  const loadFailed = (error) => notice(fill(text.loadFailed, { message: failureText(error, text) }), 'error');

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
      clearFailure({ list: errors });
      try {
        await api('PATCH', `${path}/${competitor.id}`, { status: select.value, reason: reason.value.trim() || null });
        notice(fill(text.statusSaved, { name: `${competitor.bib} ${competitor.name}` }));
        await load();
      } catch (error) {
        showFailure(error, text, { list: errors, labels: text.errorLabels });
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
    const team = config.teamSize > 1 ? initTeam(config, text, person) : null;
    let timer = null;
    let asked = 0; // the latest look-up: an earlier answer arriving after it is dropped

    const loadPeople = async () => {
      const mine = ++asked;
      if (!enterprise.value) {
        person.replaceChildren();
        return;
      }
      const q = encodeURIComponent(search.value.trim());
      try {
        const found = await api('GET', `/enterprises/${enterprise.value}/people?page_size=500&q=${q}`);
        if (mine !== asked) return;
        team?.listed(found);
        const options = found.map((p) => option(p.id, `${p.person_no} ${p.name}`));
        if (config.teamSize === 1) options.unshift(option('', found.length ? text.choosePerson : text.noPeople));
        const chosen = new Set([...person.selectedOptions].map((o) => o.value).filter(Boolean));
        for (const o of options) o.selected = chosen.has(o.value); // a choice made meanwhile stays made
        person.replaceChildren(...options);
      } catch (error) {
        loadFailed(error);
      }
    };

    api('GET', '/enterprises').then((list) => {
      team?.enterprises(list);
      enterprise.append(...list.map((e) => option(e.id, `${e.name} ${e.code}`)));
    }).catch(loadFailed);
    enterprise.addEventListener('change', loadPeople);
    search.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(loadPeople, 250);
    });
    if (team) {
      // Enter in the search box looks the people up at once rather than submitting the entry.
      search.addEventListener('keydown', (event) => {
        if (event.key !== 'Enter') return;
        event.preventDefault();
        clearTimeout(timer);
        loadPeople();
      });
    }

    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      clearFailure({ form, list: errors });
      const chosen = team ? team.ids() : [...person.selectedOptions].map((o) => o.value).filter(Boolean).map(Number);
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
          notice(fill(text.needMembers, { n: config.teamSize, m: chosen.length }), 'error');
          person.focus();
          return;
        }
        body.member_ids = chosen;
        body.team_name = form.elements.team_name.value.trim();
      }
      try {
        const created = await api('POST', path, body);
        notice(fill(text.competitorAdded, { name: `${created.bib} ${created.name}` }));
        for (const name of ['bib', 'station', 'marking_no']) form.elements[name].value = '';
        if (team) {
          team.clear();
          form.elements.team_name.value = '';
        }
        await load();
      } catch (error) {
        showFailure(error, text, { form, list: errors, labels: text.errorLabels });
      }
    });
  }

  load();
}

// The team being put together for a team event: members taken from the person list of whichever
// enterprise is selected ("add to team"), kept when the enterprise changes, each once, at most
// team_size of them; each line of the list (#competitor-members) has its own remove button.
function initTeam(config, text, person) {
  const list = document.getElementById('competitor-members');
  const count = document.getElementById('competitor-members-count');
  const add = document.getElementById('competitor-add-member');
  const enterpriseNames = new Map();
  const people = new Map(); // the people of the lists shown so far, by id
  const members = []; // {id, person_no, name, enterprise}

  const label = (member) => `${member.person_no} ${member.name}`;

  function render() {
    count.textContent = fill(text.memberCount, { m: members.length, n: config.teamSize });
    if (!members.length) {
      const empty = document.createElement('li');
      empty.className = 'muted';
      empty.textContent = text.noMembers;
      list.replaceChildren(empty);
      return;
    }
    list.replaceChildren(...members.map((member, index) => {
      const li = document.createElement('li');
      li.dataset.personId = member.id;
      const no = document.createElement('span');
      no.textContent = member.person_no;
      const name = document.createElement('span');
      name.textContent = member.name;
      const where = document.createElement('span');
      where.className = 'muted';
      where.textContent = member.enterprise;
      const remove = document.createElement('button');
      remove.type = 'button';
      remove.className = 'button secondary small';
      remove.textContent = text.remove;
      remove.setAttribute('aria-label', fill(text.removeMember, { name: label(member) }));
      remove.addEventListener('click', () => removeAt(index));
      li.append(no, name, where, remove);
      return li;
    }));
  }

  function removeAt(index) {
    const [gone] = members.splice(index, 1);
    render();
    notice(fill(text.memberRemoved, { name: label(gone) }));
    // Keep the focus in the list: on the line that took the removed one's place, else the add button.
    const buttons = list.querySelectorAll('button');
    (buttons[Math.min(index, buttons.length - 1)] ?? add).focus();
  }

  function addSelected() {
    const picked = [...person.selectedOptions].map((o) => people.get(Number(o.value))).filter(Boolean);
    if (!picked.length) {
      notice(text.choosePerson, 'error');
      person.focus();
      return;
    }
    const twice = picked.filter((p) => members.some((m) => m.id === p.id));
    if (twice.length) {
      notice(fill(text.alreadyInTeam, { names: twice.map(label).join(', ') }), 'error');
      return;
    }
    if (members.length + picked.length > config.teamSize) {
      notice(fill(text.teamFull, { n: config.teamSize, m: members.length, k: picked.length }), 'error');
      return;
    }
    members.push(...picked.map((p) => ({ id: p.id, person_no: p.person_no, name: p.name,
      enterprise: enterpriseNames.get(p.enterprise_id) ?? '' })));
    for (const o of person.options) o.selected = false;
    render();
    notice(fill(text.membersAdded, { names: picked.map(label).join(', ') }));
  }

  add.addEventListener('click', addSelected);
  // Keyboard: Enter in the person list adds the selected people; a double click adds one.
  person.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter') return;
    event.preventDefault();
    addSelected();
  });
  person.addEventListener('dblclick', (event) => {
    if (event.target instanceof HTMLOptionElement) addSelected();
  });
  render();

  return {
    enterprises(found) {
      for (const e of found) enterpriseNames.set(e.id, e.name);
    },
    listed(found) {
      for (const p of found) people.set(p.id, p);
    },
    ids: () => members.map((m) => m.id),
    clear() {
      members.splice(0);
      render();
    },
  };
}
