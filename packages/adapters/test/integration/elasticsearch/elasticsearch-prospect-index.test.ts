import { randomUUID } from 'node:crypto';
import { CONTRACT_STREAM_CHUNK, prospectIndexContract } from '@signup/test-support/prospect-index-contract';
import { describe, it } from 'mocha';
import { createElasticsearchConnection, ElasticsearchProspectIndex } from '../../../src/elasticsearch/index.js';

const url = process.env.ELASTICSEARCH_URL;

if (url === undefined || url === '') {
  // No Elasticsearch can be installed where this suite usually runs, so it is skipped even with CI set.
  describe('ElasticsearchProspectIndex against a live cluster', function () {
    it('passes the analytics store contract', function () {
      console.log('      ELASTICSEARCH_URL is not set; set it to a cluster (e.g. http://127.0.0.1:9200) to run the contract against Elasticsearch');
      this.skip();
    });
  });
} else {
  prospectIndexContract('ElasticsearchProspectIndex (live cluster)', () => {
    const connection = createElasticsearchConnection({
      url,
      index: `signup-test-${randomUUID()}`,
      username: process.env.ELASTICSEARCH_USERNAME,
      password: process.env.ELASTICSEARCH_PASSWORD,
      apiKey: process.env.ELASTICSEARCH_API_KEY,
    });
    const store = new ElasticsearchProspectIndex(connection, { streamChunkSize: CONTRACT_STREAM_CHUNK });
    return Promise.resolve({
      store,
      settle: () => store.refresh(),
      close: async () => {
        await connection.client.indices.delete({ index: connection.index, ignore_unavailable: true });
        await connection.client.indices.deleteIndexTemplate({ name: `signup-${connection.index}` }).catch(() => undefined);
        await connection.client.close();
      },
    });
  });
}
