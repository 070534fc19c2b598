// CPU cost of one POST /api/prospects in signup-web's own app, without sockets: the app of
// `createApp` over a publisher that does nothing (as the what-if of the web tier) against bare
// Koa with @koa/bodyparser (as bench/bare-koa-server.js), each driven through `app.callback()`
// with an in-memory request and a response written to a sink that discards it (headers are
// still serialised). No HTTP parsing, no socket writes, no load generator on the other core:
// what is left is what the app itself does, steadier than req/s on a shared machine.
// Requests run one after another; modes interleave over several rounds and the best counts.
// Usage: node bench/scenarios/web-app-in-process.js [--requests N] [--rounds N] [--packages DIR]
// --packages adds the app of another build (a checkout's `packages` folder, built) to compare.
import 'reflect-metadata';
import { Buffer } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import path from 'node:path';
import process from 'node:process';
import { Duplex } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { bodyParser } from '@koa/bodyparser';
import Koa from 'koa';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '10' },
    packages: { type: 'string' },
  },
});
const REQUESTS = Number(values.requests);
const ROUNDS = Number(values.rounds);

function bareKoa() {
  const app = new Koa();
  app.use(bodyParser({ enableTypes: ['json'], jsonLimit: 16 * 1024 }));
  app.use((ctx) => {
    if (ctx.method === 'POST' && ctx.path === '/api/prospects') {
      ctx.status = 202;
      ctx.body = { correlationId: ctx.get('Idempotency-Key') || randomUUID() };
    } else {
      ctx.status = 404;
    }
  });
  return app.callback();
}

/** signup-web's app over a no-op publisher, from this repository or from another build's `packages` folder. */
async function signUpApp(packagesDir) {
  const load = (pkg, entry, bare) => (packagesDir === undefined
    ? import(bare)
    : import(pathToFileURL(path.resolve(packagesDir, pkg, 'dist/src', entry)).href));
  const { createApp, WebMetrics } = await load('host-web', 'index.js', '@signup/host-web');
  const { ConsoleLogger } = await load('adapters', 'logging/index.js', '@signup/adapters/logging');
  const { InMemoryReferenceDataLoader } = await load('adapters', 'memory/index.js', '@signup/adapters/memory');
  const { AsynchronousProspectSaveHandler, SignUpProspect } = await load('domain', 'index.js', '@signup/domain');
  const referenceData = new InMemoryReferenceDataLoader();
  const app = createApp({
    signUp: new SignUpProspect(referenceData, new AsynchronousProspectSaveHandler({ publish: () => Promise.resolve() })),
    referenceData,
    healthChecks: [],
    logger: new ConsoleLogger({ name: 'web-app-in-process', level: 'warn' }),
    metrics: new WebMetrics(),
    saveHandlerName: 'AsynchronousProspectSaveHandler',
  });
  return app.callback();
}

const BODY = Buffer.from(JSON.stringify({
  firstName: 'Bench',
  lastName: 'Prospect',
  emailAddress: 'bench.prospect@example.com',
  companyName: 'Load Test Ltd',
  countryCode: 'GBR',
  roleCode: 'EN',
}));
const SOCKET = new Socket();

/** Sends one sign-up through `callback`; resolves with the status once the response has finished. */
function send(callback) {
  const req = new IncomingMessage(SOCKET);
  req.method = 'POST';
  req.url = '/api/prospects';
  req.httpVersionMajor = 1;
  req.httpVersionMinor = 1;
  req.httpVersion = '1.1';
  req.headers = { host: '127.0.0.1', 'content-type': 'application/json', 'content-length': String(BODY.length) };
  req.push(BODY);
  req.push(null);
  const res = new ServerResponse(req);
  const sink = new Duplex({ read() {}, write(chunk, encoding, done) { done(); }, writev(chunks, done) { done(); } });
  res.assignSocket(sink);
  return new Promise((resolve) => {
    res.on('finish', () => {
      res.detachSocket(sink);
      resolve(res.statusCode);
    });
    callback(req, res);
  });
}

const modes = [['bare Koa', bareKoa()], ['signup-web app, no-op publisher', await signUpApp()]];
if (values.packages !== undefined) modes.push([`signup-web app of ${values.packages}`, await signUpApp(values.packages)]);

const best = new Map();
for (let round = 0; round < ROUNDS; round += 1) {
  for (const [name, callback] of modes) {
    const started = process.cpuUsage();
    for (let index = 0; index < REQUESTS; index += 1) {
      const status = await send(callback);
      if (status !== 202) throw new Error(`${name} answered ${status}`);
    }
    const used = process.cpuUsage(started);
    // The first rounds warm the JIT up.
    if (round >= 2) best.set(name, Math.min(best.get(name) ?? Infinity, (used.user + used.system) / REQUESTS));
  }
}

const bare = best.get('bare Koa');
process.stdout.write(`CPU µs per request, best of rounds 3-${ROUNDS} of ${REQUESTS} requests\n`);
for (const [name, micros] of best) process.stdout.write(`${micros.toFixed(2).padStart(7)} µs  ${(micros / bare).toFixed(2)} × bare Koa  ${name}\n`);
