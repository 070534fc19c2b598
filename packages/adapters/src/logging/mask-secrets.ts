const MASK = '***';

// Everything from `://` to the last `@` of the word is masked, so a password holding an
// unescaped `@`, `#`, `/` or `?` (a string that does not even parse) is masked whole. A `,`
// followed by a scheme starts the next server of a list. The run is bounded, so a long word
// full of `x://` costs a bounded scan per scheme rather than one to its end.
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)((?:(?!,[a-z][a-z0-9+.-]*:\/\/)\S){0,2048})@/giu;
// The local part takes every character validation accepts in one, so none escapes masking;
// a `key=` or path written right before an address is masked with it. A match can only
// start where a run of such characters starts (the lookbehind), which leaves the matches
// as they were but spares the engine retrying from every character of every long word.
const EMAIL_ADDRESS = /(?<![^\s@<>()[\]\\,;:"])[^\s@<>()[\]\\,;:"]+@[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?(?:\.[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?)+/gu;
// `user:password@host` written without a scheme, at the start or after a list separator.
const BARE_CREDENTIALS = /(^|[\s,;])([^\s/?#@:,;]+:[^\s/?#,;]*)@/gu;
const SECRET_QUERY_PARAMETER = /([?&;](?:password|pwd|token|secret|key)=)[^&;\s]*/giu;
const ALREADY_MASKED_LOCAL_PART = /\*{3}$/u;
const ADO_NET_PASSWORD = /\b(password|pwd)(\s*=\s*)(?:"(?:[^"]|"")*"|'(?:[^']|'')*'|\{(?:[^}]|\}\})*\}|[^;]*)/giu;

/**
 * Masks an email address for logs: the first character of the local part, then
 * `***`, then the domain (`jane@example.com` → `j***@example.com`). Text without
 * an `@` in the middle is masked completely.
 */
export function maskEmail(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 1 || at === address.length - 1) return MASK;
  const local = address.slice(0, at);
  if (ALREADY_MASKED_LOCAL_PART.test(local)) return address;
  const [first = ''] = local;
  return `${first}${MASK}${address.slice(at)}`;
}

/**
 * Masks secrets in free text so it can be logged: every email address
 * (`j***@example.com`), the credentials of URLs (`nats://***:***@host:4222`, or
 * `nats://***@host` for a token: everything between `://` and the word's last `@`,
 * whether or not the URL parses) and `Password=`/`Pwd=` values of ADO.NET
 * connection strings (up to the next `;`, or the closing quote), and `password`/`token`/`secret`/`key` query parameters. Masking
 * its own output again reveals nothing (it may mask a little more).
 */
export function maskSecrets(text: string): string {
  // Every pattern needs an `@` (addresses, credentials) or an `=` (passwords, parameters); most log
  // lines have neither, and skipping the scans for them keeps per-message logging cheap.
  const hasAt = text.includes('@');
  const hasEquals = text.includes('=');
  if (!hasAt && !hasEquals) return text;
  let masked = text;
  if (hasAt && text.includes(':')) {
    masked = masked
      .replace(URL_CREDENTIALS, (_match, scheme: string, userInfo: string) =>
        `${scheme}${userInfo.includes(':') ? `${MASK}:${MASK}` : MASK}@`)
      .replace(BARE_CREDENTIALS, (_match, prefix: string) => `${prefix}${MASK}:${MASK}@`);
  }
  if (hasEquals) {
    masked = masked
      .replace(ADO_NET_PASSWORD, (_match, key: string, equals: string) => `${key}${equals}${MASK}`)
      .replace(SECRET_QUERY_PARAMETER, `$1${MASK}`);
  }
  return hasAt ? masked.replace(EMAIL_ADDRESS, (address) => maskEmail(address)) : masked;
}
