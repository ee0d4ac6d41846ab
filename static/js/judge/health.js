// The tablet's connection: the Socket.IO `judge` view of /live (module locks, contest state) and the
// always-visible health indicator (online / offline / N pending).
import { fill as format } from '../lib/dom.js';

export class HealthIndicator {
  // pendingCount(): how many marks wait on this device.
  constructor(node, text, pendingCount) {
    this.node = node;
    this.text = text;
    this.pendingCount = pendingCount;
    this.socket = 'connecting';
    window.addEventListener('online', () => this.update());
    window.addEventListener('offline', () => this.update());
    this.update();
  }

  setSocket(state) {
    this.socket = state;
    this.update();
  }

  update() {
    const pending = this.pendingCount();
    let state;
    if (!navigator.onLine) state = 'offline';
    else if (this.socket === 'connected') state = 'online';
    else if (this.socket === 'connecting') state = 'online';
    else state = 'reconnecting';
    const parts = [this.text[state] ?? state];
    if (pending) parts.push(format(this.text.pending, { n: pending }));
    this.node.textContent = parts.join(' · ');
    this.node.dataset.state = state;
    this.node.dataset.socket = this.socket;
    this.node.dataset.pending = String(pending);
  }
}

export function connectJudge({ contestId, health, onConnect, onHello, onLock, onState }) {
  if (!window.io) { health.setSocket('disconnected'); return null; }
  const socket = window.io('/live', {
    transports: ['websocket', 'polling'],
    auth: { contest_id: contestId, view: 'judge' },
  });
  socket.on('connect', () => { health.setSocket('connected'); onConnect?.(); });
  socket.on('disconnect', () => health.setSocket('disconnected'));
  socket.on('connect_error', () => health.setSocket('disconnected'));
  socket.on('judge:hello', (payload) => onHello?.(payload));
  socket.on('module:lock', (payload) => onLock?.(payload));
  socket.on('contest:state', (payload) => onState?.(payload));
  window.addEventListener('online', () => { if (!socket.connected) socket.connect(); });
  return socket;
}
