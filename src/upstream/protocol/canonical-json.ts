/**
 * The text that is signed: JSON with object keys sorted (recursively), no insignificant
 * whitespace, `undefined` members dropped. Both sides rebuild it from the parsed message, so
 * the signature does not depend on how a JSON library orders or spaces its output.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const text = JSON.stringify(value);
    if (text === undefined) {
      throw new TypeError(`cannot sign a value of type ${typeof value}`);
    }
    return text;
  }
  if (Array.isArray(value)) {
    return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}
