/**
 * Flat, read-only configuration: hierarchical keys joined with `:`
 * (`MessageQueue:Url`), looked up case-insensitively as .NET does. Built from
 * layers by `loadConfiguration`; when a key occurs in several entries the last one wins.
 */
export class Configuration {
  private readonly values = new Map<string, { key: string; value: string }>();

  /** Later entries override earlier ones that name the same key in any casing. */
  constructor(entries: Iterable<readonly [string, string]> = []) {
    for (const [key, value] of entries) {
      this.values.set(key.toLowerCase(), { key, value });
    }
  }

  /** A configuration from a plain object, for tests and embedding (`{ 'Web:Port': '8080' }`). */
  static from(values: Readonly<Record<string, string | undefined>>): Configuration {
    return new Configuration(
      Object.entries(values).filter((entry): entry is [string, string] => entry[1] !== undefined),
    );
  }

  /** The value of the key in any casing, or undefined when no layer sets it. */
  get(key: string): string | undefined {
    return this.values.get(key.toLowerCase())?.value;
  }

  /** True when some layer sets the key (possibly to an empty string). */
  has(key: string): boolean {
    return this.values.has(key.toLowerCase());
  }

  /** Every key, spelled as the layer that set it last spelled it. */
  keys(): string[] {
    return [...this.values.values()].map((entry) => entry.key);
  }
}
