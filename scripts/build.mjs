// Compiles the Node entry point to dist/node.js (one ES module, dependencies stay in node_modules) so that
// `npm start` is one `node` process: no tsx loader, no compile step at start-up. Run by `npm install`.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
rmSync(join(root, 'dist'), { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: ['app/platform/node.ts'],
  outdir: 'dist',
  entryNames: '[name]',
  // Cluster mode (ioredis) in its own chunk, loaded only with REDIS_URL.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  packages: 'external',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  jsx: 'automatic',
  jsxImportSource: 'hono/jsx',
  sourcemap: true,
  // dist/node.js sits one directory below the project, the source two: where public/ is from each.
  define: { __PUBLIC_DIR__: JSON.stringify('../public'), __STORE_WORKER__: JSON.stringify('./libsql-worker.js') },
  logLevel: 'warning',
});
// The storage thread (app/store/libsql-thread.ts) loads this file beside dist/node.js.
await build({
  absWorkingDir: root,
  entryPoints: ['app/store/libsql-worker.ts'],
  outfile: 'dist/libsql-worker.js',
  bundle: true,
  packages: 'external',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
});
console.log('build: dist/node.js, dist/libsql-worker.js');
