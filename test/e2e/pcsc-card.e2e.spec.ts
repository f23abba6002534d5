import request from 'supertest';
import { buildCardImage, CardEmulator } from '../../drivers/protocols/ssse-card-image';
import { VpcdCard } from '../../drivers/simulators/vpcd-card';
import { DeviceEvent, DeviceEvents } from '../../src/devices/device-events';
import { SEED } from '../../src/sandbox/seed-people';
import { ssseCardOf } from '../../src/sandbox/simulated-documents';
import { SANDBOX_HSM_SECRET } from '../../src/sandbox/transactions/card-hsm-auth';
import { startTestApp, TestApp } from '../support/e2e-app';
import { eventually } from '../support/eventually';
import { pcscdAvailable, VPCD_SLOT_1 } from '../support/pcscd';

// Devices, processes and the insurer's HSM step on a loaded 2-core CI machine: waits are bounded by `eventually`.
jest.setTimeout(60_000);

/**
 * The gateway with a social-security card reader on real PC/SC: pcscd's vpcd reader, a
 * simulated card played over vpcd's socket, the real PcscliteTransport and SsseCardReader,
 * and for 3rd-generation cards the HSM step through the (sandbox) insurer link. Next to it, a
 * reader and a HID scanner that are not there: both in error status saying what to check.
 */
const available = pcscdAvailable(VPCD_SLOT_1);

(available ? describe : describe.skip)(
  'social-security card reader on pcscd + vpcd, end to end (needs pcscd and vsmartcard-vpcd)',
  () => {
    let t: TestApp;
    let admin: string;
    const events: DeviceEvent[] = [];
    const reads = (): Extract<DeviceEvent, { type: 'ssse-card' }>[] =>
      events.filter((e): e is Extract<DeviceEvent, { type: 'ssse-card' }> => e.type === 'ssse-card');

    const cardOf = (person: (typeof SEED)[keyof typeof SEED]): VpcdCard => {
      const { card, generation } = ssseCardOf(person);
      return new VpcdCard(new CardEmulator(buildCardImage(card, { generation }), { hsmSecret: SANDBOX_HSM_SECRET }), {
        port: VPCD_SLOT_1.port,
      });
    };

    beforeAll(async () => {
      t = await startTestApp(
        {
          sandboxInsurer: { enabled: true, port: 0 },
          devices: [
            { id: 'desk1-card', kind: 'ssse-card', transport: 'pcsc', path: VPCD_SLOT_1.readerName, desk: '门诊挂号1' },
            { id: 'desk2-card', kind: 'ssse-card', transport: 'pcsc', path: 'ACS ACR39U', desk: '门诊挂号2' },
            { id: 'desk2-scanner', kind: 'scanner', transport: 'hid', path: '0c2e:0b61', desk: '门诊挂号2' },
          ],
        },
        (app) => app.get(DeviceEvents).on('event', (e) => events.push(e)),
      );
      admin = await t.token(['admin']);
    });
    afterAll(async () => {
      await t.close();
    });

    const device = async (id: string): Promise<{ state: string; message: string }> =>
      (
        await request(t.app.getHttpServer())
          .get(`/api/v1/devices/${id}`)
          .set('authorization', `Bearer ${admin}`)
          .expect(200)
      ).body;

    it('reads a 3rd-generation card through the insurer HSM step, then a 2nd-generation card, each once per insertion', async () => {
      await eventually(
        async () => (await device('desk1-card')).state === 'waiting',
        'the reader to wait for a card',
        15_000,
      );
      const third = cardOf(SEED.activeFingers);
      await third.insert();
      try {
        await eventually(() => reads().length === 1, 'the 3rd-generation read', 15_000);
        expect(reads()[0]).toMatchObject({
          deviceId: 'desk1-card',
          desk: '门诊挂号1',
          read: {
            result: {
              kind: 'complete',
              card: {
                specVersion: '3.00',
                name: SEED.activeFingers.psn_name,
                ssn: SEED.activeFingers.certno,
                cardNo: SEED.activeFingers.card.card_no,
              },
            },
          },
        });
        // The card went through EXTERNAL AUTHENTICATE (00 82) with the key the insurer's HSM returned.
        expect(third.received.some((apdu) => apdu.length > 4 && apdu[1] === 0x82)).toBe(true);
      } finally {
        await third.remove();
      }
      await eventually(
        async () => (await device('desk1-card')).message === '请插入社保卡',
        'the reader to see the card go',
      );

      const secondGen = Object.values(SEED).find(
        (p) => p.card.card_version === '2.00',
      ) as (typeof SEED)[keyof typeof SEED];
      const second = cardOf(secondGen);
      await second.insert();
      try {
        await eventually(() => reads().length === 2, 'the 2nd-generation read', 15_000);
        expect(reads()[1].read.result).toMatchObject({
          kind: 'complete',
          card: { specVersion: '2.00', name: secondGen.psn_name, ssn: secondGen.certno },
        });
        // Left in the reader, the card is not read again.
        await new Promise((r) => setTimeout(r, 500));
        expect(reads()).toHaveLength(2);
      } finally {
        await second.remove();
      }
    });

    it('a reader or a HID scanner that is not attached sits in error status saying what to check, and the others keep working', async () => {
      await eventually(
        async () => (await device('desk2-card')).state === 'error',
        'the missing reader to show an error',
        15_000,
      );
      const reader = await device('desk2-card');
      expect(reader.message).toContain('ACS ACR39U');
      expect(reader.message).toContain(VPCD_SLOT_1.readerName); // it names the readers that are there
      await eventually(
        async () => (await device('desk2-scanner')).state === 'error',
        'the missing scanner to show an error',
        15_000,
      );
      expect((await device('desk2-scanner')).message).toContain('0c2e:0b61');
      expect((await device('desk1-card')).state).toBe('waiting');
      const health = await request(t.app.getHttpServer()).get('/health').expect(200);
      expect(health.body.components.devices).toMatchObject({
        status: 'degraded',
        devices: { 'desk2-card': { state: 'error' }, 'desk2-scanner': { state: 'error' } },
      });
    });
  },
);
