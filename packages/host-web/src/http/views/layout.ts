import { html, type SafeHtml } from './escape-html.js';

/** What every page puts inside the shared layout. */
export interface PageOptions {
  readonly title: string;
  readonly main: SafeHtml;
  /** Marks the navbar link of the current page. */
  readonly active?: 'home' | 'signup' | 'analytics';
}

/** The shared page: navbar with the SignUp brand, the main content, a footer. Styles only from `/static`. */
export function renderLayout(options: PageOptions): string {
  const link = (href: string, label: string, key: PageOptions['active']): SafeHtml => (options.active === key
    ? html`<a class="nav-link active" aria-current="page" href="${href}">${label}</a>`
    : html`<a class="nav-link" href="${href}">${label}</a>`);
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} · SignUp</title>
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/static/bootstrap.min.css">
<link rel="stylesheet" href="/static/site.css">
</head>
<body class="d-flex flex-column min-vh-100">
<header>
<nav class="navbar navbar-expand navbar-dark bg-primary shadow-sm" aria-label="Main">
<div class="container">
<a class="navbar-brand fw-semibold" href="/"><span class="brand-mark" aria-hidden="true"></span>SignUp</a>
<ul class="navbar-nav ms-auto">
<li class="nav-item">${link('/', 'Home', 'home')}</li>
<li class="nav-item">${link('/app/SignUp', 'Sign up', 'signup')}</li>
${options.active === 'analytics' ? html`<li class="nav-item">${link('/app/Analytics', 'Analytics', 'analytics')}</li>` : undefined}
</ul>
</div>
</nav>
</header>
<main class="flex-grow-1 py-5">
<div class="container">
${options.main}
</div>
</main>
<footer class="site-footer border-top py-4 mt-auto">
<div class="container d-flex flex-column flex-sm-row justify-content-between gap-2 small text-body-secondary">
<span>© SignUp</span>
<span>We only use your details to keep you informed. No spam.</span>
</div>
</footer>
</body>
</html>
`.value;
}
