/**
 * Environment variables where there are any: Node's `process.env`, nothing in a browser (the
 * browser entry, src/browser.ts, runs with no `process`). The one place the core reads them.
 */
export function envVar(name: string): string | undefined {
  return typeof process === 'undefined' ? undefined : process.env?.[name];
}
