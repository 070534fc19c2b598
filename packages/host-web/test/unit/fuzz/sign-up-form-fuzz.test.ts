import { describe, it } from 'mocha';
import { expect } from 'chai';
import fc from 'fast-check';
import { isCorrelationId } from '@signup/domain';
import { RecordingLogger } from '@signup/adapters/memory';
import {
  expectFormAnswer, expectNoPrototypePollution, prototypeKeys, sendFormRequest,
} from '../../support/answer-checks.js';
import { createFuzzApp, type SavePath } from '../../support/fuzz-app.js';
import { CaseTally, fuzzParameters } from '../../support/fuzz-settings.js';
import { formRequests, predictFormAnswer } from '../../support/sign-up-requests.js';

const RUNS = 2000;

describe('POST /app/SignUp under hostile input (property-based)', function () {
  this.timeout(180_000);

  for (const path of ['sync', 'async'] as const satisfies readonly SavePath[]) {
    const saving = path === 'sync' ? 'SynchronousProspectSaveHandler over InMemoryProspectRepository' : 'AsynchronousProspectSaveHandler over InMemoryEventBus';
    it(`never answers 5xx, re-renders invalid input escaped with nothing stored, stores valid input exactly as typed (${saving})`, async () => {
      const tally = new CaseTally();
      const logger = new RecordingLogger();
      const prototypeBefore = prototypeKeys();

      await fc.assert(fc.asyncProperty(formRequests, async (form) => {
        const expected = predictFormAnswer(form);
        tally.count(expected.kind === 'saved');
        const t = await createFuzzApp(path, logger);
        try {
          const res = await sendFormRequest(t.callback, form);
          expectFormAnswer(res, form, expected);
          const stored = await t.stored();
          expectNoPrototypePollution(prototypeBefore);
          if (expected.kind !== 'saved') {
            expect(stored, 'rows after an invalid post').to.deep.equal([]);
            expect(t.published, 'events after an invalid post').to.deep.equal([]);
            return;
          }
          expect(stored, 'rows after a valid post').to.have.length(1);
          const [row] = stored;
          expect(row?.prospect).to.deep.equal({ ...expected.prospect, prospectId: row?.prospectId });
          if (expected.correlationId === undefined) expect(isCorrelationId(row?.correlationId)).to.equal(true);
          else expect(row?.correlationId).to.equal(expected.correlationId);
          if (path === 'async') {
            expect(t.published, 'events after a valid post').to.have.length(1);
            expect(t.published[0]?.prospect).to.deep.equal(expected.prospect);
          }
        } finally {
          await t.close();
        }
      }), fuzzParameters(RUNS));

      expect(tally.valid, 'valid cases exercised').to.be.greaterThan(tally.total / 10);
      expect(tally.invalid, 'invalid cases exercised').to.be.greaterThan(tally.total / 10);
      expect(logger.messages('error'), 'unhandled errors logged').to.deep.equal([]);
    });
  }
});
