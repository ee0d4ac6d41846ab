// /admin/users: the accounts (GET /users, with the role filter and the search box), the new-account
// form (POST /users), and per account: switch off / on and reset the password (PATCH /users/{id}), and
// release a sign-in delay (POST /users/{id}/unlock).
import { api } from '../lib/api.js';
import { cell, emptyRow, fill, notice, option, readJson } from '../lib/dom.js';
import { clearFailure, failureText, showFailure } from '../lib/failures.js';

const config = readJson('admin-config');
const text = readJson('admin-text');
const body = document.getElementById('users-body');
const filter = document.getElementById('user-filter');
const form = document.getElementById('new-user');
const errors = document.getElementById('new-errors');
const roleSelect = document.getElementById('new-role');
const enterpriseSelect = document.getElementById('new-enterprise');
const enterpriseLabel = document.getElementById('new-enterprise-label');
const PAGE_SIZE = 500;
const COLUMNS = 6;
let enterpriseNames = new Map();

// Enterprises for the names in the table and the choices of the form (hr and judges belong to one).
async function loadEnterprises() {
  try {
    const found = await api('GET', '/enterprises');
    enterpriseNames = new Map(found.map((e) => [e.id, e.name]));
    enterpriseSelect.replaceChildren(option('', text.noEnterprise),
      ...found.map((e) => option(String(e.id), `${e.name} (${e.code})`)));
  } catch (error) {
    notice(fill(text.loadFailed, { message: failureText(error, text) }), 'error');
  }
}

function showEnterpriseChoice() {
  const role = roleSelect.value;
  enterpriseLabel.hidden = !(role === 'hr' || role === 'judge');
  enterpriseSelect.required = role === 'hr';
  enterpriseSelect.firstElementChild.textContent = role === 'hr' ? text.chooseEnterprise : text.noEnterprise;
}

// Every account matching the filter, page by page (api.md: page, page_size).
async function fetchUsers() {
  const params = new URLSearchParams({ page_size: String(PAGE_SIZE) });
  const data = new FormData(filter);
  if (data.get('role')) params.set('role', data.get('role'));
  if (String(data.get('q') ?? '').trim()) params.set('q', String(data.get('q')).trim());
  const users = [];
  for (let page = 1; ; page += 1) {
    params.set('page', String(page));
    const found = await api('GET', `/users?${params}`);
    users.push(...found);
    if (found.length < PAGE_SIZE) return users;
  }
}

function button(label, testId, handler, className = 'button secondary small') {
  const node = document.createElement('button');
  node.type = 'button';
  node.className = className;
  node.textContent = label;
  node.dataset.testid = testId;
  node.addEventListener('click', handler);
  return node;
}

function row(user) {
  const tr = document.createElement('tr');
  tr.dataset.userId = user.id;
  tr.dataset.username = user.username;
  tr.dataset.active = String(user.active);
  const self = user.id === config.me;
  const status = document.createElement('td');
  const tag = document.createElement('span');
  tag.className = user.active ? 'admin-state admin-on' : 'admin-state admin-off';
  tag.textContent = user.active ? text.active : text.inactive;
  tag.dataset.testid = 'user-state';
  status.append(tag);
  const actions = document.createElement('div');
  actions.className = 'admin-actions';
  if (user.active && !self) {
    actions.append(button(text.switchOff, 'switch-off', () => confirmOff(user), 'button danger small'));
  } else if (!user.active) {
    actions.append(button(text.switchOn, 'switch-on', () => setActive(user, true)));
  }
  actions.append(button(text.resetPassword, 'reset-password', () => askPassword(user)));
  actions.append(button(text.unlock, 'unlock', () => unlock(user)));
  tr.append(cell(self ? `${user.username} ${text.you}` : user.username), cell(user.display_name),
    cell(text.roleNames[user.role] ?? user.role),
    cell(user.enterprise_id == null ? '—' : (enterpriseNames.get(user.enterprise_id) ?? `#${user.enterprise_id}`)),
    status, document.createElement('td'));
  tr.lastElementChild.append(actions);
  return tr;
}

async function load() {
  try {
    const users = await fetchUsers();
    if (!users.length) emptyRow(body, COLUMNS, text.empty);
    else body.replaceChildren(...users.map(row));
  } catch (error) {
    emptyRow(body, COLUMNS, fill(text.loadFailed, { message: failureText(error, text) }));
  }
}

// Clears the account's sign-in delay after repeated wrong passwords (POST /users/{id}/unlock).
async function unlock(user) {
  try {
    await api('POST', `/users/${user.id}/unlock`);
    notice(fill(text.unlocked, { username: user.username }));
  } catch (error) {
    showFailure(error, text);
  }
}

async function setActive(user, active) {
  try {
    await api('PATCH', `/users/${user.id}`, { active });
    notice(fill(active ? text.switchedOn : text.switchedOff, { username: user.username }));
  } catch (error) {
    showFailure(error, text);
  }
  await load();
}

// Switching off asks first (the account is signed out at once).
const offDialog = document.getElementById('off-dialog');
function confirmOff(user) {
  offDialog.dataset.userId = user.id;
  document.getElementById('off-message').textContent = fill(text.confirmOff,
    { username: user.username, name: user.display_name });
  offDialog.showModal();
}
document.getElementById('off-cancel').addEventListener('click', () => offDialog.close());
document.getElementById('off-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  offDialog.close();
  const username = body.querySelector(`tr[data-user-id="${offDialog.dataset.userId}"]`)?.dataset.username ?? '';
  await setActive({ id: offDialog.dataset.userId, username }, false);
});

// Resetting a password: a small dialog with the new password.
const passwordDialog = document.getElementById('password-dialog');
const passwordForm = document.getElementById('password-form');
const passwordErrors = document.getElementById('password-errors');
function askPassword(user) {
  passwordDialog.dataset.userId = user.id;
  passwordDialog.dataset.username = user.username;
  document.getElementById('password-message').textContent = fill(text.passwordFor,
    { username: user.username, name: user.display_name });
  passwordForm.reset();
  passwordErrors.replaceChildren();
  passwordDialog.showModal();
}
document.getElementById('password-cancel').addEventListener('click', () => passwordDialog.close());
passwordForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  clearFailure({ form: passwordForm, list: passwordErrors });
  const password = passwordForm.elements.namedItem('password').value;
  try {
    await api('PATCH', `/users/${passwordDialog.dataset.userId}`, { password });
    passwordDialog.close();
    notice(fill(text.passwordReset, { username: passwordDialog.dataset.username }));
  } catch (error) {
    showFailure(error, text, { form: passwordForm, list: passwordErrors, labels: text.fields });
  }
});

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  clearFailure({ form, list: errors });
  const data = new FormData(form);
  const request = { username: String(data.get('username')).trim(), display_name: String(data.get('display_name')).trim(),
    role: data.get('role'), password: data.get('password') };
  if (!enterpriseLabel.hidden && data.get('enterprise_id')) request.enterprise_id = Number(data.get('enterprise_id'));
  const submit = document.getElementById('new-submit');
  submit.disabled = true;
  try {
    const created = await api('POST', '/users', request);
    notice(fill(text.created, { username: created.username }));
    form.reset();
    showEnterpriseChoice();
    await load();
  } catch (error) {
    showFailure(error, text, { form, list: errors, labels: text.fields });
  } finally {
    submit.disabled = false;
  }
});

filter.addEventListener('submit', (event) => {
  event.preventDefault();
  load();
});
document.getElementById('filter-role').addEventListener('change', () => load());
roleSelect.addEventListener('change', showEnterpriseChoice);

showEnterpriseChoice();
loadEnterprises().then(load);
