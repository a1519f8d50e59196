#!/usr/bin/env node
// The layering of app/ and components/, measured from the import graph (ARCHITECTURE.md).
//
//   node scripts/arch.mjs [ROOT]      prints the report for the tree at ROOT (default: this checkout)
//   node scripts/arch.mjs --json      the same as JSON
//
// Every `import`, `import type`, `export … from` and `import()` between the project's own files
// counts, type-only imports included: a type import is still a dependency a reader must follow.
// test/unit/architecture.test.ts runs the same analysis and fails on any upward import or cycle.
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/**
 * The layer order, bottom first. A file belongs to the first layer whose pattern matches its path
 * (relative to the root, `/` separators). A file may import its own layer and any layer below it;
 * an import into a higher layer "runs up". Cycles are forbidden everywhere, type imports included.
 *
 *  config     app/config.ts: every setting, read and validated once. Imports nothing of the app.
 *  ports      app/ports/: the ports the app owns, every member required (store, hub, presence and
 *             its reads, lobby state, rate/connection/identity limits, locks, health, metric series,
 *             counters, access control, the runtime's sockets and streams) and the records and
 *             fragments they carry; `Platform` composes them.
 *  base       helpers that know no feature: forwarded headers, HTTP policy, identity limits,
 *             names, the htmx major of a connection.
 *  components the views (Hono TSX): markup only, over records from the ports.
 *  store      the SQL adapters (schema, libSQL, Durable Object SQL, write guard).
 *  features   what the app does, runtime-free, through the ports: identity and auth, realtime
 *             (rooms, hub, presence, boards, sockets, streams) and the in-process adapters.
 *  cluster    the Redis backend of the ports (cluster mode).
 *  http       the routes and static files.
 *  app        app.tsx: builds features and routes from a Platform.
 *  platform   the modes and runtimes on top: local/cluster state, Node, Deno, the Worker and its
 *             Durable Objects. Nothing below imports them.
 */
export const LAYERS = [
  { name: 'config', patterns: ['app/config.ts'] },
  { name: 'ports', patterns: ['app/ports/**'] },
  { name: 'base', patterns: ['app/forwarded.ts', 'app/http-policy.ts', 'app/identity-limit.ts', 'app/names.ts', 'app/htmx-major.ts'] },
  { name: 'components', patterns: ['components/**'] },
  { name: 'store', patterns: ['app/store/**'] },
  { name: 'features', patterns: ['app/auth/**', 'app/realtime/**', 'app/identity.ts', 'app/session-cookie.ts', 'app/user-cache.ts'] },
  { name: 'cluster', patterns: ['app/cluster/**'] },
  { name: 'http', patterns: ['app/routes/**', 'app/static-files.ts'] },
  { name: 'app', patterns: ['app/app.tsx'] },
  { name: 'platform', patterns: ['app/platform/**'] },
];

/** The Workers adaptation: the files that exist only for workerd and Durable Objects. */
export const WORKERS_PATTERNS = ['app/platform/worker*', 'app/platform/worker/**'];

/** Interfaces counted as ports when counting optional members (wherever they are declared), besides every interface in the ports layer. */
export const PORT_NAMES = [
  'Platform', 'Store', 'Hub', 'Presence', 'PresenceReads', 'LobbyState', 'RateLimits', 'MessageLimiter', 'ConnectionLimits',
  'MatchCoordinator', 'Membership', 'UsedTokens', 'ConnectionControl', 'IdentityLimiter', 'Locks', 'Health', 'MetricSeries', 'Counters',
  'SocketTransport', 'EventWriter', 'Connections',
];

const SOURCE = /\.(ts|tsx|mts)$/;

function globToRegExp(glob) {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i];
    if (ch === '*' && glob[i + 1] === '*') {
      out += '.*';
      i++;
    } else if (ch === '*') out += '[^/]*';
    else out += ch.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

export function layerOf(file, layers = LAYERS) {
  for (let index = 0; index < layers.length; index++) {
    if (layers[index].patterns.some((pattern) => globToRegExp(pattern).test(file))) return index;
  }
  return -1;
}

