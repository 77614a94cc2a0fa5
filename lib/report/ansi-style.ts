// Optional ANSI styling for the console summary. With color off every style is the identity, so the
// plain text is exactly what a log file or a CI console without color support shows.

export interface AnsiStyle {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
  /** Bold white on green or red: the verdict word. */
  badge(text: string, ok: boolean): string;
}

const escapeCharacter = String.fromCharCode(27);
const escapePattern = new RegExp(`${escapeCharacter}\\[[0-9;]*m`, "g");

export function ansiStyle(color: boolean): AnsiStyle {
  const wrap = (open: string, close: string) => (text: string) =>
    color ? `${escapeCharacter}[${open}m${text}${escapeCharacter}[${close}m` : text;
  return {
    bold: wrap("1", "22"),
    dim: wrap("2", "22"),
    red: wrap("31", "39"),
    green: wrap("32", "39"),
    yellow: wrap("33", "39"),
    cyan: wrap("36", "39"),
    badge: (text, ok) =>
      color ? `${escapeCharacter}[1;97;${ok ? "42" : "41"}m ${text} ${escapeCharacter}[0m` : text,
  };
}

/** Width of the text as a terminal shows it (escape sequences take no columns). */
export function visibleWidth(text: string): number {
  return text.replace(escapePattern, "").length;
}
