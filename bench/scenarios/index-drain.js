import { natsServerPid } from '../lib/cpu-meter.js';
import { HANDLER_MAIN } from '../lib/hosts.js';
import { connectNats, publishSignUpEvents } from '../lib/jetstream.js';
import { withServices } from '../lib/services.js';
import { drain } from './handler-drain.js';

/** The `signup-handler` command that feeds the analytics read model, and the consumer it creates. */
export const INDEX_HANDLER_COMMAND = Object.freeze({ args: ['index'], durable: 'index-handler' });

/**
 * Section: `events` sign-ups already in the stream; how fast `signup-handler index`
 * stores them all in the SQL read model (`ProspectIndex`, in the sign-up database)
 * against how fast `signup-handler save` stores the same stream in `Prospects`, each
 * from a fresh PostgreSQL database in the same run.
 *
 * @param {{ events: number, nodeArgsFor: (name: string) => string[], log: (line: string) => void }} settings
 */
export async function benchIndexDrain({ events, nodeArgsFor, log }) {
  return withServices(async ({ nats }) => {
    const nc = await connectNats(nats.url);
    try {
      log(`index drain: publishing ${events} events`);
      const publishMs = await publishSignUpEvents(nc, events);
      const common = { nc, natsPid: natsServerPid(nats.port), env: { MessageQueue__Url: nats.url }, events, script: HANDLER_MAIN };
      const report = (result) => log(`  ${result.handler}: ${result.eventsPerSecond.toFixed(0)} events/s (${(result.drainMs / 1000).toFixed(2)} s)`);
      const save = await drain({
        ...common, key: 'save', handler: 'signup-handler save', durable: 'save-handler', args: ['save'], nodeArgs: nodeArgsFor('index-drain-save'),
      });
      report(save);
      const index = await drain({
        ...common, key: 'index', handler: `signup-handler ${INDEX_HANDLER_COMMAND.args.join(' ')}`, durable: INDEX_HANDLER_COMMAND.durable,
        args: [...INDEX_HANDLER_COMMAND.args], table: 'ProspectIndex', nodeArgs: nodeArgsFor('index-drain-index'),
      });
      report(index);
      return { publishMs, save, index };
    } finally {
      await nc.drain();
    }
  });
}
