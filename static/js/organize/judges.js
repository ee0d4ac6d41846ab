// Judges: the list (GET /contests/{id}/judges), a new assignment (POST …/judges: a judge account,
// chief or not, "all" aspects or a chosen subset of the scheme's aspect codes), and a change of one
// (PATCH …/judges/{jid}: chief and aspects), made in the same form, and a withdrawal (DELETE
// …/judges/{jid}, after a confirmation: the marks the judge entered stay).
import { api } from '../lib/api.js';
import { cell, fill, fillTable, notice } from '../lib/dom.js';
import { clearFailure, failureText, showFailure } from '../lib/failures.js';

export function initJudges(config, text) {
  const path = `/contests/${config.contestId}/judges`;
  const table = document.getElementById('judges');
  const form = document.getElementById('judge-form');
  const errors = document.getElementById('judge-errors');

  let editing = null; // the assignment being changed, or null: the form assigns a new judge

  function setMode(judge) {
    editing = judge;
    const select = document.getElementById('judge-user');
    document.getElementById('judge-form-title').textContent = judge
      ? fill(text.editTitle, { name: judge.display_name || judge.username }) : text.assignTitle;
    document.getElementById('judge-submit').textContent = judge ? text.saveChanges : text.assign;
    document.getElementById('judge-cancel').hidden = !judge;
    select.disabled = Boolean(judge);
    if (!judge) {
      form.reset();
      return;
    }
    select.value = String(judge.user_id);
    document.getElementById('judge-chief').checked = judge.chief;
    form.elements.scope.value = judge.aspects === 'all' ? 'all' : 'some';
    for (const input of form.querySelectorAll('input[name="aspect"]')) {
      input.checked = judge.aspects !== 'all' && judge.aspects.includes(input.value);
    }
    form.scrollIntoView({ block: 'nearest' });
  }

  async function withdraw(judge) {
    const name = judge.display_name || judge.username;
    if (!window.confirm(fill(text.withdrawConfirm, { name }))) return;
    clearFailure({ list: errors });
    try {
      await api('DELETE', `${path}/${judge.id}`);
      if (editing?.id === judge.id) setMode(null);
      notice(fill(text.judgeWithdrawn, { name }));
      await load();
    } catch (error) {
      showFailure(error, text, { list: errors, labels: text.errorLabels });
    }
  }

  function button(label, className, action) {
    const node = document.createElement('button');
    node.type = 'button';
    node.className = className;
    node.textContent = label;
    node.addEventListener('click', action);
    return node;
  }

  function actions(judge) {
    const td = document.createElement('td');
    td.className = 'actions';
    td.append(button(text.edit, 'button secondary', () => { clearFailure({ list: errors }); setMode(judge); }),
      ' ', button(text.withdraw, 'button danger', () => withdraw(judge)));
    return td;
  }

  function render(judges) {
    const labels = [text.judgeAccount, text.name, text.chief, text.aspect, ...(form ? [''] : [])];
    fillTable(table, labels, judges, (judge) => {
      const tr = document.createElement('tr');
      tr.dataset.judgeId = judge.id;
      tr.append(cell(judge.username), cell(judge.display_name), cell(judge.chief ? text.yes : text.no),
        cell(judge.aspects === 'all' ? text.allAspects : judge.aspects.join(', ')));
      if (form) tr.append(actions(judge));
      return tr;
    }, text.noJudges);
  }

  const load = () => api('GET', path).then(render)
    .catch((error) => notice(fill(text.loadFailed, { message: failureText(error, text) }), 'error'));

  function setAspects(scheme) {
    const box = document.getElementById('judge-aspects');
    if (!box) return;
    const aspects = (scheme?.components ?? []).flatMap((c) => c.modules.flatMap((m) => m.aspects));
    if (!aspects.length) {
      const p = document.createElement('p');
      p.className = 'muted';
      p.textContent = text.noSchemeAspects;
      box.replaceChildren(p);
      return;
    }
    box.replaceChildren(...aspects.map((aspect) => {
      const label = document.createElement('label');
      label.className = 'check';
      const input = document.createElement('input');
      input.type = 'checkbox';
      input.name = 'aspect';
      input.value = aspect.code;
      input.addEventListener('change', () => { form.elements.scope.value = 'some'; });
      label.append(input, ` ${aspect.code} ${aspect.name}`);
      return label;
    }));
  }

  form?.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearFailure({ form, list: errors });
    const select = document.getElementById('judge-user');
    let aspects = 'all';
    if (form.elements.scope.value === 'some') {
      aspects = [...form.querySelectorAll('input[name="aspect"]:checked')].map((input) => input.value);
      if (!aspects.length) {
        notice(text.chooseAspects, 'error');
        return;
      }
    }
    const chief = document.getElementById('judge-chief').checked;
    try {
      if (editing) {
        await api('PATCH', `${path}/${editing.id}`, { chief, aspects });
        notice(fill(text.judgeUpdated, { name: editing.display_name || editing.username }));
      } else {
        await api('POST', path, { user_id: Number(select.value), chief, aspects });
        notice(fill(text.judgeAdded, { name: select.selectedOptions[0].textContent }));
      }
      setMode(null);
      await load();
    } catch (error) {
      showFailure(error, text, { form, list: errors, labels: text.errorLabels });
    }
  });
  document.getElementById('judge-cancel')?.addEventListener('click', () => { clearFailure({ list: errors }); setMode(null); });

  load();
  return { setAspects };
}
