// A set of integers held as sorted, disjoint, inclusive ranges: memory grows with the number of gaps,
// not with the number of members. Bounds may be ±Infinity for open-ended ranges.
export class RangeSet {
  /** Flat [lo0, hi0, lo1, hi1, …], sorted, disjoint and non-adjacent. */
  private readonly bounds: number[] = [];

  get rangeCount(): number {
    return this.bounds.length / 2;
  }

  /** Adds [lo, hi]; lo must not be below the start of the last range (callers add in ascending order). */
  addAscending(lo: number, hi: number): void {
    if (hi < lo) return;
    const last = this.bounds.length - 1;
    const lastHi = last > 0 ? (this.bounds[last] as number) : Number.NaN;
    if (lo <= lastHi + 1) {
      if (hi > lastHi) this.bounds[last] = hi;
      return;
    }
    this.bounds.push(lo, hi);
  }

  has(value: number): boolean {
    return this.indexOf(value) >= 0;
  }

  /** Removes `value`; returns whether it was a member. */
  delete(value: number): boolean {
    const index = this.indexOf(value);
    if (index < 0) return false;
    const lo = this.bounds[index] as number;
    const hi = this.bounds[index + 1] as number;
    if (lo === hi) this.bounds.splice(index, 2);
    else if (value === lo) this.bounds[index] = lo + 1;
    else if (value === hi) this.bounds[index + 1] = hi - 1;
    else this.bounds.splice(index + 1, 0, value - 1, value + 1);
    return true;
  }

  /** Index in `bounds` of the range holding `value`, or -1. */
  private indexOf(value: number): number {
    let low = 0;
    let high = this.bounds.length / 2 - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const lo = this.bounds[middle * 2] as number;
      if (value < lo) high = middle - 1;
      else if (value > (this.bounds[middle * 2 + 1] as number)) low = middle + 1;
      else return middle * 2;
    }
    return -1;
  }
}
