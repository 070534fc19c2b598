import { html } from './escape-html.js';
import { renderLayout } from './layout.js';

/** What an error page says: a heading, one or two sentences, and where to go next. */
export interface ErrorPageContent {
  readonly title: string;
  readonly message: string;
  readonly link?: { readonly href: string; readonly label: string };
}

/** The page for every error answer (404, 413, 415, 500, 503); the text is meant for the person, never internal detail. */
export function renderErrorPage(content: ErrorPageContent): string {
  const link = content.link ?? { href: '/', label: 'Back to the home page' };
  return renderLayout({
    title: content.title,
    main: html`<div class="row justify-content-center">
<div class="col-12 col-md-10 col-lg-7">
<div class="card border-0 shadow-sm">
<div class="card-body p-5">
<h1 class="h3">${content.title}</h1>
<p class="lead text-body-secondary">${content.message}</p>
<a class="btn btn-primary" href="${link.href}">${link.label}</a>
</div>
</div>
</div>
</div>`,
  });
}
