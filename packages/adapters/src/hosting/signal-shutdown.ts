import type { ILogger } from '@signup/domain';

/** What `SignalShutdown` needs from the process. */
export interface SignalShutdownOptions {
  /** Stops the host gracefully; resolves false (or rejects) when something did not close cleanly. */
  readonly stop: () => Promise<boolean>;
  readonly exit: (code: number) => void;
  readonly logger: ILogger;
}

/**
 * Turns SIGTERM/SIGINT into a graceful stop: the first signal stops the host and
 * exits 0 when everything closed cleanly (1 otherwise); a second signal while
 * stopping exits 1 at once, for an operator who will not wait.
 */
export class SignalShutdown {
  private stopping = false;

  constructor(private readonly options: SignalShutdownOptions) {}

  /** Listens for SIGTERM and SIGINT on the given process. */
  install(target: Pick<NodeJS.Process, 'on'>): void {
    target.on('SIGTERM', (signal) => this.handle(signal));
    target.on('SIGINT', (signal) => this.handle(signal));
  }

  handle(signal: string): void {
    const { logger, exit } = this.options;
    if (this.stopping) {
      logger.warn(`Received ${signal} while stopping; exiting now`);
      exit(1);
      return;
    }
    this.stopping = true;
    logger.info(`Received ${signal}; stopping`);
    this.options.stop().then(
      (clean) => {
        logger.info(clean ? 'Stopped' : 'Stopped with errors');
        exit(clean ? 0 : 1);
      },
      (error: unknown) => {
        logger.error('Stopping failed', { error });
        exit(1);
      },
    );
  }
}
