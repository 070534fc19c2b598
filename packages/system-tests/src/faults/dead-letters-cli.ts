#!/usr/bin/env node
import { connect, type ConnectionOptions } from 'nats';
import { DeadLetterStore, type DeadLetter } from './dead-letter-store.js';

const USAGE = `Usage: node dead-letters-cli.js list|replay [--server <nats-url>] [--sequence <n>]... [--reason <regex>] [--all] [--keep]
  list     one line per dead letter: sequence, time, handler, correlation id, size, reason
  replay   publish the selected dead letters again to their original subject, then remove them
           (--keep leaves them in place); select with --sequence (repeatable), --reason, or --all
  server   --server, else MessageQueue__Url, else NATS_URL, else nats://127.0.0.1:4222 (user:pass@ or token@ allowed)`;

interface Arguments {
  readonly command: 'list' | 'replay';
  readonly server: string;
  readonly sequences: readonly number[];
  readonly reason?: RegExp;
  readonly all: boolean;
  readonly keep: boolean;
}

class UsageError extends Error {}

function parseArguments(argv: readonly string[], env: NodeJS.ProcessEnv): Arguments {
  const [command, ...rest] = argv;
  if (command !== 'list' && command !== 'replay') throw new UsageError(command === undefined ? 'No command given.' : `Unknown command "${command}".`);
  let server = env.MessageQueue__Url ?? env.NATS_URL ?? 'nats://127.0.0.1:4222';
  const sequences: number[] = [];
  let reason: RegExp | undefined;
  let all = false;
  let keep = false;
  for (let i = 0; i < rest.length; i += 1) {
    const option = rest[i];
    const value = (): string => {
      const next = rest[i + 1];
      if (next === undefined) throw new UsageError(`${option} needs a value.`);
      i += 1;
      return next;
    };
    if (option === '--server') server = value();
    else if (option === '--sequence') sequences.push(positiveInteger(value()));
    else if (option === '--reason') reason = new RegExp(value(), 'i');
    else if (option === '--all') all = true;
    else if (option === '--keep') keep = true;
    else throw new UsageError(`Unknown option "${option}".`);
  }
  if (command === 'replay' && sequences.length === 0 && reason === undefined && !all) {
    throw new UsageError('replay needs --sequence, --reason or --all.');
  }
  return { command, server: server.split(',')[0]!.trim(), sequences, ...(reason === undefined ? {} : { reason }), all, keep };
}

function positiveInteger(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value <= 0) throw new UsageError(`--sequence needs a positive whole number, not "${text}".`);
  return value;
}

function connectionOptions(server: string): ConnectionOptions {
  const url = new URL(server.includes('://') ? server : `nats://${server}`);
  const credentials = url.username === ''
    ? {}
    : url.password === ''
      ? { token: decodeURIComponent(url.username) }
      : { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) };
  return { servers: url.host, name: 'signup-dead-letters', ...credentials };
}

function correlationIdOf(letter: DeadLetter): string {
  const match = /"CorrelationId"\s*:\s*"([^"]{1,64})"/i.exec(Buffer.from(letter.data.subarray(0, 4096)).toString('utf8'));
  return match?.[1] ?? '-';
}

function describe(letter: DeadLetter): string {
  return [`#${letter.sequence}`, letter.storedAt.toISOString(), letter.handler || '-', correlationIdOf(letter),
    letter.truncatedFrom === undefined ? `${letter.data.length} bytes` : `${letter.truncatedFrom} bytes (cut to ${letter.data.length})`,
    `reason: ${letter.reason || '-'}`].join('  ');
}

function selected(letter: DeadLetter, args: Arguments): boolean {
  return args.all || args.sequences.includes(letter.sequence) || (args.reason?.test(letter.reason) ?? false);
}

async function main(): Promise<number> {
  let args: Arguments;
  try {
    args = parseArguments(process.argv.slice(2), process.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n${USAGE}\n`);
    return 2;
  }
  const nc = await connect(connectionOptions(args.server));
  try {
    const store = new DeadLetterStore(nc);
    const letters = await store.list();
    if (args.command === 'list') {
      for (const letter of letters) process.stdout.write(`${describe(letter)}\n`);
      process.stdout.write(`${letters.length} dead letter(s)\n`);
      return 0;
    }
    let replayed = 0;
    for (const letter of letters.filter((candidate) => selected(candidate, args))) {
      const result = await store.replay(letter, { keep: args.keep });
      replayed += 1;
      process.stdout.write(`replayed #${letter.sequence} to ${letter.originalSubject} as #${result.sequence}${result.duplicate ? ' (already replayed)' : ''}${args.keep ? '' : '; removed'}\n`);
    }
    process.stdout.write(`${replayed} dead letter(s) replayed\n`);
    return 0;
  } finally {
    await nc.close();
  }
}

main().then((code) => {
  process.exitCode = code;
}, (error: unknown) => {
  process.stderr.write(`dead-letters failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
