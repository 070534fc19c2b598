import type Koa from 'koa';
import type { SinonSandbox, SinonStub } from 'sinon';
import {
  type AnalyticsFilter,
  type AnalyticsProspect,
  type AnalyticsProspectPage,
  type AnalyticsSummary,
  type IProspectAnalytics,
  type PageRequest,
} from '@signup/domain';
import { RecordingLogger } from '@signup/adapters/memory';
import { newIndexedProspect } from '@signup/test-support/prospect-index-contract';
import { appWithAnalytics } from '../../support/app-with-analytics.js';

export const CREDENTIALS = Object.freeze({ username: 'admin', password: 'correct horse battery staple' });

/** The `Authorization` header for these credentials. */
export function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

export const AUTHORIZATION = basic(CREDENTIALS.username, CREDENTIALS.password);

export const SUMMARY: AnalyticsSummary = Object.freeze({
  total: 3,
  byDay: [{ date: '2026-03-01', count: 1 }, { date: '2026-03-03', count: 2 }],
  byCountry: [{ countryCode: 'GBR', countryName: 'United Kingdom', count: 2 }, { countryCode: 'USA', countryName: 'United States', count: 1 }],
  byRole: [{ roleCode: 'EN', roleName: 'Engineer', count: 3 }],
  topCompanies: [{ companyName: 'Analytical Engines', count: 2 }],
});

export const PROSPECT: AnalyticsProspect = Object.freeze({
  ...newIndexedProspect({ eventId: '0b7ef1b0-3c0e-4a51-9f5e-2b1d2f4c7a10' }),
  signUpDate: '2026-03-03T10:15:00.000Z',
});

export interface AnalyticsTestApp {
  readonly app: Koa;
  readonly callback: ReturnType<Koa['callback']>;
  readonly summary: SinonStub<[AnalyticsFilter], Promise<AnalyticsSummary>>;
  readonly list: SinonStub<[AnalyticsFilter, PageRequest], Promise<AnalyticsProspectPage>>;
  readonly stream: SinonStub<[AnalyticsFilter], AsyncIterable<AnalyticsProspect>>;
  readonly logger: RecordingLogger;
}

async function* rowsOf(rows: readonly AnalyticsProspect[]): AsyncGenerator<AnalyticsProspect> {
  for (const row of rows) yield await Promise.resolve(row);
}

/**
 * The real app with the analytics on, over a stubbed `IProspectAnalytics` answering
 * `SUMMARY` and one page holding `PROSPECT`; `analytics: false` builds it with them off.
 * `credentials` replaces `CREDENTIALS`.
 */
export function createAnalyticsTestApp(
  sandbox: SinonSandbox,
  options: { analytics?: boolean; credentials?: { username: string; password: string } } = {},
): AnalyticsTestApp {
  const summary = sandbox.stub<[AnalyticsFilter], Promise<AnalyticsSummary>>().resolves(SUMMARY);
  const list = sandbox.stub<[AnalyticsFilter, PageRequest], Promise<AnalyticsProspectPage>>()
    .callsFake((_filter, page) => Promise.resolve({ total: 1, page: page.page, pageSize: page.pageSize, items: [PROSPECT] }));
  const stream = sandbox.stub<[AnalyticsFilter], AsyncIterable<AnalyticsProspect>>().callsFake(() => rowsOf([PROSPECT]));
  const store: IProspectAnalytics = { summary, list, stream };
  const logger = new RecordingLogger();
  const app = appWithAnalytics(options.analytics === false ? undefined : { store, credentials: options.credentials ?? CREDENTIALS }, logger);
  return { app, callback: app.callback(), summary, list, stream, logger };
}
