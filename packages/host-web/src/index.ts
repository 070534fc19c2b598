export { createApp } from './http/create-app.js';
export { CONTENT_SECURITY_POLICY } from './http/security-headers.js';
export { DEFAULT_BODY_LIMIT_BYTES } from './http/request-body.js';
export { RETRY_AFTER_SECONDS } from './http/error-middleware.js';
export type { AnalyticsCredentials, AnalyticsOptions, WebAppDependencies, WebAppOptions } from './http/web-app-dependencies.js';
export { resolveAnalyticsCredentials, type AnalyticsCredentialsPolicy } from './http/analytics-credentials.js';
export { WebMetrics, type WebMetricsOptions } from './http/web-metrics.js';
export { buildContainer, planWebHost, type ContainerOverrides, type WebInfrastructure, type WebPlan, type WebPlanOptions } from './composition/build-container.js';
export { WebHost, type WebHostOptions } from './composition/web-host.js';
