'use strict';
// Fake webhook receiver for IRISX tests. Deliveries go to POST /hooks/<name>; tests configure
// endpoints and read what arrived through the /_endpoints and /_stats control API (README.md).
// Everything is kept in memory so the hot path never touches the disk.
const fs = require('node:fs');
const http = require('node:http');
const { Endpoint, ConfigError } = require('./endpoint');

const MAX_BODY_BYTES = 16 * 1024 * 1024;
const NAME = '([A-Za-z0-9._~-]+)';
const ENDPOINT_ROUTE = new RegExp(`^/_endpoints/${NAME}$`);
const RECEIVED_ROUTE = new RegExp(`^/_endpoints/${NAME}/received$`);
const HOOK_ROUTE = new RegExp(`^/hooks/${NAME}$`);

const endpoints = new Map();

function send(res, status, value) {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function readBody(req, res, onBody) {
  const chunks = [];
  let size = 0;
  let tooLarge = false;
  req.on('data', (chunk) => {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) tooLarge = true;
    else chunks.push(chunk);
  });
  req.on('end', () => {
    if (tooLarge) send(res, 413, { error: 'body too large' });
    else onBody(Buffer.concat(chunks));
  });
}

function configure(name, raw, res) {
  let settings;
  try {
    settings = JSON.parse(raw.toString('utf8'));
  } catch {
    return send(res, 400, { error: 'body is not JSON' });
  }
  try {
    const endpoint = new Endpoint(settings); // a fresh endpoint: what it received is cleared
    endpoints.set(name, endpoint);
    return send(res, 200, endpoint.settings);
  } catch (err) {
    if (err instanceof ConfigError) return send(res, 400, { error: err.message });
    throw err;
  }
}

function deliver(endpoint, req, raw, res) {
  const { status, delayMs } = endpoint.deliver(req.headers, raw);
  const answer = () => {
    if (status === 200) send(res, 200, { ok: true });
    else if (status === 400) send(res, 400, { ok: false, error: 'signature not verified' });
    else send(res, status, { ok: false });
  };
  if (delayMs > 0) setTimeout(answer, delayMs);
  else answer();
}

function handle(req, res) {
  const path = req.url.split('?', 1)[0];
  let m;
  if ((m = HOOK_ROUTE.exec(path))) {
    const endpoint = endpoints.get(m[1]);
    if (!endpoint) return send(res, 404, { error: `no endpoint named ${m[1]}` });
    if (req.method !== 'POST') return send(res, 405, { error: 'deliveries are POST' });
    return readBody(req, res, (raw) => deliver(endpoint, req, raw, res));
  }
  if ((m = ENDPOINT_ROUTE.exec(path)) && req.method === 'PUT') {
    return readBody(req, res, (raw) => configure(m[1], raw, res));
  }
  if ((m = RECEIVED_ROUTE.exec(path)) && req.method === 'GET') {
    const endpoint = endpoints.get(m[1]);
    if (!endpoint) return send(res, 404, { error: `no endpoint named ${m[1]}` });
    return send(res, 200, endpoint.received);
  }
  if (path === '/_stats' && req.method === 'GET') {
    const stats = {};
    for (const [name, endpoint] of endpoints) stats[name] = endpoint.stats();
    return send(res, 200, stats);
  }
  return send(res, 404, { error: 'no such route' });
}

function portFileArg(argv) {
  const i = argv.indexOf('--port-file');
  if (i < 0 || i + 1 >= argv.length) {
    process.stderr.write('usage: node server.js --port-file FILE\n');
    process.exit(2);
  }
  return argv[i + 1];
}

function main() {
  const portFile = portFileArg(process.argv.slice(2));
  const server = http.createServer(handle);
  // Longer than a delivery worker's idle gap, so its pooled connections are not cut under it.
  server.keepAliveTimeout = 30000;
  server.headersTimeout = 31000;
  server.on('clientError', (err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
  });
  server.listen(0, '127.0.0.1', () => {
    // Written then renamed, so a reader never sees a half-written port.
    fs.writeFileSync(`${portFile}.tmp`, `${server.address().port}\n`);
    fs.renameSync(`${portFile}.tmp`, portFile);
  });
  const stop = () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
    // A pending slow answer must not hold the exit up.
    setTimeout(() => process.exit(0), 1000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main();
