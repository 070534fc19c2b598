import { natsServerPid } from '../lib/cpu-meter.js';
import { HANDLER_MAIN } from '../lib/hosts.js';
import { connectNats, publishSignUpEvents } from '../lib/jetstream.js';
import { withServices } from '../lib/services.js';
import { alternate, loadAverage, medianResult } from '../lib/spread.js';
import { drain } from './handler-drain.js';

/** The `signup-handler` command that feeds the analytics read model, and the consumer it creates. */
export const INDEX_HANDLER_COMMAND = Object.freeze({ args: ['index'], durable: 'index-handler' });

/**
 * Section: `events` sign-ups already in the stream; how fast `signup-handler index`
 * stores them all in the SQL read model (`ProspectIndex`, in the sign-up database)
 * against how fast `signup-handler save` stores the same stream in `Prospects`, each
 * from a fresh PostgreSQL database in the same run, alternating (save, index, save,
 * index, …) for `rounds` rounds. The rows shown are each one's median round.
 *
 * @param {{ events: number, rounds: number, nodeArgsFor: (name: string) => string[], log: (line: string) => void }} settings
 */
export async function benchIndexDrain({ events, rounds, nodeArgsFor, log }) {
  return withServices(async ({ nats }) => {
    const nc = await connectNats(nats.url);
    try {
      const loadAtStart = loadAverage();
      log(`index drain: publishing ${events} events (load average ${loadAtStart?.join(' ') ?? 'n/a'})`);
      const publishMs = await publishSignUpEvents(nc, events);
      const common = { nc, natsPid: natsServerPid(nats.port), env: { MessageQueue__Url: nats.url }, events, script: HANDLER_MAIN };
      const report = (result) => log(`  ${result.handler}: ${result.eventsPerSecond.toFixed(0)} events/s (${(result.drainMs / 1000).toFixed(2)} s)`);
      const measured = await alternate(rounds, {
        save: async (round) => {
          log(`  round ${round}/${rounds}`);
          const result = await drain({
            ...common, key: 'save', handler: 'signup-handler save', durable: 'save-handler', args: ['save'],
            nodeArgs: nodeArgsFor(`index-drain-save-round${round}`),
          });
          report(result);
          return result;
        },
        index: async (round) => {
          const result = await drain({
            ...common, key: 'index', handler: `signup-handler ${INDEX_HANDLER_COMMAND.args.join(' ')}`, durable: INDEX_HANDLER_COMMAND.durable,
            args: [...INDEX_HANDLER_COMMAND.args], table: 'ProspectIndex', nodeArgs: nodeArgsFor(`index-drain-index-round${round}`),
          });
          report(result);
          return result;
        },
      });
      const byRate = (result) => result.eventsPerSecond;
      return {
        publishMs, loadAverage: loadAtStart, save: medianResult(measured.save, byRate), index: medianResult(measured.index, byRate), rounds: measured,
      };
    } finally {
      await nc.drain();
    }
  });
}
