// The marking scheme: components → modules → aspects (GET /contests/{id}/marking-scheme), and its
// import from an .xlsx file (POST …/marking-scheme/import, field "file"; 422 lists bad rows).
import { api } from '../lib/api.js';
import { cell, fill, notice } from '../lib/dom.js';
import { clearFailure, failureText, showFailure } from '../lib/failures.js';

function head(labels) {
  const thead = document.createElement('thead');
  const tr = document.createElement('tr');
  for (const label of labels) {
    const th = document.createElement('th');
    th.textContent = label;
    tr.append(th);
  }
  thead.append(tr);
  return thead;
}

function render(table, scheme, text) {
  const components = scheme?.components ?? [];
  if (!components.length) {
    const tbody = document.createElement('tbody');
    const tr = document.createElement('tr');
    tr.append(cell(text.schemeEmpty, 'muted'));
    tbody.append(tr);
    table.replaceChildren(tbody);
    return;
  }
  const tbody = document.createElement('tbody');
  for (const component of components) {
    component.modules.forEach((module, moduleIndex) => {
      module.aspects.forEach((aspect, aspectIndex) => {
        const tr = document.createElement('tr');
        tr.dataset.aspect = aspect.code;
        const first = moduleIndex === 0 && aspectIndex === 0;
        tr.append(
          cell(first ? `${component.code} ${component.name}` : ''),
          cell(first ? component.weight : '', 'num'),
          cell(aspectIndex === 0 ? `${module.code} ${module.name}` : ''),
          cell(aspect.code),
          cell(aspect.name),
          cell(text.types[aspect.type] ?? aspect.type),
          cell(aspect.max_mark, 'num'),
          cell(aspect.panel_size ?? '', 'num'),
        );
        tbody.append(tr);
      });
    });
  }
  table.replaceChildren(head([text.component, text.weight, text.module, text.aspect, text.name, text.type,
    text.maxMark, text.panelSize]), tbody);
}

export function initScheme(config, text, onScheme) {
  const path = `/contests/${config.contestId}/marking-scheme`;
  const table = document.getElementById('scheme');
  const errors = document.getElementById('scheme-errors');
  const form = document.getElementById('scheme-form');

  const show = (scheme) => {
    render(table, scheme, text);
    onScheme(scheme);
  };

  api('GET', path).then(show).catch((error) => notice(fill(text.loadFailed, { message: failureText(error, text) }), 'error'));

  form?.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearFailure({ list: errors });
    const file = document.getElementById('scheme-file').files[0];
    if (!file) {
      notice(text.chooseFile, 'error');
      return;
    }
    const body = new FormData();
    body.append('file', file);
    const button = document.getElementById('scheme-submit');
    button.disabled = true;
    notice(text.uploading, 'info');
    try {
      const scheme = await api('POST', `${path}/import`, body);
      show(scheme);
      notice(fill(text.schemeImported, { version: scheme.scheme_version }));
      form.reset();
      document.dispatchEvent(new CustomEvent('scheme:imported'));  // 开赛 no longer waits for a scheme
    } catch (error) {
      showFailure(error, text, { list: errors, labels: text.errorLabels });
    } finally {
      button.disabled = false;
    }
  });
}
