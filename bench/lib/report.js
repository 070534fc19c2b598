/**
 * Renders rows as a Markdown table with padded columns (readable in a terminal too).
 *
 * @param {string[]} header
 * @param {(string | number)[][]} rows
 * @returns {string}
 */
export function markdownTable(header, rows) {
  const cells = [header, ...rows.map((row) => row.map(String))];
  const widths = header.map((_, column) => Math.max(3, ...cells.map((row) => row[column].length)));
  const line = (row) => `| ${row.map((cell, column) => cell.padEnd(widths[column])).join(' | ')} |`;
  return [line(cells[0]), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...cells.slice(1).map(line)].join('\n');
}

/** @param {number | undefined} value @param {number} [digits] */
export function fixed(value, digits = 0) {
  return value === undefined || Number.isNaN(value) ? 'n/a' : value.toFixed(digits);
}

/** @param {number} value */
export function thousands(value) {
  return Math.round(value).toLocaleString('en-US');
}

/** @param {Record<string, number>} codes */
export function statusSummary(codes) {
  return Object.entries(codes).map(([code, count]) => `${code}×${count}`).join(' ') || 'none';
}

/** Every measured window with its CPU use and how many requests or events it handled. */
function cpuWindows({ web, drain, endToEnd, endToEndWhatIf }) {
  const windows = [];
  for (const mode of web ?? []) windows.push({ name: `web: ${mode.label}`, cpu: mode.cpu, count: mode.load.total });
  for (const key of ['handler', 'traced', 'tuned', 'naive']) {
    const row = drain?.[key];
    if (row !== undefined) windows.push({ name: `drain: ${row.handler}`, cpu: row.cpu, count: row.events });
  }
  if (endToEnd !== undefined) windows.push({ name: 'end to end', cpu: endToEnd.cpu, count: endToEnd.load.ok });
  if (endToEndWhatIf !== undefined) windows.push({ name: 'end to end, what-if', cpu: endToEndWhatIf.cpu, count: endToEndWhatIf.load.ok });
  return windows.filter((window) => window.cpu !== undefined);
}

/** Web CPU time per answered request, in µs, of one mode's measured window. */
function webMicrosPerRequest(mode) {
  const seconds = mode?.cpu?.cpuSeconds.web;
  return seconds === undefined || mode.load.total === 0 ? undefined : (seconds * 1e6) / mode.load.total;
}

/** What tracing costs the web: its CPU per request with tracing on, less the same without, in the same run. */
function tracingLine(web) {
  const off = web.find((mode) => mode.mode === 'async');
  const on = web.find((mode) => mode.mode === 'async-traced');
  if (off === undefined || on === undefined) return undefined;
  const [offMicros, onMicros] = [webMicrosPerRequest(off), webMicrosPerRequest(on)];
  const exported = on.exported === undefined ? '' : `; ${thousands(on.exported.spans)} spans reached the collector during the window (${fixed(on.exported.spans / on.load.total, 1)} per request)`;
  return `Tracing on (every request sampled, OTLP/HTTP JSON): ${fixed(on.load.requestsPerSecond / off.load.requestsPerSecond, 2)} × the req/s of tracing off; `
    + `web CPU ${fixed(onMicros)} µs per request against ${fixed(offMicros)} µs, so tracing costs ${fixed((onMicros ?? NaN) - (offMicros ?? NaN))} µs of CPU per request${exported}`;
}

/**
 * The figures as Markdown tables: one per section, then the targets.
 *
 * @param {object} results what `run.js` collected
 * @returns {string}
 */
