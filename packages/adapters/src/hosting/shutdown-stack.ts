import type { ILogger } from '@signup/domain';

interface Step {
  readonly name: string;
  readonly close: () => Promise<void> | void;
}

/**
 * Collects the close steps of what a host opened, in the order it opened them,
 * and runs them in reverse: the last thing opened (the subscription) closes
 * first, the first (the metrics server) last. Runs once; later calls return the
 * same result. A failing step is logged and the remaining steps still run.
 */
export class ShutdownStack {
  private readonly steps: Step[] = [];
  private running: Promise<boolean> | undefined;

  constructor(private readonly logger: ILogger) {}

  /** Registers a close step. Steps pushed after `run` started are ignored. */
  push(name: string, close: () => Promise<void> | void): void {
    if (this.running === undefined) this.steps.push({ name, close });
  }

  /** Runs every step, newest first. Resolves true when every step succeeded; never rejects. */
  run(): Promise<boolean> {
    this.running ??= this.runSteps();
    return this.running;
  }

  private async runSteps(): Promise<boolean> {
    let clean = true;
    for (const step of [...this.steps].reverse()) {
      try {
        this.logger.debug(`Closing ${step.name}`);
        await step.close();
      } catch (error) {
        clean = false;
        this.logger.error(`Closing ${step.name} failed`, { error });
      }
    }
    return clean;
  }
}
