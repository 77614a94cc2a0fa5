// A plot series that never holds more than `maxPoints` however long the run: when full it drops every
// other point and from then on keeps one sample in twice as many. Memory stays flat over hours and the
// points stay evenly spread over the whole run.

export class ThinnedSeries {
  private readonly points: Array<[number, number]> = [];
  private stride = 1;
  private seen = 0;

  constructor(private readonly maxPoints = 240) {}

  add(t: number, y: number): void {
    this.seen += 1;
    if ((this.seen - 1) % this.stride !== 0) return;
    this.points.push([t, y]);
    if (this.points.length <= this.maxPoints) return;
    let kept = 0;
    for (let index = 0; index < this.points.length; index += 2) {
      this.points[kept] = this.points[index] as [number, number];
      kept += 1;
    }
    this.points.length = kept;
    this.stride *= 2;
  }

  values(): Array<[number, number]> {
    return this.points.map(([t, y]) => [t, y]);
  }
}
