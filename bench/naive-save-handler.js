import process from 'node:process';
import { decodeProspectSignedUpEvent, SIGNUP_EVENTS_STREAM } from '@signup/adapters/nats';
import { createKnex } from '@signup/adapters/sql';
import { PROSPECT_SIGNED_UP_SUBJECT } from '@signup/adapters/nats';
import { AckPolicy, connect, DeliverPolicy } from 'nats';

// The drain baseline: the original handler's design on JetStream. One message at
// a time: decode, insert one row in its own transaction, acknowledge, next.
const DURABLE = 'naive-save-handler';

const nc = await connect({ servers: process.env.MessageQueue__Url, name: DURABLE });
const knex = createKnex(process.env.ConnectionStrings__SignUpDb);
const jsm = await nc.jetstreamManager();
await jsm.consumers.add(SIGNUP_EVENTS_STREAM, {
  durable_name: DURABLE,
  ack_policy: AckPolicy.Explicit,
  deliver_policy: DeliverPolicy.All,
  filter_subject: PROSPECT_SIGNED_UP_SUBJECT,
});
const consumer = await nc.jetstream().consumers.get(SIGNUP_EVENTS_STREAM, DURABLE);
const messages = await consumer.consume();
process.stdout.write(`Listening on subject: ${PROSPECT_SIGNED_UP_SUBJECT}, queue: ${DURABLE}\n`);

const shutdown = () => messages.stop();
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

for await (const message of messages) {
  const event = decodeProspectSignedUpEvent(message.data);
  const { prospect } = event;
  await knex('Prospects').insert({
    FirstName: prospect.firstName,
    LastName: prospect.lastName,
    CompanyName: prospect.companyName ?? '',
    EmailAddress: prospect.emailAddress,
    CountryCode: prospect.country.countryCode,
    RoleCode: prospect.role.roleCode,
    SignedUpAt: event.signedUpAt,
    EventId: event.correlationId.toLowerCase(),
  });
  message.ack();
}
await nc.drain();
await knex.destroy();
