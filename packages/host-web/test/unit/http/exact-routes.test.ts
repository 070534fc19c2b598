import { describe, it } from 'mocha';
import { expect } from 'chai';
import sinon from 'sinon';
import request from 'supertest';
import Koa, { type Middleware } from 'koa';
import Router from '@koa/router';
import { exactRoutes } from '../../../src/http/exact-routes.js';
import { matchedRoute } from '../../../src/http/request-route.js';

describe('exactRoutes', () => {
  function appWith(handler: Middleware): { callback: ReturnType<Koa['callback']>; seen: (string | undefined)[] } {
    const seen: (string | undefined)[] = [];
    const app = new Koa();
    app.use(async (ctx, next) => {
      await next();
      seen.push(matchedRoute(ctx));
    });
    app.use(exactRoutes([{ method: 'POST', path: '/api/things', handler }]));
    const router = new Router();
    router.all('/api/things', (ctx) => {
      ctx.body = `router ${ctx.method}`;
    });
    router.get('/api/things/:id', (ctx) => {
      ctx.body = 'one thing';
    });
    app.use(router.routes());
    app.use(router.allowedMethods());
    return { callback: app.callback(), seen };
  }

  it('runs the handler of the exact method and path, with the route recorded as the router records it', async () => {
    const { callback, seen } = appWith((ctx) => {
      ctx.body = 'exact';
    });
    const res = await request(callback).post('/api/things?x=1').expect(200);
    expect(res.text).to.equal('exact');
    expect(seen).to.deep.equal(['/api/things']);
  });

  it('leaves another case, a trailing slash and other methods to the router', async () => {
    const handler = sinon.spy();
    const { callback } = appWith(handler);
    expect((await request(callback).post('/API/Things').expect(200)).text).to.equal('router POST');
    expect((await request(callback).post('/api/things/').expect(200)).text).to.equal('router POST');
    expect((await request(callback).put('/api/things').expect(200)).text).to.equal('router PUT');
    await request(callback).head('/api/things').expect(200);
    sinon.assert.notCalled(handler);
  });

  it('leaves the route of what the router answers to the router: its pattern, not the path', async () => {
    const { callback, seen } = appWith(() => undefined);
    await request(callback).get('/api/things/42').expect(200);
    expect(seen).to.deep.equal(['/api/things/:id']);
  });

  it('passes anything else on untouched', async () => {
    const { callback, seen } = appWith(() => undefined);
    await request(callback).post('/api/other').expect(404);
    expect(seen).to.deep.equal([undefined]);
  });

  it('refuses two routes with the same method and path when it is built', () => {
    const handler: Middleware = () => undefined;
    expect(() => exactRoutes([{ method: 'POST', path: '/a', handler }, { method: 'POST', path: '/a', handler }]))
      .to.throw('Two exact routes for POST /a.');
  });
});
