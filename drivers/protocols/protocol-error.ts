/**
 * Errors of the pure protocol code. Like the gateway's domain errors they carry a stable
 * English `code` to branch on and a Chinese `message` that can be shown to staff; `details`
 * holds the facts (lengths, offsets, bytes) for logs. This file has no Nest or `src/` imports
 * on purpose: the device layer must stay usable from a bare Node process or a simulator.
 */
export class ProtocolError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: Readonly<Record<string, string | number>>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
