import {
  nanos,
  RetentionPolicy,
  StorageType,
  type JetStreamManager,
  type NatsConnection,
  type StreamConfig,
} from 'nats';
import { isStreamNotFound, queueUnavailable } from './nats-error-translation.js';

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
 * Creates the SignUp streams when missing, or updates them when their subjects or
 * duplicate window differ: `SIGNUP_EVENTS` on `events.prospect.>` and
 * `SIGNUP_DEADLETTER` on `deadletter.events.prospect.>`, both file storage with
 * limits retention and a 2-minute duplicate window. Other settings an operator
 * changed (limits, replicas) are kept. Safe when several processes start at once.
 *
 * @throws QueueUnavailableError when JetStream cannot be reached or refuses the stream
 *   (for example another stream already stores the subjects).
 */
export async function ensureSignUpStream(nc: NatsConnection): Promise<void> {
  let jsm: JetStreamManager;
  try {
    jsm = await nc.jetstreamManager({ checkAPI: false });
  } catch (error) {
    throw queueUnavailable('JetStream is not available', error);
  }
  for (const spec of STREAMS) {
    try {
      await ensureStream(jsm, spec);
    } catch (error) {
      throw queueUnavailable(`Cannot create or update the JetStream stream ${spec.name}`, error);
    }
  }
}

async function ensureStream(jsm: JetStreamManager, spec: StreamSpec): Promise<void> {
  const existing = await findStream(jsm, spec.name);
  if (existing === undefined) {
    try {
      await jsm.streams.add(newStreamConfig(spec));
      return;
    } catch (error) {
      // Another process may have created it between our look-up and add.
      const raced = await findStream(jsm, spec.name);
      if (raced === undefined) throw error;
      await updateWhenDifferent(jsm, spec, raced);
      return;
    }
  }
  await updateWhenDifferent(jsm, spec, existing);
}

async function findStream(jsm: JetStreamManager, name: string): Promise<StreamConfig | undefined> {
  try {
    return (await jsm.streams.info(name)).config;
  } catch (error) {
    if (isStreamNotFound(error)) return undefined;
    throw error;
  }
}

async function updateWhenDifferent(jsm: JetStreamManager, spec: StreamSpec, config: StreamConfig): Promise<void> {
  const subjects = config.subjects ?? [];
  const duplicateWindow = nanos(DUPLICATE_WINDOW_MS);
  if (subjects.includes(spec.subject) && config.duplicate_window === duplicateWindow) return;
  await jsm.streams.update(spec.name, {
    ...config,
    subjects: subjects.includes(spec.subject) ? subjects : [...subjects, spec.subject],
    duplicate_window: duplicateWindow,
  });
}

function newStreamConfig(spec: StreamSpec): Partial<StreamConfig> {
  return {
    name: spec.name,
    description: spec.description,
    subjects: [spec.subject],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    duplicate_window: nanos(DUPLICATE_WINDOW_MS),
  };
}
