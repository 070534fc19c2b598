import { expect } from 'chai';
import { describe, it } from 'mocha';
import { UsageError } from '../../../src/cli/parse-arguments.js';
import { DEAD_LETTERS_USAGE, parseDeadLettersArguments } from '../../../src/commands/dead-letters-arguments.js';

function usageMessage(args: readonly string[]): string {
  try {
    parseDeadLettersArguments(args);
  } catch (error) {
    expect(error).to.be.instanceOf(UsageError);
    return (error as Error).message;
  }
  return expect.fail(`expected a UsageError for ${JSON.stringify(args)}`);
}

describe('parseDeadLettersArguments', () => {
  describe('list', () => {
    it('reads list alone as the table of every dead letter', () => {
      expect(parseDeadLettersArguments(['list'])).to.deep.equal({ action: 'list', json: false });
    });

    it('reads --reason as a case-insensitive regular expression and --json as the document form', () => {
      const request = parseDeadLettersArguments(['list', '--json', '--reason', 'country|role']);
      expect(request).to.include({ action: 'list', json: true });
      const { reason } = request as { reason: RegExp };
      expect(reason.test('countryCode: Please choose a COUNTRY')).to.equal(true);
      expect(reason.test('not JSON')).to.equal(false);
    });

    it('names a --reason that is not a regular expression', () => {
      expect(usageMessage(['list', '--reason', '(country'])).to.match(/^--reason "\(country" is not a regular expression\. Usage:/);
    });

    it('asks for the value of a --reason given last', () => {
      expect(usageMessage(['list', '--reason'])).to.match(/^--reason needs a value\./);
    });
  });

  describe('show', () => {
    it('reads the sequence, masked by default and unmasked with --reveal', () => {
      expect(parseDeadLettersArguments(['show', '7'])).to.deep.equal({ action: 'show', sequence: 7, reveal: false });
      expect(parseDeadLettersArguments(['show', '--reveal', '12'])).to.deep.equal({ action: 'show', sequence: 12, reveal: true });
    });

    it('needs exactly one whole sequence from 1', () => {
      expect(usageMessage(['show'])).to.match(/^show needs the sequence of a dead letter/);
      for (const bad of ['0', '-3', '1.5', 'seven', '9007199254740993']) {
        expect(usageMessage(['show', bad]), bad).to.match(/is not a sequence|does not take/);
      }
      expect(usageMessage(['show', '1', '2'])).to.match(/^Unexpected argument "2"\./);
    });
  });

  describe('replay', () => {
    it('reads sequences as separate words, comma lists and repeated options', () => {
      expect(parseDeadLettersArguments(['replay', '--sequence', '3', '5,8', '--sequence', '13']))
        .to.deep.equal({ action: 'replay', selection: { sequences: [3, 5, 8, 13] }, keep: false });
    });

    it('reads --reason, --all and --keep', () => {
      expect(parseDeadLettersArguments(['replay', '--all', '--keep'])).to.deep.equal({ action: 'replay', selection: { all: true }, keep: true });
      const request = parseDeadLettersArguments(['replay', '--reason', 'country']) as { selection: { reason: RegExp } };
      expect(request.selection.reason.source).to.equal('country');
    });

    it('needs exactly one of --sequence, --reason and --all', () => {
      expect(usageMessage(['replay'])).to.match(/^replay needs --sequence, --reason or --all\./);
      expect(usageMessage(['replay', '--keep'])).to.match(/^replay needs --sequence, --reason or --all\./);
      expect(usageMessage(['replay', '--all', '--sequence', '1'])).to.match(/^replay takes only one of --sequence, --reason and --all\./);
      expect(usageMessage(['replay', '--sequence', '--all'])).to.match(/^--sequence needs at least one sequence\./);
      expect(usageMessage(['replay', '--sequence', '4', 'x'])).to.match(/^"x" is not a sequence/);
    });
  });

  describe('purge', () => {
    it('purges only with --yes', () => {
      expect(parseDeadLettersArguments(['purge', '--yes'])).to.deep.equal({ action: 'purge' });
      expect(usageMessage(['purge'])).to.match(/^purge deletes every dead letter and cannot be undone; add --yes to confirm\./);
    });
  });

  it('reads --help, -h and help as a request for the help text', () => {
    for (const args of [['--help'], ['-h'], ['help']]) expect(parseDeadLettersArguments(args)).to.deep.equal({ action: 'help' });
  });

  it('names an unknown action or option in one line ending with the usage', () => {
    const messages = [usageMessage([]), usageMessage(['delete']), usageMessage(['list', '--all']), usageMessage(['purge', '--force'])];

    expect(messages[0]).to.equal(`No action given. ${DEAD_LETTERS_USAGE}`);
    expect(messages[1]).to.equal(`Unknown action "delete". ${DEAD_LETTERS_USAGE}`);
    expect(messages[2]).to.equal(`list does not take --all. ${DEAD_LETTERS_USAGE}`);
    expect(messages[3]).to.equal(`purge does not take --force. ${DEAD_LETTERS_USAGE}`);
    for (const message of messages) expect(message).not.to.include('\n');
  });
});
