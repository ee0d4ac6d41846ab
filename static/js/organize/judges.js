// Judges: the list (GET /contests/{id}/judges) and a new assignment (POST …/judges: a judge account,
// chief or not, "all" aspects or a chosen subset of the scheme's aspect codes).
import { api } from '../api.js';
import { cell, clearFailure, fillTable, notice, showFailure } from './common.js';

export function initJudges(config, text) {
  const path = `/contests/${config.contestId}/judges`;
  const table = document.getElementById('judges');
  const form = document.getElementById('judge-form');
  const errors = document.getElementById('judge-errors');

  function render(judges) {
    fillTable(table, [text.judgeAccount, text.name, text.chief, text.aspect], judges, (judge) => {
      const tr = document.createElement('tr');
      tr.dataset.judgeId = judge.id;
      tr.append(cell(judge.username), cell(judge.display_name), cell(judge.chief ? text.yes : text.no),
        cell(judge.aspects === 'all' ? text.allAspects : judge.aspects.join(', ')));
      return tr;
    }, text.noJudges);
  }

  const load = () => api('GET', path).then(render)
    .catch((error) => notice(text.loadFailed.replace('{message}', error.message), 'error'));

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
    clearFailure(errors);
    const select = document.getElementById('judge-user');
    let aspects = 'all';
    if (form.elements.scope.value === 'some') {
      aspects = [...form.querySelectorAll('input[name="aspect"]:checked')].map((input) => input.value);
      if (!aspects.length) {
        notice(text.chooseAspects, 'error');
        return;
      }
    }
    const body = { user_id: Number(select.value), chief: document.getElementById('judge-chief').checked, aspects };
    try {
      await api('POST', path, body);
      notice(text.judgeAdded.replace('{name}', select.selectedOptions[0].textContent));
      form.reset();
      await load();
    } catch (error) {
      showFailure(error, text, errors, text.errorLabels);
    }
  });

  load();
  return { setAspects };
}
