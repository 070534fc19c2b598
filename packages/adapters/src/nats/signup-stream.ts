import {
  nanos,
  RetentionPolicy,
  StorageType,
  type JetStreamManager,
  type NatsConnection,
  type StreamConfig,
} from 'nats';
import { ConfigurationError } from '../config/configuration-error.js';
import { describeNatsError, isJetStreamApiError, isStreamNotFound, queueUnavailable } from './nats-error-translation.js';

/** The JetStream stream holding every prospect event, so a new handler can replay history. */
export const SIGNUP_EVENTS_STREAM = 'SIGNUP_EVENTS';
/** The subjects `SIGNUP_EVENTS` stores. */
export const SIGNUP_EVENTS_SUBJECTS = 'events.prospect.>';
/** The stream keeping dead-lettered messages so operators can inspect and replay them. */
export const SIGNUP_DEADLETTER_STREAM = 'SIGNUP_DEADLETTER';
/** The subjects `SIGNUP_DEADLETTER` stores; `PROSPECT_SIGNED_UP_DEAD_LETTER_SUBJECT` is one of them. */
export const SIGNUP_DEADLETTER_SUBJECTS = 'deadletter.events.prospect.>';
/** How long JetStream remembers a `Nats-Msg-Id` to drop a duplicate publish. */
export const DUPLICATE_WINDOW_MS = 2 * 60_000;

/**
 * Limits of what the SignUp streams keep (`MessageQueue:MaxAge`, `MessageQueue:MaxBytes`):
 * older messages, or the oldest once the stream is larger, are removed. Unset: no limit on
 * a new stream, and an existing stream keeps what it has.
 */
export interface StreamRetention {
  /** Longest a message is kept, in milliseconds. */
  readonly maxAgeMs?: number | undefined;
  /** Most bytes a stream keeps. */
  readonly maxBytes?: number | undefined;
}

/** Options of `ensureSignUpStream`. */
export interface EnsureSignUpStreamOptions extends StreamRetention {
  /**
   * Replicas the streams should have (`MessageQueue:Replicas`). Unset: a new stream gets
   * one, and an existing stream keeps what it has.
   */
  readonly replicas?: number;
}

interface StreamSpec {
  readonly name: string;
  readonly subject: string;
  readonly description: string;
}

const STREAMS: readonly StreamSpec[] = [
  { name: SIGNUP_EVENTS_STREAM, subject: SIGNUP_EVENTS_SUBJECTS, description: 'SignUp prospect events' },
  { name: SIGNUP_DEADLETTER_STREAM, subject: SIGNUP_DEADLETTER_SUBJECTS, description: 'SignUp messages no handler could process' },
];

/**
 * Creates the SignUp streams when missing, or updates them when their subjects,
 * duplicate window or (when given) replicas, age limit or size limit differ:
 * `SIGNUP_EVENTS` on `events.prospect.>` and `SIGNUP_DEADLETTER` on
 * `deadletter.events.prospect.>`, both file storage with limits retention and a
 * 2-minute duplicate window. Other settings an operator changed (limits not
 * configured here) are kept.
 * Safe when several processes start at once.
 *
 * @throws ConfigurationError naming `MessageQueue:Replicas` when JetStream refuses the
 *   replica count (a single server takes only 1; a cluster at most its JetStream servers).
 * @throws QueueUnavailableError when JetStream cannot be reached or refuses the stream
 *   for another reason (for example another stream already stores the subjects).
 */
export async function ensureSignUpStream(nc: NatsConnection, options: EnsureSignUpStreamOptions = {}): Promise<void> {
  let jsm: JetStreamManager;
  try {
    jsm = await nc.jetstreamManager({ checkAPI: false });
  } catch (error) {
    throw queueUnavailable('JetStream is not available', error);
  }
  // A single server takes an update to more replicas without complaint, yet cannot replicate.
  if (options.replicas !== undefined && options.replicas > 1 && nc.info !== undefined && nc.info.cluster === undefined) {
    throw new ConfigurationError('MessageQueue:Replicas', `MessageQueue:Replicas = "${options.replicas}" needs a NATS cluster, `
      + `but the server at ${nc.getServer()} is not in one; use 1 on a single server, at most the number of JetStream servers on a cluster`);
  }
  for (const spec of STREAMS) {
    try {
      await ensureStream(jsm, spec, options.replicas, options);
    } catch (error) {
      if (error instanceof ConfigurationError) throw error;
      throw queueUnavailable(`Cannot create or update the JetStream stream ${spec.name}`, error);
    }
  }
}

