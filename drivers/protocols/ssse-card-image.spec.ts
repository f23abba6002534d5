import { CardDataError } from './card-errors';
import { selectFile, selectSsseApp } from './ssse-card-apdus';
import { NINGXIA_CARD, UYGHUR_CARD } from './ssse-card.fixtures';
import { buildCardImage, CardEmulator } from './ssse-card-image';
import { SIMULATOR_MASTER_KEY, simulatedCardKey, simulatedCryptogram } from './ssse-card-sim-auth';

const send = (card: CardEmulator, apduHex: string): string =>
  card.transmit(Buffer.from(apduHex, 'hex')).toString('hex').toUpperCase();
const sw = (card: CardEmulator, apduHex: string): string => send(card, apduHex).slice(-4);

function selected(generation: 2 | 3, ef = 'EF05', card = NINGXIA_CARD): CardEmulator {
  const emulator = new CardEmulator(buildCardImage(card, { generation }));
  emulator.transmit(selectSsseApp());
  emulator.transmit(selectFile(Number.parseInt(ef, 16)));
  return emulator;
}

/** Runs GET CHALLENGE and answers it with the simulated key scheme. */
function authenticate(card: CardEmulator, cardSn = NINGXIA_CARD.cardSn): string {
  const challenge = card.transmit(Buffer.from('0084000008', 'hex')).subarray(0, 8);
  const cryptogram = simulatedCryptogram(simulatedCardKey(SIMULATOR_MASTER_KEY, cardSn), challenge);
  return sw(card, `0082000208${cryptogram.toString('hex')}`);
}

