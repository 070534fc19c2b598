const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/** Escapes text for use in HTML element content and in quoted attribute values. */
export function escapeHtml(value: string | number): string {
  return String(value).replace(/[&<>"'`]/g, (character) => HTML_ESCAPES[character] ?? character);
}

/** Markup that is already safe: built by `html` or escaped. Never construct one from user input. */
export class SafeHtml {
  constructor(readonly value: string) {}

  toString(): string {
    return this.value;
  }
}

/** A value a template may interpolate: text is escaped, `SafeHtml` is inserted as it is. */
export type HtmlValue = string | number | SafeHtml | readonly SafeHtml[] | undefined;

/**
 * Tagged template for HTML: every interpolated string or number goes through
 * `escapeHtml`; nested `html` fragments (and arrays of them) are inserted as they are;
 * `undefined` renders nothing.
 */
export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, index) => {
    out += render(value) + (strings[index + 1] ?? '');
  });
  return new SafeHtml(out);
}

function render(value: HtmlValue): string {
  if (value === undefined) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map((item: SafeHtml) => item.value).join('');
  return escapeHtml(value as string | number);
}
