#!/usr/bin/env node
// What each connection keeps: the difference between two V8 heap snapshots (e.g. the two that
// `BENCH_HEAP_DIR=DIR npm run bench -- --only ws` writes before and after its N clients connect),
// grouped by constructor/type, divided by N.
//   node scripts/heap-diff.mjs BEFORE.heapsnapshot AFTER.heapsnapshot [--per N] [--top 30]
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const index = args.indexOf(name);
  return index >= 0 ? Number(args.splice(index, 2)[1]) : fallback;
};
const per = option('--per', 1);
const top = option('--top', 30);
if (args.length !== 2) {
  console.error('usage: node scripts/heap-diff.mjs BEFORE.heapsnapshot AFTER.heapsnapshot [--per N] [--top N]');
  process.exit(2);
}

/** Count and self size per `type name` (strings and code grouped by type only: their names are contents). */
function groups(file) {
  const { snapshot, nodes, strings } = JSON.parse(readFileSync(file, 'utf8'));
  const fields = snapshot.meta.node_fields;
  const types = snapshot.meta.node_types[0];
  const width = fields.length;
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((field) => fields.indexOf(field));
  const result = new Map();
  for (let i = 0; i < nodes.length; i += width) {
    const type = types[nodes[i + typeAt]];
    const key = ['object', 'closure', 'native'].includes(type) ? `${type} ${strings[nodes[i + nameAt]]}` : type;
    const entry = result.get(key) ?? { count: 0, size: 0 };
    entry.count++;
    entry.size += nodes[i + sizeAt];
    result.set(key, entry);
  }
  return result;
}

const before = groups(args[0]);
const after = groups(args[1]);
const rows = [...after].map(([key, { count, size }]) => {
  const was = before.get(key) ?? { count: 0, size: 0 };
  return { key, count: (count - was.count) / per, size: (size - was.size) / per };
});
const total = rows.reduce((sum, row) => sum + row.size, 0);
console.log(`heap growth ${(total / 1024).toFixed(2)} KiB per unit (÷ ${per}); largest groups:\n`);
console.log('   bytes   objects  group');
for (const row of rows.sort((a, b) => b.size - a.size).slice(0, top)) {
  console.log(`${row.size.toFixed(0).padStart(8)}  ${row.count.toFixed(2).padStart(8)}  ${row.key}`);
}
