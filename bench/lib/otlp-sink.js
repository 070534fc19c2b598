import { createServer } from 'node:http';
import { Buffer } from 'node:buffer';

const SPAN_ID_KEY = Buffer.from('"spanId"');

/**
 * A collector stand-in for the tracing benchmarks: takes OTLP/HTTP JSON on
 * `POST /v1/traces` on a loopback port, counts requests, bytes and spans (by their
 * `"spanId"` keys, without parsing) and throws the spans away, answering 200 as a
 * collector does. Cheap on purpose: it runs in the benchmark process, beside autocannon.
 */
export class OtlpSink {
  requests = 0;
  bytes = 0;
  spans = 0;

  /** @param {import('node:http').Server} server @param {number} port */
  constructor(server, port) {
    this.server = server;
    this.port = port;
  }

  /** @returns {Promise<OtlpSink>} */
  static async start() {
    const server = createServer();
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    const sink = new OtlpSink(server, /** @type {import('node:net').AddressInfo} */ (server.address()).port);
    server.on('request', (request, response) => {
      const chunks = [];
      request.on('data', (chunk) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks);
        sink.requests += 1;
        sink.bytes += body.length;
        for (let at = body.indexOf(SPAN_ID_KEY); at !== -1; at = body.indexOf(SPAN_ID_KEY, at + SPAN_ID_KEY.length)) sink.spans += 1;
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    return sink;
  }

  /** The environment that makes a host export every span here as OTLP/HTTP JSON. */
  get env() {
    return {
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${this.port}`,
      OTEL_TRACES_SAMPLER: 'always_on',
    };
  }

  /** What arrived so far, and resets the counts. */
  take() {
    const taken = { requests: this.requests, bytes: this.bytes, spans: this.spans };
    this.requests = 0;
    this.bytes = 0;
    this.spans = 0;
    return taken;
  }

  close() {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve(undefined)));
  }
}
