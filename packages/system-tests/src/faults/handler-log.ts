import type { HostProcess } from '../host-process.js';

const RECEIVED = /Received event ([0-9a-f-]{36})/i;
const SAVED = /Prospect saved\. Prospect ID: \d+; event ID: ([0-9a-f-]{36})/i;
const INDEXING = /Indexing prospect, signed up at: \S+; event ID: ([0-9a-f-]{36})/i;
const INDEXED = /Prospect indexed; event ID: ([0-9a-f-]{36})/i;

function idsMatching(hosts: readonly HostProcess[], pattern: RegExp): string[] {
  const ids: string[] = [];
  for (const host of hosts) {
    for (const line of host.lines) {
      const match = pattern.exec(line);
      if (match?.[1] !== undefined) ids.push(match[1].toLowerCase());
    }
  }
  return ids;
}

/** Correlation ids of every `Received event …` line of these save handler processes, one per delivery. */
export function receivedEventIds(...hosts: readonly HostProcess[]): string[] {
  return idsMatching(hosts, RECEIVED);
}

/** Correlation ids of every `Prospect saved. … event ID: …` line of these save handler processes. */
export function savedEventIds(...hosts: readonly HostProcess[]): string[] {
  return idsMatching(hosts, SAVED);
}

/** Deliveries beyond the first of each event, counted from the handlers' `Received event` lines. */
export function redeliveries(...hosts: readonly HostProcess[]): number {
  const received = receivedEventIds(...hosts);
  return received.length - new Set(received).size;
}

/** Events a handler received but had not logged as saved: what it had in hand when it stopped. */
export function eventsInHand(host: HostProcess): string[] {
  const saved = new Set(savedEventIds(host));
  return [...new Set(receivedEventIds(host))].filter((id) => !saved.has(id));
}

/**
 * True once a handler has events in hand and has written nothing for `quietMs`: with its
 * database frozen it is stuck in the middle of a batch. A moment with events in hand is not
 * enough, as the commit may already be on its way back.
 */
export async function stuckMidBatch(host: HostProcess, quietMs = 300): Promise<boolean> {
  if (eventsInHand(host).length === 0) return false;
  const lines = host.lines.length;
  await new Promise((resolve) => setTimeout(resolve, quietMs));
  return host.lines.length === lines && eventsInHand(host).length > 0;
}

/** Events an index handler logged as being indexed but not as indexed: what it had in hand. */
export function indexEventsInHand(host: HostProcess): string[] {
  const indexed = new Set(idsMatching([host], INDEXED));
  return [...new Set(idsMatching([host], INDEXING))].filter((id) => !indexed.has(id));
}

/** Deliveries beyond the first of each event, counted from the index handlers' `Indexing prospect` lines. */
export function indexRedeliveries(...hosts: readonly HostProcess[]): number {
  const indexing = idsMatching(hosts, INDEXING);
  return indexing.length - new Set(indexing).size;
}
