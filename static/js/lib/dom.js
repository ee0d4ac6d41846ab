// The page scripts' DOM helpers: the JSON blocks a page hands to its script, a text's placeholders
// filled in, the notice line (#notice), and elements, cells, options and tables built without markup.

// The parsed JSON block with this id ({} when the page has none).
export function readJson(id) {
  const node = document.getElementById(id);
  return node ? JSON.parse(node.textContent) : {};
}

// fill('Assigned {name}', {name: 'Wang'}) -> 'Assigned Wang'; a missing value leaves ''.
export function fill(template, values) {
  return String(template ?? '').replace(/\{(\w+)\}/g, (_, key) => String(values[key] ?? ''));
}

export function notice(message, kind = 'success') {
  const node = document.getElementById('notice');
  node.textContent = message;
  node.className = `flash flash-${kind}`;
  node.hidden = false;
}

// el('td', {className: 'num'}, 'text', child, ...): properties are assigned (`class` and `text` are
// short for className and textContent; data-*, aria-* and role are set as attributes); null, undefined
// and false properties and children are left out.
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key.startsWith('data-') || key.startsWith('aria-') || key === 'role') node.setAttribute(key, value);
    else node[key] = value;
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

export function cell(content, className = '') {
  const td = document.createElement('td');
  td.textContent = content ?? '';
  if (className) td.className = className;
  return td;
}

export function option(value, label) {
  const node = document.createElement('option');
  node.value = value;
  node.textContent = label;
  return node;
}

// A table body holding one muted line `message` across `columns` columns.
export function emptyRow(tbody, columns, message) {
  const td = cell(message, 'muted');
  td.colSpan = columns;
  tbody.replaceChildren(el('tr', {}, td));
}

// Fill `table` with a header row of `labels` and one row per item (`row(item)` returns the <tr>),
// or a single muted line `empty` when there are none.
export function fillTable(table, labels, items, row, empty) {
  const tbody = document.createElement('tbody');
  if (!items.length) {
    tbody.append(el('tr', {}, cell(empty, 'muted')));
    table.replaceChildren(tbody);
    return;
  }
  tbody.append(...items.map(row));
  const thead = el('thead', {}, el('tr', {}, ...labels.map((label) => el('th', { text: label }))));
  table.replaceChildren(thead, tbody);
}
