import { readFileSync } from 'node:fs';
import process from 'node:process';
import { parseArgs } from 'node:util';

// Summarises a V8 .cpuprofile (as written by node --cpu-prof): self time by
// function and by package, so a profile can be read without a browser.

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    top: { type: 'string', default: '25' },
    from: { type: 'string', default: '0' },
    to: { type: 'string' },
    callers: { type: 'string' },
    depth: { type: 'string', default: '3' },
    stages: { type: 'string' },
  },
});
if (positionals.length !== 1) {
  process.stderr.write('Usage: node bench/profile-summary.js [--top N] [--from ms] [--to ms] <file.cpuprofile>\n'
    + '  --from/--to keep only the samples taken that many ms after the profile started.\n'
    + '  --callers <name> also shows where the self time of functions called <name> was spent from (--depth frames up, default 3).\n'
    + '  --stages <label=fn|fn,...> total time (self and callees) under each stage\'s functions, e.g. decode=decodeProspectSignedUpEvent.\n');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(positionals[0], 'utf8'));
const top = Number(values.top);

const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const fromMicros = Number(values.from) * 1000;
const toMicros = values.to === undefined ? Infinity : Number(values.to) * 1000;
const selfMicros = new Map();
let elapsed = 0;
for (let i = 0; i < profile.samples.length; i += 1) {
  const delta = profile.timeDeltas[i] ?? 0;
  elapsed += delta;
  if (elapsed < fromMicros || elapsed > toMicros) continue;
  const id = profile.samples[i];
  selfMicros.set(id, (selfMicros.get(id) ?? 0) + delta);
}
const total = [...selfMicros.values()].reduce((sum, value) => sum + value, 0);

/** @param {string} url */
function packageOf(url) {
  if (url === '') return '(native/engine)';
  if (url.startsWith('node:')) return 'node core';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules !== null) return modules[1];
  const ours = /packages\/([^/]+)\//.exec(url);
  if (ours !== null) return `@signup/${ours[1]}`;
  return url.replace(/^file:\/\//, '');
}

const byFunction = new Map();
const byPackage = new Map();
for (const [id, micros] of selfMicros) {
  const { callFrame } = nodes.get(id);
  const name = callFrame.functionName || '(anonymous)';
  const where = callFrame.url === '' ? '' : ` ${callFrame.url.replace(/^.*\/(node_modules|packages)\//, '$1/')}:${callFrame.lineNumber + 1}`;
  const key = `${name}${where}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + micros);
  const pkg = packageOf(callFrame.url);
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + micros);
}

if (values.callers !== undefined) {
  const parents = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const frame = (id) => {
    const { callFrame } = nodes.get(id);
    return `${callFrame.functionName || '(anonymous)'} ${callFrame.url.replace(/^.*\/(node_modules|packages)\//, '')}:${callFrame.lineNumber + 1}`;
  };
  const callers = new Map();
  for (const [id, micros] of selfMicros) {
    if (nodes.get(id).callFrame.functionName !== values.callers) continue;
    const chain = [];
    for (let parent = parents.get(id); parent !== undefined && chain.length < Number(values.depth); parent = parents.get(parent)) chain.push(frame(parent));
    const key = chain.join(' < ');
    callers.set(key, (callers.get(key) ?? 0) + micros);
  }
  byFunction.clear();
  byPackage.clear();
  for (const [key, micros] of callers) byFunction.set(key, micros);
}

/**
 * Total (inclusive) time of each stage: every sample with one of the stage's
 * functions anywhere on its stack counts once for that stage.
 *
 * @param {string} spec `label=fn|fn,label=fn`
 */
function stageTotals(spec) {
  const stages = spec.split(',').map((part) => {
    const [label, names = label] = part.split('=');
    return { label: label.trim(), names: new Set(names.split('|').map((name) => name.trim())) };
  });
  const parents = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const totals = new Map(stages.map((stage) => [stage.label, 0]));
  for (const [id, micros] of selfMicros) {
    const names = new Set();
    for (let node = id; node !== undefined; node = parents.get(node)) {
      const { callFrame } = nodes.get(node);
      names.add(callFrame.functionName);
      // Methods appear as Class.method: match the method name alone too.
      names.add(callFrame.functionName.slice(callFrame.functionName.lastIndexOf('.') + 1));
    }
    for (const stage of stages) {
      if ([...stage.names].some((name) => names.has(name))) totals.set(stage.label, totals.get(stage.label) + micros);
    }
  }
  return totals;
}

const percent = (micros) => `${((micros / total) * 100).toFixed(1).padStart(5)} %`;
const print = (title, map) => {
  process.stdout.write(`\n${title}\n`);
  for (const [key, micros] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    process.stdout.write(`${percent(micros)}  ${(micros / 1000).toFixed(0).padStart(7)} ms  ${key}\n`);
  }
};
const wall = (profile.endTime - profile.startTime) / 1000;
process.stdout.write(`${positionals[0]}: ${(total / 1000).toFixed(0)} ms sampled over ${wall.toFixed(0)} ms\n`);
if (values.stages !== undefined) {
  const totals = stageTotals(values.stages);
  process.stdout.write('\nTotal time by stage (a sample under two stages counts in both)\n');
  for (const [label, micros] of totals) process.stdout.write(`${percent(micros)}  ${(micros / 1000).toFixed(0).padStart(7)} ms  ${label}\n`);
} else if (values.callers === undefined) {
  print('Self time by package', byPackage);
  print('Self time by function', byFunction);
} else {
  print(`Self time of ${values.callers} by caller`, byFunction);
}
