#!/usr/bin/env node
// Summarises V8 .cpuprofile files (written by `node --cpu-prof`, e.g. `BENCH_CPU_PROF=DIR npm run bench`):
// self time per function and per package/file, the top N of each, as percentages of the sampled time.
//   node scripts/profile-top.mjs FILE.cpuprofile [--top 25]
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

const args = process.argv.slice(2);
const topIndex = args.indexOf('--top');
const top = topIndex >= 0 ? Number(args.splice(topIndex, 2)[1]) : 25;
if (args.length === 0) {
  console.error('usage: node scripts/profile-top.mjs FILE.cpuprofile [--top N]');
  process.exit(2);
}

/** `node_modules/ws/lib/sender.js` → `ws`; app files stay as their path; node internals as `node:…`. */
function where(url) {
  if (!url) return '(native)';
  if (url.startsWith('node:')) return url;
  const path = url.replace(/^file:\/\//, '');
  const modules = path.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const rest = path.slice(modules + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  return relative(process.cwd(), path);
}

for (const file of args) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const hits = new Map();
  const deltas = profile.timeDeltas ?? [];
  profile.samples.forEach((id, index) => hits.set(id, (hits.get(id) ?? 0) + (deltas[index] ?? 0)));
  const total = [...hits.values()].reduce((sum, us) => sum + us, 0) || 1;
  const idle = [...hits].filter(([id]) => ['(idle)', '(program)'].includes(byId.get(id).callFrame.functionName)).reduce((sum, [, us]) => sum + us, 0);
  const busy = total - idle || 1;
  const functions = new Map();
  const places = new Map();
  for (const [id, us] of hits) {
    const { callFrame } = byId.get(id);
    if (['(idle)', '(program)'].includes(callFrame.functionName)) continue;
    const place = where(callFrame.url);
    const name = `${callFrame.functionName || '(anonymous)'}  ${place}${callFrame.url ? `:${callFrame.lineNumber + 1}` : ''}`;
    functions.set(name, (functions.get(name) ?? 0) + us);
    places.set(place, (places.get(place) ?? 0) + us);
  }
  const table = (map) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => `${((100 * us) / busy).toFixed(1).padStart(5)} %  ${name}`)
      .join('\n');
  console.log(`# ${file}\nsampled ${(total / 1e6).toFixed(2)} s, busy ${(busy / 1e6).toFixed(2)} s (${((100 * busy) / total).toFixed(0)} %); shares below are of busy time\n`);
  console.log(`## self time by package or file\n${table(places)}\n`);
  console.log(`## self time by function\n${table(functions)}\n`);
}
