import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Each neighbour writes this much, fsyncs, and starts again, as long as it runs. */
export const NEIGHBOUR_BYTES = 8 * 1024 * 1024;
export const NEIGHBOURS = 2;

const LOOP = `
const fs = require('node:fs');
const path = process.argv[1];
const chunk = Buffer.alloc(${NEIGHBOUR_BYTES}, 1);
for (;;) {
  const fd = fs.openSync(path, 'w');
  fs.writeSync(fd, chunk);
  fs.fsyncSync(fd);
  fs.closeSync(fd);
}`;

/** Disk-heavy neighbours (large writes with fsync in a loop) while `run` runs; stopped afterwards. */
export async function withDiskNeighbours<T>(run: () => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-disk-'));
  const children: ChildProcess[] = [];
  try {
    for (let i = 0; i < NEIGHBOURS; i++) children.push(spawn(process.execPath, ['-e', LOOP, join(dir, `neighbour-${i}.bin`)], { stdio: 'ignore' }));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    return await run();
  } finally {
    for (const child of children) child.kill('SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 200));
    rmSync(dir, { recursive: true, force: true });
  }
}
