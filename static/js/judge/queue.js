// The tablet's mark queue: every mark a judge enters goes through it, online or not.
//
// A mark is stored on the device (localStorage, so it survives a reload or a closed tab) with an
// Idempotency-Key made once when it is entered; then it is sent with PUT /contests/{id}/marks. A
// network failure or a server that cannot answer now (5xx, 429, 401) leaves it queued: it is sent
// again when the browser comes back online, every few seconds while anything is pending, and when
// the live connection returns. A retry carries the same key and the same body, so the server stores
// it at most once (api.md, Conventions). A refusal (409 locked / newer version / not running, 422,
// 403, 404) takes it out of the queue into the "refused" list, with the reason and the current mark.
import { api, ApiError } from '../lib/api.js';

const PREFIX = 'competition.judge.queue.v1';
const RETRY_MS = 4000;
const TIMEOUT_MS = 12000;
// Statuses after which sending the same request again could succeed.
const RETRYABLE = new Set([0, 401, 408, 425, 429, 500, 502, 503, 504]);

export function newKey() {
  if (window.crypto?.randomUUID) return window.crypto.randomUUID();
  // Pages served over plain http on the venue network are not a secure context: no randomUUID.
  const bytes = window.crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export class MarkQueue {
  // onChange(): the queue or the refused list changed; onStored(item, answer); onRefused(item).
  constructor(userId, { onChange = () => {}, onStored = () => {}, onRefused = () => {}, onAuth = () => {} } = {}) {
    this.storageKey = `${PREFIX}.u${userId}`;
    this.onChange = onChange;
    this.onStored = onStored;
    this.onRefused = onRefused;
    this.onAuth = onAuth;
    this.flushing = null;
    this.timer = null;
    this.lastError = null;
    window.addEventListener('online', () => this.flush());
    window.addEventListener('storage', (event) => { if (event.key === this.storageKey) this.onChange(); });
    this.schedule();
  }

  // --- storage ----------------------------------------------------------------------------------------
  read() {
    try {
      const data = JSON.parse(window.localStorage.getItem(this.storageKey) ?? 'null');
      if (data && Array.isArray(data.pending) && Array.isArray(data.refused)) return data;
    } catch { /* a damaged entry: start again */ }
    return { pending: [], refused: [] };
  }

  write(data) {
    window.localStorage.setItem(this.storageKey, JSON.stringify(data));
  }

  update(change) {
    const data = this.read();
    change(data);
    this.write(data);
    this.onChange();
    return data;
  }

  pending(contestId) { return this.read().pending.filter((i) => contestId == null || i.contest_id === contestId); }
  refused(contestId) { return this.read().refused.filter((i) => contestId == null || i.contest_id === contestId); }

  // --- entering ---------------------------------------------------------------------------------------
  // item: {contest_id, competitor_id, aspect_code, value, expected_version (or null), label...}.
  add(item) {
    const entry = { ...item, key: newKey(), entered_at: new Date().toISOString(), attempts: 0, sent: false };
    this.update((data) => {
      // A correction of a value that has not left the device yet replaces it (same expectation).
      const same = (i) => i.contest_id === entry.contest_id && i.competitor_id === entry.competitor_id
        && i.aspect_code === entry.aspect_code;
      const waiting = data.pending.findIndex((i) => same(i) && !i.sent);
      if (waiting >= 0) {
        entry.expected_version = data.pending[waiting].expected_version;
        data.pending.splice(waiting, 1);
      } else if (entry.expected_version != null && data.pending.some(same)) {
        entry.expected_version = 'after'; // resolved from the earlier one's answer before it is sent
      }
      data.refused = data.refused.filter((i) => !same(i));
      data.pending.push(entry);
    });
    this.flush();
    return entry;
  }

  dismiss(key) {
    this.update((data) => { data.refused = data.refused.filter((i) => i.key !== key); });
  }

  // --- sending ----------------------------------------------------------------------------------------
  schedule() {
    clearInterval(this.timer);
    this.timer = setInterval(() => { if (this.read().pending.length) this.flush(); }, RETRY_MS);
  }

  flush() {
    if (!this.flushing) this.flushing = this.drain().finally(() => { this.flushing = null; });
    return this.flushing;
  }

  async drain() {
    for (;;) {
      const data = this.read();
      const item = data.pending[0];
      if (!item) return;
      if (!item.sent) {
        // Freeze the body before the first attempt: every retry sends exactly the same request.
        item.sent = true;
        if (item.expected_version === 'after') item.expected_version = item.resolved_version ?? null;
      }
      item.attempts += 1;
      item.last_attempt = new Date().toISOString();
      this.write(data);
      const body = { competitor_id: item.competitor_id, aspect_code: item.aspect_code, value: item.value };
      if (item.expected_version != null) body.expected_version = item.expected_version;
      let outcome;
      try {
        const answer = await this.send(item, body);
        outcome = { ok: true, answer };
      } catch (error) {
        outcome = { ok: false, error };
      }
      // No answer (status 0: offline, timed out) or a failure before any request: keep it, try again later.
      if (!outcome.ok && (!(outcome.error instanceof ApiError) || outcome.error.status === 0)) {
        this.lastError = 'network';
        this.onChange();
        return;
      }
      if (!outcome.ok && RETRYABLE.has(outcome.error.status)) {
        this.lastError = outcome.error.status === 401 ? 'auth' : 'server';
        if (outcome.error.status === 401) this.onAuth();
        this.onChange();
        return;
      }
      this.lastError = null;
      this.update((fresh) => {
        fresh.pending = fresh.pending.filter((i) => i.key !== item.key);
        // A later correction of the same measurement expects the version just stored; if this one
        // was refused, it keeps expecting what the judge saw (and meets the same refusal).
        for (const later of fresh.pending) {
          if (later.contest_id === item.contest_id && later.competitor_id === item.competitor_id
            && later.aspect_code === item.aspect_code && !later.sent) {
            later.resolved_version = outcome.ok ? outcome.answer.mark.version : item.expected_version;
          }
        }
        if (!outcome.ok) {
          const { status, body: reply } = outcome.error;
          fresh.refused.push({ ...item, status, reason: reply?.reason ?? null,
            message: reply?.message ?? `HTTP ${status}`, current: reply?.mark ?? null,
            refused_at: new Date().toISOString() });
        }
      });
      if (outcome.ok) this.onStored(item, outcome.answer);
      else this.onRefused({ ...item, status: outcome.error.status, reason: outcome.error.body?.reason ?? null,
        message: outcome.error.body?.message, current: outcome.error.body?.mark ?? null });
    }
  }

  async send(item, body) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
    try {
      return await api('PUT', `/contests/${item.contest_id}/marks`, body,
        { headers: { 'Idempotency-Key': item.key }, signal: controller.signal });
    } finally {
      clearTimeout(timer);
    }
  }
}
