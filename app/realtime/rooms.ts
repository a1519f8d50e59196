/** Anything a registry can hold: a chat room or a lobby. */
export interface Disposable {
  readonly isEmpty: boolean;
  drain(): Promise<void>;
  dispose(): void;
}

/** The live rooms of one kind in this process, created on first use and dropped when empty. */
export class RoomRegistry<R extends Disposable> {
  private readonly rooms = new Map<string, R>();

  constructor(private readonly create: (name: string) => R) {}

  get(name: string): R {
    let room = this.rooms.get(name);
    if (!room) this.rooms.set(name, (room = this.create(name)));
    return room;
  }

  /** Whether the room is live in this process (without creating it). */
  has(name: string): boolean {
    return this.rooms.has(name);
  }

  /** Forgets a room once it has no sockets and no queued work. */
  async release(name: string): Promise<void> {
    const room = this.rooms.get(name);
    if (!room) return;
    await room.drain();
    if (room.isEmpty && this.rooms.get(name) === room) {
      this.rooms.delete(name);
      room.dispose();
    }
  }

  /** Waits for every room's queued work: nothing accepted is lost on shutdown. */
  async drain(): Promise<void> {
    await Promise.all([...this.rooms.values()].map((room) => room.drain()));
  }

  get size(): number {
    return this.rooms.size;
  }
}
