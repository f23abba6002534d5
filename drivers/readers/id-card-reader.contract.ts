import type { IdCardTextFields } from '../protocols/id-card-frame';
import type { IdCardSimulator } from '../simulators/id-card-simulator';
import type { SerialTransport } from '../transports/serial-transport';
import { DeviceState } from './device-status';
import { IdCardRead, IdCardReader } from './id-card-reader';
import { eventually } from '../testing/eventually';

export const SAMPLE_ID_CARD: IdCardTextFields = {
  name: '买买提·艾力',
  sexCode: '1',
  nationCode: '05',
  birthDate: '1990-07-08',
  address: '宁夏银川市金凤区宁安大街369号',
  idNumber: '640105199007082158',
  issuingAuthority: '银川市公安局金凤分局',
  validFrom: '2016-03-01',
  validTo: '2036-03-01',
};

export interface IdCardWorld {
  reader(): SerialTransport;
  simulator(): IdCardSimulator;
  unplug(): Promise<void>;
  replug(): Promise<void>;
  dispose(): Promise<void>;
}

/** The ID-card reader end to end against the virtual reader, over the fake line and over a real pty. */
export function idCardReaderScenario(name: string, makeWorld: () => Promise<IdCardWorld>): void {
  describe(`${IdCardReader.name} with the virtual ID-card reader: ${name}`, () => {
    it('reads a presented card once, reads it again after it was taken away, and survives an unplug', async () => {
      const world = await makeWorld();
      const reader = new IdCardReader(world.reader(), {
        pollIntervalMs: 20,
        replyTimeoutMs: 3000,
        reconnectBaseMs: 50,
        reconnectMaxMs: 200,
      });
      const cards: IdCardRead[] = [];
      const states: DeviceState[] = [];
      reader.on('card', (c) => cards.push(c));
      reader.on('status', (s) => states.push(s.state));
      reader.start();
      try {
        await eventually(() => reader.status.state === 'waiting', 'the reader to wait for a card');
        const askingForCard = reader.status.message;
        world.simulator().present(SAMPLE_ID_CARD);
        await eventually(() => cards.length === 1, 'the first read');
        expect(cards[0].identity).toMatchObject({
          name: '买买提·艾力',
          sex: '男',
          nation: '维吾尔',
          idNumber: '640105199007082158',
          birthDate: '1990-07-08',
        });
        expect(cards[0].photo).toHaveLength(1024);
        await new Promise((r) => setTimeout(r, 200));
        expect(cards).toHaveLength(1); // still on the reader: not read again

        world.simulator().remove();
        // A card put on before the reader has seen the first one go would be the same presentation.
        await eventually(() => reader.status.message === askingForCard, 'the reader to see the card taken away');
        world.simulator().present({
          ...SAMPLE_ID_CARD,
          name: '马建国',
          nationCode: '01',
          idNumber: '640104198503120319',
          birthDate: '1985-03-12',
        });
        await eventually(() => cards.length === 2, 'the second read');
        expect(cards[1].identity).toMatchObject({ name: '马建国', nation: '汉' });

        await world.unplug();
        await eventually(
          () => reader.status.state === 'disconnected' || reader.status.state === 'error',
          'the disconnect',
        );
        await world.replug();
        await eventually(() => reader.status.state === 'waiting', 'the reconnect');
        world.simulator().present(SAMPLE_ID_CARD);
        await eventually(() => cards.length === 3, 'a read after the reconnect');
        expect(states).toContain('disconnected');
      } finally {
        await reader.stop();
        await world.dispose();
      }
    });
  });
}
