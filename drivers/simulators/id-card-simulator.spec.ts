import { IdCardRead, IdCardReader } from '../readers/id-card-reader';
import { SAMPLE_ID_CARD } from '../readers/id-card-reader.contract';
import { FakeSerialLine } from '../transports/fake-serial-transport';
import { eventually } from '../testing/eventually';
import { fakePortLine } from './fake-device-line';
import { IdCardSimulator } from './id-card-simulator';

describe('IdCardSimulator', () => {
  it('a card put on the reader in place of another is read as a new presentation', async () => {
    const line = new FakeSerialLine();
    const simulator = new IdCardSimulator(fakePortLine(line.plug('/dev/ttyID')));
    const reader = new IdCardReader(line.transport('/dev/ttyID'), {
      pollIntervalMs: 5,
      replyTimeoutMs: 1000,
      reconnectBaseMs: 50,
      reconnectMaxMs: 100,
    });
    const reads: IdCardRead[] = [];
    reader.on('card', (c) => reads.push(c));
    reader.start();
    try {
      simulator.present(SAMPLE_ID_CARD);
      await eventually(() => reads.length === 1, 'the first read');
      simulator.present({ ...SAMPLE_ID_CARD, name: '马建国', idNumber: '640104198503120319' });
      await eventually(() => reads.length === 2, 'the second read');
      expect(reads.map((r) => r.identity.name)).toEqual(['买买提·艾力', '马建国']);
    } finally {
      await reader.stop();
    }
  });
});
