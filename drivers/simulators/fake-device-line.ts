import type { FakeSerialPort } from '../transports/fake-serial-transport';
import type { SerialTransport } from '../transports/serial-transport';
import type { DeviceLine } from './id-card-simulator';

/** A simulator's line on the in-memory fake serial port. */
export function fakePortLine(port: FakeSerialPort): DeviceLine {
  return { send: (bytes) => port.send(bytes), onReceive: (listener) => void port.onHostData(listener) };
}

/** A simulator's line on an open serial transport (the device end of a pty pair). */
export function transportLine(transport: SerialTransport): DeviceLine {
  return { send: (bytes) => transport.write(bytes), onReceive: (listener) => void transport.onData(listener) };
}
