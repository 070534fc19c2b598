import type { ILogger, LogFields, Prospect, ProspectSignedUpEvent } from '../../../src/index.js';

/** Keeps every line logged, for tests that check what a use case says. */
export class LinesLogger implements ILogger {
  readonly lines: { level: string; message: string; fields: LogFields | undefined }[] = [];
  debug(message: string, fields?: LogFields): void {
    this.lines.push({ level: 'debug', message, fields });
  }
  info(message: string, fields?: LogFields): void {
    this.lines.push({ level: 'info', message, fields });
  }
  warn(message: string, fields?: LogFields): void {
    this.lines.push({ level: 'warn', message, fields });
  }
  error(message: string, fields?: LogFields): void {
    this.lines.push({ level: 'error', message, fields });
  }
  messages(): string[] {
    return this.lines.map((line) => line.message);
  }
}

let sequence = 0;

/** A valid event with a fresh correlation id; `prospect` overrides fields of the prospect. */
export function makeEvent(prospect: Partial<Prospect> = {}): ProspectSignedUpEvent {
  sequence += 1;
  return {
    correlationId: `00000000-0000-4000-8000-${String(sequence).padStart(12, '0')}`,
    signedUpAt: new Date('2026-11-23T10:00:00.000Z'),
    prospect: {
      firstName: 'Jane',
      lastName: 'Doe',
      companyName: 'Acme',
      emailAddress: 'jane@example.com',
      country: { countryCode: 'GBR', countryName: 'United Kingdom' },
      role: { roleCode: 'EN', roleName: 'Engineer' },
      ...prospect,
    },
  };
}
