import { TransportError } from './transport-errors';

/**
 * A serial port (physical, USB virtual COM, or a pty), as the readers see it.
 *
 * Contract (checked by serial-transport.contract.ts against every implementation):
 * - `open()` resolves once bytes can flow; it rejects with a TransportError whose `code` says
 *   what to check (NOT_FOUND, ACCESS_DENIED, BUSY). Opening an open transport rejects with BUSY.
 * - `write()` resolves when the bytes are handed to the operating system (drained); on a
 *   closed transport it rejects with NOT_OPEN.
 * - Data listeners get every received byte exactly once, in order, in chunks of any size.
 * - When the device goes away while open, disconnect listeners are called once with a
 *   DisconnectedError (`disconnected: true`); the transport is then closed and may be opened again.
 * - `close()` is idempotent; after it no listener is called. A close we asked for is not a disconnect.
 */
export interface SerialTransport {
  readonly path: string;
  readonly isOpen: boolean;
  open(): Promise<void>;
  write(data: Buffer): Promise<void>;
  close(): Promise<void>;
  /** Returns a function that removes the listener. */
  onData(listener: (chunk: Buffer) => void): () => void;
  onDisconnect(listener: (error: TransportError) => void): () => void;
}

export interface SerialOptions {
  path: string;
  baudRate: number;
}
