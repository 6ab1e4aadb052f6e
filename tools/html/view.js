// The space-time diagram's view: an SVG with a column per lane and virtual
// time flowing down. Simultaneous events get rows of their own; an idle
// stretch longer than the view can show is collapsed into a break band
// labelled with its length. Zoom (buttons, ctrl+wheel), pan (scroll, drag),
// filters, search, hover, and each node's LSNs at the time under the cursor.
'use strict';

const NS = 'http://www.w3.org/2000/svg';
const LANE_W = 84, GUTTER = 78, HEAD_H = 46;
const CATS = {msg: 'messages', log: 'log lines', state: 'states', signal: 'signals', tcp: 'tcp',
              proc: 'processes', fsync: 'fsyncs', fault: 'faults', debug: 'debug', disk: 'disk ops'};
const HIDDEN_BY_DEFAULT = new Set(['debug', 'disk']);

const state = {zoom: 1, cats: new Set(Object.keys(CATS).filter(c => !HIDDEN_BY_DEFAULT.has(c))),
               hosts: new Set(), groups: new Set(), search: '', hit: -1};

function el(name, attrs, parent) {
  const n = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs || {})) n.setAttribute(k, v);
  if (parent) parent.appendChild(n);
  return n;
}

function visibleLanes(model) {
  return model.lanes.filter(l => state.hosts.has(l.host) && state.groups.has(l.group));
}

// Rows: each visible item gets a y; items at the same instant on different
// lanes share a row. Returns the row times and ys for time -> y lookups.
function layout(model, lanes) {
  const laneIdx = new Map(lanes.map((l, i) => [l.id, i]));
  const rowH = 13 * state.zoom, pxPerNs = 4e-6 * state.zoom, gapMax = 42 * state.zoom;
  const marks = model.violations.map(v => ({t: v.t, violation: v}));
  const shown = model.items.filter(it => state.cats.has(it.cat) && laneIdx.has(it.lane.id) &&
                                         (!it.arrow || arrowShown(it.arrow, laneIdx)));
  const all = shown.concat(marks).sort((a, b) => a.t - b.t || (a.violation ? 1 : 0) - (b.violation ? 1 : 0));
  const rows = [], breaks = [];
  let y = 8, prevT = null, used = null;
  for (const it of all) {
    if (it.rowless && prevT !== null) continue;
    if (prevT === null || it.t !== prevT || it.violation || used.has(it.lane.id)) {
      if (prevT !== null) {
        const dt = (it.t - prevT) * pxPerNs;
        if (dt > gapMax) {
          breaks.push({y: y + rowH * 0.2, h: 16, dt: it.t - prevT});
          y += rowH + 18;
        } else {
          y += Math.max(rowH, dt);
        }
      }
      rows.push({t: it.t, y});
      prevT = it.t;
      used = new Set();
    }
    if (!it.violation) used.add(it.lane.id);
    it.y = y;
  }
  for (const it of model.items) if (it.rowless) it.y = yAt(rows, it.t);
  return {laneIdx, shown: shown.concat(model.items.filter(it => it.rowless && state.cats.has(it.cat) && laneIdx.has(it.lane.id))),
          marks, rows, breaks, height: y + 60, rowH};
}

function arrowShown(a, laneIdx) { return laneIdx.has(a.from.id) || (a.to && laneIdx.has(a.to.id)); }

function yAt(rows, t) {
  if (!rows.length) return 0;
  let lo = 0, hi = rows.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (rows[mid].t <= t) lo = mid + 1; else hi = mid; }
  if (lo === 0) return rows[0].y;
  if (lo === rows.length) return rows[lo - 1].y;
  const a = rows[lo - 1], b = rows[lo];
  return a.y + (b.y - a.y) * (t - a.t) / (b.t - a.t);
}

function tAt(rows, y) {
  let best = rows[0];
  for (const r of rows) { if (r.y <= y) best = r; else break; }
  return best ? best.t : 0;
}

