// The results ceremony of a final contest (live.md): POST /contests/{id}/reveal/start hides totals and
// ranks on every public page; each POST …/reveal/next reveals the next ranked competitor from the
// bottom up, animated on the big screen, and answers with that row. The page counts what remains.
import { api } from '../lib/api.js';
import { fill, notice } from '../lib/dom.js';
import { clearFailure, showFailure } from '../lib/failures.js';

export function initCeremony(config, text) {
  const start = document.getElementById('reveal-start');
  if (!start) return; // not final: no ceremony
  const next = document.getElementById('reveal-next');
  const status = document.getElementById('reveal-status');
  let remaining = config.reveal.remaining;

  function show(lead = '') {
    next.disabled = !remaining;
    let line;
    if (!config.reveal.started) line = text.revealNotStarted;
    else if (remaining) line = fill(text.revealRemaining, { n: remaining });
    else line = text.revealDone;
    status.textContent = lead ? `${lead} ${line}` : line;
  }

  async function post(path) {
    clearFailure();
    start.disabled = true;
    next.disabled = true;
    try {
      return await api('POST', `/contests/${config.contestId}/reveal/${path}`);
    } catch (error) {
      showFailure(error, text);
      return null;
    } finally {
      start.disabled = false;
    }
  }

  start.addEventListener('click', async () => {
    const answer = await post('start');
    if (answer) {
      config.reveal.started = true;
      remaining = answer.remaining;
      notice(fill(text.revealStarted, { n: remaining }));
    }
    show();
  });

  next.addEventListener('click', async () => {
    const row = await post('next');
    if (!row) { show(); return; }
    remaining -= 1;
    const { competitor } = row;
    show(fill(text.revealed, { rank: row.rank, bib: competitor.bib, name: competitor.name,
      enterprise: competitor.enterprise, total: row.total,
      band: row.band ? fill(text.revealBand, { band: row.band }) : '' }));
  });

  show();
}
