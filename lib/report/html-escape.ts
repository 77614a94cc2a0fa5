// Escaping for everything the HTML report interpolates: pod names, URLs and event details come from
// users and backends, so they are always text, never markup.

const entities: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Escapes text for element content and quoted attribute values (HTML and inline SVG). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => entities[character] ?? character);
}

/**
 * JSON for a `<script type="application/json">` block. `<` becomes \u003c so no string inside
 * can close the script element ("</script>") or open a comment; JSON.parse reads it back unchanged.
 * U+2028/2029 are escaped for tools that still treat the block as JavaScript.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}
