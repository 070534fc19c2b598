import { PROSPECT_LIMITS, type ProspectField, type ReferenceData } from '@signup/domain';
import { html, type SafeHtml } from './escape-html.js';
import { renderLayout } from './layout.js';

/** What the sign-up form shows: the choices, a submission id, and after a failed post the values and errors. */
export interface SignUpFormState {
  readonly referenceData: ReferenceData;
  /** UUID posted back as `submissionId`, so a double submit saves once. */
  readonly submissionId: string;
  readonly values?: Readonly<Partial<Record<ProspectField, string>>>;
  /** Field name → message, shown next to that field. */
  readonly errors?: Readonly<Record<string, string>>;
}

interface TextField {
  readonly name: ProspectField;
  readonly label: string;
  readonly type: 'text' | 'email';
  readonly autocomplete: string;
  readonly maxLength: number;
  readonly required: boolean;
  readonly hint?: string;
}

interface Choice {
  readonly code: string;
  readonly name: string;
}

/** `GET /app/SignUp` and the re-rendered form of a rejected `POST /app/SignUp`. */
export function renderSignUpPage(state: SignUpFormState): string {
  const values = state.values ?? {};
  const errors = state.errors ?? {};
  const errorOf = (field: ProspectField): string | undefined => (Object.hasOwn(errors, field) ? errors[field] : undefined);

  const textField = (field: TextField, columns: string): SafeHtml => {
    const error = errorOf(field.name);
    const describedBy = [field.hint === undefined ? undefined : `${field.name}-hint`, error === undefined ? undefined : `${field.name}-error`]
      .filter((id) => id !== undefined).join(' ');
    return html`<div class="${columns}">
<label for="${field.name}" class="form-label">${field.label}</label>
<input type="${field.type}" class="form-control${error === undefined ? '' : ' is-invalid'}" id="${field.name}" name="${field.name}" value="${values[field.name] ?? ''}" maxlength="${field.maxLength}" autocomplete="${field.autocomplete}"${field.required ? html` required` : undefined}${describedBy === '' ? undefined : html` aria-describedby="${describedBy}"`}${error === undefined ? undefined : html` aria-invalid="true"`}>
${field.hint === undefined ? undefined : html`<div id="${field.name}-hint" class="form-text">${field.hint}</div>`}
${error === undefined ? undefined : html`<div id="${field.name}-error" class="invalid-feedback">${error}</div>`}
</div>`;
  };

  const selectField = (name: ProspectField, label: string, choices: readonly Choice[]): SafeHtml => {
    const error = errorOf(name);
    const selected = values[name] ?? '-';
    const options = choices.map((choice) => (choice.code === selected
      ? html`<option value="${choice.code}" selected>${choice.name}</option>`
      : html`<option value="${choice.code}">${choice.name}</option>`));
    return html`<div class="col-12 col-md-6">
<label for="${name}" class="form-label">${label}</label>
<select class="form-select${error === undefined ? '' : ' is-invalid'}" id="${name}" name="${name}"${error === undefined ? undefined : html` aria-invalid="true" aria-describedby="${name}-error"`}>
${options}
</select>
${error === undefined ? undefined : html`<div id="${name}-error" class="invalid-feedback">${error}</div>`}
</div>`;
  };

  const countries = state.referenceData.countries.map((c) => ({ code: c.countryCode, name: c.countryName }));
  const roles = state.referenceData.roles.map((r) => ({ code: r.roleCode, name: r.roleName }));
  const hasErrors = Object.keys(errors).length > 0;

  return renderLayout({
    title: 'Sign up',
    active: 'signup',
    main: html`<div class="row justify-content-center">
<div class="col-12 col-md-10 col-lg-8 col-xl-7">
<div class="card border-0 shadow-sm">
<div class="card-header bg-transparent border-0 pt-4 px-4">
<h1 class="h3 mb-1">Sign up</h1>
<p class="text-body-secondary mb-0">Tell us a little about yourself and we will keep you posted.</p>
</div>
<div class="card-body p-4">
${hasErrors ? html`<div class="alert alert-danger" role="alert">Please correct the highlighted fields and press Go! again.</div>` : undefined}
<form method="post" action="/app/SignUp" accept-charset="utf-8">
<input type="hidden" name="submissionId" value="${state.submissionId}">
<div class="row g-3">
${textField({ name: 'firstName', label: 'First Name', type: 'text', autocomplete: 'given-name', maxLength: PROSPECT_LIMITS.name, required: true }, 'col-12 col-md-6')}
${textField({ name: 'lastName', label: 'Last Name', type: 'text', autocomplete: 'family-name', maxLength: PROSPECT_LIMITS.name, required: true }, 'col-12 col-md-6')}
${textField({ name: 'emailAddress', label: 'Email Address', type: 'email', autocomplete: 'email', maxLength: PROSPECT_LIMITS.emailAddress, required: true }, 'col-12')}
${textField({ name: 'companyName', label: 'Company Name', type: 'text', autocomplete: 'organization', maxLength: PROSPECT_LIMITS.companyName, required: false, hint: 'Optional.' }, 'col-12')}
${selectField('countryCode', 'Country', countries)}
${selectField('roleCode', 'Your Main Role', roles)}
<div class="col-12 pt-2">
<button type="submit" class="btn btn-primary btn-lg px-5">Go!</button>
</div>
</div>
</form>
</div>
</div>
</div>
</div>`,
  });
}
