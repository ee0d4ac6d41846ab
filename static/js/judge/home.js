// /judge: the judge's contests. Marks still waiting on this device are shown per contest and sent
// from here too (the same queue as the worklist page).
import { fill as format, readJson } from '../lib/dom.js';
import { HealthIndicator } from './health.js';
import { MarkQueue } from './queue.js';

const config = readJson('judge-config');
const text = readJson('judge-text');
const node = document.getElementById('health');

if (config.userId) {
  let health = null;
  const show = () => {
    for (const chip of document.querySelectorAll('[data-pending-for]')) {
      const n = queue.pending(Number(chip.dataset.pendingFor)).length;
      chip.hidden = !n;
      chip.textContent = format(text.pendingHere, { n });
    }
    health?.update();
  };
  const queue = new MarkQueue(config.userId, { onChange: show });
  health = new HealthIndicator(node, text, () => queue.pending().length);
  health.setSocket('connected'); // no live connection on this page: the browser's state decides
  show();
  queue.flush();
}
