import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigurationError } from './configuration-error.js';
import { Configuration } from './configuration.js';

/** Where `loadConfiguration` reads from; every source is optional. */
export interface LoadConfigurationOptions {
  /** Folder holding `configs/config.json` and `secrets/secret.json`; the process's working directory by default. */
  readonly cwd?: string;
  /** Environment variables; `process.env` by default. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The host's `appsettings.json` (relative paths resolve against `cwd`); skipped when absent. */
  readonly appSettingsPath?: string;
}

type Entry = [key: string, value: string];

/**
 * Builds the configuration from its layers, later wins, as the original .NET app did:
 * the host's `appsettings.json`, `<cwd>/configs/config.json`, `<cwd>/secrets/secret.json`,
 * then environment variables. JSON objects flatten to `A:B`, arrays to `A:0`, `null`
 * sets nothing; comments and trailing commas are allowed, as in .NET. In an environment
 * variable name `__` stands for `:`; when one key is given both ways, the `:` spelling wins.
 * Keys are case-insensitive. Reads the files synchronously; a missing file is skipped.
 *
 * @throws ConfigurationError naming the file when a file exists but cannot be read or is not a JSON object.
 */
export function loadConfiguration(options: LoadConfigurationOptions = {}): Configuration {
  const cwd = options.cwd ?? process.cwd();
  const entries: Entry[] = [];
  if (options.appSettingsPath !== undefined) {
    entries.push(...readJsonLayer(path.resolve(cwd, options.appSettingsPath)));
  }
  entries.push(...readJsonLayer(path.join(cwd, 'configs', 'config.json')));
  entries.push(...readJsonLayer(path.join(cwd, 'secrets', 'secret.json')));
  entries.push(...environmentEntries(options.env ?? process.env));
  return new Configuration(entries);
}

function environmentEntries(env: Readonly<Record<string, string | undefined>>): Entry[] {
  const underscored: Entry[] = [];
  const colons: Entry[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    const entry: Entry = [name.replaceAll('__', ':'), value];
    (name.includes(':') ? colons : underscored).push(entry);
  }
  return [...underscored, ...colons];
}

function readJsonLayer(file: string): Entry[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return [];
    throw new ConfigurationError(
      file,
      `Configuration file ${file} cannot be read (${code ?? 'unknown error'}); make it a readable JSON file or remove it`,
      { cause: error },
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(withoutJsonExtensions(text.replace(/^\uFEFF/, '')));
  } catch (error) {
    // The parser's message can quote the file's text, which may be a secret: report only where.
    throw new ConfigurationError(
      file,
      `Configuration file ${file} is not valid JSON${locate(text, error)}; fix it or remove it`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigurationError(file, `Configuration file ${file} is not a JSON object; use {"Section": {"Key": "value"}}`);
  }
  const entries: Entry[] = [];
  flatten(parsed, '', entries);
  return entries;
}

function flatten(value: unknown, prefix: string, into: Entry[]): void {
  if (value === null || value === undefined) return;
  const child = (key: string): string => (prefix === '' ? key : `${prefix}:${key}`);
  if (Array.isArray(value)) {
    value.forEach((item, index) => flatten(item, child(String(index)), into));
  } else if (typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) flatten(item, child(key), into);
  } else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    into.push([prefix, String(value)]);
  }
}

function locate(text: string, error: unknown): string {
  const match = error instanceof Error ? /at position (\d+)/.exec(error.message) : null;
  if (match === null) return '';
  const before = text.replace(/^\uFEFF/, '').slice(0, Number(match[1]));
  const lines = before.split('\n');
  return ` (line ${lines.length}, column ${(lines[lines.length - 1] ?? '').length + 1})`;
}

/**
 * Blanks out `//` and `/* *\/` comments and trailing commas, outside strings, keeping
 * every other character in place so parser positions still point into the file.
 */
function withoutJsonExtensions(text: string): string {
  const out: string[] = [];
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i] as string;
    if (inString) {
      out.push(c);
      if (c === '\\' && i + 1 < text.length) out.push(text[++i] as string);
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      out.push(c);
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') {
        out.push(' ');
        i += 1;
      }
      if (i < text.length) out.push('\n');
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end === -1 ? text.length : end + 2;
      out.push(text.slice(i, stop).replace(/[^\n]/g, ' '));
      i = stop - 1;
    } else if (c === ',' && ['}', ']'].includes(nextCodeCharacter(text, i + 1))) {
      out.push(' ');
    } else {
      out.push(c);
    }
  }
  return out.join('');
}

/** The first character after `from` that is neither white space nor part of a comment; '' at the end. */
function nextCodeCharacter(text: string, from: number): string {
  let i = from;
  while (i < text.length) {
    const c = text[i] as string;
    if (/\s/.test(c)) {
      i += 1;
    } else if (c === '/' && text[i + 1] === '/') {
      const newline = text.indexOf('\n', i);
      if (newline === -1) return '';
      i = newline + 1;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end === -1) return '';
      i = end + 2;
    } else {
      return c;
    }
  }
  return '';
}
