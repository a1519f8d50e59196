const encoder = new TextEncoder();

/** A rendered HTML fragment: rendered once, encoded once, then written to every recipient. */
export class Fragment {
  private encoded: Uint8Array | undefined;
  constructor(readonly html: string) {}

  get bytes(): Uint8Array {
    return (this.encoded ??= encoder.encode(this.html));
  }

  get byteLength(): number {
    return this.bytes.byteLength;
  }
}
