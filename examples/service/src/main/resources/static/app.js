// The page over the service's own REST API: no build step, no libraries.
// The runs list is polled every 2 s; the selected run (the URL's #fragment) every second while it is going.
'use strict';
const $ = (id) => document.getElementById(id);
let selected = decodeURIComponent(location.hash.slice(1)) || null;
let runTimer = null;

async function api(path, options) {
  const r = await fetch(path, options);
  const body = r.headers.get('Content-Type')?.includes('json') ? await r.json() : null;
  if (!r.ok) {
    const e = body && body.error;
    throw new Error(e ? `${e.what} (${e.where}): ${e.fix}` : `HTTP ${r.status}`);
  }
  return body;
}

function badge(state) {
  const span = document.createElement('span');
  span.className = 'state ' + state;
  span.textContent = state;
  return span;
}

function text(el, value) { el.textContent = value == null ? '' : String(value); }
function show(msg) { text($('message'), msg); }

async function refreshRuns() {
  try {
    const runs = await api('/api/runs');
    const body = document.querySelector('#runs tbody');
    body.replaceChildren(...runs.map((r) => {
      const tr = document.createElement('tr');
      tr.dataset.run = r.id;
      tr.className = r.id === selected ? 'selected' : '';
      for (const v of [r.id, r.state, r.provider, r.baseModel, r.updatedAt.slice(11, 19)]) {
        const td = document.createElement('td');
        text(td, v);
        tr.appendChild(td);
      }
      tr.children[1].className = 'state-cell';
      tr.children[1].replaceChildren(badge(r.state));
      tr.children[4].title = r.updatedAt;
      tr.addEventListener('click', () => select(r.id));
      return tr;
    }));
    $('no-runs').hidden = runs.length > 0;
    if (!selected && runs.length) select(runs[0].id);
  } catch (e) { show(e.message); }
}

function select(id) {
  selected = id;
  history.replaceState(null, '', '#' + encodeURIComponent(id));
  document.querySelectorAll('#runs tbody tr').forEach((tr) => tr.classList.toggle('selected', tr.dataset.run === id));
  clearTimeout(runTimer);
  refreshRun();
}

async function refreshRun() {
  const id = selected;
  if (!id) return;
  let run;
  try {
    run = await api('/api/runs/' + encodeURIComponent(id));
    show('');
  } catch (e) {
    show(e.message);
    runTimer = setTimeout(refreshRun, 2000);
    return;
  }
  if (id !== selected) return;
  $('run').hidden = false;
  text($('run-id'), run.id);
  text($('run-state'), run.state);
  $('run-state').className = 'state ' + run.state;
  const row = document.querySelector(`#runs tbody tr[data-run="${CSS.escape(run.id)}"]`);
  if (row && row.children[1].textContent !== run.state) row.children[1].replaceChildren(badge(run.state));
  text($('run-facts'), `${run.provider} · ${run.baseModel}` + (run.jobId ? ` · job ${run.jobId} (${run.jobStatus || '…'})` : '')
      + (run.tunedModel ? ` · tuned: ${run.tunedModel}` : '') + (run.error ? ` · ${run.error}` : ''));
  const p = run.progress;
  const pct = p && p.totalSteps ? Math.min(100, 100 * p.step / p.totalSteps) : (run.state === 'SUBMITTED' ? 0 : (run.tunedModel ? 100 : 0));
  $('progress-bar').style.width = pct + '%';
  text($('progress-text'), p ? `step ${p.step}${p.totalSteps ? ' of ' + p.totalSteps : ''}` : (run.metricsError || ''));
  drawCurve(run.metrics || []);
  score('row-baseline', run.baseline);
  score('row-tuned', run.tuned);
  const g = $('gate');
  if (run.gate) {
    text(g, (run.gate.passed ? 'Gate passed: ' : 'Gate blocked: ') + run.gate.message);
    g.className = run.gate.passed ? 'passed' : 'blocked';
  } else {
    text(g, run.gateRequired != null ? `Gate: the tuned model must beat the baseline by ${(run.gateRequired * 100).toFixed(1)} points (decided once it is evaluated)` : '');
    g.className = '';
  }
  const link = $('report-link');
  link.hidden = !run.reportUrl;
  if (run.reportUrl) link.href = run.reportUrl;
  $('cancel').hidden = run.terminal || run.state.startsWith('GATE_') || run.state === 'EVALUATED' || !!run.tunedModel;
  const going = !run.terminal && !run.gate && run.state !== 'EVALUATION_FAILED';
  runTimer = setTimeout(refreshRun, going ? 1000 : 5000);
}

