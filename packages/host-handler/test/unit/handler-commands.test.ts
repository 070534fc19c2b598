import { expect } from 'chai';
import { describe, it } from 'mocha';
import type { HandlerCommand } from '../../src/cli/handler-command.js';
import { HANDLER_COMMANDS, runCommandLine } from '../../src/cli/handler-commands.js';

/** Captures what a command line writes. */
function captured(): { stdout: string[]; stderr: string[]; io: { stdout: (text: string) => void; stderr: (text: string) => void } } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, io: { stdout: (text) => stdout.push(text), stderr: (text) => stderr.push(text) } };
}

// The shape an operator command exports: arguments and optional io in, exit code out.
function runReportCommand(
  args: readonly string[],
  io?: { stdout?: (text: string) => void; stderr?: (text: string) => void; env?: Record<string, string | undefined>; cwd?: string },
): Promise<number> {
  io?.stdout?.(`report ${args.join(' ')}\n`);
  return Promise.resolve(args.includes('--fail') ? 1 : 0);
}

describe('runCommandLine', () => {
  const report: HandlerCommand = { name: 'report', summary: 'Prints a report.', usage: 'Usage: signup-handler report [--fail]', run: runReportCommand };
  const table = [...HANDLER_COMMANDS, report];

  it('lists every command with its one-line summary for --help, and exits 0', async () => {
    const { stdout, io } = captured();

    expect(await runCommandLine(['--help'], io, table)).to.equal(0);
    const text = stdout.join('');
    for (const command of table) expect(text).to.match(new RegExp(`^  ${command.name} +${command.summary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
  });

  it('brings the definition each handler command runs without arguments, and none for an operator command', () => {
    expect(HANDLER_COMMANDS.map((command) => [command.name, command.definition?.name])).to.deep.equal([
      ['save', 'save-handler'], ['index', 'index-handler'], ['deadletters', undefined],
    ]);
    expect(HANDLER_COMMANDS.find((command) => command.name === 'index')!.definition!.beforeSubscribe, 'no rebuild without --rebuild').to.equal(undefined);
  });

  it('lists the save command in the shipped table', async () => {
    const { stdout, io } = captured();

    await runCommandLine(['--help'], io);
    expect(stdout.join('')).to.match(/^ {2}save +Subscribes as save-handler and saves each signed-up prospect to the database\.$/m);
  });

  it('lists the index command in the shipped table, and its --rebuild argument in its usage', async () => {
    const { stdout, io } = captured();

    await runCommandLine(['--help'], io);
    await runCommandLine(['index', '--help'], io);
    expect(stdout[0]).to.match(/^ {2}index +Subscribes as index-handler and writes each signed-up prospect to the analytics store\.$/m);
    expect(stdout[1]).to.match(/^Usage: signup-handler index \[--rebuild\]\n/).and.include('  --rebuild  empty the analytics store');
  });

  it('answers arguments the index command does not take with its usage line and exit code 2', async () => {
    const { stderr, io } = captured();

    expect(await runCommandLine(['index', '--rebuild', 'now'], { ...io, env: {} })).to.equal(2);
    expect(stderr).to.deep.equal(['Unexpected argument "--rebuild now". Usage: signup-handler index [--rebuild]\n']);
  });

  it('runs an operator command entry with its arguments and answers its exit code', async () => {
    const { stdout, io } = captured();

    expect(await runCommandLine(['report', 'weekly'], io, table)).to.equal(0);
    expect(await runCommandLine(['report', '--fail'], io, table)).to.equal(1);
    expect(stdout).to.deep.equal(['report weekly\n', 'report --fail\n']);
  });

  it('prints a command\'s usage for <command> --help', async () => {
    const { stdout, io } = captured();

    expect(await runCommandLine(['report', '--help'], io, table)).to.equal(0);
    expect(stdout).to.deep.equal(['Usage: signup-handler report [--fail]\n']);
  });

  it('answers an unknown command with one usage line on stderr and exit code 2', async () => {
    const { stdout, stderr, io } = captured();

    expect(await runCommandLine(['reindex'], io, table)).to.equal(2);
    expect(stderr).to.deep.equal(['Unknown command "reindex". Usage: signup-handler save|index|deadletters|report\n']);
    expect(stdout).to.deep.equal([]);
  });

  it('answers arguments the save command does not take with its usage and exit code 2, before reading any setting', async () => {
    const { stderr, io } = captured();

    expect(await runCommandLine(['save', '--fast'], { ...io, env: {} })).to.equal(2);
    expect(stderr).to.deep.equal(['Unexpected argument "--fast". Usage: signup-handler save\n']);
  });

  it('answers a configuration mistake of the save command with one line naming the key and exit code 2', async () => {
    const { stderr, io } = captured();

    expect(await runCommandLine(['save'], { ...io, env: { MessageQueue__Url: 'nats://127.0.0.1:4222', MessageQueue__Mode: 'turbo' } })).to.equal(2);
    expect(stderr).to.have.length(1);
    expect(stderr[0]).to.match(/^MessageQueue:Mode = "turbo" [^\n]*\n$/);
  });
});
