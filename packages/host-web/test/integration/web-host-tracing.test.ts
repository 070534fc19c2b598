import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { loadConfiguration, readSignUpSettings } from '@signup/adapters/config';
import { RecordingLogger } from '@signup/adapters/memory';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import request from 'supertest';
import { WebHost } from '../../src/composition/web-host.js';
import { waitUntil } from '@signup/test-support/wait-until';
import { SIGN_UP_FORM } from '../support/sign-up-form.js';

const FORM = SIGN_UP_FORM;
const SUBJECT = 'events.prospect.signedup';

describe('WebHost with tracing on (all-in-one, SQLite)', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  let folder: string;
  let host: WebHost;

  before(async () => {
    provider.register();
    folder = mkdtempSync(path.join(tmpdir(), 'signup-web-tracing-'));
    const settings = readSignUpSettings(loadConfiguration({ cwd: folder, env: { ConnectionStrings__SignUpDb: `sqlite:${path.join(folder, 'signup.db')}` } }));
    host = await WebHost.create(settings, {
      logger: new RecordingLogger(), tracer: trace.getTracer('signup'),
      analyticsPassword: { terminal: false, passwordFile: path.join(folder, 'analytics-password') },
    });
  });
  after(async () => {
    await host?.stop();
    await provider.shutdown();
    trace.disable();
    context.disable();
    propagation.disable();
    rmSync(folder, { recursive: true, force: true });
  });

  const named = (name: string): ReadableSpan[] => exporter.getFinishedSpans().filter((span) => span.name === name);

  it('makes one trace of the request, its validation, the publish and the in-process handling by both handlers, and a batch span linked to it around the SQL write', async () => {
    const res = await request(host.app.callback()).post('/api/prospects').send(FORM).expect(202);
    const insert = await waitUntil(() => named('INSERT Prospects')[0]);

    const [server] = named('POST /api/prospects');
    const [validate] = named('validate prospect');
    const [publish] = named(`publish ${SUBJECT}`);
    const ofSaveHandler = (span: ReadableSpan): boolean => span.attributes['messaging.consumer.group.name'] === 'save-handler';
    const receive = named(`receive ${SUBJECT}`).find(ofSaveHandler);
    const processes = named(`process ${SUBJECT}`).filter(ofSaveHandler);
    const perMessage = processes.find((span) => span.attributes['messaging.batch.message_count'] === undefined);
    const batch = processes.find((span) => span.attributes['messaging.batch.message_count'] === 1);
    const indexed = await waitUntil(() => named(`process ${SUBJECT}`).find((span) => span.attributes['messaging.consumer.group.name'] === 'index-handler'
      && span.attributes['messaging.batch.message_count'] === undefined));
    expect(server?.kind).to.equal(SpanKind.SERVER);
    expect(validate?.parentSpanContext?.spanId).to.equal(server?.spanContext().spanId);
    expect(publish?.parentSpanContext?.spanId).to.equal(server?.spanContext().spanId);
    expect(publish?.attributes['messaging.message.id']).to.equal((res.body as { correlationId: string }).correlationId);
    expect(receive?.parentSpanContext?.spanId).to.equal(publish?.spanContext().spanId);
    expect(perMessage?.parentSpanContext?.spanId).to.equal(publish?.spanContext().spanId);
    expect(indexed.parentSpanContext?.spanId, 'the in-process index handler too').to.equal(publish?.spanContext().spanId);
    expect(batch?.links.map((link) => link.context.spanId)).to.deep.equal([publish?.spanContext().spanId]);
    expect(insert.parentSpanContext?.spanId).to.equal(batch?.spanContext().spanId);
    expect(insert.attributes['db.system.name']).to.equal('sqlite');
  });

  it('times the publish on /metrics', async () => {
    const res = await request(host.app.callback()).get('/metrics').expect(200);
    expect(res.text).to.match(/^signup_publish_duration_seconds_count\{mode="memory"\} 1$/m);
  });
});
