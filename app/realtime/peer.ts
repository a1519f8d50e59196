import type { Fragment, HtmxMajor } from '../ports/fragment.ts';
import type { SocketTransport } from '../ports/transport.ts';


export interface Identity {
  userId: string;
  name: string;
}

/** One open socket of one user. */
export class Peer {
  dropped = false;

  constructor(
    readonly id: string,
    readonly identity: Identity,
    readonly transport: SocketTransport,
    /** The htmx major of the client: what its connect URL said (`?htmx=4`), until its first message shows it. */
    public major: HtmxMajor = 2,
  ) {}

  get userId(): string {
    return this.identity.userId;
  }

  get name(): string {
    return this.identity.name;
  }

  /** Every later fragment goes out as `major` renders it. */
  reveal(major: HtmxMajor): void {
    if (major === this.major) return;
    this.major = major;
    this.transport.majorRevealed(major);
  }

  /** SPEC §3: the user took a new name; their next messages carry it. */
  rename(name: string): void {
    this.identity.name = name;
    this.transport.rename(name);
  }

  send(fragment: Fragment): void {
    if (this.dropped) return;
    this.transport.send(fragment.for(this.major));
  }

  close(code: number, reason: string): void {
    this.dropped = true;
    this.transport.close(code, reason);
  }
}
