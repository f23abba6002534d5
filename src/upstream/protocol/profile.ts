import { readFileSync } from 'node:fs';

/**
 * A protocol profile maps the gateway's transactions (docs/upstream-protocol.md) onto one
 * insurer's wire format: transaction codes and field names. Modules always speak the gateway's
 * own codes and fields; the profile is applied where envelopes are signed and replies read.
 * Switching a hospital to the real Ningxia specification means adding a profile file, not
 * rewriting modules.
 */
export interface ProtocolProfile {
  readonly name: string;
  /** The wire code for one of our transaction codes. */
  wireInfno(infno: string): string;
  /** Our input → the wire input. */
  encodeInput(infno: string, input: unknown): unknown;
  /** The wire output → our output. */
  decodeOutput(infno: string, output: unknown): unknown;
}

/** The protocol as documented: what the sandbox insurer speaks. */
export const DOCUMENTED_PROFILE: ProtocolProfile = {
  name: 'documented',
  wireInfno: (infno) => infno,
  encodeInput: (_infno, input) => input,
  decodeOutput: (_infno, output) => output,
};

/**
 * A profile file: { "name": "…", "infno": { "<ours>": "<wire>" }, "fields": { "<ours infno>": { "<our field>": "<wire field>" } } }.
 * Field names are renamed at every depth of that transaction's input and, reversed, its output.
 */
export interface ProfileDefinition {
  name: string;
  infno?: Record<string, string>;
  fields?: Record<string, Record<string, string>>;
}

export function mappingProfile(def: ProfileDefinition): ProtocolProfile {
  const infnos = def.infno ?? {};
  const wire = Object.values(infnos);
  if (new Set(wire).size !== wire.length) {
    throw new Error(`profile ${def.name}: two transactions map to the same wire code`);
  }
  const fields = def.fields ?? {};
  const reversed = Object.fromEntries(
    Object.entries(fields).map(([infno, map]) => [
      infno,
      Object.fromEntries(Object.entries(map).map(([a, b]) => [b, a])),
    ]),
  );
  return {
    name: def.name,
    wireInfno: (infno) => infnos[infno] ?? infno,
    encodeInput: (infno, input) => renameKeys(input, fields[infno]),
    decodeOutput: (infno, output) => renameKeys(output, reversed[infno]),
  };
}

export function readProfileFile(file: string): ProtocolProfile {
  const def = JSON.parse(readFileSync(file, 'utf8')) as ProfileDefinition;
  if (typeof def.name !== 'string' || !def.name) {
    throw new Error(`${file}: a profile needs a "name"`);
  }
  return mappingProfile(def);
}

function renameKeys(value: unknown, map: Record<string, string> | undefined): unknown {
  if (!map || value === null || typeof value !== 'object') {
    return value;
  }
  if (Array.isArray(value)) {
    return value.map((v) => renameKeys(v, map));
  }
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([k, v]) => [map[k] ?? k, renameKeys(v, map)]),
  );
}
