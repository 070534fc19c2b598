import type Koa from 'koa';
import type { SinonSandbox, SinonStub } from 'sinon';
import {
  ReferenceData,
  SignUpProspect,
  type IHealthCheck,
  type IProspectSaveHandler,
  type IReferenceDataLoader,
  type ProspectSaveResult,
  type ProspectSignedUpEvent,
} from '@signup/domain';
import { RecordingLogger } from '@signup/adapters/memory';
import { createApp } from '../../../src/http/create-app.js';
import type { WebAppOptions } from '../../../src/http/web-app-dependencies.js';
import { WebMetrics } from '../../../src/http/web-metrics.js';

/** A form a person could submit. */
export const VALID_INPUT = Object.freeze({
  firstName: 'Ada',
  lastName: 'Lovelace',
  emailAddress: 'ada@example.com',
  companyName: 'Analytical Engines',
  countryCode: 'GBR',
  roleCode: 'EN',
});

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface TestApp {
  readonly app: Koa;
  readonly callback: ReturnType<Koa['callback']>;
  readonly save: SinonStub<[ProspectSignedUpEvent], Promise<ProspectSaveResult>>;
  readonly loadReferenceData: SinonStub<[], Promise<ReferenceData>>;
  readonly logger: RecordingLogger;
  readonly metrics: WebMetrics;
}

export interface TestAppOptions {
  readonly saveHandlerName?: string;
  readonly healthChecks?: readonly IHealthCheck[];
  readonly options?: WebAppOptions;
  readonly defaultMetrics?: boolean;
}

/**
 * The real app around the real `SignUpProspect`, with a stubbed save handler
 * (queues by default) and stubbed reference data (the defaults).
 */
export function createTestApp(sandbox: SinonSandbox, options: TestAppOptions = {}): TestApp {
  const save = sandbox.stub<[ProspectSignedUpEvent], Promise<ProspectSaveResult>>()
    .callsFake((event) => Promise.resolve({ status: 'queued', correlationId: event.correlationId }));
  const loadReferenceData = sandbox.stub<[], Promise<ReferenceData>>().callsFake(() => Promise.resolve(ReferenceData.defaults()));
  const saveHandler: IProspectSaveHandler = { name: options.saveHandlerName ?? 'AsynchronousProspectSaveHandler', save };
  const referenceData: IReferenceDataLoader = { load: loadReferenceData };
  const logger = new RecordingLogger();
  const metrics = new WebMetrics({ defaultMetrics: options.defaultMetrics ?? false });
  const app = createApp({
    signUp: new SignUpProspect(referenceData, saveHandler),
    referenceData,
    healthChecks: options.healthChecks ?? [],
    logger,
    metrics,
    saveHandlerName: saveHandler.name,
    ...(options.options === undefined ? {} : { options: options.options }),
  });
  return { app, callback: app.callback(), save, loadReferenceData, logger, metrics };
}

/** The value of the hidden `submissionId` field of a rendered form. */
export function submissionIdOf(page: string): string | undefined {
  return /<input type="hidden" name="submissionId" value="([^"]*)">/.exec(page)?.[1];
}

/** The markup of the form group holding the control with this id (label, control, hint, error). */
export function fieldGroupOf(page: string, id: string): string {
  const start = page.indexOf(`<label for="${id}"`);
  if (start < 0) throw new Error(`no label for ${id}`);
  const end = page.indexOf('<label for=', start + 1);
  return page.slice(start, end < 0 ? page.indexOf('</form>', start) : end);
}
