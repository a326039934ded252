/** The leader's view of one follower's replication. */
export enum ProgressState {
  /** Unknown match: one append at a time until the follower answers. */
  Probe = 'probe',
  /** Known match: appends are pipelined up to the in-flight limits. */
  Replicate = 'replicate',
  /** The follower needs a snapshot, sent chunk by chunk. */
  Snapshot = 'snapshot',
}

export class Progress {
  match = 0;
  next: number;
  state = ProgressState.Probe;
  /** Probe: an append was sent and not yet answered. */
  probeSent = false;
  recentActive = false;
  /** Leader tick of the newest heartbeat this follower acknowledged (for lease reads). */
  leaseAckTick = -Infinity;
  /** Appends in flight: last index and size of each. */
  private inflight: { index: number; bytes: number }[] = [];
  private inflightBytes = 0;
  /** Snapshot being sent: its index, the acknowledged offset, and when a chunk was last sent. */
  snapshotIndex = 0;
  snapshotOffset = 0;
  snapshotSentAt = -Infinity;

  constructor(
    next: number,
    private readonly maxMsgs: number,
    private readonly maxBytes: number,
  ) {
    this.next = next;
  }

  becomeProbe(): void {
    if (this.state === ProgressState.Snapshot) {
      this.next = Math.max(this.match + 1, this.snapshotIndex + 1);
    } else {
      this.next = this.match + 1;
    }
    this.state = ProgressState.Probe;
    this.probeSent = false;
    this.resetInflight();
  }

  becomeReplicate(): void {
    this.state = ProgressState.Replicate;
    this.next = this.match + 1;
    this.resetInflight();
  }

  becomeSnapshot(index: number): void {
    this.state = ProgressState.Snapshot;
    this.snapshotIndex = index;
    this.snapshotOffset = 0;
    this.snapshotSentAt = -Infinity;
    this.resetInflight();
  }

  /** The follower acknowledged entries up to `index`. */
  maybeUpdate(index: number): boolean {
    let updated = false;
    if (index > this.match) {
      this.match = index;
      updated = true;
      this.probeSent = false;
    }
    this.next = Math.max(this.next, index + 1);
    this.freeTo(index);
    return updated;
  }

  /**
   * The follower refused an append after `rejected`; `hint` is where the
   * leader should try next. Returns false for a stale refusal.
   */
  maybeDecrTo(rejected: number, hint: number): boolean {
    if (this.state === ProgressState.Replicate) {
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      return true;
    }
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, hint + 1), this.match + 1, 1);
    this.probeSent = false;
    return true;
  }

  isPaused(): boolean {
    switch (this.state) {
      case ProgressState.Probe:
        return this.probeSent;
      case ProgressState.Replicate:
        return this.inflightFull();
      case ProgressState.Snapshot:
        return true;
    }
  }

  /** Records an append sent with last index `last` (Replicate: pipelined). */
  sentAppend(last: number, bytes: number, count: number): void {
    if (this.state === ProgressState.Replicate) {
      if (count > 0) {
        this.next = last + 1;
        this.inflight.push({ index: last, bytes });
        this.inflightBytes += bytes;
      }
    } else if (this.state === ProgressState.Probe) {
      this.probeSent = true;
    }
  }

  inflightFull(): boolean {
    return this.inflight.length >= this.maxMsgs || this.inflightBytes >= this.maxBytes;
  }

  freeFirstInflight(): void {
    const f = this.inflight.shift();
    if (f) this.inflightBytes -= f.bytes;
  }

  private freeTo(index: number): void {
    while (this.inflight.length && this.inflight[0].index <= index) this.freeFirstInflight();
  }

  private resetInflight(): void {
    this.inflight = [];
    this.inflightBytes = 0;
  }
}