function laneX(L, lane) { return GUTTER + L.laneIdx.get(lane.id) * LANE_W + LANE_W / 2; }

function render(model) {
  const lanes = visibleLanes(model);
  const L = layout(model, lanes);
  const width = GUTTER + lanes.length * LANE_W + 20;
  const head = document.getElementById('head');
  head.innerHTML = '';
  head.setAttribute('width', width);
  head.setAttribute('height', HEAD_H);
  const svg = document.getElementById('diagram');
  svg.innerHTML = '';
  svg.setAttribute('width', width);
  svg.setAttribute('height', L.height);
  let prevHost = null;
  lanes.forEach((lane, i) => {
    const x = GUTTER + i * LANE_W;
    if (lane.host !== prevHost) {
      el('text', {x: x + 4, y: 16, class: 'host'}, head).textContent = lane.host;
      if (i) el('line', {x1: x, x2: x, y1: 0, y2: L.height, class: 'hostsep'}, svg);
      prevHost = lane.host;
    }
    el('text', {x: x + LANE_W / 2, y: 36, class: 'lanename', 'text-anchor': 'middle'}, head).textContent = lane.group;
    const g = el('g', {class: 'lane', 'data-lane': lane.id}, svg);
    el('line', {x1: x + LANE_W / 2, x2: x + LANE_W / 2, y1: 0, y2: L.height, class: 'laneaxis'}, g);
    for (const inst of lane.instances) {
      const y1 = yAt(L.rows, inst.start), y2 = inst.end === null ? L.height : yAt(L.rows, inst.end);
      const r = el('rect', {x: x + LANE_W / 2 - 3, y: y1, width: 6, height: Math.max(2, y2 - y1),
                            class: 'life' + (inst.code ? ' badexit' : '')}, g);
      r.dataset.tip = inst.name + ' pid ' + inst.pid + ' ' + fmtTime(inst.start) + '..' +
                      (inst.end === null ? 'end' : fmtTime(inst.end) + ' exit ' + inst.code);
    }
    for (const st of lane.states) {
      const y1 = yAt(L.rows, st.start), y2 = st.end === null ? L.height : yAt(L.rows, st.end);
      const r = el('rect', {x: x + 4, y: y1, width: LANE_W - 8, height: Math.max(2, y2 - y1),
                            class: st.walsender ? 'wsstate ws-' + st.name : 'pmstate', 'data-state': st.name}, g);
      r.dataset.tip = (st.walsender ? 'walsender state ' : 'pmState ') + st.name + ' from ' + fmtTime(st.start) +
                      (st.end === null ? '' : ' to ' + fmtTime(st.end));
    }
  });
  for (const b of L.breaks) {
    el('rect', {x: GUTTER, y: b.y, width: lanes.length * LANE_W, height: b.h, class: 'break'}, svg);
    el('text', {x: 4, y: b.y + 12, class: 'breaktext'}, svg).textContent = '\u22ee +' + (b.dt / 1e9).toFixed(3) + 's';
  }
  let lastLabel = -1e9;
  for (const r of L.rows) {
    if (r.y - lastLabel < 40) continue;
    el('text', {x: 4, y: r.y + 4, class: 'tick'}, svg).textContent = (r.t / 1e9).toFixed(6);
    lastLabel = r.y;
  }
  const showText = L.rowH >= 9;
  for (const it of L.shown) {
    if (it.arrow) { if (!it.end) drawArrow(svg, L, it.arrow, showText); continue; }
    const x = laneX(L, it.lane);
    const g = el('g', {class: 'item cat-' + it.cat + (it.bad ? ' bad' : '') + (it.warn ? ' warn' : '') +
                              (it.quiet ? ' quiet' : '') + (it.evidence ? ' evidence' : ''),
                       'data-i': it.e.i}, svg);
    g.dataset.tip = eventText(it.e);
    if (it.cat === 'signal' && it.to && L.laneIdx.has(it.to.id) && it.to !== it.lane) {
      const x2 = laneX(L, it.to);
      el('line', {x1: x, y1: it.y, x2, y2: it.y, class: 'sigline'}, g);
      el('text', {x: x2 + (x2 > x ? -4 : 4), y: it.y - 2, class: 'label',
                  'text-anchor': x2 > x ? 'end' : 'start'}, g).textContent = showText ? '\u26a1' + it.e.f.signal : '';
      continue;
    }
    if (it.wide) {
      el('line', {x1: GUTTER, x2: GUTTER + lanes.length * LANE_W, y1: it.y, y2: it.y, class: 'faultline'}, g);
    }
    if (it.evidence) el('circle', {cx: x, cy: it.y, r: 7, class: 'ring'}, g);
    el('circle', {cx: x, cy: it.y, r: it.cat === 'fsync' ? 2.5 : 3.5}, g);
    if (showText && !it.rowless) {
      el('text', {x: x + 6, y: it.y + 4, class: 'label'}, g).textContent = clip(it.label, 30);
    }
  }
  for (const m of L.marks) {
    const g = el('g', {class: 'violation' + (m.violation.tolerated ? ' tolerated' : '') +
                              (m.violation.crash ? ' crash' : '')}, svg);
    el('line', {x1: 0, x2: width, y1: m.y, y2: m.y}, g);
    el('text', {x: GUTTER + 4, y: m.y + 14, class: 'violtext'}, g).textContent =
        m.violation.crash ? m.violation.text + ' (after the event at ' + fmtTime(m.t) + ')'
        : (m.violation.tolerated ? 'tolerated ' : 'VIOLATION ') + 'at ' + fmtTime(m.t) + ': ' + m.violation.text;
    g.dataset.tip = m.violation.text + (m.violation.evidence ? '\nevidence: ' + m.violation.evidence : '');
  }
  model.layout = L;
  applySearch(model, false);
  return L;
}

