// The Lua scripts behind ThreatBus. Redis runs each one atomically, which is what makes publish order
// equal seq order across pods and keeps a failed publish from leaving anything half-written.

/**
 * KEYS: seq, stream, epoch, threat.   ARGV: expected epoch, stream maxlen, ttl seconds, channel,
 * id (JSON string), pod (JSON string), threat (JSON object), traceparent (JSON string, or empty when the
 * publish is not traced).   Returns {seq, published_at as text}.
 *
 * The frame is assembled here, not in Node, because seq and published_at exist only inside the script;
 * the same bytes then go to the store, the stream, the channel and, unchanged, to every client.
 * published_at comes from Redis TIME so all pods share one clock; it is returned as decimal text because
 * Lua numbers returned to Redis are truncated to integers.
 * XADD is the first write: it is the only one that can fail on data (a stream ahead of the seq key),
 * and failing before any write leaves nothing half-published.
 */
export const publishScript = `
if redis.call('GET', KEYS[3]) ~= ARGV[1] then
  return redis.error_reply('CROSSPOD_EPOCH the epoch changed; re-read it before publishing')
end
local seq = (tonumber(redis.call('GET', KEYS[1])) or 0) + 1
local now = redis.call('TIME')
local usec = tonumber(now[2])
local publishedAt = string.format('%s%03d.%03d', now[1], math.floor(usec / 1000), usec % 1000)
local trace = ''
if ARGV[8] ~= nil and ARGV[8] ~= '' then trace = ',"traceparent":' .. ARGV[8] end
local frame = '{"type":"threat","seq":' .. string.format('%d', seq) .. ',"id":' .. ARGV[5] ..
  ',"pod_origin":' .. ARGV[6] .. ',"published_at":' .. publishedAt .. ',"threat":' .. ARGV[7] .. trace .. '}'
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], string.format('%d-0', seq), 'frame', frame)
redis.call('SET', KEYS[1], seq)
redis.call('SET', KEYS[4], frame, 'EX', ARGV[3])
redis.call('PUBLISH', ARGV[4], frame)
return {seq, publishedAt}
`;

/**
 * KEYS: epoch, seq, epoch base.  ARGV: a fresh random epoch, used only if Redis has none.
 * Returns {epoch, head, base}: base is the seq the epoch began after (0 unless a regression rotated it).
 */
export const positionScript = `
redis.call('SET', KEYS[1], ARGV[1], 'NX')
return {redis.call('GET', KEYS[1]), tonumber(redis.call('GET', KEYS[2])) or 0,
  tonumber(redis.call('GET', KEYS[3])) or 0}
`;

/**
 * KEYS: epoch, seq, epoch base.  ARGV: the epoch the caller found regressed, a fresh random epoch.
 * A promoted replica that was behind restarts the seq below what clients saw: the first pod to notice
 * starts a new epoch whose seqs continue after the current head (base), so entries that survived stay
 * readable and no seq is ever given a second meaning within one epoch. Only one pod's rotation wins;
 * the others find the epoch already changed. Returns {epoch, head, base} as positionScript does.
 */
export const rotateEpochScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2])
  redis.call('SET', KEYS[3], tonumber(redis.call('GET', KEYS[2])) or 0)
end
return {redis.call('GET', KEYS[1]), tonumber(redis.call('GET', KEYS[2])) or 0,
  tonumber(redis.call('GET', KEYS[3])) or 0}
`;

export const epochErrorPrefix = "CROSSPOD_EPOCH";
