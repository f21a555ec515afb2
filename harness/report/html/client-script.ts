/* eslint-disable */
// @ts-nocheck -- this function never runs in Node: page.ts embeds its source text into report.html, where it
// runs in the browser against the DOM and uPlot. Typing it would pull the DOM library into the whole program.
/**
 * The browser side of report.html: reads the report data from the page's JSON block and draws the header,
 * the op timeline with fault bands (canvas, zoom, pan, hover), the latency and rate charts (uPlot), the
 * findings with links to their ops, the network (an SVG drawn on the server, placed from a <template>), and the
 * final reads. Every value from the system under test reaches the
 * DOM through textContent or an attribute set by property, never as markup.
 */
export function reportClient(): void {
  const D = JSON.parse(document.getElementById('report-data').textContent);
  const root = document.getElementById('app');
  const COLORS = { ok: '#5cb85c', fail: '#e8838f', info: '#f0ad4e', pending: '#b9b9b9' };
  const KIND_NAMES = ['ok', 'fail', 'info', 'pending'];
  const KIND_COLORS = [COLORS.ok, COLORS.fail, COLORS.info, COLORS.pending];
  const FAULT_COLORS = { partition: 'rgba(217,83,79,', kill: 'rgba(91,75,160,', pause: 'rgba(60,120,200,', latency: 'rgba(200,140,20,', loss: 'rgba(120,120,120,', clock: 'rgba(20,150,150,' };
  const faultColor = (kind, a) => (FAULT_COLORS[kind] || 'rgba(150,80,150,') + a + ')';
  const unit = D.clock === 'ms' ? 's' : 'op';
  const fmtX = (x) => (D.clock === 'ms' ? (x / 1000).toFixed(x < 10000 ? 3 : 2) + ' s' : 'op ' + Math.round(x));

  function el(tag, props, ...children) {
    const e = document.createElement(tag);
    if (props) {
      for (const k of Object.keys(props)) {
        if (k === 'class') e.className = props[k];
        else if (k === 'text') e.textContent = props[k];
        else if (k.startsWith('on')) e.addEventListener(k.slice(2), props[k]);
        else if (k === 'style') e.style.cssText = props[k];
        else e.setAttribute(k, String(props[k]));
      }
    }
    for (const c of children) {
      if (c === null || c === undefined || c === false) continue;
      e.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
    }
    return e;
  }
  const verdictText = (v) => (v === true ? 'valid' : v === false ? 'INVALID' : v === null ? 'not checked' : 'unknown');
  const verdictClass = (v) => (v === true ? 'v-valid' : v === false ? 'v-invalid' : 'v-unknown');
  const show = (v) => (typeof v === 'string' ? v : JSON.stringify(v));
  /**
   * `text` cut to fit `maxPx` in `ctx`'s font, ending in an ellipsis when cut (whole code points, so no emoji is
   * split in half); '' when not even the ellipsis fits. Binary search: a value can be thousands of characters.
   */
  function fitText(ctx, text, maxPx) {
    if (ctx.measureText(text).width <= maxPx) return text;
    const cps = Array.from(text);
    let lo = 0;
    let hi = cps.length - 1;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (ctx.measureText(cps.slice(0, mid).join('') + '…').width <= maxPx) lo = mid;
      else hi = mid - 1;
    }
    const cut = cps.slice(0, lo).join('').trimEnd() + '…';
    return ctx.measureText(cut).width <= maxPx ? cut : '';
  }
  /** A canvas context set to `font`, for measuring text drawn elsewhere (the counterexample's SVG labels). */
  const measurer = (font) => {
    const ctx = document.createElement('canvas').getContext('2d');
    ctx.font = font;
    return ctx;
  };

  // ---------- ops index ----------
  const O = D.ops;
  const N = O.lane.length;
  const byInvoke = new Map();
  const byDone = new Map();
  for (let i = 0; i < N; i++) {
    byInvoke.set(O.invoke[i], i);
    if (O.done[i] >= 0) byDone.set(O.done[i], i);
  }
  const flagged = new Set();
  for (const ix of D.flagged) {
    const i = byInvoke.has(ix) ? byInvoke.get(ix) : byDone.get(ix);
    if (i !== undefined) flagged.add(i);
  }
  const laneOps = D.lanes.map(() => []);
  for (let i = 0; i < N; i++) laneOps[O.lane[i]].push(i);
  for (const l of laneOps) l.sort((a, b) => O.start[a] - O.start[b]);
  const opIndexOf = (ix) => (byInvoke.has(ix) ? byInvoke.get(ix) : byDone.get(ix));

  function describeOp(i) {
    const t = O.text[i];
    const parts = [D.fNames[O.f[i]]];
    if (t[0]) parts.push('key ' + t[0]);
    if (t[1] && t[1] !== 'null') parts.push(t[1]);
    return parts.join(' ');
  }

  // ---------- header ----------
  const header = el('header', { id: 'summary' });
  header.appendChild(el('h1', null, el('span', { class: 'badge ' + verdictClass(D.verdict), id: 'verdict', text: verdictText(D.verdict) }), ' ', el('span', { text: D.title })));
  if (D.cap) header.appendChild(el('p', { class: 'cap', id: 'cap' }, el('b', { text: 'CAP: ' }), D.cap));
  if (D.checkers.length) {
    const t = el('table', { class: 'checkers' }, el('tr', null, el('th', { text: 'checker' }), el('th', { text: 'verdict' }), el('th', { text: 'held to it?' }), el('th', { text: 'note' })));
    for (const c of D.checkers) {
      t.appendChild(
        el(
          'tr',
          null,
          el('td', null, el('a', { href: '#checker-' + c.checker, text: c.checker })),
          el('td', null, el('span', { class: 'badge ' + verdictClass(c.valid), text: verdictText(c.valid) })),
          el('td', { text: c.enforced === true ? 'enforced' : c.enforced === false ? 'reported' : '' }),
          el('td', { text: c.reason || c.note || (c.findings.length ? c.findings.length + c.moreFindings + ' finding(s)' : '') }),
        ),
      );
    }
    header.appendChild(t);
  }
  const facts = el('dl', { class: 'facts' });
  const fact = (k, v) => {
    if (v === undefined || v === null || v === '') return;
    facts.appendChild(el('dt', { text: k }));
    facts.appendChild(el('dd', { text: String(v) }));
  };
  if (D.run) {
    const c = D.run.config;
    fact('target', c.target + ' / ' + c.config + (c.bug ? ' with bug ' + c.bug : '') + ' on ' + c.runtime + ', ' + c.nodes + ' nodes');
    fact('workload', c.workload + ', ' + c.keys + ' key(s), ' + c.concurrency + ' clients' + (c.rate ? ', ' + c.rate + ' ops/s' : ''));
    fact('faults', (c.nemesis.length ? c.nemesis.join(', ') : 'none') + ' every ~' + c.nemesisInterval + ' s, for ' + c.timeLimit + ' s, then ' + c.quiescence + ' s quiet');
    fact('seed', D.run.seed);
    fact('run', D.run.test + '/' + D.run.id + ' (' + D.run.status + ')');
    fact('started', D.run.startedAt + (D.run.finishedAt ? ' — finished ' + D.run.finishedAt : ''));
    if (D.run.error) fact('error', D.run.error);
    fact('versions', Object.entries(D.run.versions).map(([k, v]) => k + ' ' + v).join(', '));
  } else {
    fact('history', D.source);
  }
  if (D.summary) fact('ops', D.summary.clientOps + ' client ops, ' + D.summary.ops + ' history events, ' + D.summary.faults + (D.summary.faults === 1 ? ' fault, ' : ' faults, ') + Number(D.summary.opsPerSec).toFixed(0) + ' ops/s');
  if (D.summary && D.summary.net) {
    const n = D.summary.net;
    const q = (x) => 'median ' + x.p50 + ' ms, p95 ' + x.p95 + ' ms, max ' + x.p100 + ' ms';
    const parts = [];
    if (n.messages) parts.push(n.messages.servers + ' server messages (' + n.msgsPerOp + ' per op), ' + n.messages.clients + ' client messages');
    parts.push('op latency ' + q(n.opLatencyMs));
    if (n.stableLatencyMs) parts.push('stable latency ' + q(n.stableLatencyMs) + (n.neverStable ? ', ' + n.neverStable + ' never stable' : ''));
    fact('network', parts.join('; '));
  }
  if (D.sampled.drawn < D.sampled.total) fact('drawn', D.sampled.drawn + ' of ' + D.sampled.total + ' ops drawn (evenly sampled; every info op, final read and op named by a finding is kept)');
  header.appendChild(facts);
  if (D.run) header.appendChild(el('div', { class: 'rerun' }, el('b', { text: 'rerun: ' }), el('code', { id: 'rerun', text: D.run.rerun })));
  for (const w of D.warnings) header.appendChild(el('p', { class: 'warning', text: w }));
  const nav = el('nav', null, el('a', { href: '#timeline-section', text: 'timeline' }), ' · ', el('a', { href: '#perf-section', text: 'latency & rate' }), ' · ', el('a', { href: '#findings', text: 'findings' }), D.finals.length ? ' · ' : '', D.finals.length ? el('a', { href: '#finals', text: 'final reads' }) : null, D.topology ? ' · ' : '', D.topology ? el('a', { href: '#topology', text: 'network' }) : null);
  if (D.flagged.length) nav.appendChild(el('button', { id: 'jump-first', class: 'jump', text: 'jump to first error', onclick: () => focusOp(D.flagged[0]) }));
  header.appendChild(nav);
  root.appendChild(header);

  // ---------- timeline ----------
  const tlSection = el('section', { id: 'timeline-section' }, el('h2', { text: 'Timeline' }));
  const legend = el('div', { class: 'legend' });
  KIND_NAMES.forEach((k, i) => legend.appendChild(el('span', null, el('i', { style: 'background:' + KIND_COLORS[i] }), k)));
  legend.appendChild(el('span', null, el('i', { style: 'background:#fff;outline:2px solid #000' }), 'named by a finding'));
  const kinds = [...new Set(D.faults.map((f) => f.kind))];
  for (const k of kinds) legend.appendChild(el('span', null, el('i', { style: 'background:' + faultColor(k, 0.5) }), k));
  legend.appendChild(el('span', { class: 'hint', text: 'wheel: zoom · drag: pan · click: select · double-click: reset' }));
  const controls = el('div', { class: 'controls' }, el('button', { text: '−', title: 'zoom out', onclick: () => zoomBy(2) }), el('button', { text: '+', title: 'zoom in', onclick: () => zoomBy(0.5) }), el('button', { text: 'reset', id: 'tl-reset', onclick: () => resetView() }));
  tlSection.appendChild(el('div', { class: 'toolbar' }, controls, legend));
  const canvasWrap = el('div', { class: 'canvas-wrap' });
  const canvas = el('canvas', { id: 'timeline' });
  const tip = el('div', { class: 'tip', id: 'tip' });
  canvasWrap.appendChild(canvas);
  canvasWrap.appendChild(tip);
  tlSection.appendChild(canvasWrap);
  const selected = el('div', { id: 'selected', class: 'selected', text: 'Click an op to see it here.' });
  tlSection.appendChild(selected);
  root.appendChild(tlSection);

  // Top to bottom in the order the faults first started (the order is decided in report-data.ts).
  const faultRows = D.faultRows;
  const LABEL_W = 110;
  const AXIS_H = 22;
  const FAULT_H = 16;
  const laneH = Math.max(3, Math.min(16, Math.floor(520 / Math.max(1, D.lanes.length))));
  const faultTop = 4;
  const lanesTop = faultTop + faultRows.length * FAULT_H + 6;
  const height = lanesTop + D.lanes.length * laneH + AXIS_H;
  let view = { x0: D.span[0], x1: D.span[1] };
  let sel = -1;
  let width = 800;
  const dpr = window.devicePixelRatio || 1;

  function resize() {
    width = Math.max(400, canvasWrap.clientWidth);
    canvas.width = width * dpr;
    canvas.height = height * dpr;
    canvas.style.width = width + 'px';
    canvas.style.height = height + 'px';
    draw();
  }
  const xPx = (x) => LABEL_W + ((x - view.x0) / (view.x1 - view.x0)) * (width - LABEL_W - 8);
  const pxX = (px) => view.x0 + ((px - LABEL_W) / (width - LABEL_W - 8)) * (view.x1 - view.x0);

  function niceStep(span, target) {
    const raw = span / target;
    const p = Math.pow(10, Math.floor(Math.log10(raw)));
    for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
    return 10 * p;
  }

  function draw() {
    const ctx = canvas.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    ctx.font = '11px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    const lanesBottom = lanesTop + D.lanes.length * laneH;
    // Fault shading over the lanes, then the fault rows.
    for (const f of D.faults) {
      const a = Math.max(LABEL_W, xPx(f.start));
      const b = Math.min(width - 8, xPx(f.end));
      if (b < LABEL_W || a > width) continue;
      ctx.fillStyle = faultColor(f.kind, 0.08);
      ctx.fillRect(a, lanesTop, Math.max(1, b - a), lanesBottom - lanesTop);
    }
    faultRows.forEach((row, r) => {
      const y = faultTop + r * FAULT_H;
      ctx.fillStyle = '#333';
      ctx.fillText(fitText(ctx, row, LABEL_W - 8), 4, y + FAULT_H / 2);
    });
    for (const f of D.faults) {
      const r = faultRows.indexOf(f.row);
      const y = faultTop + r * FAULT_H;
      const a = Math.max(LABEL_W, xPx(f.start));
      const b = Math.min(width - 8, xPx(f.end));
      if (b < LABEL_W || a > width) continue;
      ctx.fillStyle = faultColor(f.kind, 0.55);
      ctx.fillRect(a, y + 1, Math.max(2, b - a), FAULT_H - 2);
      ctx.save();
      ctx.beginPath();
      ctx.rect(a, y, Math.max(0, b - a), FAULT_H);
      ctx.clip();
      ctx.fillStyle = '#fff';
      ctx.fillText(fitText(ctx, f.label, b - a - 6), a + 3, y + FAULT_H / 2);
      ctx.restore();
    }
    // Lane labels.
    ctx.fillStyle = '#555';
    if (laneH >= 9) D.lanes.forEach((name, l) => ctx.fillText(fitText(ctx, name, LABEL_W - 8), 4, lanesTop + l * laneH + laneH / 2));
    else {
      ctx.fillText(D.lanes.length + ' lanes', 4, lanesTop + 8);
    }
    // Ops.
    const bar = Math.max(2, laneH - 3);
    const drawOp = (i) => {
      const a = xPx(O.start[i]);
      const b = xPx(O.end[i]);
      if (b < LABEL_W || a > width) return;
      const y = lanesTop + O.lane[i] * laneH + (laneH - bar) / 2;
      ctx.fillStyle = KIND_COLORS[O.kind[i]];
      ctx.fillRect(Math.max(LABEL_W, a), y, Math.max(1, Math.min(b, width) - Math.max(LABEL_W, a)), bar);
    };
    for (let i = 0; i < N; i++) if (!flagged.has(i)) drawOp(i);
    // Zoomed in far enough, each bar says what the op was.
    if (laneH >= 12) {
      ctx.save();
      ctx.font = '10px ui-monospace, monospace';
      ctx.fillStyle = '#111';
      for (let i = 0; i < N; i++) {
        const a = Math.max(LABEL_W, xPx(O.start[i]));
        const b = Math.min(width - 8, xPx(O.end[i]));
        if (b - a < 60 || b < LABEL_W || a > width) continue;
        const label = describeOp(i);
        ctx.save();
        ctx.beginPath();
        ctx.rect(a, lanesTop + O.lane[i] * laneH, b - a, laneH);
        ctx.clip();
        ctx.fillText(fitText(ctx, label, b - a - 6), a + 3, lanesTop + O.lane[i] * laneH + laneH / 2);
        ctx.restore();
      }
      ctx.restore();
    }
    // Ops named by findings on top, outlined, with a marker, so they are never hidden by their neighbours.
    for (const i of flagged) {
      drawOp(i);
      const a = Math.max(LABEL_W, xPx(O.start[i]));
      const b = Math.max(a + 2, xPx(O.end[i]));
      if (b < LABEL_W || a > width) continue;
      const y = lanesTop + O.lane[i] * laneH;
      ctx.strokeStyle = '#000';
      ctx.lineWidth = 2;
      ctx.strokeRect(a - 1, y, b - a + 2, laneH);
      ctx.fillStyle = '#c00';
      ctx.beginPath();
      ctx.moveTo(a, y - 1);
      ctx.lineTo(a - 4, y - 7);
      ctx.lineTo(a + 4, y - 7);
      ctx.fill();
    }
    if (sel >= 0) {
      const a = Math.max(LABEL_W, xPx(O.start[sel]));
      const b = Math.max(a + 2, xPx(O.end[sel]));
      const y = lanesTop + O.lane[sel] * laneH;
      ctx.strokeStyle = '#1565c0';
      ctx.lineWidth = 3;
      ctx.strokeRect(a - 3, y - 2, b - a + 6, laneH + 4);
    }
    // Axis.
    ctx.strokeStyle = '#999';
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(LABEL_W, lanesBottom + 2);
    ctx.lineTo(width - 8, lanesBottom + 2);
    ctx.stroke();
    const step = niceStep(view.x1 - view.x0, Math.max(2, Math.floor((width - LABEL_W) / 110)));
    ctx.fillStyle = '#333';
    for (let x = Math.ceil(view.x0 / step) * step; x <= view.x1; x += step) {
      const px = xPx(x);
      ctx.fillRect(px, lanesBottom + 2, 1, 4);
      ctx.fillText(fmtX(x), px - 14, lanesBottom + 13);
    }
  }

  function hit(px, py) {
    if (px < LABEL_W) return { op: -1 };
    if (py < lanesTop) {
      const r = Math.floor((py - faultTop) / FAULT_H);
      const x = pxX(px);
      const f = D.faults.find((f) => f.row === faultRows[r] && f.start <= x && f.end >= x);
      return { op: -1, fault: f };
    }
    const l = Math.floor((py - lanesTop) / laneH);
    if (l < 0 || l >= D.lanes.length) return { op: -1 };
    const x = pxX(px);
    const slack = ((view.x1 - view.x0) / (width - LABEL_W)) * 3;
    const list = laneOps[l];
    let lo = 0;
    let hi = list.length - 1;
    let best = -1;
    while (lo <= hi) {
      const m = (lo + hi) >> 1;
      if (O.start[list[m]] <= x + slack) {
        best = m;
        lo = m + 1;
      } else hi = m - 1;
    }
    for (let k = best; k >= 0 && k > best - 50; k--) {
      const i = list[k];
      if (O.end[i] + slack >= x) return { op: i };
    }
    return { op: -1 };
  }

  function opLines(i) {
    const t = O.text[i];
    const lines = [
      D.fNames[O.f[i]] + ' — ' + KIND_NAMES[O.kind[i]] + (flagged.has(i) ? ' (named by a finding)' : ''),
      D.lanes[O.lane[i]] + (t[2] ? ', node ' + t[2] : ''),
      t[0] ? 'key ' + t[0] : '',
      t[1] ? 'value ' + t[1] : '',
      t[3] ? 'error ' + t[3] : '',
      fmtX(O.start[i]) + ' → ' + (O.kind[i] === 3 ? 'never completed' : fmtX(O.end[i])) + (D.clock === 'ms' ? ' (' + (O.end[i] - O.start[i]).toFixed(2) + ' ms)' : ''),
      'history ops ' + O.invoke[i] + (O.done[i] >= 0 ? ' / ' + O.done[i] : ''),
    ];
    return lines.filter(Boolean);
  }

  function showTip(ev, lines) {
    tip.textContent = '';
    for (const l of lines) tip.appendChild(el('div', { text: l }));
    tip.style.display = 'block';
    const r = canvasWrap.getBoundingClientRect();
    let left = ev.clientX - r.left + 14;
    if (left > width - 300) left = ev.clientX - r.left - 300;
    tip.style.left = left + 'px';
    tip.style.top = ev.clientY - r.top + 14 + 'px';
  }

  const findingsByOp = new Map();
  function selectOp(i) {
    sel = i;
    selected.textContent = '';
    if (i < 0) {
      selected.textContent = 'Click an op to see it here.';
    } else {
      selected.appendChild(el('b', { text: 'Selected: ' }));
      for (const l of opLines(i)) selected.appendChild(el('div', { text: l }));
      const fs = findingsByOp.get(O.invoke[i]) || findingsByOp.get(O.done[i]);
      if (fs) for (const id of fs) selected.appendChild(el('div', null, 'named by ', el('a', { href: '#' + id, text: id })));
    }
    draw();
  }

  let drag = null;
  canvas.addEventListener('mousemove', (ev) => {
    const r = canvas.getBoundingClientRect();
    const px = ev.clientX - r.left;
    const py = ev.clientY - r.top;
    if (drag) {
      const dx = ((px - drag.px) / (width - LABEL_W - 8)) * (drag.x1 - drag.x0);
      view = { x0: drag.x0 - dx, x1: drag.x1 - dx };
      drag.moved = drag.moved || Math.abs(px - drag.px) > 3;
      draw();
      return;
    }
    const h = hit(px, py);
    if (h.op >= 0) showTip(ev, opLines(h.op));
    else if (h.fault) showTip(ev, [h.fault.label, h.fault.detail, fmtX(h.fault.start) + ' → ' + fmtX(h.fault.end)]);
    else tip.style.display = 'none';
  });
  canvas.addEventListener('mouseleave', () => {
    tip.style.display = 'none';
    drag = null;
  });
  canvas.addEventListener('mousedown', (ev) => {
    const r = canvas.getBoundingClientRect();
    drag = { px: ev.clientX - r.left, x0: view.x0, x1: view.x1, moved: false };
  });
  canvas.addEventListener('mouseup', (ev) => {
    const r = canvas.getBoundingClientRect();
    const wasDrag = drag && drag.moved;
    drag = null;
    if (!wasDrag) selectOp(hit(ev.clientX - r.left, ev.clientY - r.top).op);
  });
  canvas.addEventListener('dblclick', () => resetView());
  canvas.addEventListener(
    'wheel',
    (ev) => {
      ev.preventDefault();
      const r = canvas.getBoundingClientRect();
      const at = pxX(ev.clientX - r.left);
      zoomBy(ev.deltaY > 0 ? 1.25 : 0.8, at);
    },
    { passive: false },
  );
  function zoomBy(factor, at) {
    const c = at === undefined ? (view.x0 + view.x1) / 2 : at;
    const span = Math.max(D.clock === 'ms' ? 0.05 : 2, (view.x1 - view.x0) * factor);
    const left = (c - view.x0) / (view.x1 - view.x0);
    view = { x0: c - span * left, x1: c - span * left + span };
    draw();
  }
  function resetView() {
    view = { x0: D.span[0], x1: D.span[1] };
    draw();
  }

  /** Show one history op: zoom the timeline onto it, select it, scroll it into view. */
  function focusOp(index) {
    const i = opIndexOf(index);
    if (i === undefined) {
      selected.textContent = 'History op ' + index + ' is not a client op drawn on the timeline.';
      tlSection.scrollIntoView();
      return;
    }
    const s = O.start[i];
    const e = O.end[i];
    const pad = Math.max(D.clock === 'ms' ? 20 : 10, (e - s) * 4);
    view = { x0: s - pad, x1: e + pad };
    tlSection.scrollIntoView();
    selectOp(i);
    canvas.dataset.focused = String(index);
  }
  window.faultlineFocusOp = focusOp;

  // ---------- latency and rate (uPlot) ----------
  const perfSection = el('section', { id: 'perf-section' }, el('h2', { text: 'Latency and throughput' }));
  root.appendChild(perfSection);
  function faultShading(u) {
    const ctx = u.ctx;
    ctx.save();
    for (const f of D.faults) {
      const a = u.valToPos(f.start / 1000, 'x', true);
      const b = u.valToPos(f.end / 1000, 'x', true);
      const left = Math.max(u.bbox.left, a);
      const right = Math.min(u.bbox.left + u.bbox.width, b);
      if (right <= left) continue;
      ctx.fillStyle = faultColor(f.kind, 0.1);
      ctx.fillRect(left, u.bbox.top, right - left, u.bbox.height);
    }
    ctx.restore();
  }
  const pointsPaths = (color) => (u, seriesIdx) => {
    const d = u.data[seriesIdx];
    const ctx = u.ctx;
    const size = 2.5 * dpr;
    ctx.save();
    ctx.beginPath();
    ctx.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height);
    ctx.clip();
    ctx.fillStyle = color;
    for (let i = 0; i < d[0].length; i++) {
      const x = u.valToPos(d[0][i], 'x', true);
      const y = u.valToPos(d[1][i], 'y', true);
      ctx.fillRect(x - size / 2, y - size / 2, size, size);
    }
    ctx.restore();
    return null;
  };
  const linePaths = (color) => (u, seriesIdx) => {
    const d = u.data[seriesIdx];
    const ctx = u.ctx;
    ctx.save();
    ctx.beginPath();
    ctx.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height);
    ctx.clip();
    ctx.strokeStyle = color;
    ctx.lineWidth = 2 * dpr;
    ctx.beginPath();
    for (let i = 0; i < d[0].length; i++) {
      const x = u.valToPos(d[0][i], 'x', true);
      const y = u.valToPos(d[1][i], 'y', true);
      if (i === 0) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
    }
    ctx.stroke();
    ctx.restore();
    return null;
  };
  const chartWidth = () => Math.max(400, perfSection.clientWidth - 10);
  // Tick labels in seconds with as many decimals as the tick step needs: uPlot's default keeps three, so a
  // history whose times span microseconds (synthetic or converted ones) was labelled 0, 0, 0, ...
  const secondsTicks = (u, splits) => {
    const step = splits.length > 1 ? Math.abs(splits[1] - splits[0]) : 1;
    // The fewest decimals that write the step exactly (0.25 needs two, 0.000025 six).
    let decimals = 0;
    while (decimals < 9 && step > 0 && Math.abs(step * 10 ** decimals - Math.round(step * 10 ** decimals)) > 1e-6 * step * 10 ** decimals) decimals++;
    return splits.map((v) => (v === null ? '' : v.toFixed(decimals)));
  };
  /** Room for a y axis: its widest tick label (e.g. 200,000 or 0.0001) and the axis label beside it. */
  const labelRoom = (self, values) => {
    let w = 0;
    for (const v of values || []) w = Math.max(w, String(v).length);
    // At least 80 px on both charts, so that their plots line up one above the other.
    return Math.max(80, 7 * w + 30);
  };
  if (D.clock !== 'ms' || typeof uPlot === 'undefined') {
    perfSection.appendChild(el('p', { text: D.clock !== 'ms' ? 'This history has no times, so there is no latency or rate to draw.' : 'The chart library did not load.' }));
  } else {
    // Latency scatter: one series per (f, outcome), from the drawn ops; quantile lines from every op.
    const groups = new Map();
    for (let i = 0; i < N; i++) {
      if (O.kind[i] === 3 || D.fNames[O.f[i]] === D.finalReadF) continue;
      const key = D.fNames[O.f[i]] + ' ' + KIND_NAMES[O.kind[i]];
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { xs: [], ys: [], kind: O.kind[i], f: O.f[i] }));
      g.xs.push(O.end[i] / 1000);
      g.ys.push(Math.max(0.0001, O.end[i] - O.start[i]));
    }
    const palette = ['#2e7d32', '#1565c0', '#6a1b9a', '#00838f', '#ef6c00', '#5d4037', '#c2185b', '#455a64'];
    const series = [{}];
    const data = [null];
    for (const [name, g] of [...groups.entries()].sort()) {
      const base = palette[g.f % palette.length];
      const fill = g.kind === 0 ? base : g.kind === 1 ? '#e57373' : '#ffb300';
      series.push({ label: name, stroke: fill, fill, paths: pointsPaths(g.kind === 0 ? base + '66' : fill + 'aa'), points: { show: false } });
      data.push([g.xs, g.ys]);
    }
    const qs = [['p50', '#111111'], ['p95', '#d81b60'], ['p99', '#8e24aa']];
    for (const [q, color] of qs) {
      const xs = [];
      const ys = [];
      D.perf[q].forEach((v, b) => {
        if (v !== null) {
          xs.push(D.perf.t[b] + D.perf.binMs / 2000);
          ys.push(v);
        }
      });
      series.push({ label: q + ' (all ok ops)', stroke: color, paths: linePaths(color), points: { show: false } });
      data.push([xs, ys]);
    }
    const latDiv = el('div', { id: 'latency-chart', class: 'chart' });
    const binText = D.perf.binMs >= 1 ? D.perf.binMs + ' ms' : Number((D.perf.binMs * 1000).toPrecision(3)) + ' µs';
    perfSection.appendChild(el('h3', { text: 'Latency of each op (ms, log scale), with p50/p95/p99 per ' + binText }));
    perfSection.appendChild(latDiv);
    new uPlot(
      {
        mode: 2,
        width: chartWidth(),
        height: 300,
        legend: { live: false },
        cursor: { drag: { x: true, y: false }, points: { show: false } },
        // The same span as the rate chart below, so the two line up (ops may begin well after the run did).
        scales: { x: { time: false, range: () => [D.perf.t[0], D.perf.t[D.perf.t.length - 1] + D.perf.binMs / 1000] }, y: { distr: 3 } },
        axes: [{ label: 'seconds since the run began', values: secondsTicks, space: 80 }, { label: 'ms', size: labelRoom }],
        hooks: { drawClear: [faultShading] },
        series,
      },
      data,
      latDiv,
    );
    const rateDiv = el('div', { id: 'rate-chart', class: 'chart' });
    perfSection.appendChild(el('h3', { text: 'Completions per second (ok, fail, info), faults shaded' }));
    perfSection.appendChild(rateDiv);
    new uPlot(
      {
        width: chartWidth(),
        height: 220,
        scales: { x: { time: false, range: () => [D.perf.t[0], D.perf.t[D.perf.t.length - 1] + D.perf.binMs / 1000] } },
        axes: [{ label: 'seconds since the run began', values: secondsTicks, space: 80 }, { label: 'ops/s', size: labelRoom }],
        hooks: { drawClear: [faultShading] },
        series: [{ label: 's' }, { label: 'ok/s', stroke: '#2e7d32', width: 1.5 }, { label: 'fail/s', stroke: '#d9534f', width: 1.5 }, { label: 'info/s', stroke: '#f0ad4e', width: 1.5 }],
      },
      [D.perf.t, D.perf.ok, D.perf.fail, D.perf.info],
      rateDiv,
    );
  }

  // ---------- findings ----------
  // ---------- topology: the SVG is drawn on the server (topology-svg.ts, names escaped); placed here ----------
  if (D.topology) {
    const sec = el('section', { id: 'topology' }, el('h2', { text: 'Network' }));
    const tpl = document.getElementById('topology-svg');
    if (tpl) sec.appendChild(el('div', { class: 'topology-wrap' }, tpl.content.cloneNode(true)));
    const cut = D.topology.links.filter((l) => l.cutAB + l.cutBA > 0);
    const parts = [D.topology.omitted || D.topology.shape + ' network of ' + D.topology.nodes.length + ' nodes and ' + D.topology.links.length + ' links'];
    parts.push(D.topology.partitions ? cut.length + ' of its links cut in ' + D.topology.partitions + ' partition windows' + (D.topology.otherCuts ? ' (and ' + D.topology.otherCuts + ' pairs that are not links)' : '') : 'no partition');
    sec.appendChild(el('p', { class: 'hint', text: parts.join('; ') + '. Hover a link or node for details.' }));
    root.appendChild(sec);
  }

  const fSection = el('section', { id: 'findings' }, el('h2', { text: 'Findings' }));
  root.appendChild(fSection);
  const opLink = (ix) => el('a', { href: '#timeline-section', class: 'oplink', 'data-op': ix, text: 'op ' + ix, onclick: (ev) => (ev.preventDefault(), focusOp(ix)) });

  function collectIndices(v, field, out, depth) {
    if (depth > 8) return out;
    const FIELDS = ['op', 'ops', 'index', 'indices', 'invokeIndex', 'completionIndex', 'reads', 'readOps', 'writeOp', 'readOp'];
    if (typeof v === 'number') {
      if (FIELDS.includes(field) && Number.isInteger(v) && v >= 0) out.push(v);
    } else if (Array.isArray(v)) v.forEach((x) => collectIndices(x, field, out, depth + 1));
    else if (v && typeof v === 'object') {
      for (const k of Object.keys(v)) {
        if (k === 'timeline' || k === 'message' || k === 'plain') continue;
        if (k === 'prefix' && v[k] && typeof v[k] === 'object') collectIndices(v[k].blocked, '', out, depth + 1);
        else collectIndices(v[k], k === 'ops' && Array.isArray(v[k]) && typeof v[k][0] === 'object' ? '' : k, out, depth + 1);
      }
    }
    return out;
  }

  function pairOps(ops) {
    const open = new Map();
    const pairs = [];
    for (const op of ops) {
      if (op.type === 'invoke') {
        const p = { invoke: op };
        open.set(op.process, p);
        pairs.push(p);
      } else {
        const p = open.get(op.process);
        if (p) {
          p.done = op;
          open.delete(op.process);
        }
      }
    }
    return pairs;
  }

  /** A counterexample as a small timeline: one row per process, one bar per op, the op that cannot follow in red. */
  function counterexampleSvg(ops, blockedIndex) {
    const NS = 'http://www.w3.org/2000/svg';
    const pairs = pairOps(ops);
    const procs = [...new Set(pairs.map((p) => String(p.invoke.process)))];
    // Positions, not times: the order of events is what decides linearizability, and it is readable at any scale.
    const events = [];
    pairs.forEach((p) => {
      events.push(p.invoke.index);
      if (p.done) events.push(p.done.index);
    });
    events.sort((a, b) => a - b);
    const pos = new Map(events.map((ix, k) => [ix, k]));
    const W = 120;
    const H = 30;
    // The labels' font, as .cex-label sets it in the page's styles: each label is cut to its own bar.
    const labelCtx = measurer('11px ui-monospace, monospace');
    const svg = document.createElementNS(NS, 'svg');
    const w = 70 + (events.length + 1) * (W / 2) + 60;
    const h = procs.length * H + 10;
    svg.setAttribute('width', String(w));
    svg.setAttribute('height', String(h));
    svg.setAttribute('class', 'cex');
    const mk = (tag, attrs, text) => {
      const e = document.createElementNS(NS, tag);
      for (const k of Object.keys(attrs)) e.setAttribute(k, String(attrs[k]));
      if (text !== undefined) e.textContent = text;
      return e;
    };
    procs.forEach((p, r) => svg.appendChild(mk('text', { x: 4, y: r * H + 20, class: 'cex-proc' }, 'p' + p)));
    for (const p of pairs) {
      const r = procs.indexOf(String(p.invoke.process));
      const a = 70 + pos.get(p.invoke.index) * (W / 2);
      const b = p.done ? 70 + pos.get(p.done.index) * (W / 2) + W / 2 - 6 : w - 10;
      const blocked = p.invoke.index === blockedIndex;
      const type = p.done ? p.done.type : 'pending';
      const g = mk('g', { class: 'cex-op' + (blocked ? ' cex-blocked' : ''), 'data-op': p.invoke.index });
      const barW = Math.max(8, b - a);
      g.appendChild(mk('rect', { x: a, y: r * H + 6, width: barW, height: H - 10, rx: 3, fill: blocked ? '#d32f2f' : type === 'ok' ? COLORS.ok : type === 'info' ? COLORS.info : COLORS.pending }));
      const val = p.done && p.done.type === 'ok' ? p.done.value : p.invoke.value;
      const label = String(p.invoke.f) + (val === null || val === undefined ? '' : ' ' + show(val));
      // 4 px of padding each side; the whole label is in the tooltip (text nodes, so nothing in it is markup).
      g.appendChild(mk('text', { x: a + 4, y: r * H + 20, class: 'cex-label' }, fitText(labelCtx, label, barW - 8)));
      g.appendChild(mk('title', {}, 'p' + p.invoke.process + ' ' + label + ' (' + type + ', ops ' + p.invoke.index + (p.done ? '/' + p.done.index : '') + ')'));
      g.addEventListener('click', () => focusOp(p.invoke.index));
      svg.appendChild(g);
    }
    return svg;
  }

  function linearDetail(f, box) {
    const px = f.prefix;
    if (px) {
      const blk = px.blocked;
      box.appendChild(
        el('p', { class: 'blocked' }, el('b', { text: 'Cannot follow: ' }), 'p' + blk.process + "'s " + blk.op + ' ', opLink(blk.invokeIndex), ' — the model could only be in ' + (px.states && px.states.length ? px.states.map(show).join(' or ') : show(px.state)) + ', and that op is impossible there.'),
      );
      const list = el('ol', { class: 'prefix', start: String(px.omitted + 1) });
      for (const o of px.ops) {
        const li = el('li', { title: 'op ' + o.invokeIndex }, 'p' + o.process + ' ' + o.op + ' ', opLink(o.invokeIndex));
        list.appendChild(li);
      }
      const last = el('li', { class: 'prefix-blocked' }, '✗ p' + blk.process + ' ' + blk.op + ' ', opLink(blk.invokeIndex));
      list.appendChild(last);
      const d = el('details', { class: 'prefix-box' }, el('summary', { text: 'Longest linearizable prefix: ' + px.length + ' ops' + (px.omitted ? ' (the last ' + px.ops.length + ' shown)' : '') + '; model state after it: ' + show(px.state) }), list);
      box.appendChild(d);
    }
    const cx = f.counterexample;
    if (cx && Array.isArray(cx.ops)) {
      // A search-stop is no counterexample that fails on its own: the ops around where the search stopped.
      const n = pairOps(cx.ops).length;
      const nOps = n + (n === 1 ? ' op' : ' ops');
      box.appendChild(el('h4', { text: cx.shape === 'search-stop' ? 'Where the search stopped (' + nOps + ' around it)' : 'Counterexample (' + nOps + (cx.minimal ? ', minimal' : '') + ')' }));
      const blockedIx = px && px.blocked ? px.blocked.invokeIndex : -1;
      const blockedShown = cx.ops.some((o) => o.index === blockedIx);
      box.appendChild(el('div', { class: 'cex-wrap' }, counterexampleSvg(cx.ops, blockedShown ? blockedIx : -1)));
      box.appendChild(el('p', { class: 'hint', text: 'One row per process; each bar runs from the op\'s invocation to its completion, in the order the events happened (not to scale)' + (blockedShown ? '; red: the op that cannot follow' : '') + '. Hover a bar for the whole op, click it to find it on the timeline.' }));
      if (cx.explanation) box.appendChild(el('p', { class: 'explanation', text: cx.explanation }));
      if (cx.timelineText) box.appendChild(el('details', null, el('summary', { text: 'as text' }), el('pre', { text: cx.timelineText })));
    }
  }

  let nFindings = 0;
  for (const c of D.checkers) {
    const card = el('div', { class: 'checker ' + verdictClass(c.valid) + '-card', id: 'checker-' + c.checker });
    card.appendChild(el('h3', null, el('span', { class: 'badge ' + verdictClass(c.valid), text: verdictText(c.valid) }), ' ' + c.checker + (c.enforced === false ? ' (reported, not promised by this configuration)' : c.enforced ? ' (the run is held to it)' : '')));
    if (c.reason) card.appendChild(el('p', { text: 'Could not decide: ' + c.reason }));
    if (c.note) card.appendChild(el('p', { text: c.note }));
    c.findings.forEach((f, k) => {
      const id = 'finding-' + c.checker + '-' + k;
      nFindings++;
      const box = el('div', { class: 'finding', id });
      box.appendChild(el('div', null, el('span', { class: 'kind', text: f.kind }), f.key !== undefined ? el('span', { class: 'key', text: 'key ' + show(f.key) }) : null));
      box.appendChild(el('p', { class: 'message', text: f.message }));
      const ixs = [...new Set(collectIndices(f, '', [], 0))];
      for (const ix of ixs) {
        const list = findingsByOp.get(ix) || [];
        list.push(id);
        findingsByOp.set(ix, list);
      }
      if (ixs.length) {
        const links = el('p', { class: 'links' }, 'ops: ');
        ixs.slice(0, 40).forEach((ix) => (links.appendChild(opLink(ix)), links.appendChild(document.createTextNode(' '))));
        if (ixs.length > 40) links.appendChild(document.createTextNode('… ' + (ixs.length - 40) + ' more'));
        box.appendChild(links);
      }
      if (c.checker === 'linearizable') linearDetail(f, box);
      const rest = {};
      for (const key of Object.keys(f)) if (!['kind', 'message', 'key', 'prefix', 'counterexample', 'timeline', 'indices'].includes(key)) rest[key] = f[key];
      if (Object.keys(rest).length) box.appendChild(el('details', null, el('summary', { text: 'details' }), el('pre', { text: JSON.stringify(rest, null, 2) })));
      card.appendChild(box);
    });
    if (c.moreFindings) card.appendChild(el('p', { text: '… and ' + c.moreFindings + ' more findings in results.json' }));
    card.appendChild(el('details', null, el('summary', { text: 'statistics' }), el('pre', { text: JSON.stringify(c.stats, null, 2) })));
    fSection.appendChild(card);
  }
  if (!D.checkers.length) fSection.appendChild(el('p', { text: 'No checker results are stored with this history (run `faultline check` on it).' }));
  else if (!nFindings) fSection.appendChild(el('p', { class: 'none', text: 'No checker found anything wrong.' }));

  // ---------- final reads ----------
  if (D.finals.length) {
    const sec = el('section', { id: 'finals' }, el('h2', { text: 'Final reads (last round each node answered)' }));
    const nodes = [...new Set(D.finals.map((r) => r.node))];
    const keys = [...new Set(D.finals.map((r) => r.key))];
    const cell = new Map(D.finals.map((r) => [r.node + '\u0000' + r.key, r]));
    const t = el('table', { class: 'finals' }, el('tr', null, el('th', { text: 'key' }), ...nodes.map((n) => el('th', { text: n }))));
    for (const k of keys) {
      const vals = nodes.map((n) => cell.get(n + '\u0000' + k));
      const counts = new Map();
      for (const v of vals) if (v && v.ok) counts.set(v.value, (counts.get(v.value) || 0) + 1);
      const common = [...counts.entries()].sort((a, b) => b[1] - a[1])[0];
      t.appendChild(el('tr', null, el('td', { text: k }), ...vals.map((v) => el('td', { class: !v ? 'missing' : !v.ok ? 'failed' : common && v.value !== common[0] ? 'divergent' : '', text: v ? v.value : '(no read)' }))));
    }
    sec.appendChild(t);
    sec.appendChild(el('p', { class: 'hint', text: 'Cells that differ from the value most nodes hold are marked as divergent.' }));
    root.appendChild(sec);
  }
  root.appendChild(el('footer', { text: 'faultline report, generated ' + D.generatedAt + ' from ' + D.source }));

  window.addEventListener('resize', resize);
  resize();
  document.body.dataset.ready = '1';
}
