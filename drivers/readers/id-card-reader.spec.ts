import { IdCardSimulator } from '../simulators/id-card-simulator';
import { fakePortLine } from '../simulators/fake-device-line';
import { FakeSerialLine } from '../transports/fake-serial-transport';
import { idCardReaderScenario } from './id-card-reader.contract';

idCardReaderScenario('in-memory serial line', async () => {
  const line = new FakeSerialLine();
  const path = '/dev/ttyIDCARD';
  let simulator = new IdCardSimulator(fakePortLine(line.plug(path)));
  return {
    reader: () => line.transport(path),
    simulator: () => simulator,
    unplug: async () => line.port(path)?.unplug(),
    replug: async () => {
      simulator = new IdCardSimulator(fakePortLine(line.plug(path)));
    },
    dispose: async () => undefined,
  };
});
