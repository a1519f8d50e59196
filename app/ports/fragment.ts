import type { HtmxMajor } from '../config.ts';

export type { HtmxMajor };

const encoder = new TextEncoder();

/** A fragment as one client format receives it: encoded once, then written to every recipient of that format. */
export class Rendition {
  private encoded: Uint8Array | undefined;
  constructor(readonly html: string) {}

  get bytes(): Uint8Array {
    return (this.encoded ??= encoder.encode(this.html));
  }

  get byteLength(): number {
    return this.bytes.byteLength;
  }
}

/** Marks a wire string that holds both renditions (rendered HTML always starts with `<` or is empty). */
const BOTH = '\u0001';

/**
 * A rendered HTML fragment: rendered at most once per htmx major, lazily (an htmx 4 rendition is
 * made only when an htmx 4 client is there to receive it), and each rendition encoded once.
 * `new Fragment(html)` is markup both majors swap alike: one rendition, one encoding, one frame.
 */
export class Fragment {
  private readonly renditions: Partial<Record<HtmxMajor, Rendition>> = {};

  constructor(html: string);
  constructor(html: null, renderer: (major: HtmxMajor) => string);
  constructor(html: string | null, private readonly renderer?: (major: HtmxMajor) => string) {
    if (html !== null) this.renditions[2] = this.renditions[4] = new Rendition(html);
  }

  /** A fragment whose markup depends on the major (htmx 2 attributes inside, or SSE framing). */
  static perMajor(render: (major: HtmxMajor) => string): Fragment {
    return new Fragment(null, render);
  }

  /** What a client of `major` receives; a rendition equal to the other major's is that one (one encoding, one frame). */
  for(major: HtmxMajor): Rendition {
    const known = this.renditions[major];
    if (known) return known;
    const html = this.renderer!(major);
    const other = this.renditions[major === 2 ? 4 : 2];
    return (this.renditions[major] = other?.html === html ? other : new Rendition(html));
  }

  /** The htmx 2 markup. */
  get html(): string {
    return this.for(2).html;
  }

  get bytes(): Uint8Array {
    return this.for(2).bytes;
  }

  get byteLength(): number {
    return this.bytes.byteLength;
  }

  /**
   * One string for crossing a process (Redis, a Durable Object's feed): the markup when both majors
   * get the same, else both renditions. Rendered here once per major, by the publisher.
   */
  get wire(): string {
    const two = this.for(2).html;
    const four = this.for(4).html;
    return two === four ? two : BOTH + JSON.stringify([two, four]);
  }

  static fromWire(wire: string): Fragment {
    if (!wire.startsWith(BOTH)) return new Fragment(wire);
    const [two, four] = JSON.parse(wire.slice(1)) as [string, string];
    return Fragment.perMajor((major) => (major === 2 ? two : four));
  }
}

/** A publish may hand over markup both majors share, or a fragment rendered per major. */
export type FragmentSource = string | Fragment;

export const toFragment = (source: FragmentSource): Fragment => (typeof source === 'string' ? new Fragment(source) : source);