export function renderReport(results) {
  const parts = [];
  const { web, drain, insert, endToEnd, analyticsQuery, indexDrain, targets } = results;
  const load = (value) => value?.map((n) => fixed(n, 2)).join(' ') ?? 'n/a';
  parts.push(`Load average (1, 5, 15 min) at the start of the run: ${load(results.loadAverageAtStart)}. `
    + 'A ratio measured in rounds is the median of the rounds\' ratios (each round\'s figures measured one after the other), '
    + 'shown with its minimum and maximum; a target is judged on the median.');
  if (web !== undefined) {
    const baseline = web.find((mode) => mode.mode === 'baseline');
    parts.push('Web tier: POST /api/prospects, autocannon, '
      + `${results.settings.connections} connections, ${results.settings.durationS} s per mode after ${results.settings.warmupS} s warm-up; `
      + `median of ${results.settings.rounds} interleaved rounds (req/s of every round in brackets, in order)`);
    parts.push(markdownTable(
      ['mode', 'req/s', 'p50 ms', 'p99 ms', 'max ms', 'answers', 'errors', '× baseline req/s', '× baseline p99', 'peak RSS MB'],
      web.map(({ label, load, peakRssMb, roundsRequestsPerSecond }) => [
        label,
        `${thousands(load.requestsPerSecond)}${roundsRequestsPerSecond === undefined || roundsRequestsPerSecond.length < 2 ? '' : ` (${roundsRequestsPerSecond.map(thousands).join(', ')})`}`,
        fixed(load.p50Ms),
        fixed(load.p99Ms),
        fixed(load.maxMs),
        statusSummary(load.statusCodes),
        load.errors,
        baseline === undefined ? 'n/a' : fixed(load.requestsPerSecond / baseline.load.requestsPerSecond, 2),
        baseline === undefined ? 'n/a' : fixed(load.p99Ms / baseline.load.p99Ms, 2),
        fixed(peakRssMb),
      ]),
    ));
    const line = tracingLine(web);
    if (line !== undefined) parts.push(line);
  }
  if (drain !== undefined) {
    const rateRounds = (key) => drain.rounds?.[key]?.map((row) => thousands(row.eventsPerSecond)).join(', ');
    parts.push(`Handler drain: events already in the stream (published in ${fixed(drain.publishMs / 1000, 1)} s; load average at start ${load(drain.loadAverage)}), `
      + 'time from the handler\'s consumer existing to the last row committed; each row is its median round, the events/s of every round in brackets');
    parts.push(markdownTable(
      ['handler', 'events', 'drain s', 'events/s', '× naive', 'start-up ms', 'peak RSS MB'],
      [drain.handler, drain.traced, drain.tuned, drain.naive].filter((row) => row !== undefined).map((row) => [
        row.handler,
        thousands(row.events),
        fixed(row.drainMs / 1000, 2),
        `${thousands(row.eventsPerSecond)}${(drain.rounds?.[row.key]?.length ?? 0) > 1 ? ` (${rateRounds(row.key)})` : ''}`,
        fixed(row.eventsPerSecond / drain.naive.eventsPerSecond, 1),
        fixed(row.startupMs),
        `${fixed(row.peakRssMb)}${(drain.rounds?.[row.key]?.length ?? 0) > 1 ? ` (${drain.rounds[row.key].map((r) => fixed(r.peakRssMb)).join(', ')})` : ''}`,
      ]),
    ));
    if (drain.ceiling !== undefined) {
      const ceilings = drain.rounds?.ceiling ?? [drain.ceiling];
      parts.push(`Repository insert ceiling (SqlProspectRepository.saveMany, batch ${drain.ceiling.batchSize}, ${thousands(drain.ceiling.rows)} rows, one connection), `
        + `measured in each round right after the save drain: ${ceilings.map((row) => thousands(row.rowsPerSecond)).join(', ')} rows/s; `
        + `save drain / ceiling per round: ${(drain.rounds?.handler ?? [drain.handler]).map((row, i) => fixed(row.eventsPerSecond / ceilings[i].rowsPerSecond, 2)).join(', ')}`);
    }
    if (drain.traced !== undefined) {
      parts.push(`Drain with tracing on: ${fixed(drain.traced.eventsPerSecond / drain.handler.eventsPerSecond, 2)} × the events/s of tracing off`
        + (drain.traced.exported === undefined ? '' : `; ${thousands(drain.traced.exported.spans)} spans reached the collector`));
    }
  }
  if (insert !== undefined) {
    parts.push(`Repository insert on its own: ${thousands(insert[0]?.rows ?? 0)} prospects per line, one connection, CPU per stored row`);
    parts.push(markdownTable(
      ['strategy', 'batch', 'rows/s', 'PostgreSQL µs/row', 'Node µs/row'],
      insert.map((row) => [row.strategy, row.batchSize, thousands(row.rowsPerSecond), fixed(row.postgresMicrosPerRow), fixed(row.nodeMicrosPerRow)]),
    ));
  }
  if (endToEnd !== undefined) {
    const e = endToEnd;
    parts.push(`End to end: ${e.offeredPerSecond} sign-ups/s offered for ${e.durationS} s over ${e.connections} connections, `
      + `after a warm-up; rows polled every ${e.pollIntervalMs} ms`);
    parts.push(markdownTable(
      ['hosts', 'accepted/s', 'web p99 ms', 'answers', 'stored', 'commit p50 ms', 'commit p99 ms', 'commit max ms', 'lag at end', 'caught up after ms', 'web RSS MB', 'handler RSS MB'],
      [endToEnd, results.endToEndWhatIf].filter((row) => row !== undefined).map((row) => [
        row.label,
        thousands(row.load.okPerSecond),
        fixed(row.load.p99Ms),
        statusSummary(row.load.statusCodes),
        thousands(row.stored),
        fixed(row.commitP50Ms),
        fixed(row.commitP99Ms),
        fixed(row.commitMaxMs),
        row.lagAtEnd ?? 'n/a',
        fixed(row.caughtUpMs),
        fixed(row.webPeakRssMb),
        fixed(row.handlerPeakRssMb),
      ]),
    ));
  }
  if (results.cluster !== undefined) {
    const { single, cluster, ratio } = results.cluster;
    parts.push('Cluster: the asynchronous web tier (PubAck awaited) against one nats-server and against a three-node cluster '
      + `with MessageQueue:Replicas=3, same settings as the web tier, median of ${results.settings.rounds} interleaved rounds; `
      + `cluster / single = ${fixed(ratio, 2)}`
      + (results.cluster.ratioSpread === undefined ? '' : ` (per round ${results.cluster.ratioSpread.values.map((v) => fixed(v, 2)).join(', ')})`));
    parts.push(markdownTable(
      ['messaging', 'req/s', 'p50 ms', 'p99 ms', 'answers', 'errors', '× single req/s', 'web CPU s', 'nats-server CPU s (all)'],
      [single, cluster].map(({ label, load, cpu }) => [
        label,
        thousands(load.requestsPerSecond),
        fixed(load.p50Ms),
        fixed(load.p99Ms),
        statusSummary(load.statusCodes),
        load.errors,
        fixed(load.requestsPerSecond / single.load.requestsPerSecond, 2),
        fixed(cpu.cpuSeconds.web, 1),
        fixed(Object.entries(cpu.cpuSeconds).filter(([key]) => key.startsWith('nats-server')).reduce((sum, [, value]) => sum + value, 0), 1),
      ]),
    ));
  }
  if (results.scale !== undefined) {
    const one = results.scale.find((row) => row.instances === 1);
    parts.push('Handler scale-out: events already in the stream, drained by 1, 2 and 3 save-handler processes sharing one consumer, '
      + 'counted from the last instance listening to the last row committed');
    parts.push(markdownTable(
      ['instances', 'events counted', 'drain s', 'events/s', '× one instance', 'handlers CPU s', 'postgres CPU s', 'nats-server CPU s', 'machine busy %'],
      results.scale.map((row) => [
        row.instances,
        thousands(row.events),
        fixed(row.drainMs / 1000, 2),
        thousands(row.eventsPerSecond),
        one === undefined ? 'n/a' : fixed(row.eventsPerSecond / one.eventsPerSecond, 2),
        fixed(Object.entries(row.cpu.cpuSeconds).filter(([key]) => key.startsWith('handler')).reduce((sum, [, value]) => sum + value, 0), 1),
        fixed(row.cpu.cpuSeconds.postgres, 1),
        fixed(row.cpu.cpuSeconds['nats-server'], 1),
        fixed(row.cpu.machineBusyPercent),
      ]),
    ));
  }
  const windows = cpuWindows(results);
  if (windows.length > 0) {
    parts.push('Where the CPU went during each measured window: CPU seconds per process (2 cores = 2 s per second); '
      + '"bench" is autocannon and the pollers in the benchmark process, "other" is everything else on the machine; '
      + 'µs/item is CPU time per answered request or stored event, of the host under test and of all our processes');
    parts.push(markdownTable(
      ['window', 'seconds', 'machine busy %', 'web', 'handler', 'bench', 'nats-server', 'postgres', 'other', 'µs/item under test', 'µs/item all ours'],
      windows.map(({ name, cpu, count }) => {
        const seconds = (key) => cpu.cpuSeconds[key] ?? 0;
        const used = (key) => (cpu.cpuSeconds[key] === undefined ? '-' : fixed(cpu.cpuSeconds[key], 1));
        const ours = Object.entries(cpu.cpuSeconds).filter(([key]) => key !== 'other').reduce((sum, [, value]) => sum + value, 0);
        const perItem = (value) => (count > 0 ? fixed((value * 1e6) / count) : 'n/a');
        return [name, fixed(cpu.windowS, 1), fixed(cpu.machineBusyPercent), used('web'), used('handler'), used('bench'),
          used('nats-server'), used('postgres'), used('other'), perItem(seconds('web') + seconds('handler')), perItem(ours)];
      }),
    ));
  }
  if (indexDrain !== undefined) {
    parts.push(`Index drain: events already in the stream (published in ${fixed(indexDrain.publishMs / 1000, 1)} s; load average at start ${load(indexDrain.loadAverage)}), `
      + 'each handler from a fresh PostgreSQL database, save and index alternating; each row is its median round, every round in brackets');
    const saves = indexDrain.rounds?.save ?? [indexDrain.save];
    const indexes = indexDrain.rounds?.index ?? [indexDrain.index];
    parts.push(markdownTable(
      ['handler', 'events', 'drain s', 'events/s', '× save handler (per round)'],
      [[indexDrain.save, saves], [indexDrain.index, indexes]].map(([row, all]) => [
        row.handler, thousands(row.events), fixed(row.drainMs / 1000, 2),
        `${thousands(row.eventsPerSecond)}${all.length > 1 ? ` (${all.map((r) => thousands(r.eventsPerSecond)).join(', ')})` : ''}`,
        all.map((r, i) => fixed(r.eventsPerSecond / saves[i].eventsPerSecond, 2)).join(', '),
      ]),
    ));
  }
  if (results.outbox !== undefined) {
    const { outbox } = results;
    parts.push('Outbox relay: a backlog written by the synchronous save with the outbox on (PostgreSQL), published to JetStream (PubAck awaited) and deleted by one relay');
    parts.push(markdownTable(
      ['rows', 'rows per round', 'seconds', 'events/s', 'messages in the stream'],
      [[thousands(outbox.rows), thousands(outbox.batchSize), fixed(outbox.seconds, 2), thousands(outbox.eventsPerSecond), thousands(outbox.streamMessages)]],
    ));
  }
  for (const store of analyticsQuery ?? []) {
    parts.push(`Analytics queries on ${store.database}: ${thousands(store.rows)} prospects in the SQL read model (indexed in ${fixed(store.loadMs / 1000, 1)} s), `
      + `${results.settings.analyticsIterations} timed calls per line after two warm-up calls; plans from EXPLAIN, one per statement`);
    parts.push(markdownTable(
      ['query', 'filter', 'p50 ms', 'p95 ms', 'max ms', 'plan'],
      store.queries.map((q) => [q.query, q.filter, fixed(q.p50Ms), fixed(q.p95Ms), fixed(q.maxMs), q.plans.join(' ‖ ')]),
    ));
  }
  if (targets.length > 0) {
    parts.push('Targets');
    parts.push(markdownTable(['target', 'measured', 'met'], targets.map((t) => [t.name, t.measured, t.met ? 'yes' : 'NO'])));
  }
  return parts.join('\n\n');
}
