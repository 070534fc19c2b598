import type { Tracer } from '@opentelemetry/api';
import type { IHealthCheck, ILogger, IProspectAnalytics, IReferenceDataLoader, SignUpProspect } from '@signup/domain';
import type { WebMetrics } from './web-metrics.js';

/** Limits and timings of the web app; every field has a default. */
export interface WebAppOptions {
  /** Largest request body accepted, in bytes. Default 16 KiB. */
  readonly bodyLimitBytes?: number;
  /** How long `/health/ready` waits for each check. Default 2000 ms. */
  readonly readinessTimeoutMs?: number;
  /** Makes a span per request when given (tracing on); nothing is added to requests without it. */
  readonly tracer?: Tracer;
}

/** HTTP Basic credentials of the analytics (`Analytics:Username`, `Analytics:Password`). */
export interface AnalyticsCredentials {
  readonly username: string;
  readonly password: string;
}

/** The analytics dashboard and API (docs/analytics.md): the store they read and who may read it. */
export interface AnalyticsOptions {
  readonly store: IProspectAnalytics;
  readonly credentials: AnalyticsCredentials;
}

/** What `createApp` needs; built by the composition root, or by hand in tests. */
export interface WebAppDependencies {
  readonly signUp: SignUpProspect;
  /** Cached by the composition root: a sign-up must not query the database for the lists. */
  readonly referenceData: IReferenceDataLoader;
  readonly healthChecks: readonly IHealthCheck[];
  readonly logger: ILogger;
  readonly metrics: WebMetrics;
  /** The configured save handler's public name, the `handler` label of `prospect_saves_total`. */
  readonly saveHandlerName: string;
  readonly options?: WebAppOptions;
  /** Absent: the analytics are off and their routes answer 404. */
  readonly analytics?: AnalyticsOptions;
}
