'use strict';
// Pins the fake receiver's behaviour: the C++ delivery tests rely on every rule here.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { Webhook } = require('standardwebhooks');

const SECRET_A = `whsec_${Buffer.from('first-secret-key-0123456789abcdef').toString('base64')}`;
const SECRET_B = `whsec_${Buffer.from('second-secret-key-0123456789abcde').toString('base64')}`;

let child;
let dir;
let portFile;
let base;

function waitForFile(file, ms) {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const poll = () => {
      if (fs.existsSync(file)) return resolve(fs.readFileSync(file, 'utf8'));
      if (Date.now() > deadline) return reject(new Error(`no ${file}`));
      setTimeout(poll, 20);
    };
    poll();
  });
}

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'webhook-receiver-'));
  portFile = path.join(dir, 'port');
  child = spawn(process.execPath, [path.join(__dirname, 'server.js'), '--port-file', portFile], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const port = Number((await waitForFile(portFile, 10000)).trim());
  base = `http://127.0.0.1:${port}`;
});

after(() => {
  child.kill('SIGTERM');
  fs.rmSync(dir, { recursive: true, force: true });
});

async function configure(name, settings) {
  const res = await fetch(`${base}/_endpoints/${name}`, { method: 'PUT', body: JSON.stringify(settings) });
  assert.equal(res.status, 200, await res.text());
}

async function received(name) {
  return (await fetch(`${base}/_endpoints/${name}/received`)).json();
}

function signedHeaders(secrets, id, body, timestamp = Math.floor(Date.now() / 1000)) {
  const signatures = secrets.map((s) => new Webhook(s).sign(id, new Date(timestamp * 1000), body));
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signatures.join(' '),
  };
}

async function deliver(name, secrets, id, body = '{"type":"message.delivered"}') {
  const res = await fetch(`${base}/hooks/${name}`, { method: 'POST', headers: signedHeaders(secrets, id, body), body });
  await res.arrayBuffer();
  return res.status;
}

test('the port file holds the listening port and no temporary file is left', () => {
  assert.match(fs.readFileSync(portFile, 'utf8'), /^\d+\n$/);
  assert.ok(!fs.existsSync(`${portFile}.tmp`));
});

test('ok endpoint answers 200 and records a verified delivery', async () => {
  await configure('ok', { secrets: [SECRET_A] });
  const body = '{"id":"EV1","type":"message.delivered"}';
  assert.equal(await deliver('ok', [SECRET_A], 'msg_1', body), 200);
  const [r] = await received('ok');
  assert.equal(r.webhook_id, 'msg_1');
  assert.equal(r.body, body);
  assert.equal(r.verified, true);
  assert.deepEqual(r.verified_with, [0]);
  assert.equal(r.status, 200);
  assert.ok(Math.abs(r.received_at_ms - Date.now()) < 10000);
});

test('a signature computed with node:crypto verifies, so the library agrees with the spec', async () => {
  await configure('spec', { secrets: [SECRET_A] });
  const key = Buffer.from(SECRET_A.slice('whsec_'.length), 'base64');
  const ts = String(Math.floor(Date.now() / 1000));
  const body = '{"a":1}';
  const sig = crypto.createHmac('sha256', key).update(`msg_spec.${ts}.${body}`).digest('base64');
  const headers = { 'webhook-id': 'msg_spec', 'webhook-timestamp': ts, 'webhook-signature': `v1,${sig}` };
  const res = await fetch(`${base}/hooks/spec`, { method: 'POST', headers, body });
  assert.equal(res.status, 200);
  assert.equal((await received('spec'))[0].verified, true);
});

test('fail endpoint answers fail_status the first fail_times attempts of each webhook-id', async () => {
  await configure('flaky', { secrets: [SECRET_A], behaviour: 'fail', fail_times: 2, fail_status: 503 });
  const statuses = [];
  for (const id of ['a', 'b', 'a', 'b', 'a', 'b', 'a']) statuses.push(await deliver('flaky', [SECRET_A], id));
  assert.deepEqual(statuses, [503, 503, 503, 503, 200, 200, 200]);
  assert.deepEqual((await received('flaky')).map((r) => r.status), statuses);
});

test('gone endpoint answers 410', async () => {
  await configure('gone', { secrets: [SECRET_A], behaviour: 'gone' });
  assert.equal(await deliver('gone', [SECRET_A], 'msg_g'), 410);
});

