import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

/** Output of a checker that exits 0, or its complaints (a failing exit rejects with them). */
async function check(command: string, args: string[]): Promise<string> {
  try {
    await run(command, args, { maxBuffer: 16 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } });
    return 'ok';
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    return `${stdout}${stderr}`.trim() || String(error);
  }
}

// `npm run typecheck`: the same code typed for each runtime it runs on (the ports every mode implements,
// the Worker's objects, Deno's entry), so a seam that one runtime does not satisfy fails here.
describe('the app type-checks for every runtime', () => {
  it('Node (tsconfig.json: app, components, tests, scripts)', async () => {
    expect(await check(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'])).toBe('ok');
  }, 120_000);

  it('Workers (tsconfig.worker.json: workerd types)', async () => {
    expect(await check(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.worker.json'])).toBe('ok');
  }, 120_000);

  it('Deno (deno check on its entry point)', async () => {
    expect(await check('node_modules/.bin/deno', ['check', 'app/platform/deno.ts'])).toBe('ok');
  }, 120_000);
});
