// The heads of the published log the drain waits for: the highest seq published (backends with a seq) and
// each publisher's highest probe n (backends without one). The Node engine keeps them live as triggers are
// accepted; the k6 scenarios build them once from the log in Redis.
import type { PublishedTrigger } from "./delivery-checker.js";

export class PublishedHeads {
  /** Highest seq published: every connection must reach it in the drain. */
  headSeq: number | undefined;
  private readonly highestN = new Map<string, number>();

  static of(published: readonly PublishedTrigger[]): PublishedHeads {
    const heads = new PublishedHeads();
    for (const trigger of published) heads.add(trigger.seq, trigger.publisher, trigger.n);
    return heads;
  }

  /** Highest probe n published per publisher. */
  get byPublisher(): ReadonlyMap<string, number> {
    return this.highestN;
  }

  add(seq: number | undefined, publisher: string, n: number): void {
    if (seq !== undefined && (this.headSeq === undefined || seq > this.headSeq)) this.headSeq = seq;
    const head = this.highestN.get(publisher);
    if (head === undefined || n > head) this.highestN.set(publisher, n);
  }
}
