// /admin/enterprises: the enterprises (GET /enterprises) and the new-enterprise form (POST /enterprises),
// with the API's field errors shown under the form.
import { api } from '../lib/api.js';
import { cell, emptyRow, fill, notice, readJson } from '../lib/dom.js';
import { clearFailure, failureText, showFailure } from '../lib/failures.js';

const text = readJson('admin-text');
const body = document.getElementById('enterprises-body');
const form = document.getElementById('new-enterprise');
const errors = document.getElementById('ent-errors');

function row(enterprise) {
  const tr = document.createElement('tr');
  tr.dataset.enterpriseId = enterprise.id;
  tr.append(cell(enterprise.code), cell(enterprise.name), cell(text.prefixes[enterprise.cert_prefix] ?? enterprise.cert_prefix),
    cell(enterprise.org_code), cell(enterprise.province_code), cell(enterprise.site_code));
  return tr;
}

async function load() {
  try {
    const found = await api('GET', '/enterprises');
    if (!found.length) emptyRow(body, 6, text.empty);
    else body.replaceChildren(...found.map(row));
  } catch (error) {
    emptyRow(body, 6, fill(text.loadFailed, { message: failureText(error, text) }));
  }
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  clearFailure({ form, list: errors });
  const request = Object.fromEntries(new FormData(form).entries());
  const button = document.getElementById('ent-submit');
  button.disabled = true;
  try {
    const created = await api('POST', '/enterprises', request);
    notice(fill(text.created, { name: created.name }));
    form.elements.namedItem('code').value = '';
    form.elements.namedItem('name').value = '';
    await load();
  } catch (error) {
    showFailure(error, text, { form, list: errors, labels: text.fields });
  } finally {
    button.disabled = false;
  }
});

load();
