/**
 * AIM symbology identifiers (ISO/IEC 15424): scanners configured to send them put `]`, a code
 * character and a modifier in front of the data, e.g. `]Q1` QR Code, `]d2` GS1 DataMatrix.
 * Knowing the symbology matters downstream: a GS1 DataMatrix on a drug pack carries AIs and
 * FNC1 separators, an EAN-13 is a commodity barcode and never a trace code.
 *
 * Only `]` + letter + digit is recognised, which covers the symbologies seen at a hospital
 * desk; Aztec's letter modifiers are left as data rather than risking a false match.
 */

export interface AimSymbology {
  /** The identifier as sent, e.g. "]Q1". */
  readonly id: string;
  /** The code character, e.g. "Q". */
  readonly code: string;
  /** The modifier, e.g. "1". */
  readonly modifier: string;
  /** Symbology name when the code character is known. */
  readonly name?: string;
  /** The data is a GS1 element string (AIs, FNC1 sent as GS 0x1D). */
  readonly gs1: boolean;
}

const NAMES: Readonly<Record<string, string>> = {
  A: 'Code 39',
  C: 'Code 128',
  d: 'Data Matrix',
  E: 'EAN/UPC',
  e: 'GS1 DataBar',
  F: 'Codabar',
  G: 'Code 93',
  I: 'Interleaved 2 of 5',
  L: 'PDF417',
  M: 'MSI',
  Q: 'QR Code',
  X: 'Other',
  z: 'Aztec',
};

/** Identifiers whose data is a GS1 element string. */
const GS1 = new Set([']C1', ']d2', ']Q3', ']e0']);

/** Recognises an AIM identifier at the start of `bytes`; `undefined` when there is none. */
export function parseAimIdentifier(bytes: Uint8Array): AimSymbology | undefined {
  if (bytes.length < 3 || bytes[0] !== 0x5d /* ] */) {
    return undefined;
  }
  const code = String.fromCharCode(bytes[1]);
  const modifier = String.fromCharCode(bytes[2]);
  if (!/^[A-Za-z]$/.test(code) || !/^[0-9]$/.test(modifier)) {
    return undefined;
  }
  const id = `]${code}${modifier}`;
  const name = NAMES[code];
  return name === undefined ? { id, code, modifier, gs1: GS1.has(id) } : { id, code, modifier, name, gs1: GS1.has(id) };
}
