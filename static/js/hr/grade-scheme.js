// /hr/grade-scheme editor: add, remove and reorder grades, start from the 新八级 template, and save
// through PUT /api/v1/enterprises/{id}/grade-scheme. The table shows the highest grade at the top;
// the API takes the list lowest first. 422 and 409 answers are shown next to the offending grades.
import { api } from '../lib/api.js';
import { el, fill, readJson } from '../lib/dom.js';
import { failureText } from '../lib/failures.js';

const editor = document.getElementById('scheme-editor');

if (editor) {
  const tbody = document.getElementById('scheme-rows');
  const messages = document.getElementById('scheme-messages');
  const levels = JSON.parse(editor.dataset.levels);
  const text = readJson('scheme-text');
  let rows = [];      // highest first, as displayed
  let original = [];  // the stored scheme, for the "undo changes" button
  let marked = new Map();  // display index -> messages

  const blank = () => ({ code: '', name: '', national_level: null, appointed_only: false });
  const fromApi = (grades) => grades.map((g) => ({
    code: g.code, name: g.name, national_level: g.national_level, appointed_only: !!g.appointed_only,
  })).reverse();
  const toApi = () => rows.map((r) => ({
    code: r.code.trim(), name: r.name.trim(), national_level: r.national_level, appointed_only: r.appointed_only,
  })).reverse();

  function levelSelect(row) {
    const select = el('select', {});
    select.append(el('option', { value: '' }, text.noLevel));
    for (const level of [5, 4, 3, 2, 1]) {
      select.append(el('option', { value: String(level) }, levels[String(level)]));
    }
    select.value = row.national_level === null ? '' : String(row.national_level);
    select.setAttribute('aria-label', text.level);
    select.addEventListener('change', () => {
      row.national_level = select.value === '' ? null : Number(select.value);
    });
    return select;
  }

  function textInput(row, key, max, placeholder, label) {
    const input = el('input', { type: 'text', value: row[key], maxLength: max, placeholder, required: true });
    input.setAttribute('aria-label', label);
    input.addEventListener('input', () => { row[key] = input.value; });
    return input;
  }

  function iconButton(text, title, handler, disabled) {
    const button = el('button', { type: 'button', className: 'hr-icon-button', title, disabled: !!disabled }, text);
    button.setAttribute('aria-label', title);
    button.addEventListener('click', handler);
    return button;
  }

  function move(index, delta) {
    const target = index + delta;
    if (target < 0 || target >= rows.length) return;
    [rows[index], rows[target]] = [rows[target], rows[index]];
    marked = new Map();
    render();
  }

  function render() {
    tbody.replaceChildren();
    if (!rows.length) {
      tbody.append(el('tr', {}, el('td', { colSpan: 6, className: 'muted' },
        text.empty)));
      return;
    }
    rows.forEach((row, index) => {
      const checkbox = el('input', { type: 'checkbox', checked: row.appointed_only });
      checkbox.setAttribute('aria-label', text.appointedOnly);
      checkbox.addEventListener('change', () => { row.appointed_only = checkbox.checked; });
      const tr = el('tr', { className: marked.has(index) ? 'hr-row-error' : '' },
        el('td', { className: 'num muted' }, rows.length - index),
        el('td', {}, textInput(row, 'code', 32, text.codePlaceholder, text.code)),
        el('td', {}, textInput(row, 'name', 200, text.namePlaceholder, text.name)),
        el('td', {}, levelSelect(row)),
        el('td', { className: 'hr-center' }, checkbox),
        el('td', { className: 'num hr-nowrap' },
          iconButton('↑', text.up, () => move(index, -1), index === 0),
          iconButton('↓', text.down, () => move(index, 1), index === rows.length - 1),
          iconButton('✕', text.remove, () => { rows.splice(index, 1); marked = new Map(); render(); })));
      tbody.append(tr);
      if (marked.has(index)) {
        tbody.append(el('tr', { className: 'hr-row-error-detail' },
          el('td', {}), el('td', { colSpan: 5 }, marked.get(index).join(text.separator))));
      }
    });
  }

  function say(kind, text, items) {
    messages.replaceChildren(el('div', { className: `flash flash-${kind}` }, text,
      items && items.length ? el('ul', {}, ...items.map((item) => el('li', {}, item))) : null));
  }

  // errors.grades = [{grade: code | index (lowest first) | null, message}]
  function showGradeErrors(title, errors) {
    marked = new Map();
    const items = [];
    for (const error of errors) {
      let index = -1;
      if (typeof error.grade === 'number') {
        index = rows.length - 1 - error.grade;
      } else if (typeof error.grade === 'string') {
        index = rows.findIndex((r) => r.code.trim() === error.grade);
      }
      let label = text.whole;
      if (index >= 0) {
        const row = rows[index];
        label = fill(text.rung, { n: rows.length - index, name: row.name || row.code || text.unnamed });
        marked.set(index, [...(marked.get(index) || []), error.message]);
      } else if (typeof error.grade === 'string') {
        const old = original.find((r) => r.code === error.grade);
        label = fill(text.stored, { name: old ? old.name : error.grade, code: error.grade });
      }
      items.push(fill(text.item, { label, message: error.message }));
    }
    say('error', title, items);
    render();
  }

  async function load() {
    try {
      original = fromApi((await api('GET', editor.dataset.api)).grades);
    } catch (error) {
      if (error.status === 404) {
        original = [];
        say('info', text.notSet);
      } else {
        say('error', failureText(error));
      }
    }
    rows = original.map((r) => ({ ...r }));
    render();
  }

  async function useTemplate() {
    if (rows.length && !window.confirm(text.replace)) return;
    let grades;
    try {
      grades = await api('GET', editor.dataset.templateApi);
    } catch (error) {
      say('error', failureText(error));
      return;
    }
    rows = fromApi(grades);
    marked = new Map();
    say('info', text.filled);
    render();
  }

  async function save(button) {
    button.disabled = true;
    let saved;
    try {
      saved = await api('PUT', editor.dataset.api, { grades: toApi() });
    } catch (error) {
      button.disabled = false;
      const gradeErrors = Array.isArray(error.body?.errors?.grades) ? error.body.errors.grades : null;
      if (error.status === 422 && gradeErrors) {
        showGradeErrors(text.invalid, gradeErrors);
      } else if (error.status === 409 && gradeErrors) {
        showGradeErrors(text.held, gradeErrors);
      } else {
        say('error', fill(text.notSaved, { reason: failureText(error) }));
      }
      return;
    }
    button.disabled = false;
    const url = new URL(editor.dataset.return, window.location.href);
    url.searchParams.set('saved', saved.version);
    window.location.assign(url.toString());
  }

  editor.addEventListener('click', (event) => {
    const button = event.target.closest('button[data-action]');
    if (!button) return;
    const action = button.dataset.action;
    if (action === 'add') {
      rows.unshift(blank());
      marked = new Map();
      render();
      tbody.querySelector('input')?.focus();
    } else if (action === 'template') {
      useTemplate();
    } else if (action === 'reset') {
      rows = original.map((r) => ({ ...r }));
      marked = new Map();
      messages.replaceChildren();
      render();
    } else if (action === 'save') {
      save(button);
    }
  });

  load();
}
