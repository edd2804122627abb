/**
 * Release policy for decrypted plaintext (FORMAT.md §11, THREAT-MODEL.md "release window"):
 * plaintext is held back until either the whole segment has verified or more than `windowBytes` are
 * held. An object no larger than the window is therefore all-or-nothing: a failure anywhere in it
 * releases no byte at all. Past the window, only chunks that verified are released, and a later
 * failure ends the stream with an error (never a clean end).
 */
export const DEFAULT_RELEASE_WINDOW = 1024 * 1024;

export class HeldOutput {
  private held: Buffer[] = [];
  private heldBytes = 0;
  private open = false;

  constructor(
    private readonly windowBytes: number,
    private readonly emit: (b: Buffer) => void,
  ) {}

  write(b: Buffer): void {
    if (b.length === 0) return;
    if (this.open) {
      this.emit(b);
      return;
    }
    this.held.push(b);
    this.heldBytes += b.length;
    if (this.heldBytes > this.windowBytes) this.release();
  }

  /** The segment verified completely: everything held may go. */
  release(): void {
    this.open = true;
    const held = this.held;
    this.held = [];
    this.heldBytes = 0;
    for (const b of held) this.emit(b);
  }

  /** Verification failed: drop (and wipe) what was held so it is never emitted. */
  discard(): void {
    for (const b of this.held) b.fill(0);
    this.held = [];
    this.heldBytes = 0;
  }
}
