/**
 * `n` and a noun in the number it takes, for log lines and summaries: `counted(1, 'feature')` is
 * "1 feature", `counted(2, 'feature')` "2 features", `counted(3, 'building part')` "3 building parts".
 * `n` may come formatted ("13,438").
 */
export function counted(n: number | string, noun: string, plural = `${noun}s`): string {
  return `${n} ${Number(String(n).replace(/,/g, '')) === 1 ? noun : plural}`;
}
