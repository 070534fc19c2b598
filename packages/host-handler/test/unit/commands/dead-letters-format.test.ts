import type { DeadLetter } from '@signup/adapters/nats';
import { expect } from 'chai';
import { describe, it } from 'mocha';
import {
  bodyText, correlationIdOf, maskedBody, formatDeadLetter, formatDeadLetterJson, formatDeadLetterTable, formatReplay, printable,
} from '../../../src/commands/dead-letters-format.js';

const encoder = new TextEncoder();
const CORRELATION_ID = '5f0c2a8e-3b1d-4c6f-9a0e-7d2b8c4e1f35';
const BODY = JSON.stringify({ CorrelationId: CORRELATION_ID, Prospect: { EmailAddress: 'ada.lovelace@example.com' } });

function letter(overrides: Partial<DeadLetter> = {}): DeadLetter {
  return {
    sequence: 7,
    subject: 'deadletter.events.prospect.signedup',
    handler: 'save-handler',
    reason: 'countryCode: Please choose a country from the list.',
    originalSubject: 'events.prospect.signedup',
    deliveryCount: 1,
    originalSequence: 41,
    storedAt: new Date('2026-11-23T10:14:03.512Z'),
    headers: [['SignUp-Handler', 'save-handler'], ['SignUp-Reason', 'countryCode: Please choose a country from the list.']],
    data: encoder.encode(BODY),
    ...overrides,
  };
}

