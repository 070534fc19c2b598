import type { DeadLetterSelection } from '@signup/adapters/nats';
import { UsageError } from '../cli/parse-arguments.js';

/** The one line printed, after what is wrong, for arguments `signup-handler deadletters` does not understand. */
export const DEAD_LETTERS_USAGE = 'Usage: signup-handler deadletters list [--reason RE] [--json] | show SEQ [--reveal]'
  + ' | replay (--sequence N... | --reason RE | --all) [--keep] | purge --yes';

/** What `signup-handler deadletters …` was asked to do. */
export type DeadLettersRequest =
  | { readonly action: 'help' }
  | { readonly action: 'list'; readonly reason?: RegExp; readonly json: boolean }
  | { readonly action: 'show'; readonly sequence: number; readonly reveal: boolean }
  | { readonly action: 'replay'; readonly selection: DeadLetterSelection; readonly keep: boolean }
  | { readonly action: 'purge' };

const ACTIONS = ['list', 'show', 'replay', 'purge'] as const;

/**
 * Reads the arguments after `signup-handler deadletters`. `--reason` takes a regular
 * expression matched case-insensitively against each dead letter's reason;
 * `--sequence` takes one or more sequences (separate words or comma-separated) and may
 * be repeated.
 *
 * @throws UsageError (one line: what is wrong, then `DEAD_LETTERS_USAGE`) for an
 *   unknown action or option, a missing or bad value, `replay` without exactly one
 *   selection, or `purge` without `--yes`.
 */
export function parseDeadLettersArguments(args: readonly string[]): DeadLettersRequest {
  const [action, ...rest] = args;
  if (action === '--help' || action === '-h' || action === 'help') return { action: 'help' };
  if (action === undefined) throw usage('No action given.');
  if (!(ACTIONS as readonly string[]).includes(action)) throw usage(`Unknown action "${action}".`);
  const options = new OptionReader(action, rest);
  switch (action) {
    case 'list': {
      let reason: RegExp | undefined;
      let json = false;
      options.each((option) => {
        if (option === '--reason') reason = options.regex(option);
        else if (option === '--json') json = true;
        else return false;
        return true;
      });
      return { action, json, ...(reason === undefined ? {} : { reason }) };
    }
    case 'show': {
      let sequence: number | undefined;
      let reveal = false;
      options.each((option) => {
        if (option === '--reveal') reveal = true;
        else if (!option.startsWith('-') && sequence === undefined) sequence = sequenceNumber(option);
        else return false;
        return true;
      });
      if (sequence === undefined) throw usage('show needs the sequence of a dead letter (see list).');
      return { action, sequence, reveal };
    }
    case 'replay':
      return parseReplay(options);
    default: {
      let yes = false;
      options.each((option) => {
        if (option !== '--yes') return false;
        yes = true;
        return true;
      });
      if (!yes) throw usage('purge deletes every dead letter and cannot be undone; add --yes to confirm.');
      return { action: 'purge' };
    }
  }
}

function parseReplay(options: OptionReader): DeadLettersRequest {
  const sequences: number[] = [];
  let reason: RegExp | undefined;
  let all = false;
  let keep = false;
  options.each((option) => {
    if (option === '--sequence') sequences.push(...options.sequences(option));
    else if (option === '--reason') reason = options.regex(option);
    else if (option === '--all') all = true;
    else if (option === '--keep') keep = true;
    else return false;
    return true;
  });
  const chosen = [sequences.length > 0, reason !== undefined, all].filter(Boolean).length;
  if (chosen !== 1) {
    throw usage(chosen === 0 ? 'replay needs --sequence, --reason or --all.' : 'replay takes only one of --sequence, --reason and --all.');
  }
  const selection: DeadLetterSelection = all ? { all: true } : reason === undefined ? { sequences } : { reason };
  return { action: 'replay', selection, keep };
}

/** Walks the words after an action, handing each to a callback that says whether it knew it. */
class OptionReader {
  private index = 0;

  constructor(private readonly action: string, private readonly words: readonly string[]) {}

  each(accept: (word: string) => boolean): void {
    for (this.index = 0; this.index < this.words.length; this.index += 1) {
      const word = this.words[this.index]!;
      if (!accept(word)) {
        throw usage(word.startsWith('-') ? `${this.action} does not take ${word}.` : `Unexpected argument "${word}".`);
      }
    }
  }

  regex(option: string): RegExp {
    const text = this.value(option);
    try {
      return new RegExp(text, 'i');
    } catch {
      throw usage(`${option} "${text}" is not a regular expression.`);
    }
  }

  /** The sequences after `--sequence`: every following word that does not start with `-`. */
  sequences(option: string): number[] {
    const found: number[] = [];
    while (this.index + 1 < this.words.length && !this.words[this.index + 1]!.startsWith('-')) {
      this.index += 1;
      for (const part of this.words[this.index]!.split(',')) {
        if (part.trim() !== '') found.push(sequenceNumber(part.trim()));
      }
    }
    if (found.length === 0) throw usage(`${option} needs at least one sequence.`);
    return found;
  }

  private value(option: string): string {
    const next = this.words[this.index + 1];
    if (next === undefined) throw usage(`${option} needs a value.`);
    this.index += 1;
    return next;
  }
}

function sequenceNumber(text: string): number {
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value <= 0) throw usage(`"${text}" is not a sequence (a whole number from 1).`);
  return value;
}

function usage(problem: string): UsageError {
  return new UsageError(`${problem} ${DEAD_LETTERS_USAGE}`);
}