function clip(s, n) { return s.length > n ? s.slice(0, n - 1) + '\u2026' : s; }

function drawArrow(svg, L, a, showText) {
  const x1 = laneX(L, a.from), y1 = a.sendItem.y;
  const g = el('g', {class: 'arrow kind-' + a.kind + (a.read ? '' : ' unread'), 'data-i': a.first.send.i}, svg);
  g.dataset.tip = a.msgs.map(m => eventText(m.send) + (m.recv ? '\n  read: ' + eventText(m.recv)
      : m.delivered !== null ? '\n  reached ' + (a.to ? a.to.host : '?') + "'s kernel at " + fmtTime(m.delivered) +
        ', never read' : '\n  never reached the peer')).join('\n');
  let x2, y2;
  if (a.recvItem && L.laneIdx.has(a.to.id)) {
    x2 = laneX(L, a.to);
    y2 = a.recvItem.y;
  } else {
    x2 = x1 + (a.to && L.laneIdx.has(a.to.id) ? (laneX(L, a.to) - x1) / 2 : LANE_W / 2);
    y2 = y1 + L.rowH * 2;
  }
  el('line', {x1, y1, x2, y2, 'marker-end': a.read ? 'url(#ah)' : ''}, g);
  if (!a.read) {
    el('text', {x: x2, y: y2 + 4, class: 'lost', 'text-anchor': 'middle'}, g).textContent = '\u2716';
    if (showText && a.kind !== 'status') {
      el('text', {x: x2 + 8, y: y2 + 4, class: 'label lostlabel'}, g).textContent =
          a.recvItem ? 'never read' : 'never delivered';
    }
  }
  if (showText) {
    const left = x2 < x1;
    el('text', {x: x1 + (left ? -6 : 6), y: y1 - 2, class: 'label msglabel',
                'text-anchor': left ? 'end' : 'start'}, g).textContent = clip(a.label, 44);
  }
}
