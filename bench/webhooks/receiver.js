'use strict';
// Fast webhook receiver for bench/webhooks/run.sh (Node.js 20, no dependencies).
//   node receiver.js PORT_FILE
// Listens on 127.0.0.1, port 0, and writes the port to PORT_FILE once listening.
//   POST /hook/<n>  (n = 1..30)  answers 200 at once; records arrival time minus the body's
//                   created_at (end-to-end latency, ms) and the (path, webhook-id) pair.
//   GET  /stats     {received, distinct, duplicates, events (distinct webhook-ids), partial (events
//                   missing on some path that others got), per_path, latency_ms, first_ms, last_ms}
//   POST /reset     clears everything.
// Signatures are not verified (tests/fakes/webhook-receiver does that); the hot path is a header
// read, a substring search in the body and a Map update.
const fs = require('node:fs');
const http = require('node:http');

const portFile = process.argv[2];
if (!portFile) {
  console.error('usage: node receiver.js PORT_FILE');
  process.exit(2);
}

const KEY = '"created_at":"';
let state;
function reset() {
  state = {
    received: 0, // every POST /hook/<n>
    distinct: 0, // distinct (path, webhook-id) pairs
    noId: 0, // deliveries without a webhook-id
    noTime: 0, // deliveries without a parseable created_at
    seen: new Map(), // webhook-id -> bit mask of the paths it arrived on
    perPath: new Array(31).fill(0), // distinct pairs per path
    lat: new Float64Array(1 << 16),
    nLat: 0,
    first: 0,
    last: 0,
  };
}
reset();

function record(n, id, body, arrival) {
  const s = state;
  s.received++;
  if (s.first === 0) s.first = arrival;
  s.last = arrival;
  if (id) {
    const bit = 1 << n;
    const mask = s.seen.get(id) | 0;
    if ((mask & bit) === 0) {
      s.seen.set(id, mask | bit);
      s.distinct++;
      s.perPath[n]++;
    }
  } else {
    s.noId++;
  }
  // IRISX writes the envelope's keys sorted, so created_at comes first; indexOf finds the
  // envelope's one before any created_at inside "data" either way.
  const i = body.indexOf(KEY);
  const created = i < 0 ? NaN : Date.parse(body.substring(i + KEY.length, body.indexOf('"', i + KEY.length)));
  if (Number.isNaN(created)) {
    s.noTime++;
    return;
  }
  if (s.nLat === s.lat.length) {
    const bigger = new Float64Array(s.lat.length * 2);
    bigger.set(s.lat);
    s.lat = bigger;
  }
  s.lat[s.nLat++] = arrival - created;
}

function summary() {
  const s = state;
  const sorted = s.lat.slice(0, s.nLat).sort();
  const pct = (p) => (s.nLat === 0 ? null : sorted[Math.min(s.nLat - 1, Math.ceil((p / 100) * s.nLat) - 1)]);
  let sum = 0;
  for (let i = 0; i < s.nLat; i++) sum += sorted[i];
  let widest = 0;
  for (const mask of s.seen.values()) widest |= mask;
  let partial = 0; // events seen on fewer paths than the union of paths seen so far
  for (const mask of s.seen.values()) if (mask !== widest) partial++;
  const perPath = {};
  s.perPath.forEach((c, n) => {
    if (c > 0) perPath[n] = c;
  });
  return {
    received: s.received,
    distinct: s.distinct,
    duplicates: s.received - s.distinct - s.noId,
    no_webhook_id: s.noId,
    no_created_at: s.noTime,
    events: s.seen.size,
    partial,
    per_path: perPath,
    latency_ms: {
      count: s.nLat,
      min: s.nLat ? sorted[0] : null,
      mean: s.nLat ? Math.round((sum / s.nLat) * 10) / 10 : null,
      p50: pct(50),
      p90: pct(90),
      p99: pct(99),
      max: s.nLat ? sorted[s.nLat - 1] : null,
    },
    first_ms: s.first || null,
    last_ms: s.last || null,
  };
}

function sendJson(res, status, value) {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

const OK_HEADERS = { 'content-type': 'text/plain', 'content-length': '2' };

const server = http.createServer((req, res) => {
  const url = req.url;
  if (req.method === 'POST' && url.startsWith('/hook/')) {
    const arrival = Date.now();
    const n = parseInt(url.slice(6), 10);
    if (!(n >= 1 && n <= 30)) {
      res.writeHead(404, OK_HEADERS);
      res.end('no');
      return;
    }
    const id = req.headers['webhook-id'];
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      res.writeHead(200, OK_HEADERS);
      res.end('ok');
      record(n, id, body, arrival);
    });
    return;
  }
  if (req.method === 'GET' && url === '/stats') return sendJson(res, 200, summary());
  if (req.method === 'POST' && url === '/reset') {
    req.resume();
    reset();
    return sendJson(res, 200, { ok: true });
  }
  req.resume();
  sendJson(res, 404, { error: 'not found' });
});
// IRISX keeps its connections open between deliveries; do not close idle ones under it.
server.keepAliveTimeout = 120_000;
server.headersTimeout = 121_000;
server.requestTimeout = 0;
server.listen(0, '127.0.0.1', () => {
  fs.writeFileSync(`${portFile}.tmp`, `${server.address().port}\n`);
  fs.renameSync(`${portFile}.tmp`, portFile);
});
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
