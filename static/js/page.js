// Small helpers the pages' modules share: the JSON blocks a page hands to its module, a text's
// placeholders filled in, the notice line (#notice), and table cells and select options built
// without markup.
export const readJson = (id) => JSON.parse(document.getElementById(id).textContent);

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
