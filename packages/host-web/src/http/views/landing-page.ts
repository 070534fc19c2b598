import { html } from './escape-html.js';
import { renderLayout } from './layout.js';

/** `GET /`: what SignUp is, with the way to the form. */
export function renderLandingPage(): string {
  return renderLayout({
    title: 'Welcome',
    active: 'home',
    main: html`<div class="row justify-content-center">
<div class="col-12 col-lg-10">
<section class="hero p-4 p-md-5 mb-4 rounded-4 shadow-sm">
<h1 class="display-5 fw-bold">Stay in the loop</h1>
<p class="lead col-lg-9">Sign up to hear about new releases, workshops and events. It takes less than a minute.</p>
<a class="btn btn-primary btn-lg px-4" href="/app/SignUp">Sign up now</a>
</section>
<div class="row g-4">
<div class="col-12 col-md-4"><div class="card h-100 border-0 shadow-sm"><div class="card-body">
<h2 class="h5">Quick</h2><p class="mb-0 text-body-secondary">Six fields, one button. Your details are saved the moment you press Go!</p>
</div></div></div>
<div class="col-12 col-md-4"><div class="card h-100 border-0 shadow-sm"><div class="card-body">
<h2 class="h5">Relevant</h2><p class="mb-0 text-body-secondary">Tell us your country and your main role and we will only send what fits.</p>
</div></div></div>
<div class="col-12 col-md-4"><div class="card h-100 border-0 shadow-sm"><div class="card-body">
<h2 class="h5">Private</h2><p class="mb-0 text-body-secondary">Country and role are optional: choose "--Not telling" if you prefer.</p>
</div></div></div>
</div>
</div>
</div>`,
  });
}
