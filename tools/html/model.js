// The space-time diagram's model, built from the run's trace events (EVENTS,
// each [time_ns, host, process, pid, kind, fields, severity]) and the run's
// report (RUN): lanes per node and process, items (marks on a lane), messages
// (matched sender -> reader by their connection and byte offset, TCP segments
// folded into them) and per-node LSNs over time.
'use strict';

// The first node's lanes end with its walsender and the second's begin with
// its walreceiver, so that replication arrows are short; later nodes
// alternate the same way.
const LANE_ORDER = ['walreceiver', 'walsender', 'pg_receivexlog', 'postmaster', 'startup',
                    'checkpointer', 'backends', 'tools', 'kernel'];
const LANE_ORDER_LEFT = ['kernel', 'tools', 'backends', 'checkpointer', 'startup', 'postmaster',
                         'pg_receivexlog', 'walreceiver', 'walsender'];
const TOOL_PROCS = new Set(['initdb', 'pg_ctl', 'pg_basebackup', 'client', 'operator']);
const KERNEL_PROCS = new Set(['tcp', 'disk', 'net', 'host', '-', '']);
const REPL_COMMAND = /^(IDENTIFY_SYSTEM|START_REPLICATION|TIMELINE_HISTORY|BASE_BACKUP)/;

function lsnNum(s) {
  if (typeof s !== 'string' || s.indexOf('/') < 0) return null;
  const [h, l] = s.split('/');
  return parseInt(h, 16) * 4294967296 + parseInt(l, 16);
}

function fmtTime(ns) { return (ns / 1e9).toFixed(6) + 's'; }

function eventText(e) {
  const parts = [fmtTime(e.t), e.host, e.proc + (e.pid ? '[' + e.pid + ']' : ''), e.kind];
  for (const [k, v] of Object.entries(e.f)) parts.push(k + '=' + JSON.stringify(v));
  return parts.join(' ');
}

// A short label for a message: its name and what a reader looks at.
function msgLabel(f) {
  switch (f.msg) {
    case 'XLogData': return 'XLogData ' + f.start + '..' + f.end;
    case 'PrimaryKeepalive': return 'keepalive ' + f.wal_end + (f.reply_requested ? ' reply?' : '');
    case 'StandbyStatusUpdate':
      return 'status w ' + f.write + ' f ' + f.flush + ' a ' + f.apply + (f.reply_requested ? ' reply?' : '');
    case 'CommandComplete': return 'CommandComplete "' + f.text + '"';
    case 'Query': return f.text;
    case 'ErrorResponse': case 'NoticeResponse': return f.severity + ': ' + f.text;
    default: return f.msg;
  }
}

