import type Router from '@koa/router';
import type { Middleware } from 'koa';
import type { ExactRoute } from '../exact-routes.js';
import { isCorrelationId } from '@signup/domain';
import { readJson } from '../request-body.js';
import type { WebAppDependencies } from '../web-app-dependencies.js';

const IDEMPOTENCY_KEY_MESSAGE = 'Idempotency-Key must be a UUID, like 0b7ef1b0-3c0e-4a51-9f5e-2b1d2f4c7a10.';

/**
 * The JSON API: `POST /api/prospects` (201 when saved, 202 when queued, optional
 * `Idempotency-Key` UUID header) and the reference data in the shape of the
 * original reference-data API. Returns the sign-up route, for `exactRoutes`.
 */
export function registerApiRoutes(router: Router, deps: WebAppDependencies, bodyLimit: number): readonly ExactRoute[] {
  const postProspect: Middleware = async (ctx) => {
    const key = ctx.get('Idempotency-Key');
    if (key !== '' && !isCorrelationId(key)) {
      ctx.throw(400, IDEMPOTENCY_KEY_MESSAGE, { errors: { 'Idempotency-Key': IDEMPOTENCY_KEY_MESSAGE } });
    }
    const input = await readJson(ctx, bodyLimit);
    const result = await deps.signUp.execute(input, key === '' ? {} : { correlationId: key });
    deps.metrics.countSave(deps.saveHandlerName);
    if (result.status === 'saved') {
      ctx.status = 201;
      ctx.body = { prospectId: result.prospectId, correlationId: result.correlationId };
    } else {
      ctx.status = 202;
      ctx.body = { correlationId: result.correlationId };
    }
  };
  router.post('/api/prospects', postProspect);

  router.get('/api/countries', async (ctx) => {
    const { countries } = await deps.referenceData.load();
    ctx.body = countries.map((c) => ({ countryCode: c.countryCode, countryName: c.countryName }));
  });

  router.get('/api/roles', async (ctx) => {
    const { roles } = await deps.referenceData.load();
    ctx.body = roles.map((r) => ({ roleCode: r.roleCode, roleName: r.roleName }));
  });
  return [{ method: 'POST', path: '/api/prospects', handler: postProspect }];
}
