/** One instruction of a Dockerfile: `RUN apt-get ...` is `{ keyword: 'RUN', args: 'apt-get ...' }`. */
export interface DockerInstruction {
  readonly keyword: string;
  readonly args: string;
}

/** A Dockerfile read into build stages, each starting at its `FROM`. */
export class Dockerfile {
  private constructor(readonly stages: readonly (readonly DockerInstruction[])[]) {}

  /**
   * Reads the instructions the way the builder does: `\` continues a line, comment
   * lines are dropped (also inside a continued instruction), keywords are case-insensitive.
   * Parser directives and `ARG`s before the first `FROM` are dropped.
   */
  static parse(text: string): Dockerfile {
    const instructions: DockerInstruction[] = [];
    let pending = '';
    for (const raw of text.split(/\r?\n/)) {
      const line = raw.trim();
      if (line.startsWith('#')) continue;
      if (line.endsWith('\\')) {
        pending += `${line.slice(0, -1)} `;
        continue;
      }
      const whole = (pending + line).trim();
      pending = '';
      if (whole === '') continue;
      const match = /^(\S+)\s*(.*)$/s.exec(whole) as RegExpExecArray;
      instructions.push({ keyword: (match[1] as string).toUpperCase(), args: match[2] as string });
    }
    const stages: DockerInstruction[][] = [];
    for (const instruction of instructions) {
      if (instruction.keyword === 'FROM') stages.push([]);
      stages.at(-1)?.push(instruction);
    }
    return new Dockerfile(stages);
  }

  /** The stage the image is made of: the last one. */
  get finalStage(): readonly DockerInstruction[] {
    const stage = this.stages.at(-1);
    if (stage === undefined) throw new Error('The Dockerfile has no FROM');
    return stage;
  }

  /** The last instruction of the final stage with this keyword (the one that takes effect), if any. */
  last(keyword: string): DockerInstruction | undefined {
    return this.finalStage.filter((instruction) => instruction.keyword === keyword).at(-1);
  }

  /**
   * The exec form (JSON array) of the final stage's `CMD` or `ENTRYPOINT`.
   *
   * @throws Error when the instruction is missing or in shell form.
   */
  execForm(keyword: 'CMD' | 'ENTRYPOINT'): string[] {
    const instruction = this.last(keyword);
    if (instruction === undefined) throw new Error(`The Dockerfile has no ${keyword}`);
    return parseExecForm(instruction.args, keyword);
  }

  /**
   * The command of the final stage's `HEALTHCHECK ... CMD [...]`, without the options before `CMD`.
   *
   * @throws Error when there is none or it is in shell form.
   */
  healthCheckCommand(): string[] {
    const instruction = this.last('HEALTHCHECK');
    const match = instruction === undefined ? null : /(?:^|\s)CMD\s+(\[.*\])\s*$/s.exec(instruction.args);
    if (match === null) throw new Error('The Dockerfile has no HEALTHCHECK in exec form (HEALTHCHECK ... CMD ["..."])');
    return parseExecForm(match[1] as string, 'HEALTHCHECK');
  }

  /** The variables the final stage's `ENV` instructions set (`ENV A=1 B=2` form). */
  environment(): Record<string, string> {
    const variables: Record<string, string> = {};
    for (const instruction of this.finalStage.filter((candidate) => candidate.keyword === 'ENV')) {
      for (const pair of instruction.args.split(/\s+/).filter((word) => word !== '')) {
        const equals = pair.indexOf('=');
        if (equals <= 0) throw new Error(`ENV ${instruction.args}: use the KEY=value form`);
        variables[pair.slice(0, equals)] = pair.slice(equals + 1);
      }
    }
    return variables;
  }
}

function parseExecForm(args: string, keyword: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(args);
  } catch {
    throw new Error(`${keyword} ${args} is not in exec form (a JSON array of strings)`);
  }
  if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((item) => typeof item === 'string')) {
    throw new Error(`${keyword} ${args} is not a non-empty JSON array of strings`);
  }
  return parsed;
}
