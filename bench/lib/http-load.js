import process from 'node:process';
import autocannon from 'autocannon';

let connectionsOpened = 0;

/** A valid `POST /api/prospects` body with an email address of its own. */
function signUpBody() {
  connectionsOpened += 1;
  return JSON.stringify({
    firstName: 'Bench',
    lastName: `Prospect${connectionsOpened}`,
    emailAddress: `bench${connectionsOpened}.${process.pid}@example.com`,
    companyName: 'Load Test Ltd',
    countryCode: 'GBR',
    roleCode: 'EN',
  });
}

/**
 * @typedef {object} LoadResult
 * @property {number} requestsPerSecond answered requests per second over the run (any status)
 * @property {number} okPerSecond 2xx answers per second
 * @property {number} p50Ms
 * @property {number} p99Ms
 * @property {number} maxMs
 * @property {number} total answered requests
 * @property {number} ok 2xx answers
 * @property {Record<string, number>} statusCodes answers by status code
 * @property {number} errors connection errors and timeouts (no answer at all)
 * @property {number} durationS
 */

/**
 * Drives `POST /api/prospects` with autocannon: `connections` keep-alive
 * connections, each sending one prebuilt sign-up (its own email address) over and
 * over without an `Idempotency-Key`, so the web gives every request a new
 * correlation id and each is a new sign-up. Prebuilt requests keep the load
 * generator cheap (a request rebuilt per send costs it about twice the CPU).
 * With `overallRate` the offered load is fixed (latencies corrected for
 * coordinated omission); without it every connection sends as fast as answers come.
 *
 * @param {{ url: string, durationS: number, connections?: number, overallRate?: number, timeoutS?: number }} options
 * @returns {Promise<LoadResult>}
 */
export async function postSignUps({ url, durationS, connections = 50, overallRate, timeoutS = 10 }) {
  const result = await autocannon({
    url: `${url}/api/prospects`,
    connections,
    duration: durationS,
    timeout: timeoutS,
    ...(overallRate === undefined ? {} : { overallRate }),
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    setupClient: (client) => client.setBody(signUpBody()),
  });
  const statusCodes = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = count;
  const ok = result['2xx'];
  const total = result['1xx'] + ok + result['3xx'] + result['4xx'] + result['5xx'];
  const elapsedS = result.duration;
  return {
    requestsPerSecond: total / elapsedS,
    okPerSecond: ok / elapsedS,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    total,
    ok,
    statusCodes,
    errors: result.errors,
    durationS: elapsedS,
  };
}