function walk(root, dir, out) {
  const full = join(root, dir);
  if (!existsSync(full)) return out;
  for (const name of readdirSync(full).sort()) {
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) walk(root, path, out);
    else if (SOURCE.test(name) && !name.endsWith('.d.ts')) out.push(path.split(sep).join('/'));
  }
  return out;
}

function resolveImport(root, from, specifier, files) {
  if (!specifier.startsWith('.')) return null;
  const base = relative(root, resolve(root, dirname(from), specifier)).split(sep).join('/');
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, `${base}/index.ts`]) {
    if (files.has(candidate)) return candidate;
  }
  return null;
}

/** Imports of one source text: every static, type-only, re-export and dynamic import. */
export function importsOf(text, fileName = 'x.tsx') {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, fileName.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const found = [];
  const visit = (node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
      found.push(node.arguments[0].text);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      found.push(node.argument.literal.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { source, found };
}

/** Optional members of the port interfaces (and of object types they are built from). */
function optionalMembers(source, file, layers) {
  const inPorts = layers[layerOf(file, layers)]?.name === 'ports';
  const result = [];
  const visit = (node) => {
    const named = ts.isInterfaceDeclaration(node) || (ts.isTypeAliasDeclaration(node) && ts.isTypeLiteralNode(node.type));
    if (named && (inPorts || PORT_NAMES.includes(node.name.text))) {
      const members = ts.isInterfaceDeclaration(node) ? node.members : node.type.members;
      for (const member of members) {
        if (member.questionToken) result.push(`${file}: ${node.name.text}.${member.name?.getText(source) ?? '?'}`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return result;
}

/**
 * Mode and runtime checks: shared code asking which mode or runtime it runs in instead of being
 * handed that mode's port (REDIS_URL, a "shared"/"uncached" flag, a runtime global). Only the
 * layers above the shared code (cluster, platform) and the configuration may know.
 */
const MODE_CHECK = /\bredisUrl\b|\.shared\b|\buncached\b|\b(typeof|globalThis\.)\s*(Deno|Bun|WebSocketPair)\b|navigator\.userAgent/;
const KNOWS_MODES = ['config', 'cluster', 'platform'];

/** The graph of the project's own files: `{ files, edges: Map<file, Set<file>>, lines, optional }`. */
export function readGraph(root, layers = LAYERS) {
  const list = [...walk(root, 'app', []), ...walk(root, 'components', [])];
  const files = new Set(list);
  const edges = new Map();
  const lines = new Map();
  const optional = [];
  const probes = [];
  const modeChecks = [];
  for (const file of list) {
    const sharedCode = !KNOWS_MODES.includes(layers[layerOf(file, layers)]?.name);
    const text = readFileSync(join(root, file), 'utf8');
    lines.set(file, text.split('\n').length - (text.endsWith('\n') ? 1 : 0));
    const { source, found } = importsOf(text, file);
    const targets = new Set();
    for (const specifier of found) {
      const target = resolveImport(root, file, specifier, files);
      if (target && target !== file) targets.add(target);
    }
    edges.set(file, targets);
    optional.push(...optionalMembers(source, file, layers));
    // Optional-capability probes: optional calls (`x.watch?.(…)`, `health?.()`), not a timer's `unref?.()`.
    text.split('\n').forEach((line, index) => {
      if (/\?\.\(/.test(line.replace(/unref\?\.\(/g, ''))) probes.push(`${file}:${index + 1}: ${line.trim()}`);
      if (sharedCode && MODE_CHECK.test(line) && !/^\s*(\/\/|\*|\/\*)/.test(line)) modeChecks.push(`${file}:${index + 1}: ${line.trim()}`);
    });
  }
  return { files: list, edges, lines, optional, probes, modeChecks };
}

/** Imports from a lower layer into a higher one (or from/into a file no layer claims). */
export function upwardImports(edges, layers = LAYERS) {
  const up = [];
  for (const [from, targets] of edges) {
    for (const to of targets) {
      const a = layerOf(from, layers);
      const b = layerOf(to, layers);
      if (a < 0 || b < 0) up.push({ from, to, fromLayer: layers[a]?.name ?? '(none)', toLayer: layers[b]?.name ?? '(none)' });
      else if (b > a) up.push({ from, to, fromLayer: layers[a].name, toLayer: layers[b].name });
    }
  }
  return up;
}

/** Every cycle, as its strongly connected components (Tarjan) of more than one file. */
export function cycles(edges) {
  let index = 0;
  const stack = [];
  const on = new Set();
  const indices = new Map();
  const low = new Map();
  const found = [];
  const connect = (node) => {
    indices.set(node, index);
    low.set(node, index);
    index++;
    stack.push(node);
    on.add(node);
    for (const next of edges.get(node) ?? []) {
      if (!indices.has(next)) {
        connect(next);
        low.set(node, Math.min(low.get(node), low.get(next)));
      } else if (on.has(next)) low.set(node, Math.min(low.get(node), indices.get(next)));
    }
    if (low.get(node) === indices.get(node)) {
      const component = [];
      let member;
      do {
        member = stack.pop();
        on.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (edges.get(node) ?? new Set()).has(node)) found.push(component.sort());
    }
  };
  for (const node of [...edges.keys()].sort()) if (!indices.has(node)) connect(node);
  return found;
}

export function analyse(root, layers = LAYERS) {
  const graph = readGraph(root, layers);
  const byDir = new Map();
  for (const file of graph.files) {
    const dir = dirname(file);
    const entry = byDir.get(dir) ?? { files: 0, lines: 0 };
    entry.files++;
    entry.lines += graph.lines.get(file);
    byDir.set(dir, entry);
  }
  const workers = graph.files.filter((file) => WORKERS_PATTERNS.some((pattern) => globToRegExp(pattern).test(file)));
  return {
    directories: Object.fromEntries([...byDir].sort()),
    total: { files: graph.files.length, lines: [...graph.lines.values()].reduce((a, b) => a + b, 0) },
    workers: { files: workers.length, lines: workers.reduce((sum, file) => sum + graph.lines.get(file), 0) },
    unlayered: graph.files.filter((file) => layerOf(file, layers) < 0),
    upward: upwardImports(graph.edges, layers),
    cycles: cycles(graph.edges),
    optionalMembers: graph.optional,
    optionalCalls: graph.probes,
    modeChecks: graph.modeChecks,
  };
}

function print(report) {
  const out = [];
  out.push('layers, bottom first: ' + LAYERS.map((layer) => layer.name).join(' < '));
  out.push('', 'files and lines per directory:');
  for (const [dir, { files, lines }] of Object.entries(report.directories)) out.push(`  ${dir.padEnd(22)} ${String(files).padStart(3)} files ${String(lines).padStart(6)} lines`);
  out.push(`  ${'total'.padEnd(22)} ${String(report.total.files).padStart(3)} files ${String(report.total.lines).padStart(6)} lines`);
  out.push('', `Workers adaptation (app/platform/worker*): ${report.workers.files} files, ${report.workers.lines} lines`);
  out.push('', `imports running up: ${report.upward.length}`);
  for (const edge of report.upward) out.push(`  ${edge.from} (${edge.fromLayer}) -> ${edge.to} (${edge.toLayer})`);
  out.push('', `cycles (type imports included): ${report.cycles.length}`);
  for (const cycle of report.cycles) out.push(`  ${cycle.length} files: ${cycle.join(', ')}`);
  out.push('', `optional members in the port interfaces: ${report.optionalMembers.length}`);
  for (const member of report.optionalMembers) out.push(`  ${member}`);
  out.push('', `optional calls \`?.(\` in app/ and components/ (timers' unref aside): ${report.optionalCalls.length}`);
  for (const call of report.optionalCalls) out.push(`  ${call}`);
  out.push('', `mode or runtime checks in shared code (below cluster and platform): ${report.modeChecks.length}`);
  for (const check of report.modeChecks) out.push(`  ${check}`);
  if (report.unlayered.length) out.push('', `files in no layer: ${report.unlayered.join(', ')}`);
  return out.join('\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const root = resolve(args.find((arg) => !arg.startsWith('--')) ?? join(dirname(fileURLToPath(import.meta.url)), '..'));
  const report = analyse(root);
  console.log(json ? JSON.stringify(report, null, 2) : print(report));
}
