// Caps the number of points a chart draws. A 24 h soak has 86,400 per-second points; drawing them all
// makes a multi-megabyte page. Keeping each bucket's first, minimum, maximum and last point preserves
// the shape a reader cares about (a p99 spike survives; an average would hide it).

export type XY = readonly [x: number, y: number];

export function downsampleMinMax(points: readonly XY[], maxPoints: number): XY[] {
  if (points.length <= maxPoints || maxPoints < 4) return [...points];
  const bucketCount = Math.floor(maxPoints / 4);
  const bucketSize = Math.ceil(points.length / bucketCount);
  const result: XY[] = [];
  for (let start = 0; start < points.length; start += bucketSize) {
    const bucket = points.slice(start, start + bucketSize);
    const first = bucket[0];
    const last = bucket[bucket.length - 1];
    if (first === undefined || last === undefined) continue;
    let min = first;
    let max = first;
    for (const point of bucket) {
      if (point[1] < min[1]) min = point;
      if (point[1] > max[1]) max = point;
    }
    const kept = new Set([first, min, max, last]);
    result.push(...[...kept].sort((a, b) => a[0] - b[0]));
  }
  return result;
}