describe('dead-letter formatting', () => {
  describe('formatDeadLetterTable', () => {
    it('prints a header, one aligned row per dead letter and the count', () => {
      const text = formatDeadLetterTable([letter(), letter({ sequence: 12, handler: '', reason: 'not JSON', data: encoder.encode('x') })]);

      expect(text.split('\n')).to.deep.equal([
        'SEQ  STORED AT                 HANDLER       BYTES  REASON',
        `  7  2026-11-23T10:14:03.512Z  save-handler  ${String(BODY.length).padStart(5)}  countryCode: Please choose a country from the list.`,
        ' 12  2026-11-23T10:14:03.512Z  -                 1  not JSON',
        '2 dead letter(s)',
        '',
      ]);
    });

    it('prints only the count when there is none', () => {
      expect(formatDeadLetterTable([])).to.equal('0 dead letter(s)\n');
    });

    it('shows the original size of a cut body, masks emails in reasons and keeps escape sequences off the terminal', () => {
      const text = formatDeadLetterTable([letter({ truncatedFrom: 1_048_000, reason: 'bob@example.com\u001b[2J\nrefused' })]);

      expect(text).to.include(`1048000 (cut to ${BODY.length})`);
      expect(text).to.include('b***@example.com\\u001b[2J refused').and.not.include('bob@example.com').and.not.include('\u001b');
    });
  });

  describe('formatDeadLetterJson', () => {
    it('prints one JSON document with every field a script needs', () => {
      const document = JSON.parse(formatDeadLetterJson([letter({ truncatedFrom: 5000 })])) as { count: number; deadLetters: unknown[] };

      expect(document).to.include({ stream: 'SIGNUP_DEADLETTER', count: 1 });
      expect(document.deadLetters).to.deep.equal([{
        sequence: 7,
        storedAt: '2026-11-23T10:14:03.512Z',
        handler: 'save-handler',
        reason: 'countryCode: Please choose a country from the list.',
        size: 5000,
        storedSize: BODY.length,
        truncated: true,
        subject: 'deadletter.events.prospect.signedup',
        originalSubject: 'events.prospect.signedup',
        originalSequence: 41,
        deliveryCount: 1,
        correlationId: CORRELATION_ID,
      }]);
    });
  });

  it('formatDeadLetterJson writes every control character of a subject, C1 and DEL too, as an escape a JSON reader decodes back', () => {
    const originalSubject = 'events.prospect.\u009b31m\u007f\u001b';
    const text = formatDeadLetterJson([letter({ originalSubject, subject: 'deadletter.\u0085x' })]);

    expect(text).to.not.match(/(?!\n)\p{Cc}/u);
    const parsed = JSON.parse(text) as { deadLetters: { originalSubject: string; subject: string }[] };
    expect(parsed.deadLetters[0]).to.include({ originalSubject, subject: 'deadletter.\u0085x' });
  });

  describe('formatDeadLetter', () => {
    it('prints the headers and the body with email addresses masked', () => {
      const text = formatDeadLetter(letter(), false);

      expect(text).to.include('Dead letter #7 in SIGNUP_DEADLETTER\n')
        .and.include('  SignUp-Handler: save-handler\n')
        .and.include('  SignUp-Reason: countryCode: Please choose a country from the list.\n')
        .and.include('--reveal shows them')
        .and.include('"EmailAddress": "a***@example.com"')
        .and.not.include('ada.lovelace');
    });

    it('masks a body that is not JSON as text', () => {
      expect(formatDeadLetter(letter({ data: encoder.encode('{ broken ada.lovelace@example.com') }), false))
        .to.include('{ broken a***@example.com').and.not.include('ada.lovelace');
    });

    it('prints the body as stored with reveal', () => {
      expect(formatDeadLetter(letter(), true)).to.include(BODY).and.not.include('--reveal');
    });

    it('says where the whole of a cut body is', () => {
      expect(formatDeadLetter(letter({ truncatedFrom: 5000 }), true)).to.include(`Body (first ${BODY.length} of 5000 bytes; the whole message is in SIGNUP_EVENTS at #41)`);
    });
  });

  describe('formatReplay', () => {
    it('says where the copy went and whether the dead letter was deleted', () => {
      expect(formatReplay({ deadLetterSequence: 7, subject: 'events.prospect.signedup', sequence: 90, duplicate: false, removed: true }))
        .to.equal('Replayed #7 to events.prospect.signedup as #90; deleted #7\n');
      expect(formatReplay({ deadLetterSequence: 7, subject: 'events.prospect.signedup', sequence: 90, duplicate: true, removed: false }))
        .to.equal('Replayed #7 to events.prospect.signedup (already replayed as #90 within the duplicate window; not stored again); kept #7\n');
    });
  });

  it('escapes control characters in the subject it replayed to', () => {
    expect(formatReplay({ deadLetterSequence: 7, subject: 'events.prospect.\u009b2J\u001b', sequence: 90, duplicate: false, removed: true }))
      .to.equal('Replayed #7 to events.prospect.\\u009b2J\\u001b as #90; deleted #7\n');
  });

  describe('bodyText and correlationIdOf', () => {
    it('decodes UTF-16LE as the original .NET publisher wrote it, and UTF-8 otherwise', () => {
      expect(bodyText(new Uint8Array(Buffer.from(BODY, 'utf16le')))).to.equal(BODY);
      expect(bodyText(encoder.encode('héllo'))).to.equal('héllo');
      expect(correlationIdOf(letter({ data: new Uint8Array(Buffer.from(BODY, 'utf16le')) }))).to.equal(CORRELATION_ID);
      expect(correlationIdOf(letter({ data: encoder.encode('not JSON') }))).to.equal(undefined);
    });
  });

  describe('maskedBody', () => {
    it('masks each string of a JSON body and indents it', () => {
      expect(maskedBody('{"a":{"EmailAddress":"ada@example.com","n":1}}'))
        .to.equal('{\n  "a": {\n    "EmailAddress": "a***@example.com",\n    "n": 1\n  }\n}');
    });
  });

  describe('printable', () => {
    it('escapes control characters but keeps tabs and line breaks', () => {
      expect(printable('a\u001b[31mb\u0007\tc\nd\u009b')).to.equal('a\\u001b[31mb\\u0007\tc\nd\\u009b');
    });
  });
});
