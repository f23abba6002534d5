import { FakeSerialLine, FakeSerialPort } from './fake-serial-transport';
import { serialTransportContract } from './serial-transport.contract';

serialTransportContract('in-memory fake', async () => {
  const line = new FakeSerialLine();
  const path = '/dev/ttyFAKE0';
  let port: FakeSerialPort;
  let received: Buffer[] = [];
  const plug = (): void => {
    port = line.plug(path);
    port.onHostData((c) => received.push(c));
  };
  plug();
  return {
    host: () => line.transport(path),
    deviceSend: async (chunk) => port.send(chunk),
    deviceReceived: () => Buffer.concat(received),
    unplug: async () => port.unplug(),
    replug: async () => {
      received = [];
      plug();
    },
    missingPath: '/dev/ttyFAKE9',
    transportFor: (p) => line.transport(p),
    dispose: async () => undefined,
  };
});
