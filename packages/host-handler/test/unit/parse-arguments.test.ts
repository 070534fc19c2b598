import { expect } from 'chai';
import { describe, it } from 'mocha';
import { parseArguments, USAGE, UsageError } from '../../src/cli/parse-arguments.js';

describe('parseArguments', () => {
  it('reads the save command', () => {
    expect(parseArguments(['save'])).to.deep.equal({ command: 'save' });
  });

  it('hands the words after deadletters to that command', () => {
    expect(parseArguments(['deadletters', 'list', '--json'])).to.deep.equal({ command: 'deadletters', args: ['list', '--json'] });
  });

  it('reads --help, -h and help as a request for the usage', () => {
    for (const args of [['--help'], ['-h'], ['help']]) expect(parseArguments(args)).to.deep.equal({ command: 'help' });
  });

  it('answers the usage line when no command is given', () => {
    expect(() => parseArguments([])).to.throw(UsageError, /^Usage: signup-handler save \| signup-handler deadletters list\|show\|replay\|purge \.\.\.$/);
  });

  it('names an unknown command and ends with the usage line', () => {
    expect(() => parseArguments(['index'])).to.throw(UsageError, `Unknown command "index". ${USAGE}`);
  });

  it('rejects arguments after the command', () => {
    expect(() => parseArguments(['save', '--fast'])).to.throw(UsageError, `Unexpected argument "--fast". ${USAGE}`);
  });

  it('produces one-line messages', () => {
    for (const args of [[], ['x'], ['save', 'a', 'b']]) {
      try {
        parseArguments(args);
        expect.fail('expected a UsageError');
      } catch (error) {
        expect((error as Error).message).not.to.include('\n');
        expect((error as UsageError).code).to.equal('USAGE_INVALID');
      }
    }
  });
});
