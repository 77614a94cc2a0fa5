// DURABILITY=replica: confirm that a replica has this connection's writes before a trigger is answered.
// WAIT counts replicas that acknowledged everything the connection wrote before the WAIT, and it blocks
// the connection meanwhile, so concurrent publishes share WAITs instead of queueing one each: a publish
// joins the WAIT in flight only if that WAIT was sent after its write, else the single one queued next.

export type WaitCommand = (replicas: number, timeoutMs: number) => Promise<number>;

export class ReplicaAck {
  private inFlight: Promise<number> | undefined;
  private queued: Promise<number> | undefined;

  constructor(
    private readonly wait: WaitCommand,
    private readonly timeoutMs: number,
  ) {}

  /** How many replicas (0 or 1) acknowledged every write made on the connection before this call. */
  confirm(): Promise<number> {
    if (this.inFlight === undefined) return this.send();
    // The WAIT in flight was sent before this caller's write: it does not cover it.
    this.queued ??= this.inFlight.then(
      () => this.send(),
      () => this.send(),
    );
    return this.queued;
  }

  private send(): Promise<number> {
    this.queued = undefined;
    const sent = this.wait(1, this.timeoutMs);
    this.inFlight = sent;
    const done = () => {
      if (this.inFlight === sent) this.inFlight = undefined;
    };
    sent.then(done, done);
    return sent;
  }
}
