import { createRequire } from 'node:module';
import path from 'node:path';
import { clearInterval, setInterval } from 'node:timers';
import { TextDecoder } from 'node:util';

// What-if, loaded with `node --import`: JetStream publishes acknowledged through
// one inbox subscription per connection and a map of pending acks swept by one
// timer, instead of the client's general request machinery (an object, a
// promise, a timer and error objects per publish). Only what SignUp uses is
// covered: a message id header, a timeout, the PubAck or its error.
const require = createRequire(import.meta.url);
const base = path.join(path.dirname(require.resolve('nats')), 'lib');
const { JetStreamClientImpl } = require(path.join(base, 'jetstream/jsclient.js'));
const { createInbox, NatsError } = require(path.join(base, 'nats-base-client/core.js'));
const { headers } = require(path.join(base, 'nats-base-client/headers.js'));

const SWEEP_MS = 50;
const decoder = new TextDecoder();
const trackers = new WeakMap();

function trackerFor(nc) {
  let tracker = trackers.get(nc);
  if (tracker !== undefined) return tracker;
  const prefix = createInbox();
  const pending = new Map();
  let next = 0;
  const settle = (token, error, ack) => {
    const entry = pending.get(token);
    if (entry === undefined) return;
    pending.delete(token);
    if (error === undefined) entry.resolve(ack);
    else entry.reject(error);
  };
  nc.subscribe(`${prefix}.*`, {
    callback: (error, message) => {
      if (error !== null) return;
      const token = message.subject.slice(prefix.length + 1);
      if (message.headers?.code === 503) {
        settle(token, new NatsError('no responders', '503'));
        return;
      }
      const ack = JSON.parse(decoder.decode(message.data));
      if (ack.error !== undefined) settle(token, new NatsError(ack.error.description ?? 'JetStream error', String(ack.error.code)));
      else settle(token, undefined, { ...ack, duplicate: ack.duplicate ?? false });
    },
  });
  const sweeper = setInterval(() => {
    const now = Date.now();
    for (const [token, entry] of pending) {
      if (entry.deadline <= now) settle(token, new NatsError('timeout', 'TIMEOUT'));
    }
  }, SWEEP_MS);
  sweeper.unref();
  void nc.closed().then(() => clearInterval(sweeper));
  tracker = {
    publish(subject, data, timeoutMs, msgID) {
      next += 1;
      const token = String(next);
      const messageHeaders = headers();
      if (msgID !== undefined) messageHeaders.set('Nats-Msg-Id', msgID);
      return new Promise((resolve, reject) => {
        pending.set(token, { resolve, reject, deadline: Date.now() + timeoutMs });
        nc.publish(subject, data, { reply: `${prefix}.${token}`, headers: messageHeaders });
      });
    },
  };
  trackers.set(nc, tracker);
  return tracker;
}

JetStreamClientImpl.prototype.publish = function leanPublish(subject, data, options = {}) {
  return trackerFor(this.nc).publish(subject, data, options.timeout ?? this.timeout, options.msgID);
};