async function ensureStream(jsm: JetStreamManager, spec: StreamSpec, replicas: number | undefined, retention: StreamRetention): Promise<void> {
  const existing = await findStream(jsm, spec.name);
  if (existing === undefined) {
    try {
      await jsm.streams.add({ ...newStreamConfig(spec, replicas ?? 1), ...retentionConfig(retention) });
      return;
    } catch (error) {
      // Another process may have created it between our look-up and add.
      const raced = await findStream(jsm, spec.name);
      if (raced === undefined) throw replicasRefused(error, spec, replicas ?? 1, replicas ?? 1);
      await updateWhenDifferent(jsm, spec, raced, replicas, retention);
      return;
    }
  }
  await updateWhenDifferent(jsm, spec, existing, replicas, retention);
}

/** The stream settings of the configured limits; a limit not configured is left out. */
function retentionConfig({ maxAgeMs, maxBytes }: StreamRetention): Partial<StreamConfig> {
  return { ...(maxAgeMs === undefined ? {} : { max_age: nanos(maxAgeMs) }), ...(maxBytes === undefined ? {} : { max_bytes: maxBytes }) };
}

/**
 * A JetStream refusal of a stream asking for more than one replica, or for a change of
 * replicas, is reported as the setting's mistake; anything else is passed on.
 */
function replicasRefused(error: unknown, spec: StreamSpec, wanted: number, had: number): unknown {
  if (!isJetStreamApiError(error) || (wanted === 1 && had === 1)) return error;
  const change = had === wanted ? `${wanted} replicas` : `${wanted} replicas (it has ${had})`;
  return new ConfigurationError('MessageQueue:Replicas',
    `MessageQueue:Replicas = "${wanted}" cannot be applied: JetStream refused stream ${spec.name} with ${change}: ${describeNatsError(error)}; `
    + 'use 1 on a single server, at most the number of JetStream servers on a cluster', { cause: error });
}

async function findStream(jsm: JetStreamManager, name: string): Promise<StreamConfig | undefined> {
  try {
    return (await jsm.streams.info(name)).config;
  } catch (error) {
    if (isStreamNotFound(error)) return undefined;
    throw error;
  }
}

async function updateWhenDifferent(
  jsm: JetStreamManager, spec: StreamSpec, config: StreamConfig, replicas: number | undefined, retention: StreamRetention,
): Promise<void> {
  const subjects = config.subjects ?? [];
  const duplicateWindow = nanos(DUPLICATE_WINDOW_MS);
  const had = config.num_replicas || 1;
  const wanted = replicas ?? had;
  const limits = retentionConfig(retention);
  const limitsKept = (limits.max_age === undefined || limits.max_age === config.max_age)
    && (limits.max_bytes === undefined || limits.max_bytes === config.max_bytes);
  if (subjects.includes(spec.subject) && config.duplicate_window === duplicateWindow && wanted === had && limitsKept) return;
  try {
    await jsm.streams.update(spec.name, {
      ...config,
      subjects: subjects.includes(spec.subject) ? subjects : [...subjects, spec.subject],
      duplicate_window: duplicateWindow,
      num_replicas: wanted,
      ...limits,
    });
  } catch (error) {
    throw wanted === had ? error : replicasRefused(error, spec, wanted, had);
  }
}

function newStreamConfig(spec: StreamSpec, replicas: number): Partial<StreamConfig> {
  return {
    num_replicas: replicas,
    name: spec.name,
    description: spec.description,
    subjects: [spec.subject],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    duplicate_window: nanos(DUPLICATE_WINDOW_MS),
  };
}
