import { randomUUID } from 'node:crypto';
import process from 'node:process';
import { bodyParser } from '@koa/bodyparser';
import Koa from 'koa';

// The ceiling of the web tier: Koa and a JSON body parser with the host's body
// limit, answering POST /api/prospects with 202 and doing nothing else.
const port = Number(process.env.Web__Port ?? 8020);
const limit = Number(process.env.BENCH_BODY_LIMIT_BYTES ?? 16 * 1024);

const app = new Koa();
app.use(bodyParser({ enableTypes: ['json'], jsonLimit: limit }));
app.use((ctx) => {
  if (ctx.method === 'POST' && ctx.path === '/api/prospects') {
    ctx.status = 202;
    ctx.body = { correlationId: ctx.get('Idempotency-Key') || randomUUID() };
  } else if (ctx.method === 'GET' && ctx.path === '/health/live') {
    ctx.body = { status: 'live' };
  } else {
    ctx.status = 404;
  }
});

const server = app.listen(port, '127.0.0.1');
const shutdown = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
