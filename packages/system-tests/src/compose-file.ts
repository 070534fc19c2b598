import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/** One service of a compose file, as far as the tests need it. */
export interface ComposeService {
  readonly name: string;
  readonly image?: string;
  /** The command as an argument list; undefined when the image's CMD applies. */
  readonly command?: readonly string[];
  /** Variables set in the service's `environment`, in list or map form. */
  readonly environment: Readonly<Record<string, string>>;
}

const VARIABLE = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[?-])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

/**
 * Substitutes variables as compose does: `${NAME}` and `$NAME`, `${NAME:-default}` (the
 * default when unset or blank), `${NAME:?message}` (an error when unset or blank); `$$` is `$`.
 *
 * @throws Error with the message of a `${NAME:?message}` whose variable is unset or blank.
 */
export function interpolate(text: string, variables: Readonly<Record<string, string>>): string {
  return text.replace(VARIABLE, (match, braced: string | undefined, operator: string | undefined, argument: string | undefined, bare: string | undefined) => {
    if (match === '$$') return '$';
    const name = braced ?? bare ?? '';
    const value = variables[name];
    const missing = value === undefined || (operator?.startsWith(':') === true && value === '');
    if (!missing) return value;
    if (operator?.endsWith('?') === true) throw new Error(`${name}: ${argument ?? 'required'}`);
    return operator?.endsWith('-') === true ? argument ?? '' : '';
  });
}

/** The names of the variables a compose file's text refers to (`${NAME…}` or `$NAME`). */
export function referencedVariables(text: string): string[] {
  return [...new Set([...text.matchAll(VARIABLE)].map((match) => match[1] ?? match[4]).filter((name): name is string => name !== undefined))].sort();
}

/** The `NAME=value` lines of an env file (`#` comments and blank lines skipped). */
export function readEnvFile(file: string): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split(/\r?\n/)) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const equals = trimmed.indexOf('=');
    if (equals > 0) variables[trimmed.slice(0, equals).trim()] = trimmed.slice(equals + 1).trim();
  }
  return variables;
}

function asEnvironment(service: string, value: unknown): Record<string, string> {
  const variables: Record<string, string> = {};
  if (value === undefined || value === null) return variables;
  if (Array.isArray(value)) {
    for (const item of value) {
      const text = String(item);
      const equals = text.indexOf('=');
      if (equals <= 0) throw new Error(`${service}: environment entry "${text}" has no value; write NAME=value`);
      variables[text.slice(0, equals)] = text.slice(equals + 1);
    }
  } else if (typeof value === 'object') {
    for (const [name, item] of Object.entries(value)) {
      if (item === null || typeof item === 'object') throw new Error(`${service}: environment ${name} has no scalar value`);
      variables[name] = String(item);
    }
  } else {
    throw new Error(`${service}: environment is neither a list nor a map`);
  }
  return variables;
}

function substituted(environment: Record<string, string>, variables: Readonly<Record<string, string>> | undefined): Record<string, string> {
  if (variables === undefined) return environment;
  return Object.fromEntries(Object.entries(environment).map(([name, value]) => [name, interpolate(value, variables)]));
}

function asCommand(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return value.map(String);
  if (typeof value !== 'string') throw new Error(`command ${JSON.stringify(value)} is neither a string nor a list`);
  return value.split(/\s+/).filter((word) => word !== '');
}

/**
 * Reads the services of a compose file, resolving YAML anchors and `<<` merge keys
 * as docker-compose does, and substituting `variables` into the environment values
 * when given (see `interpolate`).
 *
 * @throws Error when the file has no `services` map or a service's environment is malformed.
 */
export function readComposeServices(file: string, variables?: Readonly<Record<string, string>>): ComposeService[] {
  const document = parse(readFileSync(file, 'utf8'), { merge: true }) as { services?: Record<string, Record<string, unknown>> } | null;
  const services = document?.services;
  if (services === undefined || services === null || typeof services !== 'object') throw new Error(`${file} has no services`);
  return Object.entries(services).map(([name, service]) => ({
    name,
    image: typeof service.image === 'string' ? service.image : undefined,
    command: asCommand(service.command),
    environment: substituted(asEnvironment(name, service.environment), variables),
  }));
}
