import { html } from './escape-html.js';
import { renderLayout } from './layout.js';

/** `GET /app/ThankYou`: shown after a sign-up was saved or safely queued. */
export function renderThankYouPage(): string {
  return renderLayout({
    title: 'Thank you',
    main: html`<div class="row justify-content-center">
<div class="col-12 col-md-10 col-lg-7">
<div class="card border-0 shadow-sm text-center">
<div class="card-body p-5">
<div class="success-mark mx-auto mb-3" aria-hidden="true"></div>
<h1 class="h2">Thank you for signing up!</h1>
<p class="lead text-body-secondary">We have your details and will be in touch soon.</p>
<a class="btn btn-outline-primary mt-2" href="/">Back to the home page</a>
</div>
</div>
</div>
</div>`,
  });
}
