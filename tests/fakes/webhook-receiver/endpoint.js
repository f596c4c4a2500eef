'use strict';
// One configured webhook endpoint of the fake receiver: its settings, what it received and how
// it answers. Verification uses the Standard Webhooks reference library, never IRISX's code, so
// a test that passes here proves IRISX signs the way other receivers will check.
const { Webhook } = require('standardwebhooks');

const BEHAVIOURS = new Set(['ok', 'fail', 'gone', 'slow']);
const KEYS = new Set(['secrets', 'behaviour', 'fail_times', 'fail_status', 'delay_ms']);

class ConfigError extends Error {}

function nonNegativeInteger(value, key) {
  if (!Number.isInteger(value) || value < 0) throw new ConfigError(`${key} must be an integer >= 0`);
  return value;
}

// Unknown keys are rejected: a typo in a test ("fail_time") must not silently become a default.
function parseSettings(settings) {
  if (settings === null || typeof settings !== 'object' || Array.isArray(settings)) {
    throw new ConfigError('settings must be a JSON object');
  }
  for (const key of Object.keys(settings)) {
    if (!KEYS.has(key)) throw new ConfigError(`unknown setting: ${key}`);
  }
  const { secrets } = settings;
  if (!Array.isArray(secrets) || secrets.length === 0 || !secrets.every((s) => typeof s === 'string')) {
    throw new ConfigError('secrets must be a non-empty array of strings');
  }
  const webhooks = secrets.map((secret, i) => {
    try {
      return new Webhook(secret);
    } catch (err) {
      throw new ConfigError(`secrets[${i}]: ${err.message}`);
    }
  });
  const behaviour = settings.behaviour ?? 'ok';
  if (!BEHAVIOURS.has(behaviour)) throw new ConfigError(`behaviour must be one of ${[...BEHAVIOURS].join(', ')}`);
  const failStatus = settings.fail_status ?? 500;
  if (!Number.isInteger(failStatus) || failStatus < 100 || failStatus > 599) {
    throw new ConfigError('fail_status must be an HTTP status code');
  }
  return {
    public: {
      secrets,
      behaviour,
      fail_times: nonNegativeInteger(settings.fail_times ?? 0, 'fail_times'),
      fail_status: failStatus,
      delay_ms: nonNegativeInteger(settings.delay_ms ?? 0, 'delay_ms'),
    },
    webhooks,
  };
}

class Endpoint {
  constructor(settings) {
    const parsed = parseSettings(settings);
    this.settings = parsed.public;
    this.webhooks = parsed.webhooks;
    this.received = [];
    this.verifiedCount = 0;
    this.ids = new Set();
    this.attemptsById = new Map(); // verified attempts per webhook-id, for "fail N times"
  }

  // Records the delivery and decides the answer: { status, delayMs }.
  deliver(headers, rawBody) {
    const verifiedWith = [];
    const errors = [];
    this.webhooks.forEach((webhook, index) => {
      try {
        // jsonParse off: a delivery is verified by its signature alone, whatever the body holds.
        webhook.verify(rawBody, headers, { jsonParse: false });
        verifiedWith.push(index);
      } catch (err) {
        errors.push(`secrets[${index}]: ${err.message}`);
      }
    });
    const id = headers['webhook-id'] ?? null;
    const verified = verifiedWith.length > 0;
    const status = verified ? this.statusFor(id) : 400;
    if (verified) this.verifiedCount += 1;
    if (id !== null) this.ids.add(id);
    this.received.push({
      webhook_id: id,
      webhook_timestamp: headers['webhook-timestamp'] ?? null,
      webhook_signature: headers['webhook-signature'] ?? null,
      body: rawBody.toString('utf8'),
      verified,
      verified_with: verifiedWith,
      // Why verification failed, per secret: saves guessing when a test fails.
      errors: verified ? [] : errors,
      status,
      received_at_ms: Date.now(),
    });
    const delayMs = verified && this.settings.behaviour === 'slow' ? this.settings.delay_ms : 0;
    return { status, delayMs };
  }

  statusFor(id) {
    switch (this.settings.behaviour) {
      case 'gone':
        return 410;
      case 'fail': {
        const attempts = (this.attemptsById.get(id) ?? 0) + 1;
        this.attemptsById.set(id, attempts);
        return attempts <= this.settings.fail_times ? this.settings.fail_status : 200;
      }
      default:
        return 200;
    }
  }

  stats() {
    return { received: this.received.length, verified: this.verifiedCount, distinct_ids: this.ids.size };
  }
}

module.exports = { Endpoint, ConfigError };
