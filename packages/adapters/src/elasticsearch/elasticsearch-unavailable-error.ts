import { DependencyUnavailableError, type DependencyUnavailableErrorOptions } from '@signup/domain';

/**
 * The Elasticsearch cluster could not be reached, did not answer in time, or kept
 * answering 429/5xx after the retries: nothing can be assumed indexed, and the index
 * handler asks for the batch again later (documents are written under their event
 * id, so a repeat overwrites rather than duplicates).
 */
export class ElasticsearchUnavailableError extends DependencyUnavailableError {
  constructor(message: string, options: DependencyUnavailableErrorOptions = {}) {
    super('ELASTICSEARCH_UNAVAILABLE', message, options);
  }
}
