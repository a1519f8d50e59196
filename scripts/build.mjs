// Compiles the Node entry point to dist/node.js (one ES module, dependencies stay in node_modules) so that
// `npm start` is one `node` process: no tsx loader, no compile step at start-up. Run by `npm install`.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';
import { NODE_BUNDLE } from './node-bundle.mjs';
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
  ...NODE_BUNDLE,
  // dist/node.js sits one directory below the project, the source two: where public/ is from each.
  define: { __PUBLIC_DIR__: JSON.stringify('../public'), __STORE_WORKER__: JSON.stringify('./libsql-worker.js') },
});
// The storage thread (app/store/libsql-thread.ts) loads this file beside dist/node.js.
await build({
  absWorkingDir: root,
  entryPoints: ['app/store/libsql-worker.ts'],
  outfile: 'dist/libsql-worker.js',
  ...NODE_BUNDLE,
});
console.log('build: dist/node.js, dist/libsql-worker.js');
