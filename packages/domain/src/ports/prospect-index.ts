/**
 * One sign-up as the analytics store keeps it: the original index `prospects`
 * document (`FullName`, `CompanyName`, `EmailAddress`, `RoleName`, `CountryName`,
 * `SignUpDate`) plus the codes and the event id, which is the document's identity.
 * Names are denormalised from the reference data when the event is indexed.
 */
export interface IndexedProspect {
  /** The event's correlation id; indexing the same event twice keeps one document. */
  readonly eventId: string;
  readonly fullName: string;
  readonly companyName: string;
  readonly emailAddress: string;
  readonly countryCode: string;
  readonly countryName: string;
  readonly roleCode: string;
  readonly roleName: string;
  readonly signUpDate: Date;
}

/** What the store made of one document of a batch. */
export type IndexItemResult =
  | { readonly eventId: string; readonly status: 'indexed' }
  /** The store refused this document for good (a mapping error): dead-letter it with the reason. */
  | { readonly eventId: string; readonly status: 'rejected'; readonly reason: string };

/**
 * The analytics store the index handler writes: a SQL read model table or an
 * Elasticsearch index. Writes are idempotent on `eventId`.
 *
 * @throws DependencyUnavailableError (transient) when the store cannot be reached or
 *   does not answer in time: nothing can be assumed indexed, the batch is retried.
 */
export interface IProspectIndex {
  /**
   * Indexes a batch; one result per input document, in input order, each carrying the
   * input's `eventId`. Event ids that differ only in letter case are one document; a
   * batch that repeats an event, or an event indexed before, leaves one document.
   * A document the store refuses for good is `rejected` while the others are indexed.
   */
  indexMany(prospects: readonly IndexedProspect[]): Promise<IndexItemResult[]>;
  /** Removes every document, for `signup-handler index --rebuild`. */
  clear(): Promise<void>;
}
export const IProspectIndex: unique symbol = Symbol.for('signup.IProspectIndex');
