/**
 * One thing readiness depends on (the database, the message queue, a subscription).
 * Hosts bind one per dependency of their configuration and report ready when all pass.
 */
export interface IHealthCheck {
  readonly name: string;
  /**
   * False for a part the host works without for a while (the outbox relay waiting for the
   * message queue): its failure is reported, but readiness does not fail on it. Default true.
   */
  readonly critical?: boolean;
  /** Resolves when healthy; rejects with the reason otherwise. Must answer within a few seconds. */
  check(): Promise<void>;
}
export const IHealthCheck: unique symbol = Symbol.for('signup.IHealthCheck');
