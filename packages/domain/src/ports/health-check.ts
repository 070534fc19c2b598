/**
 * One thing readiness depends on (the database, the message queue, a subscription).
 * Hosts bind one per dependency of their configuration and report ready when all pass.
 */
export interface IHealthCheck {
  readonly name: string;
  /** Resolves when healthy; rejects with the reason otherwise. Must answer within a few seconds. */
  check(): Promise<void>;
}
export const IHealthCheck: unique symbol = Symbol.for('signup.IHealthCheck');