describe('ssse-card-image', () => {
  describe(buildCardImage.name, () => {
    it('writes the records byte for byte', () => {
      const image = buildCardImage(NINGXIA_CARD, { generation: 2 });
      const records = Object.fromEntries(
        [...image.ef05, ...image.ef06].map((r) => [r.tag.toString(16), r.bytes.toString('hex').toUpperCase()]),
      );
      expect(records).toEqual({
        '1': '0110640100D15600000500BF7C7A48FB4966',
        '2': '020133',
        '3': '0304322E3030',
        '4': '040C640100000000000000000001',
        '5': '050420160919',
        '6': '060420260919',
        '7': '070942374B333334373734',
        '8': '0812363430313032313938353033313730353234',
        '9': '091E' + 'C2EDCFFED1E0' + '00'.repeat(24),
        a: '0A0132',
        b: '0B0103',
        c: '0C03640102',
        d: '0D0419850317',
      });
    });

    it('gives 3rd-generation cards a blank 姓名扩展 and pads 出生地 with F', () => {
      const image = buildCardImage(UYGHUR_CARD, { generation: 3 });
      expect(image.ef06.find((r) => r.tag === 0x4e)?.bytes).toEqual(
        Buffer.concat([Buffer.from([0x4e, 0x14]), Buffer.alloc(20)]),
      );
      expect(image.ef06.find((r) => r.tag === 0x0c)?.bytes.toString('hex')).toBe('0c036501ff');
    });

    it('refuses what a card cannot hold', () => {
      expect(() => buildCardImage({ ...NINGXIA_CARD, name: '阿'.repeat(26) }, { generation: 3 })).toThrow(
        CardDataError,
      );
      expect(() => buildCardImage({ ...NINGXIA_CARD, region: '640000' }, { generation: 2 })).toThrow(CardDataError);
      expect(() => buildCardImage({ ...NINGXIA_CARD, birthDate: '1985-02-29' }, { generation: 2 })).toThrow(
        CardDataError,
      );
      expect(() => buildCardImage({ ...NINGXIA_CARD, cardSn: 'XYZ' }, { generation: 2 })).toThrow(CardDataError);
      expect(() => buildCardImage({ ...NINGXIA_CARD, name: '马😀' }, { generation: 2 })).toThrow(
        expect.objectContaining({ code: 'GBK_UNENCODABLE' }),
      );
    });
  });

  describe(CardEmulator.name, () => {
    it('answers wrong commands with the status words a card gives', () => {
      const card = new CardEmulator(buildCardImage(NINGXIA_CARD, { generation: 2 }));
      expect(sw(card, '00B2010012')).toBe('6986'); // nothing selected
      expect(sw(card, '00A4020002EF05')).toBe('6A82'); // no application selected
      expect(sw(card, '00A404000FA00000000000000000000000000000')).toBe('6A82'); // another AID
      expect(sw(card, '80A404000F7378312E73682EC9E7BBE1B1A3D5CF')).toBe('6E00');
      expect(sw(card, '00CA000000')).toBe('6D00');
      expect(sw(card, '00A4')).toBe('6700');
      expect(sw(card, '00A404000F7378')).toBe('6700'); // Lc says 15, 2 bytes follow
      expect(sw(card, '00C0000008')).toBe('6985'); // nothing to get
      expect(sw(card, '00A40400')).toBe('6700');
      expect(sw(card, '00A4FF0002EF05')).toBe('6A86');
    });

    it('reads records by tag or by number and asks for the right Le', () => {
      const card = selected(2);
      expect(send(card, '00B2030006')).toBe('0304322E30309000');
      expect(send(card, '00B2030400')).toBe('0304322E30309000'); // record 3, Le 00
      expect(sw(card, '00B2030010')).toBe('6C06');
      expect(sw(card, '00B2080014')).toBe('6A83'); // 08 lives in EF06
      expect(sw(card, '00B2030106')).toBe('6A86');
      expect(sw(card, '00A4020002EF07')).toBe('6A82');
    });

    it('refuses 卡号 and EF06 on a 3rd-generation card until external authentication', () => {
      const card = selected(3);
      expect(sw(card, '00B2010012')).toBe('9000');
      expect(sw(card, '00B207000B')).toBe('6982');
      expect(authenticate(card)).toBe('9000');
      expect(send(card, '00B207000B')).toBe('0709' + Buffer.from('B7K334774').toString('hex').toUpperCase() + '9000');
      expect(sw(card, '00A4020002EF06')).toBe('9000');
      expect(sw(card, '00B2080014')).toBe('9000');
    });

    it('drops the security status when the application is selected again or the card is reset', () => {
      const card = selected(3);
      expect(authenticate(card)).toBe('9000');
      card.transmit(selectSsseApp());
      card.transmit(selectFile(0xef05));
      expect(sw(card, '00B207000B')).toBe('6982');
      expect(authenticate(card)).toBe('9000');
      card.reset();
      card.transmit(selectSsseApp());
      card.transmit(selectFile(0xef05));
      expect(sw(card, '00B207000B')).toBe('6982');
    });

    it('counts wrong cryptograms down and locks the key', () => {
      const card = selected(3);
      const wrong = (): string => {
        card.transmit(Buffer.from('0084000008', 'hex'));
        return sw(card, '00820002080000000000000000');
      };
      expect(wrong()).toBe('63C2');
      expect(wrong()).toBe('63C1');
      expect(wrong()).toBe('6983');
      expect(authenticate(card)).toBe('6983'); // even the right cryptogram, once locked
      expect(card.remainingAuthAttempts).toBe(0);
    });

    it('forgets the challenge on any other command and refuses unknown keys', () => {
      const card = selected(3);
      card.transmit(Buffer.from('0084000008', 'hex'));
      card.transmit(Buffer.from('00B2010012', 'hex'));
      expect(sw(card, '00820002080000000000000000')).toBe('6984');
      expect(sw(card, '00820009080000000000000000')).toBe('6A88');
      expect(sw(card, '00880009080000000000000000')).toBe('6A88');
      expect(sw(card, '008800010400000000')).toBe('6700');
      expect(sw(card, '0084000010')).toBe('6700');
      expect(card.remainingAuthAttempts).toBe(3);
    });

    it('gives deterministic challenges unless told otherwise', () => {
      const a = selected(3);
      const b = selected(3);
      expect(send(a, '0084000008')).toBe(send(b, '0084000008'));
      expect(send(a, '0084000008')).not.toBe(send(b, '0084000004'));
      const fixed = new CardEmulator(buildCardImage(NINGXIA_CARD, { generation: 3 }), {
        random: (n) => Buffer.alloc(n, 0xab),
      });
      expect(send(fixed, '0084000008')).toBe('ABABABABABABABAB9000');
    });

    it('announces data with 61 xx in T=0 mode', () => {
      const card = new CardEmulator(buildCardImage(NINGXIA_CARD, { generation: 2 }), { t0: true });
      card.transmit(selectSsseApp());
      card.transmit(selectFile(0xef05));
      expect(send(card, '00B2030006')).toBe('6106');
      expect(sw(card, '00C0000004')).toBe('6C06');
      expect(send(card, '00B2030006')).toBe('6106');
      expect(send(card, '00C0000006')).toBe('0304322E30309000');
    });
  });
});
