import type { estypes } from '@elastic/elasticsearch';
import type { IndexedProspect } from '@signup/domain';
import { PROSPECT_DOCUMENT_FIELDS, toProspectIndexFields, type ProspectIndexFields } from '../analytics/prospect-index-document.js';

/** The index the original index handler wrote to, and `Elasticsearch:Index`'s default. */
export const DEFAULT_PROSPECT_INDEX = 'prospects';

/** A document of the index: the original's fields, plus the codes and the event id (also the document's `_id`); `SignUpDate` ISO 8601 UTC, to the millisecond. */
export type ProspectDocument = ProspectIndexFields<string>;

export { PROSPECT_DOCUMENT_FIELDS };

// Longer than any value validation lets through, so every value is indexed as a keyword too.
const KEYWORD_LIMIT = 512;

/**
 * The index template SignUp puts before it writes (docs/analytics.md): one shard, so
 * `terms` counts are exact; strict mappings, so a document with a field of the wrong
 * shape is refused rather than guessed at. Codes, names and the event id are
 * keywords; `SignUpDate` a date; the full name and company are text for Kibana's
 * search with a `keyword` sub-field for aggregations, sorting and literal matching;
 * the email address a keyword with a `text` sub-field.
 */
export function prospectIndexTemplate(index: string): estypes.IndicesPutIndexTemplateRequest & { index_patterns: string[] } {
  const textWithKeyword: estypes.MappingProperty = { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: KEYWORD_LIMIT } } };
  return {
    name: `signup-${index}`,
    index_patterns: [index],
    priority: 200,
    template: {
      settings: { number_of_shards: 1 },
      mappings: {
        dynamic: 'strict',
        properties: {
          EventId: { type: 'keyword' },
          FullName: textWithKeyword,
          CompanyName: textWithKeyword,
          EmailAddress: { type: 'keyword', ignore_above: KEYWORD_LIMIT, fields: { text: { type: 'text' } } },
          CountryCode: { type: 'keyword' },
          CountryName: { type: 'keyword' },
          RoleCode: { type: 'keyword' },
          RoleName: { type: 'keyword' },
          SignUpDate: { type: 'date', format: 'strict_date_optional_time' },
        },
      },
    },
    _meta: { description: 'SignUp analytics: one document per sign-up, _id = EventId' },
  };
}

/** The document a sign-up is indexed as; the event id in lower case, as the SQL stores keep it. */
export function toProspectDocument(prospect: IndexedProspect): ProspectDocument {
  const fields = toProspectIndexFields(prospect);
  return { ...fields, SignUpDate: fields.SignUpDate.toISOString() };
}