function buildModel(rawEvents, run) {
  const ev = rawEvents.map((a, i) => ({i, t: a[0], host: a[1], proc: a[2], pid: a[3], kind: a[4],
                                       f: a[5] || {}, sev: a[6] || 0}));
  const hosts = [];
  const walsenders = new Set();  // host/pid of backends that served replication
  // Events the simulator emits for a process (its exit, a signal it sends)
  // carry no pid: the process's pid when its name has one live instance.
  const live = new Map();  // host/name -> [pid]
  for (const e of ev) {
    const lk = e.host + '/' + e.proc;
    if (e.kind === 'process_start') live.set(lk, (live.get(lk) || []).concat([e.f.pid]));
    if (e.kind === 'process_start' || e.kind === 'process_exit') e.pid = e.f.pid;
    if (!e.pid && (live.get(lk) || []).length === 1) e.pid = live.get(lk)[0];
    if (e.kind === 'process_exit') live.set(lk, (live.get(lk) || []).filter(p => p !== e.f.pid));
  }
  for (const e of ev) {
    if (!hosts.includes(e.host) && e.host && e.host !== '-') hosts.push(e.host);
    const key = e.host + '/' + e.pid;
    if (e.proc === 'backend' && ((e.kind === 'msg_received' && e.f.msg === 'Query' && REPL_COMMAND.test(e.f.text)) ||
                                 (e.kind === 'msg_sent' && e.f.msg === 'XLogData'))) {
      walsenders.add(key);
    }
  }
  const groupOf = (host, proc, pid) => {
    if (proc === 'backend') return walsenders.has(host + '/' + pid) ? 'walsender' : 'backends';
    if (TOOL_PROCS.has(proc)) return 'tools';
    if (KERNEL_PROCS.has(proc) || !pid) return 'kernel';
    return proc;
  };
  // Lanes, in node order then LANE_ORDER.
  const laneMap = new Map();
  const laneOf = (host, group) => {
    const id = host + '/' + group;
    if (!laneMap.has(id)) laneMap.set(id, {id, host, group, instances: [], states: []});
    return laneMap.get(id);
  };
  // Processes: lifetimes per lane.
  const procs = new Map();  // host/pid -> instance
  const sockets = new Map();  // socket id -> {lane, pid}
  const peer = new Map();
  const items = [];
  const add = (e, lane, cat, label, extra) => {
    const it = Object.assign({e, t: e.t, lane, cat, label}, extra || {});
    items.push(it);
    return it;
  };
  for (const e of ev) {
    if (e.kind === 'tcp_established' || e.kind === 'tcp_accept_queued') {
      peer.set(e.f.socket, e.f.peer);
      peer.set(e.f.peer, e.f.socket);
    }
    if ((e.kind === 'msg_sent' || e.kind === 'msg_received') && !sockets.has(e.f.socket)) {
      sockets.set(e.f.socket, laneOf(e.host, groupOf(e.host, e.proc, e.pid)));
    }
  }
  const msgs = new Map();  // "socket:offset" of the sender's socket -> message
  const messages = [];
  const segs = new Map();  // receiving socket -> [[time, cumulative bytes]]
  let pmLast = new Map();
  // A walsender's WalSndState, as the trace shows it: startup from its start,
  // catchup once it answered START_REPLICATION (CopyBothResponse), streaming
  // from "... has now caught up ...", stopping from the SIGUSR2 that tells it
  // to send the rest and exit; the box ends with the process.
  const wsOpen = new Map();  // host/pid -> open state
  const wsSet = (e, lane, name) => {
    const key = e.host + '/' + e.pid;
    const cur = wsOpen.get(key);
    if (cur && cur.name === name) return;
    if (cur) cur.end = e.t;
    const st = {name, start: e.t, end: null, walsender: true};
    lane.states.push(st);
    wsOpen.set(key, st);
    if (name !== 'startup') add(e, lane, 'state', 'WALSNDSTATE_' + name.toUpperCase());
  };
  for (const e of ev) {
    const lane = laneOf(e.host, groupOf(e.host, e.proc, e.pid));
    const k = e.kind;
    if (lane.group === 'walsender') {
      if (k === 'process_start') wsSet(e, lane, 'startup');
      else if (k === 'msg_sent' && e.f.msg === 'CopyBothResponse') wsSet(e, lane, 'catchup');
      else if (k === 'log' && / has now caught up with /.test(e.f.message || '')) wsSet(e, lane, 'streaming');
      else if (k === 'signal_delivered' && e.f.signal === 'SIGUSR2') wsSet(e, lane, 'stopping');
      else if (k === 'process_exit' && wsOpen.has(e.host + '/' + e.pid)) {
        wsOpen.get(e.host + '/' + e.pid).end = e.t;
        wsOpen.delete(e.host + '/' + e.pid);
      }
    }
    if (k === 'process_start') {
      const inst = {host: e.host, pid: e.f.pid, name: e.proc, start: e.t, end: null, code: null, lane};
      procs.set(e.host + '/' + e.f.pid, inst);
      lane.instances.push(inst);
      if (lane.group !== 'kernel') add(e, lane, 'proc', 'start ' + e.proc + ' ' + e.f.pid);
    } else if (k === 'process_exit') {
      const inst = procs.get(e.host + '/' + e.f.pid);
      if (inst) { inst.end = e.t; inst.code = e.f.code; }
      add(e, lane, 'proc', 'exit ' + e.proc + ' ' + e.f.pid + ' (' + e.f.code + ')', {bad: e.f.code !== 0});
    } else if (k === 'log') {
      const m = /^postmaster state: (\S+) -> (\S+)/.exec(e.f.message || '');
      if (m) {
        const prev = pmLast.get(lane.id);
        if (prev) prev.end = e.t;
        const st = {name: m[2], start: e.t, end: null};
        lane.states.push(st);
        pmLast.set(lane.id, st);
        add(e, lane, 'state', m[2]);
        continue;
      }
      const level = e.f.kind || 'LOG';
      const cat = /^DEBUG[2-5]/.test(level) ? 'debug' : 'log';
      const evidence = violationsOf(run).some(v => v.evidence && v.evidence.includes(e.f.message) &&
                                                    v.evidence.startsWith((e.t / 1e9).toFixed(6) + 's'));
      add(e, lane, cat, level + ': ' + e.f.message,
          {bad: /^(FATAL|PANIC|ERROR)/.test(level), warn: level === 'WARNING', quiet: level === 'DEBUG1',
           evidence});
    } else if (k === 'msg_sent') {
      const m = {send: e, recv: null, from: lane, to: null, label: msgLabel(e.f), name: e.f.msg,
                 socket: e.f.socket, end: e.f.offset + e.f.bytes};
      msgs.set(e.f.socket + ':' + e.f.offset, m);
      messages.push(m);
    } else if (k === 'msg_received') {
      const m = msgs.get(peer.get(e.f.socket) + ':' + e.f.offset);
      if (m) { m.recv = e; m.to = lane; }
    } else if (k === 'tcp_segment_delivered') {
      const s = segs.get(e.f.socket) || [];
      s.push([e.t, (s.length ? s[s.length - 1][1] : 0) + e.f.bytes]);
      segs.set(e.f.socket, s);
    } else if (k === 'tcp_segment_sent') {
      // folded into messages
    } else if (k.startsWith('tcp_')) {
      const owner = sockets.get(e.f.socket) || lane;
      const bad = /rst|failed|retransmit/.test(k);
      const extra = e.f.unread ? ' unread=' + e.f.unread : '';
      add(e, owner, 'tcp', k.replace('tcp_', '').replace(/_/g, ' ') + extra, {bad});
    } else if (k === 'signal_sent') {
      const target = procs.get(e.host + '/' + e.f.pid);
      add(e, lane, 'signal', e.f.signal + ' \u2192 ' + (target ? target.name : e.f.pid),
          {to: target ? target.lane : null});
    } else if (k === 'disk_fsync' || k === 'disk_fsync_dir') {
      add(e, lane, 'fsync', k === 'disk_fsync' ? 'fsync ' + e.f.bytes + ' B' : 'fsync dir ' + e.f.dir, {rowless: true});
    } else if (k.startsWith('disk_')) {
      add(e, lane, 'disk', k.replace('disk_', '') + ' ' + (e.f.path || e.f.to || ''));
    } else if (k.startsWith('fault_') || k.startsWith('host_') || k === 'lost_dirty_pages') {
      add(e, lane, 'fault', k.replace(/_/g, ' ') + ' ' + Object.values(e.f).join(' '), {bad: true, wide: true});
    } else if (k === 'signal_delivered' || k === 'signal_coalesced') {
      add(e, lane, 'debug', k.replace('_', ' ') + ' ' + e.f.signal);
    } else if (k !== 'fork' && k !== 'child_exit_status') {
      add(e, lane, 'debug', k);
    }
  }
  // A message's fate after it was sent: read, reached the reader's kernel
  // only (reset before it was read), or lost.
  for (const m of messages) {
    const s = segs.get(peer.get(m.socket)) || [];
    const d = s.find(x => x[1] >= m.end);
    m.delivered = d ? d[0] : null;
    if (!m.to) m.to = sockets.get(peer.get(m.socket)) || null;
  }
  const arrows = aggregate(messages);
  for (const a of arrows) {
    a.sendItem = add(a.first.send, a.from, 'msg', a.label, {arrow: a});
    const endEvent = a.first.recv;
    if (endEvent) {
      a.recvItem = add(endEvent, a.to, 'msg', '', {arrow: a, end: true});
    } else if (a.delivered !== null && a.to) {
      const pseudo = {i: a.first.send.i + 0.5, t: a.delivered, host: a.to.host, proc: 'tcp', pid: 0,
                      kind: 'delivered_unread', f: {}, sev: 0};
      a.recvItem = add(pseudo, a.to, 'msg', '', {arrow: a, end: true, unread: true});
    }
  }
  const violations = violationsOf(run).map(v => ({
    t: v.time_ns, text: v.invariant + ': ' + v.message, evidence: v.evidence, tolerated: v.tolerated}));
  // replsim crashed during the run: the page has the events up to the crash.
  if (run.crash) {
    violations.push({t: ev.length ? ev[ev.length - 1].t : 0, text: 'REPLSIM CRASHED: ' + run.crash,
                     evidence: '', tolerated: false, crash: true});
  }
  items.sort((a, b) => a.t - b.t || a.e.i - b.e.i);
  const lanes = [];
  hosts.forEach((h, n) => {
    const mine = [...laneMap.values()].filter(l => l.host === h);
    const order = n % 2 === 0 && hosts.length > 1 ? LANE_ORDER_LEFT : LANE_ORDER;
    mine.sort((a, b) => rank(a.group, order) - rank(b.group, order) || a.group.localeCompare(b.group));
    lanes.push(...mine);
  });
  for (const l of laneMap.values()) if (!lanes.includes(l)) lanes.push(l);
  return {events: ev, hosts, lanes, items, arrows, violations, lsns: lsnSeries(ev, hosts), run,
          end: ev.length ? ev[ev.length - 1].t : 0};
}

