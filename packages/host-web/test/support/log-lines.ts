import { expect } from 'chai';
import { ConsoleLogger } from '@signup/adapters/logging';

/** A `ConsoleLogger` at debug level whose finished lines are kept, exactly as they would reach the console. */
export function capturingLogger(format: 'text' | 'json' = 'text'): { readonly logger: ConsoleLogger; readonly lines: string[] } {
  const lines: string[] = [];
  return { logger: new ConsoleLogger({ name: 'signup-web', level: 'debug', format, write: (line) => lines.push(line) }), lines };
}

/** The level of a captured line (text or JSON format). */
export function levelOf(line: string): string {
  if (line.startsWith('{')) return String((JSON.parse(line) as { level?: unknown }).level);
  return /^\S+ (DEBUG|INFO|WARN|ERROR)\b/.exec(line)?.[1]?.toLowerCase() ?? 'unknown';
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Fails when any line shows a secret or an email address unmasked. A masked
 * address shows its first character, `***` and the domain (`a***@example.com`),
 * so besides the raw address no more of its local part may stand before `***@`,
 * and every `@` in every line must follow `***` (nothing else was logged raw).
 */
export function expectMasked(lines: readonly string[], secrets: readonly string[], emails: readonly string[]): void {
  // Several addresses may share a domain, so a masked one may show the first character of any of them.
  const firstCharacters = new Set(emails.map((email) => [...email][0] ?? ''));
  for (const line of lines) {
    for (const secret of secrets) expect(line.includes(secret), `"${secret}" in: ${line}`).to.equal(false);
    for (const email of emails) {
      expect(line.toLowerCase().includes(email.toLowerCase()), `raw ${email} in: ${line}`).to.equal(false);
      const at = email.lastIndexOf('@');
      const domain = escapeRegExp(email.slice(at + 1));
      for (const match of line.matchAll(new RegExp(`(\\S*)\\*\\*\\*@${domain}`, 'gu'))) {
        const shown = (match[1] ?? '').replace(/^.*[\s"=(<:,]/u, '');
        expect(shown === '' || firstCharacters.has(shown), `more than the first character of ${email} in: ${line}`).to.equal(true);
      }
    }
    for (const match of line.matchAll(/@/g)) {
      expect(line.slice(0, match.index).endsWith('***'), `an unmasked "@" in: ${line}`).to.equal(true);
    }
  }
}
