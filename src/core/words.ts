/**
 * `n` and a noun in the number it takes, for log lines and summaries: `counted(1, 'feature')` is
 * "1 feature", `counted(2, 'feature')` "2 features", `counted(3, 'building part')` "3 building parts".
 * `n` may come formatted ("13,438").
 */
export function counted(n: number | string, noun: string, plural = `${noun}s`): string {
  return `${n} ${Number(String(n).replace(/,/g, '')) === 1 ? noun : plural}`;
}

/**
 * A message as one printable line: runs of white space made one space, control characters and U+FFFD shown as
 * `\xNN` / `\uFFFD` (binary-in-the-log: a ZIP named .geojson put its bytes, NULs among them, into the error
 * line, and `grep` took the log for a binary file).
 *
 * @example
 * ```ts
 * oneLine('not valid JSON ("PK\u0003\u0004…")'); // 'not valid JSON ("PK\x03\x04…")'
 * ```
 */
export function oneLine(message: string): string {
  return message
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[\x00-\x1f\x7f-\x9f\uFFFD]/g, (c) => (c === '\uFFFD' ? '\\uFFFD' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
}
