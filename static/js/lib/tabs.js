// Tabs (WAI-ARIA tabs pattern): a [role=tablist] of [role=tab] buttons, each with aria-controls naming
// its [role=tabpanel]. One panel shows at a time; the arrow keys, Home and End move between tabs
// (roving tabindex) and activate them; the shown tab is kept in the URL hash as `#tab=<name>`
// (the tab's data-tab), so a reload or a shared link opens the same panel.
const HASH = /^#tab=([\w-]+)$/;

export function setUpTabs(tablist, { onShow = () => {} } = {}) {
  const tabs = [...tablist.querySelectorAll('[role="tab"]')];
  const byName = new Map(tabs.map((tab) => [tab.dataset.tab, tab]));

  function show(tab, { focus = false, remember = true } = {}) {
    for (const other of tabs) {
      const selected = other === tab;
      other.setAttribute('aria-selected', String(selected));
      other.tabIndex = selected ? 0 : -1;
      document.getElementById(other.getAttribute('aria-controls')).hidden = !selected;
    }
    if (focus) tab.focus();
    if (remember && location.hash !== `#tab=${tab.dataset.tab}`) {
      history.replaceState(null, '', `#tab=${tab.dataset.tab}`);
    }
    onShow(tab.dataset.tab);
  }

  function fromHash() {
    const name = HASH.exec(location.hash)?.[1];
    show(byName.get(name) ?? tabs[0], { remember: byName.has(name) });
  }

  tablist.addEventListener('click', (event) => {
    const tab = event.target.closest('[role="tab"]');
    if (tab) show(tab);
  });
  tablist.addEventListener('keydown', (event) => {
    const at = tabs.indexOf(document.activeElement);
    if (at < 0) return;
    const to = { ArrowRight: at + 1, ArrowDown: at + 1, ArrowLeft: at - 1, ArrowUp: at - 1,
      Home: 0, End: tabs.length - 1 }[event.key];
    if (to === undefined) return;
    event.preventDefault();
    show(tabs[(to + tabs.length) % tabs.length], { focus: true });
  });
  window.addEventListener('hashchange', fromHash);
  fromHash();
  return { show: (name) => byName.has(name) && show(byName.get(name)) };
}
