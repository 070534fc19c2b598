const WIDTH = 760;
const LABEL_WIDTH = 250;
const BAR_HEIGHT = 22;
const BAR_GAP = 8;
const PANEL_TOP = 34;
const PANEL_BOTTOM = 26;
const COLOURS = {
  baseline: '#9e9e9e',
  sync: '#d9822b',
  async: '#2b7bd9',
  'async-db-down': '#5fa8ff',
  'sync-db-down': '#c0392b',
  'what-if-no-queue': '#b8c7d9',
  handler: '#2b7bd9',
  tuned: '#b8c7d9',
  naive: '#d9822b',
};

// Shorter names for the bars than the tables use, so they fit the label column.
const SHORT_LABELS = {
  'what-if-no-queue': 'what-if: no-op publisher',
};

/** @param {string} text */
function escapeXml(text) {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * One panel of horizontal bars, its values written at the bar ends, with dashed
 * lines at the targets.
 *
 * @param {{ title: string, unit: string, bars: { label: string, value: number, key: string }[],
 *   targets?: { label: string, value: number }[] }} panel
 * @param {number} top
 * @returns {{ svg: string, height: number }}
 */
function barPanel({ title, unit, bars, targets = [] }, top) {
  const max = Math.max(1, ...bars.map((bar) => bar.value), ...targets.map((target) => target.value));
  const plotWidth = WIDTH - LABEL_WIDTH - 110;
  const lines = [`<text x="12" y="${top + 20}" class="title">${escapeXml(title)}</text>`];
  const barsBottom = top + PANEL_TOP + bars.length * (BAR_HEIGHT + BAR_GAP) - BAR_GAP;
  for (const target of targets) {
    const x = (LABEL_WIDTH + (target.value / max) * plotWidth).toFixed(1);
    lines.push(
      `<line x1="${x}" y1="${top + PANEL_TOP - 4}" x2="${x}" y2="${barsBottom + 4}" stroke="#222" stroke-dasharray="4 3"/>`,
      `<text x="${x}" y="${barsBottom + 16}" class="sub" text-anchor="middle">${escapeXml(target.label)}</text>`,
    );
  }
  bars.forEach((bar, index) => {
    const y = top + PANEL_TOP + index * (BAR_HEIGHT + BAR_GAP);
    const width = Math.max(1, (bar.value / max) * plotWidth);
    const value = bar.value >= 100 ? Math.round(bar.value).toLocaleString('en-US') : bar.value.toFixed(1);
    lines.push(
      `<text x="${LABEL_WIDTH - 8}" y="${y + 15}" class="label" text-anchor="end">${escapeXml(bar.label)}</text>`,
      `<rect x="${LABEL_WIDTH}" y="${y}" width="${width.toFixed(1)}" height="${BAR_HEIGHT}" fill="${COLOURS[bar.key] ?? '#555'}"/>`,
      `<text x="${(LABEL_WIDTH + width + 6).toFixed(1)}" y="${y + 15}" class="value">${escapeXml(`${value} ${unit}`)}</text>`,
    );
  });
  return { svg: lines.join('\n'), height: PANEL_TOP + bars.length * (BAR_HEIGHT + BAR_GAP) + PANEL_BOTTOM + (targets.length > 0 ? 10 : 0) };
}

/**
 * A self-contained SVG of the run: web tier throughput and p99 latency per mode,
 * and the handler drain against the naive baseline.
 *
 * @param {object} results what `run.js` collected
 * @returns {string}
 */
export function renderChart(results) {
  const panels = [];
  if (results.web !== undefined) {
    const baseline = results.web.find((mode) => mode.mode === 'baseline');
    panels.push({
      title: 'Web tier: POST /api/prospects, requests per second (higher is better)',
      unit: 'req/s',
      bars: results.web.map(({ mode, label, load }) => ({ key: mode, label: SHORT_LABELS[mode] ?? label, value: load.requestsPerSecond })),
      targets: baseline === undefined ? [] : [{ label: 'async target: 0.5 × bare Koa', value: baseline.load.requestsPerSecond / 2 }],
    });
    panels.push({
      title: 'Web tier: p99 latency under the same load (lower is better)',
      unit: 'ms',
      bars: results.web.map(({ mode, label, load }) => ({ key: mode, label: SHORT_LABELS[mode] ?? label, value: load.p99Ms })),
      targets: baseline === undefined ? [] : [{ label: 'async target: 3 × bare Koa', value: baseline.load.p99Ms * 3 }],
    });
  }
  if (results.drain !== undefined) {
    panels.push({
      title: 'Handler drain into PostgreSQL, events per second (higher is better)',
      unit: 'events/s',
      bars: [
        { key: 'handler', label: 'signup-handler save', value: results.drain.handler.eventsPerSecond },
        ...(results.drain.tuned === undefined ? [] : [{ key: 'tuned', label: 'what-if: warn-level logs', value: results.drain.tuned.eventsPerSecond }]),
        { key: 'naive', label: 'naive: insert + ack per message', value: results.drain.naive.eventsPerSecond },
      ],
      targets: [{ label: 'target 25,000/s', value: 25_000 }],
    });
  }
  if (results.endToEnd !== undefined) {
    const e = results.endToEnd;
    panels.push({
      title: `End to end at ${e.offeredPerSecond} sign-ups/s: publish-to-commit latency (lower is better)`,
      unit: 'ms',
      bars: [
        { key: 'async', label: 'p50', value: e.commitP50Ms },
        { key: 'async', label: 'p99', value: e.commitP99Ms },
        ...(results.endToEndWhatIf === undefined ? [] : [
          { key: 'tuned', label: 'what-if: p50', value: results.endToEndWhatIf.commitP50Ms },
          { key: 'tuned', label: 'what-if: p99', value: results.endToEndWhatIf.commitP99Ms },
        ]),
      ],
      targets: [{ label: 'p99 target 250 ms', value: 250 }],
    });
  }
  let top = 44;
  const bodies = [];
  for (const panel of panels) {
    const { svg, height } = barPanel(panel, top);
    bodies.push(svg);
    top += height;
  }
  const machine = results.machine;
  const subtitle = `${machine.cpus} cores, Node ${machine.node}, ${machine.natsServer}, ${machine.postgres}; run ${results.finishedAt}; `
    + 'pale bars: what-if variants';
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${top}" viewBox="0 0 ${WIDTH} ${top}" font-family="sans-serif">`,
    '<style>.title{font-size:14px;font-weight:bold;fill:#222}.label{font-size:12px;fill:#333}.value{font-size:12px;fill:#222;paint-order:stroke;stroke:#fff;stroke-width:3px}.sub{font-size:11px;fill:#666}</style>',
    `<rect width="${WIDTH}" height="${top}" fill="#fff"/>`,
    '<text x="12" y="22" class="title" style="font-size:16px">SignUp benchmarks</text>',
    `<text x="12" y="38" class="sub">${escapeXml(subtitle)}</text>`,
    ...bodies,
    '</svg>',
    '',
  ].join('\n');
}
