// Copies htmx and its extensions from node_modules into public/vendor/ so pages never load a CDN:
// htmx 2 with htmx-ext-ws/htmx-ext-sse, and htmx 4 (the npm alias `htmx4`) with the hx-ws/hx-sse it ships.
import { copyFileSync, mkdirSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const out = join(root, 'public', 'vendor');
mkdirSync(out, { recursive: true });

const files = [
  ['htmx.org/dist/htmx.min.js', 'htmx.min.js'],
  ['htmx-ext-ws/dist/ws.min.js', 'ws.min.js'],
  ['htmx-ext-sse/dist/sse.min.js', 'sse.min.js'],
  ['htmx4/dist/htmx.min.js', 'htmx4/htmx.min.js'],
  ['htmx4/dist/ext/hx-ws.min.js', 'htmx4/ext/hx-ws.min.js'],
  ['htmx4/dist/ext/hx-sse.min.js', 'htmx4/ext/hx-sse.min.js'],
];
for (const [from, to] of files) {
  const source = join(dirname(require.resolve(from.split('/')[0] + '/package.json')), from.split('/').slice(1).join('/'));
  if (!existsSync(source)) {
    console.error(`vendor: ${source} is missing; reinstall ${from.split('/')[0]}`);
    process.exit(1);
  }
  mkdirSync(dirname(join(out, to)), { recursive: true });
  copyFileSync(source, join(out, to));
}
console.log(`vendor: copied ${files.length} scripts into public/vendor/`);
