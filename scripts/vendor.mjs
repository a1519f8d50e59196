// Copies htmx and its extensions from node_modules into public/vendor/ so pages never load a CDN.
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
];
for (const [from, to] of files) {
  const source = join(dirname(require.resolve(from.split('/')[0] + '/package.json')), from.split('/').slice(1).join('/'));
  if (!existsSync(source)) {
    console.error(`vendor: ${source} is missing; reinstall ${from.split('/')[0]}`);
    process.exit(1);
  }
  copyFileSync(source, join(out, to));
}
console.log(`vendor: copied ${files.length} scripts into public/vendor/`);
