import type Koa from 'koa';
import { ReferenceData, SignUpProspect, type ILogger, type IProspectAnalytics } from '@signup/domain';
import { RecordingLogger } from '@signup/adapters/memory';
import { createApp } from '../../src/http/create-app.js';
import type { AnalyticsCredentials } from '../../src/http/web-app-dependencies.js';
import { WebMetrics } from '../../src/http/web-metrics.js';

/**
 * The web app with the default reference data and the analytics over `store` (off when
 * `analytics` is undefined); a sign-up is refused, as only the analytics are exercised.
 */
export function appWithAnalytics(analytics: { store: IProspectAnalytics; credentials: AnalyticsCredentials } | undefined, logger: ILogger = new RecordingLogger()): Koa {
  const referenceData = { load: () => Promise.resolve(ReferenceData.defaults()) };
  return createApp({
    signUp: new SignUpProspect(referenceData, { name: 'AsynchronousProspectSaveHandler', save: () => Promise.reject(new Error('no sign-up expected')) }),
    referenceData,
    healthChecks: [],
    logger,
    metrics: new WebMetrics({ defaultMetrics: false }),
    saveHandlerName: 'AsynchronousProspectSaveHandler',
    ...(analytics === undefined ? {} : { analytics }),
  });
}
