import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { analyse, cycles, importsOf, layerOf, LAYERS, upwardImports } from '../../scripts/arch.mjs';

// The layering of ARCHITECTURE.md, checked on the real import graph (scripts/arch.mjs).
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const graph = (pairs: Array<[string, string]>) => {
  const edges = new Map<string, Set<string>>();
  for (const [from, to] of pairs) {
    if (!edges.has(from)) edges.set(from, new Set());
    if (!edges.has(to)) edges.set(to, new Set());
    edges.get(from)!.add(to);
  }
  return edges;
};

describe('the layering of app/ and components/', () => {
  const report = analyse(root);

  it('puts every source file in a layer', () => {
    expect(report.total.files).toBeGreaterThan(100);
    expect(report.unlayered).toEqual([]);
  });

  it('has no import running up the layer order (type imports included)', () => {
    expect(report.upward).toEqual([]);
  });

  it('has no import cycle (type imports included)', () => {
    expect(report.cycles).toEqual([]);
  });

  it('has no optional member in the port interfaces', () => {
    expect(report.optionalMembers).toEqual([]);
  });

  it('has no mode or runtime check in shared code: each mode hands over its own ports', () => {
    expect(report.modeChecks).toEqual([]);
  });

  it('keeps the platform interface in the ports, at the bottom', () => {
    expect(LAYERS[layerOf('app/ports/platform.ts')]!.name).toBe('ports');
    expect(layerOf('app/ports/platform.ts')).toBeLessThan(layerOf('app/realtime/chat-room.tsx'));
    expect(layerOf('app/platform/worker.ts')).toBe(LAYERS.length - 1);
  });
});

describe('the analysis itself', () => {
  it('sees every kind of import: value, type-only, re-export, dynamic and import types', () => {
    const { found } = importsOf(
      [
        "import { a } from './a.ts';",
        "import type { B } from './b.ts';",
        "export { c } from './c.ts';",
        "export * from './d.ts';",
        "const e = await import('./e.ts');",
        "let f: import('./f.ts').F;",
        "import './g.ts';",
      ].join('\n'),
      'x.ts',
    );
    expect(found.sort()).toEqual(['./a.ts', './b.ts', './c.ts', './d.ts', './e.ts', './f.ts', './g.ts']);
  });

  it('reports an upward import and a cycle in a known-bad graph', () => {
    const bad = graph([
      ['app/realtime/online.ts', 'app/platform/platform.ts'],
      ['app/ports/hub.ts', 'app/realtime/hub.ts'],
      ['app/realtime/socket-endpoint.ts', 'app/realtime/socket-session.ts'],
      ['app/realtime/socket-session.ts', 'app/realtime/socket-endpoint.ts'],
      ['app/routes/chat.tsx', 'app/ports/store.ts'],
    ]);
    expect(upwardImports(bad).map((edge) => `${edge.fromLayer}->${edge.toLayer}`).sort()).toEqual(['features->platform', 'ports->features']);
    expect(cycles(bad)).toEqual([['app/realtime/socket-endpoint.ts', 'app/realtime/socket-session.ts']]);
  });

  it('finds no fault in a good graph', () => {
    const good = graph([
      ['app/platform/node.ts', 'app/app.tsx'],
      ['app/app.tsx', 'app/routes/chat.tsx'],
      ['app/routes/chat.tsx', 'app/realtime/chat-room.tsx'],
      ['app/realtime/chat-room.tsx', 'components/Chat.tsx'],
      ['components/Chat.tsx', 'app/ports/store.ts'],
      ['app/ports/store.ts', 'app/config.ts'],
    ]);
    expect(upwardImports(good)).toEqual([]);
    expect(cycles(good)).toEqual([]);
  });

  describe('on a tree on disk with the faults this layering removed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'arch-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const put = (path: string, text: string) => {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    };
    put('app/ports/platform.ts', "import type { Hub } from '../realtime/hub.ts';\nexport interface Platform { hub: Hub; health?(): string }\n");
    put('app/realtime/hub.ts', "export interface Hub { publish(): void }\n");
    put('app/platform/worker/env.ts', "import type { RoomObject } from './room-object.ts';\nexport type Env = { ROOMS: RoomObject };\n");
    put('app/platform/worker/room-object.ts', "import type { Env } from './env.ts';\nexport class RoomObject { env?: Env }\n");
    put('components/Chat.tsx', "import type { Platform } from '../app/ports/platform.ts';\nexport const x: Platform | null = null;\n");
    put('app/mystery.ts', 'export const y = 1;\n');
    put('app/routes/chat.tsx', "// with locks.shared once, now a comment\nexport const cached = (p: { locks: { shared: boolean } }) => !p.locks.shared;\n");
    put('app/realtime/metric-board.tsx', 'export const clustered = (config: { redisUrl?: string }) => Boolean(config.redisUrl);\n');
    put('app/cluster/cluster.ts', 'export const url = (config: { redisUrl?: string }) => config.redisUrl;\n');
    const found = analyse(dir);

    it('reports each of them', () => {
      expect(found.upward.map((edge) => `${edge.from} -> ${edge.to}`)).toEqual(['app/ports/platform.ts -> app/realtime/hub.ts']);
      expect(found.cycles).toEqual([['app/platform/worker/env.ts', 'app/platform/worker/room-object.ts']]);
      expect(found.optionalMembers).toEqual(['app/ports/platform.ts: Platform.health']);
      expect(found.unlayered).toEqual(['app/mystery.ts']);
      expect(found.workers).toEqual({ files: 2, lines: 4 });
      // The cluster's own file may read REDIS_URL; shared code may not ask which mode it is in.
      expect(found.modeChecks.map((line) => line.split(':').slice(0, 2).join(':'))).toEqual(['app/realtime/metric-board.tsx:1', 'app/routes/chat.tsx:2']);
    });
  });
});
