import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/server.ts';

/** What `npm run deploy` uploads (minified) may not grow past this without a reason. */
const MAX_WORKER_BYTES = 256 * 1024;

describe('SPEC 7 the Worker bundle', () => {
  it(`stays under ${MAX_WORKER_BYTES / 1024} KiB minified and imports nothing but cloudflare:workers and node:async_hooks`, async () => {
    const outdir = tempDir('switchboard-bundle-');
    await promisify(execFile)('node_modules/.bin/wrangler', ['deploy', '--dry-run', '--minify', '--outdir', outdir], {
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' },
    });
    const bundle = readFileSync(join(outdir, 'worker.js'), 'utf8');
    expect(bundle.length).toBeLessThan(MAX_WORKER_BYTES);
    const imports = [...new Set([...bundle.matchAll(/\bfrom\s*"([^"]+)"/g)].map((m) => m[1]))];
    // node:async_hooks is workerd's own AsyncLocalStorage (the nodejs_als flag in wrangler.toml), which
    // Hono's context storage uses; nothing else from Node.
    expect(imports.sort()).toEqual(['cloudflare:workers', 'node:async_hooks']);
    expect(readFileSync('wrangler.toml', 'utf8')).toMatch(/compatibility_flags = \[[^\]]*"nodejs_als"/);
    expect(bundle.includes('RoomObject')).toBe(true);
  }, 60_000);
});
