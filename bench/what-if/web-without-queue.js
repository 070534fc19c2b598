import 'reflect-metadata';
import process from 'node:process';
import { ConsoleLogger } from '@signup/adapters/logging';
import { InMemoryReferenceDataLoader } from '@signup/adapters/memory';
import { AsynchronousProspectSaveHandler, SignUpProspect } from '@signup/domain';
import { createApp, WebMetrics } from '@signup/host-web';

// What-if: signup-web's own app (routes, middleware, validation, metrics) in
// asynchronous mode over a publisher that does nothing, to separate the cost of
// the web tier from the cost of publishing to JetStream.
const publisher = { publish: () => Promise.resolve() };
const referenceData = new InMemoryReferenceDataLoader();
const app = createApp({
  signUp: new SignUpProspect(referenceData, new AsynchronousProspectSaveHandler(publisher)),
  referenceData,
  healthChecks: [],
  logger: new ConsoleLogger({ name: 'web-without-queue', level: 'warn' }),
  metrics: new WebMetrics(),
  saveHandlerName: 'AsynchronousProspectSaveHandler',
});
const server = app.listen(Number(process.env.Web__Port ?? 8020), '127.0.0.1');
const shutdown = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
