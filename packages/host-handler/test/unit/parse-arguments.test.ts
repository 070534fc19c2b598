import { expect } from 'chai';
import { describe, it } from 'mocha';
import type { HandlerCommand } from '../../src/cli/handler-command.js';
import { expectNoArguments, helpText, parseArguments, usageLine, UsageError } from '../../src/cli/parse-arguments.js';

function command(name: string, summary = `Does ${name}.`): HandlerCommand {
  return { name, summary, usage: `Usage: signup-handler ${name}`, run: () => Promise.resolve(0) };
}

const save = command('save');
const deadletters = command('deadletters', 'Lists, shows and replays dead letters.');
const table = [save, deadletters];

describe('parseArguments', () => {
  it('finds the command in the table and passes it the arguments after its name', () => {
    expect(parseArguments(['save'], table)).to.deep.equal({ kind: 'command', command: save, args: [] });
    expect(parseArguments(['deadletters', 'list', '--json'], table)).to.deep.equal({ kind: 'command', command: deadletters, args: ['list', '--json'] });
  });

  it('reads --help, -h and help as a request for the help', () => {
    for (const args of [['--help'], ['-h'], ['help']]) expect(parseArguments(args, table)).to.deep.equal({ kind: 'help' });
  });

  it('reads <command> --help as a request for that command\'s usage', () => {
    expect(parseArguments(['deadletters', '--help'], table)).to.deep.equal({ kind: 'command-help', command: deadletters });
  });

  it('answers the usage line when no command is given', () => {
    expect(() => parseArguments([], [save])).to.throw(UsageError, /^Usage: signup-handler save$/);
  });

  it('names an unknown command and ends with the usage line listing every command', () => {
    expect(() => parseArguments(['reindex'], table)).to.throw(UsageError, 'Unknown command "reindex". Usage: signup-handler save|deadletters');
  });

  it('produces one-line messages with the usage code', () => {
    for (const args of [[], ['x'], ['--save']]) {
      try {
        parseArguments(args, table);
        expect.fail('expected a UsageError');
      } catch (error) {
        expect((error as Error).message).not.to.include('\n');
        expect((error as UsageError).code).to.equal('USAGE_INVALID');
      }
    }
  });
});

describe('usageLine', () => {
  it('is the one line of today\'s single-command table', () => {
    expect(usageLine([save])).to.equal('Usage: signup-handler save');
  });
});

describe('helpText', () => {
  it('lists every command of the table on one line with its summary, aligned', () => {
    const lines = helpText(table).split('\n');

    expect(lines).to.include('  save         Does save.');
    expect(lines).to.include('  deadletters  Lists, shows and replays dead letters.');
    expect(lines[0]).to.equal('Usage: signup-handler <command> [arguments]');
  });
});

describe('expectNoArguments', () => {
  it('rejects arguments after a command that takes none, ending with its usage', () => {
    expect(() => expectNoArguments(['--fast'], 'Usage: signup-handler save')).to.throw(UsageError, 'Unexpected argument "--fast". Usage: signup-handler save');
    expect(() => expectNoArguments([], 'Usage: signup-handler save')).to.not.throw();
  });
});