function score(rowId, s) {
  const row = $(rowId);
  text(row.querySelector('.model'), s ? s.model : '–');
  text(row.querySelector('.count'), s ? `${s.passed} of ${s.total}` : '');
  text(row.querySelector('.rate'), s ? `${(s.rate * 100).toFixed(1)}%` : '');
  row.querySelector('.bar').style.width = s ? (s.rate * 100) + '%' : '0';
}

const SVG = 'http://www.w3.org/2000/svg';
function el(name, attrs, content) {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (content != null) e.textContent = content;
  return e;
}

// Redraws the loss curves from the run's metric points: training loss as a line, validation loss as a line with dots.
function drawCurve(points) {
  const svg = $('curve');
  const W = 640, H = 260, L = 44, R = 12, T = 12, B = 28;
  const train = points.filter((p) => p.trainLoss != null);
  const valid = points.filter((p) => p.validLoss != null);
  svg.dataset.trainPoints = train.length;
  svg.dataset.validPoints = valid.length;
  const maxStep = Math.max(1, ...points.map((p) => p.step));
  const maxLoss = Math.max(0.1, ...train.map((p) => p.trainLoss), ...valid.map((p) => p.validLoss));
  const x = (s) => L + (W - L - R) * s / maxStep;
  const y = (v) => T + (H - T - B) * (1 - v / maxLoss);
  const kids = [
    el('line', { class: 'axis', x1: L, y1: H - B, x2: W - R, y2: H - B }),
    el('line', { class: 'axis', x1: L, y1: T, x2: L, y2: H - B }),
    el('text', { x: L - 6, y: T + 10, 'text-anchor': 'end' }, maxLoss.toFixed(2)),
    el('text', { x: L - 6, y: H - B, 'text-anchor': 'end' }, '0'),
    el('text', { x: W - R, y: H - 8, 'text-anchor': 'end' }, 'step ' + maxStep),
  ];
  if (!points.length) kids.push(el('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle' }, 'no training steps yet'));
  if (train.length) kids.push(el('polyline', { class: 'train', points: train.map((p) => `${x(p.step)},${y(p.trainLoss)}`).join(' ') }));
  if (valid.length) {
    kids.push(el('polyline', { class: 'valid', points: valid.map((p) => `${x(p.step)},${y(p.validLoss)}`).join(' ') }));
    for (const p of valid) kids.push(el('circle', { class: 'valid', cx: x(p.step), cy: y(p.validLoss), r: 3 }));
  }
  svg.replaceChildren(...kids);
}

$('start-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  $('start').disabled = true;
  show('starting: baseline evaluation, upload, submission…');
  try {
    const run = await api('/api/runs', { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ gate: Number($('start-gate').value), epochs: Number($('start-epochs').value) }) });
    show('');
    await refreshRuns();
    select(run.id);
  } catch (e) { show(e.message); } finally { $('start').disabled = false; }
});

$('cancel').addEventListener('click', async () => {
  try { await api('/api/runs/' + encodeURIComponent(selected) + '/cancel', { method: 'POST' }); refreshRun(); }
  catch (e) { show(e.message); }
});

refreshRuns();
setInterval(refreshRuns, 2000);
if (selected) select(selected);
