import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { encodeProspectSignedUpEvent, ensureSignUpStream, SIGNUP_EVENTS_STREAM } from '@signup/adapters/nats';
import { PROSPECT_SIGNED_UP_SUBJECT } from '@signup/adapters/nats';
import { connect } from 'nats';

/** @param {string} url */
export function connectNats(url) {
  return connect({ servers: url, name: 'signup-bench' });
}

/**
 * Publishes `count` valid sign-up events to `SIGNUP_EVENTS` the way the web does
 * (wire format of the codec, `Nats-Msg-Id` = correlation id, waiting for every
 * PubAck), `inFlight` at a time. Creates the stream first.
 *
 * @param {import('nats').NatsConnection} nc
 * @param {number} count
 * @param {number} [inFlight]
 * @returns {Promise<number>} milliseconds it took
 */
export async function publishSignUpEvents(nc, count, inFlight = 1000) {
  await ensureSignUpStream(nc);
  const js = nc.jetstream();
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next += 1;
      const index = next;
      const event = {
        correlationId: randomUUID(),
        signedUpAt: new Date(),
        prospect: {
          firstName: 'Drain',
          lastName: `Prospect${index}`,
          companyName: 'Load Test Ltd',
          emailAddress: `drain${index}@example.com`,
          country: { countryCode: 'GBR', countryName: 'United Kingdom' },
          role: { roleCode: 'EN', roleName: 'Engineer' },
        },
      };
      await js.publish(PROSPECT_SIGNED_UP_SUBJECT, encodeProspectSignedUpEvent(event), { msgID: event.correlationId, timeout: 30_000 });
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return performance.now() - started;
}

/**
 * Messages of `SIGNUP_EVENTS` a durable consumer has not acknowledged yet
 * (not delivered + delivered and unacknowledged); undefined when the consumer does not exist.
 *
 * @param {import('nats').NatsConnection} nc
 * @param {string} durable
 * @returns {Promise<number | undefined>}
 */
export async function consumerLag(nc, durable) {
  const jsm = await nc.jetstreamManager();
  try {
    const info = await jsm.consumers.info(SIGNUP_EVENTS_STREAM, durable);
    return info.num_pending + info.num_ack_pending;
  } catch {
    return undefined;
  }
}

/**
 * How many events `SIGNUP_EVENTS` holds: every sign-up the web has had acknowledged.
 *
 * @param {import('nats').NatsConnection} nc
 * @returns {Promise<number>}
 */
export async function storedEventCount(nc) {
  const jsm = await nc.jetstreamManager();
  return (await jsm.streams.info(SIGNUP_EVENTS_STREAM)).state.messages;
}
