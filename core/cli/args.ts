/** CKAN-style `key=value` arguments (`kho user add NAME email=a@b.vn password=…`). */
export function keyValues(args: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq <= 0) throw new Error(`Expected key=value, got "${arg}"`);
    out[arg.slice(0, eq)] = arg.slice(eq + 1);
  }
  return out;
}
