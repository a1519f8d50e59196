import { escapeToBuffer } from 'hono/utils/html';
import { BoundedCache } from '../user-cache.ts';

/** A part's text as Hono's JSX escapes it, in text and attributes alike (`& < > " '`). */
function escaped(text: string): string {
  const buffer: [string] = [''];
  escapeToBuffer(text, buffer);
  return buffer[0];
}

/** Where part `n` goes in a shell: NUL never comes out of rendering anything but a mark. */
const mark = (n: number) => `\u0000${n}\u0000`;
const MARK = /\u0000(\d+)\u0000/;

/** A part: text (escaped as JSX escapes it) or markup rendered already (inserted as it is). */
export type PartKind = 'text' | 'markup';

interface Shell {
  /** The page between its parts: `segments[0] part[order[0]] segments[1] …`. */
  segments: string[];
  order: number[];
}

/**
 * Pages rendered once per shape (a room's page for a named viewer, say) with marks where the
 * per-request parts go (the viewer's id and name, the history list), then put together per request
 * from a few flat strings: no JSX to run, and no rope of thousands of pieces for V8 to flatten before
 * it writes. A shape is checked once against a direct render of a probe whose text needs escaping;
 * a shape that does anything with a part but insert it (the two differ) is rendered per request.
 */
export class PageShells<Name extends string> {
  private readonly shells: BoundedCache<string, Shell | null>;
  private readonly names: Name[];
  /** Renders and checks of shapes, for tests. */
  built = 0;

  constructor(
    private readonly kinds: Record<Name, PartKind>,
    /** Values for the check: text that needs escaping, markup that is not plain text. */
    private readonly probe: Record<Name, string>,
    maxShapes = 512,
  ) {
    this.shells = new BoundedCache(maxShapes);
    this.names = Object.keys(kinds) as Name[];
  }

  /** The page of shape `key`: `render` must draw the same page for every request of that shape, given its parts. */
  page(key: string, render: (parts: Record<Name, string>) => string, parts: Record<Name, string>): string {
    let shell = this.shells.get(key);
    if (shell === undefined) this.shells.set(key, (shell = this.build(render)));
    return shell ? this.splice(shell, parts) : render(parts);
  }

  private build(render: (parts: Record<Name, string>) => string): Shell | null {
    this.built++;
    const marked = Object.fromEntries(this.names.map((name, n) => [name, mark(n)])) as Record<Name, string>;
    const pieces = render(marked).split(MARK);
    const shell: Shell = { segments: pieces.filter((_, i) => i % 2 === 0), order: pieces.filter((_, i) => i % 2 === 1).map(Number) };
    return this.splice(shell, this.probe) === render(this.probe) ? shell : null;
  }

  private splice(shell: Shell, parts: Record<Name, string>): string {
    let page = shell.segments[0]!;
    for (let i = 0; i < shell.order.length; i++) {
      const name = this.names[shell.order[i]!]!;
      page += (this.kinds[name] === 'text' ? escaped(parts[name]) : parts[name]) + shell.segments[i + 1]!;
    }
    return page;
  }
}
