// Names why a WebSocket connect attempt failed, as a short stable cause for counts and reports
// ("ECONNREFUSED", "http-503", "handshake-timeout"), so a thousand failures read as a few lines.

export function connectErrorCause(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (typeof code === "string" && code.startsWith("E")) return code;
  const status = /Unexpected server response: (\d{3})/.exec(error.message);
  if (status) return `http-${status[1]}`;
  if (/handshake has timed out/i.test(error.message)) return "handshake-timeout";
  return code ?? "connect-error";
}
