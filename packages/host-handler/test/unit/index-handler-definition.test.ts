import { expect } from 'chai';
import { describe, it } from 'mocha';
import { IndexProspectEventHandler, IProspectIndex, type ILogger } from '@signup/domain';
import { loadHandlerSettings } from '../../src/composition/load-handler-settings.js';
import type { HandlerContext } from '../../src/handlers/handler-definition.js';
import { indexHandlerDefinition } from '../../src/handlers/index-handler-definition.js';

const SILENT: ILogger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

function contextRecording(calls: string[], replay: () => Promise<void> = () => Promise.resolve()): HandlerContext {
  const index = { clear: () => { calls.push('clear'); return Promise.resolve(); }, indexMany: () => Promise.resolve([]) };
  return {
    settings: loadHandlerSettings({ env: { MessageQueue__Url: 'nats://127.0.0.1:4222' } }),
    logger: SILENT,
    get: <T>(token: unknown) => {
      calls.push(`get ${String(token === IProspectIndex ? 'IProspectIndex' : token === IndexProspectEventHandler ? 'IndexProspectEventHandler' : token)}`);
      return (token === IProspectIndex ? index : { name: 'index-handler' }) as T;
    },
    replayFromStart: () => { calls.push('replayFromStart'); return replay(); },
  };
}

describe('indexHandlerDefinition', () => {
  it('subscribes as index-handler with the index use case and the ports it resolves', () => {
    const definition = indexHandlerDefinition({ rebuild: false });
    const calls: string[] = [];

    expect(definition.name).to.equal('index-handler');
    expect(definition.ports).to.deep.equal(['IProspectIndex', 'IReferenceDataLoader']);
    expect(definition.createHandler(contextRecording(calls)).name).to.equal('index-handler');
    expect(calls).to.deep.equal(['get IndexProspectEventHandler']);
    expect(definition.beforeSubscribe).to.equal(undefined);
  });

  it('with rebuild resets the consumer first, then empties the store, so a crash in between still replays everything', async () => {
    const calls: string[] = [];

    await indexHandlerDefinition({ rebuild: true }).beforeSubscribe!(contextRecording(calls));

    expect(calls).to.deep.equal(['replayFromStart', 'get IProspectIndex', 'clear']);
  });

  it('with rebuild leaves the store alone when the consumer cannot be reset', async () => {
    const calls: string[] = [];
    const inUse = new Error('Other instances of index-handler are running');

    let thrown: unknown;
    try {
      await indexHandlerDefinition({ rebuild: true }).beforeSubscribe!(contextRecording(calls, () => Promise.reject(inUse)));
    } catch (error) {
      thrown = error;
    }

    expect(thrown).to.equal(inUse);
    expect(calls).to.deep.equal(['replayFromStart']);
  });

  it('handles one batch at a time only when the read model is on SQLite', () => {
    const { tuning } = indexHandlerDefinition({ rebuild: false });
    const settings = loadHandlerSettings({ env: { MessageQueue__Url: 'nats://127.0.0.1:4222' } });

    expect(tuning!({ settings, analyticsDatabase: { client: 'better-sqlite3' } as never })).to.deep.equal({ concurrentBatches: 1 });
    expect(tuning!({ settings, analyticsDatabase: { client: 'pg' } as never })).to.deep.equal({});
    expect(tuning!({ settings })).to.deep.equal({});
  });
});
