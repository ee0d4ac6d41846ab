// The big screen (?screen=1), read from 10 m (live.md, Pages): rows sized from the viewport so they fill
// the height at any resolution, at least 1/24 of it each, text 56 % of a row; more rows than fit are
// shared out over pages of equal size (±1 row, so no page leaves a blank band taller than a row),
// each shown for `dwell` seconds with its number visible.
const MIN_ROWS_PER_HEIGHT = 24;
export const TEXT_SHARE = 0.56;

// Pages for `count` rows when `fit` rows fit on one: sizes differing by at most one, largest first.
export function pageSizes(count, fit) {
  const pages = Math.max(1, Math.ceil(count / Math.max(1, fit)));
  const base = Math.floor(count / pages), extra = count % pages;
  return Array.from({ length: pages }, (_, n) => base + (n < extra ? 1 : 0));
}

export class ScreenPager {
  constructor({ body, table, indicator, dwell, text, format, onTurn }) {
    Object.assign(this, { body, table, indicator, dwell, text, format, onTurn });
    this.page = 0;
    this.sizes = [0];
    this.fitted = '';
    window.addEventListener('resize', () => this.onTurn());
    setInterval(() => { this.page += 1; this.onTurn(); }, dwell * 1000);
  }

  // Sizes the rows for `count` competitors (when the count, the viewport or the room changed: a
  // banner shown or hidden).
  fit(count) {
    const head = this.table.tHead.getBoundingClientRect().height;
    const fitted = `${count} ${window.innerHeight} ${this.body.clientHeight} ${head}`;
    if (fitted === this.fitted) return;
    this.fitted = fitted;
    const minRow = Math.ceil(window.innerHeight / MIN_ROWS_PER_HEIGHT);
    const room = this.body.clientHeight - head - 1;
    this.sizes = pageSizes(count, Math.floor(room / minRow));
    const rowHeight = room / Math.max(1, this.sizes[0]);
    this.table.style.setProperty('--row-h', `${rowHeight}px`);
    this.table.style.setProperty('--row-font', `${rowHeight * TEXT_SHARE}px`);
    this.table.classList.remove('compact');
  }

  // The rows of the page shown now.
  slice(rows) {
    this.fit(rows.length);
    this.page %= this.sizes.length;
    const start = this.sizes.slice(0, this.page).reduce((a, b) => a + b, 0);
    this.indicator.textContent = this.format(this.text.page, { n: this.page + 1, m: this.sizes.length });
    this.indicator.dataset.page = this.page + 1;
    return rows.slice(start, start + this.sizes[this.page]);
  }

  // Too wide for the viewport: drop the component columns (the total stays), then let names shorten.
  checkWidth() {
    if (this.table.scrollWidth > this.body.clientWidth + 1) this.table.classList.add('compact');
  }
}

// The column widths, in em of the row text (the table's font), so they scale with the rows.
export function colgroup(node, columns) {
  node.replaceChildren(...columns.map(([, className, width]) => {
    const col = document.createElement('col');
    col.className = className;
    if (width) col.style.width = `${width}em`;
    return col;
  }));
}
