import type { Fragment, HtmxMajor, Rendition } from './fragment.ts';

/** What a runtime gives the core for one open WebSocket. */
export interface SocketTransport {
  /** Writes the rendition as one text frame (as encoded bytes or as the string, whichever the runtime sends without copying). */
  send(rendition: Rendition): void;
  close(code: number, reason: string): void;
  /** Bytes accepted but not yet handed to the network. */
  bufferedAmount(): number;
  /** The client's first message showed another htmx major than assumed (workerd keeps it with the hibernating socket). */
  majorRevealed?(major: HtmxMajor): void;
  /** Workers: keeps a renamed user's new name with the socket, so it survives hibernation. */
  rename?(name: string): void;
}

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
    this.transport.majorRevealed?.(major);
  }

  /** SPEC §3: the user took a new name; their next messages carry it. */
  rename(name: string): void {
    this.identity.name = name;
    this.transport.rename?.(name);
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
