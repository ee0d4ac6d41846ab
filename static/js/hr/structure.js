// /hr/structure: the skill-talent structure as charts (Chart.js, static/vendor/chart.js, loaded before
// this module as window.Chart). The figures come rendered into the page (#structure-data, the object of
// GET /api/v1/enterprises/{id}/skill-structure); the texts in the page's language (#structure-text).
// The target form saves the enterprise's high-skill target with PUT …/skill-structure/target and moves
// the target line without reloading.
import { api } from '../lib/api.js';
import { fill, readJson } from '../lib/dom.js';
import { failureText } from '../lib/failures.js';

const data = readJson('structure-data');
const text = readJson('structure-text');
const messages = document.getElementById('structure-messages');

// Lowest first (the stacking order: 无等级 at the base, 一级 on top); the high-skill levels darker.
const LEVELS = ['5', '4', '3', '2', '1'];
const COLOURS = { none: '#c9ced8', 5: '#f6cccc', 4: '#ec9d9d', 3: '#d9534f', 2: '#b4232a', 1: '#6e0f14' };
const TARGET_COLOUR = '#1d3f7a';

const percent = (ratio) => (ratio === null || ratio === undefined ? null : Math.round(Number(ratio) * 10000) / 100);
const percentText = (value) => (value === null ? '—' : `${value.toFixed(2)} %`);

function say(message, kind) {
  const line = document.createElement('p');
  line.className = `flash flash-${kind}`;
  line.textContent = message;
  messages.replaceChildren(line);
}

// A dashed horizontal line at `options.value` (percent) across the chart, labelled on the right.
const targetLine = {
  id: 'targetLine',
  afterDatasetsDraw(chart, _args, options) {
    if (options.value === null || options.value === undefined) return;
    const { ctx, chartArea, scales } = chart;
    const y = scales.y.getPixelForValue(options.value);
    ctx.save();
    ctx.strokeStyle = TARGET_COLOUR;
    ctx.lineWidth = 2;
    ctx.setLineDash([6, 4]);
    ctx.beginPath();
    ctx.moveTo(chartArea.left, y);
    ctx.lineTo(chartArea.right, y);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = TARGET_COLOUR;
    ctx.font = '600 12px system-ui, sans-serif';
    ctx.textAlign = 'right';
    ctx.textBaseline = 'bottom';
    ctx.fillText(`${options.label} ${percentText(options.value)}`, chartArea.right - 4, y - 3);
    ctx.restore();
  },
};

const common = {
  animation: false,
  responsive: true,
  maintainAspectRatio: false,
  plugins: { legend: { position: 'bottom', labels: { boxWidth: 12, font: { size: 11 } } } },
};

function levelDatasets(rows) {
  const sets = [{ label: text.none, data: rows.map((row) => row.none), backgroundColor: COLOURS.none }];
  for (const level of LEVELS) {
    sets.push({ label: text.levels[level], data: rows.map((row) => row.by_level[level]), backgroundColor: COLOURS[level] });
  }
  return sets;
}

function drawLevels() {
  const canvas = document.getElementById('chart-levels');
  return new window.Chart(canvas, {
    type: 'bar',
    data: { labels: [text.now, text.pendingShort], datasets: levelDatasets([data, data.pending]) },
    options: {
      ...common,
      indexAxis: 'y',
      scales: { x: { stacked: true, beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: text.people } },
        y: { stacked: true } },
    },
  });
}

function drawRatio(targetShare) {
  const canvas = document.getElementById('chart-ratio');
  const values = [percent(data.high_skill_ratio), percent(data.pending.high_skill_ratio)];
  const top = Math.min(100, Math.max(10, ...values.filter((v) => v !== null), percent(targetShare) || 0) + 10);
  return new window.Chart(canvas, {
    type: 'bar',
    data: {
      labels: [text.now, text.pendingShort],
      datasets: [{ label: text.ratio, data: values, backgroundColor: [COLOURS[2], COLOURS[3]], maxBarThickness: 70 }],
    },
    options: {
      ...common,
      plugins: { ...common.plugins, legend: { display: false }, targetLine: { value: percent(targetShare), label: text.target },
        tooltip: { callbacks: { label: (item) => `${text.ratio}: ${percentText(item.parsed.y)}` } } },
      scales: { y: { beginAtZero: true, max: Math.ceil(top / 10) * 10, ticks: { callback: (v) => `${v} %` } } },
    },
    plugins: [targetLine],
  });
}

function drawYears() {
  const canvas = document.getElementById('chart-years');
  if (!canvas) return null;
  const rows = data.by_year;
  const datasets = LEVELS.map((level) => ({
    label: text.levels[level], data: rows.map((row) => row.by_level[level]), backgroundColor: COLOURS[level],
    maxBarThickness: 48,
  }));
  return new window.Chart(canvas, {
    type: 'bar',
    data: { labels: rows.map((row) => String(row.year)), datasets },
    options: {
      ...common,
      scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 },
        title: { display: true, text: text.certificates } } },
    },
  });
}

// "已达到目标 30.00 %" / "低于目标 30.00 %" beside the ratio.
function showTargetStatus(targetShare) {
  const node = document.querySelector('[data-role="target-status"]');
  if (!node) return;
  const ratio = node.dataset.ratio;
  const target = percentText(percent(targetShare));
  if (!ratio) {
    node.textContent = fill(node.dataset.unmet, { target });
    node.className = 'st-unmet';
    return;
  }
  const met = Number(ratio) >= Number(targetShare);
  node.textContent = fill(met ? node.dataset.met : node.dataset.unmet, { target });
  node.className = met ? 'st-met' : 'st-unmet';
}

// "30" or "30.5" (percent, up to 2 decimals, 0..100) -> "0.3000" / "0.3050"; null when not one.
function shareOf(input) {
  const match = /^\s*(\d{1,3})(?:[.,](\d{1,2}))?\s*$/.exec(input);
  if (!match) return null;
  const hundredths = Number(match[1]) * 100 + Number((match[2] || '').padEnd(2, '0'));
  if (hundredths > 10000) return null;
  return (hundredths / 10000).toFixed(4);
}

function setUpTarget(ratioChart) {
  const form = document.getElementById('target-form');
  if (!form) return;
  const input = document.getElementById('target-input');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const share = shareOf(input.value);
    if (share === null) {
      say(text.badTarget, 'error');
      input.focus();
      return;
    }
    const button = form.querySelector('button');
    button.disabled = true;
    let answer;
    try {
      answer = await api('PUT', form.dataset.url, { high_skill_target: share });
    } catch (error) {
      say(fill(text.failed, { message: failureText(error) }), 'error');
      return;
    } finally {
      button.disabled = false;
    }
    const saved = answer.high_skill_target;
    ratioChart.options.plugins.targetLine.value = percent(saved);
    ratioChart.update();
    showTargetStatus(saved);
    input.value = percent(saved).toFixed(2);
    say(fill(text.saved, { target: percentText(percent(saved)) }), 'success');
  });
}

drawLevels();
const ratioChart = drawRatio(data.high_skill_target);
drawYears();
showTargetStatus(data.high_skill_target);
setUpTarget(ratioChart);
document.body.dataset.chartsReady = 'true';
