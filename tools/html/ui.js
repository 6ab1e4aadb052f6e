// The diagram page's controls: filters by node, process and event kind,
// search, zoom and pan, hover details and the LSN panel. Starts the page:
// builds the model, renders it and scrolls to the first violation.
'use strict';

function checkbox(parent, label, checked, onChange) {
  const l = document.createElement('label');
  const c = document.createElement('input');
  c.type = 'checkbox';
  c.checked = checked;
  c.addEventListener('change', () => onChange(c.checked));
  l.appendChild(c);
  l.appendChild(document.createTextNode(label));
  parent.appendChild(l);
}

function toggle(set, key, on) { if (on) set.add(key); else set.delete(key); }

function applySearch(model, jump) {
  const q = state.search.toLowerCase();
  const svg = document.getElementById('diagram');
  const hits = [];
  for (const g of svg.querySelectorAll('[data-tip]')) {
    const on = q !== '' && g.dataset.tip.toLowerCase().includes(q);
    g.classList.toggle('hit', on);
    if (on) hits.push(g);
  }
  document.getElementById('hits').textContent = q ? hits.length + ' found' : '';
  if (jump && hits.length) {
    state.hit = (state.hit + 1) % hits.length;
    const box = hits[state.hit].getBBox();
    document.getElementById('scroller').scrollTop = box.y - 200;
  }
}

function showLsns(model, t) {
  const at = lsnsAt(model.lsns, t);
  const rows = ['<div class="lsnt">at ' + fmtTime(t) + '</div>'];
  for (const h of model.hosts) {
    const v = at[h] || {};
    const keys = ['sent', 'received', 'write', 'flush', 'apply', 'replayed', 'checkpoint', 'timeline'];
    const cells = keys.filter(k => v[k] !== undefined).map(k => '<tr><td>' + k + '</td><td>' + v[k] + '</td></tr>');
    rows.push('<div class="lsnhost">' + h + '</div><table>' + (cells.join('') || '<tr><td>-</td></tr>') + '</table>');
  }
  document.getElementById('lsns').innerHTML = rows.join('');
}

function scrollToFirstViolation(model) {
  const L = model.layout;
  const v = L.marks.find(m => !m.violation.tolerated) || L.marks[0];
  if (!v) return;
  const sc = document.getElementById('scroller');
  sc.scrollTop = Math.max(0, v.y - sc.clientHeight * 0.93);
}

function setup(model) {
  document.getElementById('title').textContent = RUN.title;
  document.getElementById('outcome').textContent = RUN.outcome;
  const f = document.getElementById('filters');
  const rerender = () => { render(model); };
  // A row of checkboxes: each entry [key, label] toggles `key` in `set`.
  const filterGroup = (title, set, entries) => {
    const span = document.createElement('span');
    span.className = 'group';
    span.textContent = title;
    for (const [key, label] of entries) {
      checkbox(span, label, set.has(key), on => { toggle(set, key, on); rerender(); });
    }
    f.appendChild(span);
  };
  for (const h of model.hosts) state.hosts.add(h);
  const groups = [...new Set(model.lanes.map(l => l.group))].sort((a, b) => rank(a) - rank(b));
  for (const g of groups) state.groups.add(g);
  filterGroup('nodes:', state.hosts, model.hosts.map(h => [h, h]));
  filterGroup('processes:', state.groups, groups.map(g => [g, g]));
  filterGroup('events:', state.cats, Object.entries(CATS));
  const search = document.getElementById('search');
  search.addEventListener('input', () => { state.search = search.value; state.hit = -1; applySearch(model, false); });
  search.addEventListener('keydown', e => { if (e.key === 'Enter') applySearch(model, true); });
  const zoom = k => {
    const sc = document.getElementById('scroller');
    const t = tAt(model.layout.rows, sc.scrollTop + sc.clientHeight / 2);
    state.zoom = Math.min(8, Math.max(0.25, state.zoom * k));
    render(model);
    sc.scrollTop = yAt(model.layout.rows, t) - sc.clientHeight / 2;
  };
  document.getElementById('zoomin').addEventListener('click', () => zoom(1.5));
  document.getElementById('zoomout').addEventListener('click', () => zoom(1 / 1.5));
  document.getElementById('toviolation').addEventListener('click', () => scrollToFirstViolation(model));
  const sc = document.getElementById('scroller');
  sc.addEventListener('wheel', e => {
    if (!e.ctrlKey) return;
    e.preventDefault();
    zoom(e.deltaY < 0 ? 1.25 : 0.8);
  }, {passive: false});
  let drag = null;
  sc.addEventListener('mousedown', e => { drag = {x: e.clientX, y: e.clientY, l: sc.scrollLeft, t: sc.scrollTop}; });
  window.addEventListener('mouseup', () => { drag = null; });
  const tip = document.getElementById('tip');
  sc.addEventListener('mousemove', e => {
    if (drag) {
      sc.scrollLeft = drag.l - (e.clientX - drag.x);
      sc.scrollTop = drag.t - (e.clientY - drag.y);
    }
    const r = sc.getBoundingClientRect();
    showLsns(model, tAt(model.layout.rows, e.clientY - r.top + sc.scrollTop));
    const target = e.target.closest('[data-tip]');
    if (target) {
      tip.textContent = target.dataset.tip;
      tip.style.display = 'block';
      tip.style.left = Math.min(e.clientX + 14, window.innerWidth - 420) + 'px';
      tip.style.top = (e.clientY + 14) + 'px';
    } else {
      tip.style.display = 'none';
    }
  });
  render(model);
  scrollToFirstViolation(model);
  const v = model.layout.marks[0];
  showLsns(model, v ? v.t : model.end);
  document.body.dataset.ready = 'true';
}

setup(buildModel(EVENTS, RUN));