test('slow endpoint answers 200 only after delay_ms', async () => {
  await configure('slow', { secrets: [SECRET_A], behaviour: 'slow', delay_ms: 300 });
  const start = Date.now();
  assert.equal(await deliver('slow', [SECRET_A], 'msg_s'), 200);
  assert.ok(Date.now() - start >= 290, `answered after ${Date.now() - start} ms`);
});

test('during rotation two signatures verify with the one configured secret', async () => {
  await configure('rotated', { secrets: [SECRET_B] });
  assert.equal(await deliver('rotated', [SECRET_A, SECRET_B], 'msg_r'), 200);
  const [r] = await received('rotated');
  assert.equal(r.webhook_signature.split(' ').length, 2);
  assert.equal(r.verified, true);
  assert.deepEqual(r.verified_with, [0]);
});

test('verified_with lists every configured secret that verifies', async () => {
  await configure('both', { secrets: [SECRET_A, SECRET_B] });
  await deliver('both', [SECRET_B], 'msg_only_b');
  await deliver('both', [SECRET_A, SECRET_B], 'msg_both');
  assert.deepEqual((await received('both')).map((r) => r.verified_with), [[1], [0, 1]]);
});

test('a tampered body is recorded unverified and answered 400 whatever the behaviour', async () => {
  await configure('tamper', { secrets: [SECRET_A], behaviour: 'gone' });
  const headers = signedHeaders([SECRET_A], 'msg_t', '{"amount":1}');
  const res = await fetch(`${base}/hooks/tamper`, { method: 'POST', headers, body: '{"amount":1000}' });
  assert.equal(res.status, 400);
  const [r] = await received('tamper');
  assert.equal(r.verified, false);
  assert.deepEqual(r.verified_with, []);
  assert.equal(r.status, 400);
  assert.equal(r.body, '{"amount":1000}');
});

test('a stale timestamp is unverified, as the reference library tolerates only 5 minutes', async () => {
  await configure('stale', { secrets: [SECRET_A] });
  const body = '{}';
  const headers = signedHeaders([SECRET_A], 'msg_old', body, Math.floor(Date.now() / 1000) - 3600);
  const res = await fetch(`${base}/hooks/stale`, { method: 'POST', headers, body });
  assert.equal(res.status, 400);
});

test('an unknown endpoint answers 404 and a bad configuration 400', async () => {
  assert.equal((await fetch(`${base}/hooks/nobody`, { method: 'POST', body: '{}' })).status, 404);
  for (const settings of [{ secrets: [SECRET_A], fail_time: 1 }, { secrets: [] }, { secrets: [SECRET_A], behaviour: 'nap' }]) {
    const res = await fetch(`${base}/_endpoints/bad`, { method: 'PUT', body: JSON.stringify(settings) });
    assert.equal(res.status, 400, JSON.stringify(settings));
  }
});

test('reconfiguring clears what the endpoint received and its failure counts', async () => {
  await configure('again', { secrets: [SECRET_A], behaviour: 'fail', fail_times: 1 });
  assert.equal(await deliver('again', [SECRET_A], 'x'), 500);
  await configure('again', { secrets: [SECRET_A], behaviour: 'fail', fail_times: 1 });
  assert.deepEqual(await received('again'), []);
  assert.equal(await deliver('again', [SECRET_A], 'x'), 500);
});

test('stats count received, verified and distinct ids per endpoint', async () => {
  await configure('counted', { secrets: [SECRET_A] });
  await deliver('counted', [SECRET_A], 'one');
  await deliver('counted', [SECRET_A], 'one');
  await deliver('counted', [SECRET_B], 'two');
  const stats = await (await fetch(`${base}/_stats`)).json();
  assert.deepEqual(stats.counted, { received: 3, verified: 2, distinct_ids: 2 });
});

test('a keep-alive connection carries many deliveries', async () => {
  await configure('pooled', { secrets: [SECRET_A] });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const url = new URL(`${base}/hooks/pooled`);
  const reused = [];
  for (let i = 0; i < 50; i++) {
    const body = `{"n":${i}}`;
    const status = await new Promise((resolve, reject) => {
      const req = http.request(url, { method: 'POST', agent, headers: signedHeaders([SECRET_A], `k${i}`, body) }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      });
      req.on('error', reject);
      reused.push(req);
      req.end(body);
    });
    assert.equal(status, 200);
  }
  agent.destroy();
  assert.ok(reused.slice(1).every((r) => r.reusedSocket), 'every request after the first reused the socket');
  assert.equal((await received('pooled')).length, 50);
});
