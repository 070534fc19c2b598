import type { SignUpSettings } from '@signup/adapters/config';
import type { ConfigurablePort } from '@signup/adapters/di';
import type { NatsMessagingOptions } from '@signup/adapters/nats';
import type { ParsedConnectionString } from '@signup/adapters/sql';
import type { IHealthCheck, ILogger, IProspectEventHandler } from '@signup/domain';
import type { ContainerModule, ServiceIdentifier } from 'inversify';

/** What a handler definition is given to build its use case and to run its start-up hook. */
export interface HandlerContext {
  readonly settings: SignUpSettings;
  /** The host's logger, whose lines carry the handler's name. */
  readonly logger: ILogger;
  /**
   * Resolves a token from the host's container: the definition's `ports`, what its `module`
   * binds (its use case, a store of its own) and `ILogger`.
   *
   * @throws Error when nothing is bound to the token.
   */
  readonly get: <T>(token: ServiceIdentifier<T>) => T;
  /**
   * Makes the subscription that follows start at the first event in the stream: deletes the
   * handler's durable consumer, which the subscription then creates again (for a rebuild).
   *
   * @throws ConfigurationError with `MessageQueue:Mode=core`, which keeps no history.
   * @throws HandlerInUseError while another instance of the handler is consuming.
   * @throws QueueUnavailableError when JetStream cannot be reached.
   */
  readonly replayFromStart: () => Promise<void>;
}

/** Subscriber tuning a handler may ask for (batch size, batches in flight). */
export type SubscriberTuning = NonNullable<NatsMessagingOptions['subscriber']>;

/** What a handler's tuning can depend on. */
export interface TuningContext {
  readonly settings: SignUpSettings;
  /** The database the host opened, when one of the handler's ports needs it. */
  readonly database?: ParsedConnectionString;
  /** The analytics database (`ConnectionStrings:AnalyticsDb`, else the sign-up database), when `SqlProspectIndex` is chosen. */
  readonly analyticsDatabase?: ParsedConnectionString;
}

/**
 * A message handler as one unit: its name, the ports it resolves, the container module that
 * binds its use case (and any store of its own), how to build the use case and its readiness
 * checks. Every host runs definitions and never names a particular handler: `signup-handler`
 * through its command table, the all-in-one (`signup-web` without `MessageQueue:Url`) in its
 * process through the same table (`Handlers:InProcess`). The handler host gives every handler
 * the same lifecycle (layered configuration, logged and masked connections, a durable
 * consumer that a new handler starts at the beginning of the stream, readiness and
 * metrics, graceful stop on SIGTERM/SIGINT). See docs/architecture.md, "Add a handler".
 */
export interface HandlerDefinition {
  /**
   * The handler's name: its durable consumer (queue group in core mode), the `[name]` of its
   * log lines and the `handler` label of `message_handler_events_total`. Must equal the name of the
   * handler `createHandler` returns.
   */
  readonly name: string;
  /**
   * The configurable ports its use case resolves (`Dependencies:<port>`). The host opens what
   * their chosen implementations need (the database) and binds them; `[]` opens nothing but NATS.
   */
  readonly ports: readonly ConfigurablePort[];
  /**
   * Bind what the handler resolves beyond its configurable ports: its use case
   * (`toResolvedValue` with the tokens it needs) and the store of its own, if it has one (the
   * module its adapter folder exports). Loaded into the container of whichever host runs it.
   */
  readonly modules?: readonly ContainerModule[];
  /**
   * True for a handler that stores each accepted sign-up where the web's synchronous mode
   * would (the save handler). An all-in-one whose web publishes without `MessageQueue:Url`
   * refuses to start without one, since its sign-ups would be accepted and never stored.
   */
  readonly storesSignUps?: boolean;
  /** Builds the use case, once, after the container is built. */
  readonly createHandler: (context: HandlerContext) => IProspectEventHandler;
  /**
   * Readiness checks of the handler's own (`/health/ready` of the host running it), beside the
   * host's check of its subscription and those the modules of its stores bind.
   */
  readonly healthChecks?: (context: HandlerContext) => readonly IHealthCheck[];
  /** Subscriber tuning for this handler; the defaults when absent. */
  readonly tuning?: (context: TuningContext) => SubscriberTuning;
  /**
   * Runs after the container is built and before the subscription starts (`--rebuild` empties a
   * store here). A rejection stops the start-up like a failed connection.
   */
  readonly beforeSubscribe?: (context: HandlerContext) => Promise<void>;
}