function rank(group, order) {
  const o = order || LANE_ORDER;
  const r = o.indexOf(group);
  return r < 0 ? o.length : r;
}

function violationsOf(run) { return run.violations || []; }

// Consecutive messages on one connection sent at one instant and read at one
// instant (or both never read) become one arrow: "ParameterStatus x14".
function aggregate(messages) {
  const out = [];
  let cur = null;
  for (const m of messages) {
    const rt = m.recv ? m.recv.t : null;
    if (cur && cur.socket === m.socket && cur.first.send.t === m.send.t && cur.rt === rt &&
        cur.delivered === m.delivered) {
      cur.msgs.push(m);
    } else {
      cur = {socket: m.socket, first: m, msgs: [m], rt, delivered: m.delivered, from: m.from, to: m.to};
      out.push(cur);
    }
  }
  for (const a of out) {
    const names = [];
    for (const m of a.msgs) {
      const last = names[names.length - 1];
      if (last && last.name === m.name) last.n++; else names.push({name: m.name, n: 1, m});
    }
    a.label = names.map(x => x.n > 1 ? (x.name === 'XLogData'
        ? 'XLogData ' + a.msgs.find(y => y.name === 'XLogData').send.f.start + '..' + x.m.send.f.end
        : x.name + ' \u00d7' + x.n) : msgLabel(x.m.send.f)).join(', ');
    a.kind = a.msgs.some(m => m.name === 'XLogData') ? 'wal'
           : a.msgs.some(m => m.name === 'ErrorResponse') ? 'error'
           : a.msgs.some(m => m.name === 'StandbyStatusUpdate') ? 'status' : 'other';
    a.read = a.first.recv !== null;
  }
  return out;
}

