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

function asCommand(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return value.map(String);
  if (typeof value !== 'string') throw new Error(`command ${JSON.stringify(value)} is neither a string nor a list`);
  return value.split(/\s+/).filter((word) => word !== '');
}

/**
 * Reads the services of a compose file, resolving YAML anchors and `<<` merge keys
 * as docker-compose does.
 *
 * @throws Error when the file has no `services` map or a service's environment is malformed.
 */
export function readComposeServices(file: string): ComposeService[] {
  const document = parse(readFileSync(file, 'utf8'), { merge: true }) as { services?: Record<string, Record<string, unknown>> } | null;
  const services = document?.services;
  if (services === undefined || services === null || typeof services !== 'object') throw new Error(`${file} has no services`);
  return Object.entries(services).map(([name, service]) => ({
    name,
    image: typeof service.image === 'string' ? service.image : undefined,
    command: asCommand(service.command),
    environment: asEnvironment(name, service.environment),
  }));
}
