// What changed lately on the board (live.md, big screen): a row whose rank changed shows the places it
// moved (▲2) for 10 s, and a row whose figures changed is highlighted for as long.
import { rowKey } from '../live/board-core.js';

export const SHOW_MS = 10000;

const figures = (row) => JSON.stringify([row.total, row.components, row.modules, row.status, row.aspects_complete]);

export class Changes {
  constructor(onExpire) {
    this.moves = new Map(); // key -> {by, until}
    this.marked = new Map(); // key -> until
    this.onExpire = onExpire;
    this.timer = null;
  }

  // Notes an update's rows against the rows they replace; returns the rows whose figures changed,
  // each as {row, before, by}.
  note(rows, previous, now = Date.now()) {
    const noted = [];
    for (const row of rows) {
      const key = rowKey(row);
      const before = previous.get(key);
      if (!before) continue;
      let by = 0;
      if (before.rank != null && row.rank != null && before.rank !== row.rank) {
        by = before.rank - row.rank;
        this.moves.set(key, { by, until: now + SHOW_MS });
      }
      if (figures(before) !== figures(row)) {
        this.marked.set(key, now + SHOW_MS);
        noted.push({ row, before, by });
      }
    }
    this.schedule();
    return noted;
  }

  by(key) {
    const move = this.moves.get(key);
    return move && move.until > Date.now() ? move.by : 0;
  }

  highlighted(key) { return (this.marked.get(key) ?? 0) > Date.now(); }

  schedule() {
    clearTimeout(this.timer);
    const now = Date.now();
    for (const [key, move] of this.moves) if (move.until <= now) this.moves.delete(key);
    for (const [key, until] of this.marked) if (until <= now) this.marked.delete(key);
    const next = Math.min(...[...this.moves.values()].map((m) => m.until), ...this.marked.values());
    if (Number.isFinite(next)) {
      this.timer = setTimeout(() => { this.schedule(); this.onExpire(); }, next - now + 20);
    }
  }
}