// Per node over time: sent (its walsender's XLogData ends), received (its
// walreceiver's), and the write/flush/apply it reported to its upstream.
function lsnSeries(ev, hosts) {
  const series = {};
  for (const h of hosts) series[h] = [];
  const cur = {};
  for (const h of hosts) cur[h] = {};
  const put = (h, k, v, t) => {
    if (v === null || !series[h]) return;
    cur[h] = Object.assign({}, cur[h], {[k]: v});
    series[h].push({t, v: cur[h]});
  };
  for (const e of ev) {
    if (e.kind === 'msg_sent' && e.f.msg === 'XLogData') put(e.host, 'sent', e.f.end, e.t);
    if (e.kind === 'msg_received' && e.f.msg === 'XLogData') put(e.host, 'received', e.f.end, e.t);
    if (e.kind === 'msg_sent' && e.f.msg === 'StandbyStatusUpdate') {
      put(e.host, 'write', e.f.write, e.t);
      put(e.host, 'flush', e.f.flush, e.t);
      put(e.host, 'apply', e.f.apply, e.t);
    }
    if (e.kind === 'log') {
      const m = /(redo done at|checkpoint record is at|consistent recovery state reached at) (\S+)/.exec(e.f.message || '');
      if (m) put(e.host, m[1] === 'redo done at' ? 'replayed' : m[1].startsWith('checkpoint') ? 'checkpoint' : 'consistent', m[2], e.t);
      const tl = /selected new timeline ID: (\d+)/.exec(e.f.message || '');
      if (tl) put(e.host, 'timeline', tl[1], e.t);
    }
  }
  return series;
}

// The LSNs of each node at time t.
function lsnsAt(series, t) {
  const out = {};
  for (const [h, s] of Object.entries(series)) {
    let lo = 0, hi = s.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (s[mid].t <= t) lo = mid + 1; else hi = mid; }
    out[h] = lo ? s[lo - 1].v : {};
  }
  return out;
}
