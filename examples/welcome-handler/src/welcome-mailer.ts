import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

/** A welcome message for a new prospect. */
export interface WelcomeMessage {
  readonly to: string;
  readonly subject: string;
  readonly body: string;
  /** The event it answers; lets the receiving side drop a redelivered message. */
  readonly correlationId: string;
}

/** Sends welcome messages. Throws when the message could not be handed over. */
export interface WelcomeMailer {
  send(message: WelcomeMessage): Promise<void>;
}

/** Writes each message as one JSON line to an outbox file, for a mail relay to pick up. */
export class FileOutboxMailer implements WelcomeMailer {
  constructor(private readonly path: string) {}

  async send(message: WelcomeMessage): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    await appendFile(this.path, `${JSON.stringify(message)}\n`, 'utf8');
  }
}
