import { randomUUID } from 'node:crypto';
import type Router from '@koa/router';
import type { Middleware } from 'koa';
import type { ExactRoute } from '../exact-routes.js';
import { isCorrelationId, ProspectInvalidError, type ProspectField } from '@signup/domain';
import { firstValue, readForm, type FormFields } from '../request-body.js';
import type { WebAppDependencies } from '../web-app-dependencies.js';
import { renderLandingPage } from '../views/landing-page.js';
import { renderSignUpPage } from '../views/sign-up-page.js';
import { renderThankYouPage } from '../views/thank-you-page.js';

const FORM_FIELDS: readonly ProspectField[] = ['firstName', 'lastName', 'emailAddress', 'companyName', 'countryCode', 'roleCode'];

function keptValues(fields: FormFields): Partial<Record<ProspectField, string>> {
  const values: Partial<Record<ProspectField, string>> = {};
  for (const field of FORM_FIELDS) {
    const value = firstValue(fields, field);
    if (value !== undefined) values[field] = value;
  }
  return values;
}

/**
 * The HTML pages: landing page, the sign-up form and its post, the thank-you
 * page. A rejected post answers 400 with the form again: values kept, each error
 * next to its field, the same `submissionId` (a malformed one is replaced, as it
 * is not the person's mistake). Returns the form post, for `exactRoutes`.
 */
export function registerPageRoutes(router: Router, deps: WebAppDependencies, bodyLimit: number): readonly ExactRoute[] {
  router.get('/', (ctx) => {
    ctx.type = 'html';
    ctx.body = renderLandingPage();
  });

  router.get('/app/SignUp', async (ctx) => {
    const referenceData = await deps.referenceData.load();
    ctx.set('Cache-Control', 'no-store');
    ctx.type = 'html';
    ctx.body = renderSignUpPage({ referenceData, submissionId: randomUUID() });
  });

  const postForm: Middleware = async (ctx) => {
    const fields = await readForm(ctx, bodyLimit);
    const posted = firstValue(fields, 'submissionId');
    const submissionId = isCorrelationId(posted) ? posted.toLowerCase() : randomUUID();
    try {
      await deps.signUp.execute(fields, { correlationId: submissionId });
    } catch (error) {
      if (!(error instanceof ProspectInvalidError)) throw error;
      const referenceData = await deps.referenceData.load();
      ctx.status = 400;
      ctx.set('Cache-Control', 'no-store');
      ctx.type = 'html';
      ctx.body = renderSignUpPage({ referenceData, submissionId, values: keptValues(fields), errors: error.errors });
      return;
    }
    deps.metrics.countSave(deps.saveHandlerName);
    ctx.redirect('/app/ThankYou');
    ctx.status = 303;
  };
  router.post('/app/SignUp', postForm);

  router.get('/app/ThankYou', (ctx) => {
    ctx.type = 'html';
    ctx.body = renderThankYouPage();
  });
  return [{ method: 'POST', path: '/app/SignUp', handler: postForm }];
}
