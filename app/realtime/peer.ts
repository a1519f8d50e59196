import type { Fragment } from './fragment.ts';

/** What a runtime gives the core for one open WebSocket. */
export interface SocketTransport {
  /** Writes the fragment as one text frame (as encoded bytes or as the string, whichever the runtime sends without copying). */
  send(fragment: Fragment): void;
  close(code: number, reason: string): void;
  /** Bytes accepted but not yet handed to the network. */
  bufferedAmount(): number;
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
  ) {}

  get userId(): string {
    return this.identity.userId;
  }

  get name(): string {
    return this.identity.name;
  }

  /** SPEC §3: the user took a new name; their next messages carry it. */
  rename(name: string): void {
    this.identity.name = name;
    this.transport.rename?.(name);
  }

  send(fragment: Fragment): void {
    if (this.dropped) return;
    this.transport.send(fragment);
  }

  close(code: number, reason: string): void {
    this.dropped = true;
    this.transport.close(code, reason);
  }
}
