// /hr/people/import: upload a .xlsx or .csv file to POST /api/v1/enterprises/{id}/people/import.
// 200 -> created/updated counts; 422 with row errors -> a table of row, column, problem.
import { api, describeError, el } from './api.js';

const form = document.getElementById('import-form');
const fileInput = document.getElementById('import-file');
const submit = document.getElementById('import-submit');
const status = document.getElementById('import-status');
const resultBox = document.getElementById('import-result');
const errorBox = document.getElementById('import-errors');

function reset() {
  status.replaceChildren();
  status.className = 'hr-messages';
  resultBox.hidden = true;
  errorBox.hidden = true;
  errorBox.querySelector('tbody').replaceChildren();
}

function showStatus(text, kind) {
  status.replaceChildren(el('p', { className: `flash flash-${kind}` }, text));
}

function showSuccess(data) {
  const parts = [`导入完成：新增 ${data.created} 人，更新 ${data.updated} 人`];
  if (data.unchanged) parts.push(`，${data.unchanged} 人无变化`);
  resultBox.querySelector('[data-testid="import-success"]').textContent = parts.join('') + '。';
  resultBox.hidden = false;
}

function showRowErrors(data) {
  const errors = data.errors;
  const rows = new Set(errors.map((e) => e.row));
  errorBox.querySelector('[data-testid="import-error-summary"]').textContent =
    `有 ${rows.size} 行存在 ${errors.length} 个问题，没有导入任何人员。请修改文件后重新上传。`;
  const body = errorBox.querySelector('tbody');
  for (const error of errors) {
    const column = error.column && error.column !== error.field ? `${error.column}（${error.field}）` : error.field;
    body.append(el('tr', {},
      el('td', { className: 'num' }, error.row),
      el('td', {}, column),
      el('td', {}, error.message)));
  }
  errorBox.hidden = false;
}

function fileProblem(data) {
  // A file that cannot be read at all: errors = {"file": [...]}.
  const details = data.errors && data.errors.file ? data.errors.file.join('；') : '';
  return `无法导入：${data.message}${details && !data.message.includes(details) ? `（${details}）` : ''}`;
}

async function upload(event) {
  event.preventDefault();
  reset();
  const file = fileInput.files[0];
  if (!file) {
    showStatus('请选择一个 .xlsx 或 .csv 文件。', 'error');
    return;
  }
  if (file.size > 10 * 1024 * 1024) {
    showStatus('文件过大：导入文件最大 10 MiB。', 'error');
    return;
  }
  const data = new FormData();
  data.append('file', file, file.name);
  submit.disabled = true;
  showStatus(`正在检查并导入 ${file.name} …`, 'info');
  const result = await api('POST', form.dataset.api, data);
  submit.disabled = false;
  status.replaceChildren();
  if (result.ok) {
    showSuccess(result.data);
    form.reset();
  } else if (result.status === 422 && result.data && Array.isArray(result.data.errors)) {
    showRowErrors(result.data);
  } else if (result.status === 422 && result.data) {
    showStatus(fileProblem(result.data), 'error');
  } else {
    showStatus(describeError(result), 'error');
  }
}

form.addEventListener('submit', upload);
fileInput.addEventListener('change', reset);
