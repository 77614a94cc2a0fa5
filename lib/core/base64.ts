// Base64 decoding without Node's Buffer or the browser's atob, so lib/core runs unchanged inside k6.
const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const sextets = new Int16Array(128).fill(-1);
for (let i = 0; i < alphabet.length; i++) sextets[alphabet.charCodeAt(i)] = i;

/** Decodes standard (RFC 4648) base64 with optional padding; returns undefined when `text` is not base64. */
export function decodeBase64(text: string): Uint8Array | undefined {
  const trimmed = text.trim();
  let end = trimmed.length;
  while (end > 0 && trimmed.charCodeAt(end - 1) === 61 /* = */ && trimmed.length - end < 2) end--;
  if (end % 4 === 1 || (end !== trimmed.length && trimmed.length % 4 !== 0)) return undefined;
  const bytes = new Uint8Array(Math.floor((end * 3) / 4));
  let buffer = 0;
  let bits = 0;
  let out = 0;
  for (let i = 0; i < end; i++) {
    const code = trimmed.charCodeAt(i);
    const value = code < 128 ? (sextets[code] ?? -1) : -1;
    if (value < 0) return undefined;
    buffer = ((buffer << 6) | value) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes[out++] = (buffer >> bits) & 0xff;
    }
  }
  return bytes;
}

/** Encodes bytes as standard (RFC 4648) base64 with padding. */
export function encodeBase64(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i] as number;
    const b = bytes[i + 1];
    const c = bytes[i + 2];
    const triple = (a << 16) | ((b ?? 0) << 8) | (c ?? 0);
    text += alphabet[(triple >> 18) & 63];
    text += alphabet[(triple >> 12) & 63];
    text += b === undefined ? "=" : alphabet[(triple >> 6) & 63];
    text += c === undefined ? "=" : alphabet[triple & 63];
  }
  return text;
}
