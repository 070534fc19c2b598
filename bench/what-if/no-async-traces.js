import { createRequire } from 'node:module';
import path from 'node:path';

// What-if, loaded with `node --import`: the NATS client as if connected with
// `noAsyncTraces: true`, so a request (every JetStream publish is one) does not
// capture the stack traces it only uses to report a failure.
const require = createRequire(import.meta.url);
const { NatsConnectionImpl } = require(path.join(path.dirname(require.resolve('nats')), 'lib/nats-base-client/nats.js'));
const request = NatsConnectionImpl.prototype.request;
NatsConnectionImpl.prototype.request = function requestWithoutTraces(...args) {
  this.protocol.options.noAsyncTraces = true;
  return request.apply(this, args);
};
