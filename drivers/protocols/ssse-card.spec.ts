import fc from 'fast-check';
import { CardDataError, CardStatusError } from './card-errors';
import { encodeGbk } from './gbk-codec';
import { ProtocolError } from './protocol-error';
import {
  CardAuthenticator,
  externalAuthenticate,
  getChallenge,
  internalAuthenticate,
  readRecord,
  readSsseCard,
  selectFile,
  selectSsseApp,
  SsseCard,
  Transmit,
} from './ssse-card';
import { LONG_NAME, NINGXIA_CARD, UYGHUR_CARD } from './ssse-card.fixtures';
import { buildCardImage, CardEmulator, CardImage } from './ssse-card-image';
import { sandboxHsmCardKey, SimulatedPsam } from './ssse-card-sim-auth';
import { encodeTlv } from './tlv';

const hex = (b: Buffer): string => b.toString('hex').toUpperCase();
const fixedRandom = (): Buffer => Buffer.from('0102030405060708', 'hex');
const publicPart = ({ cardSn, region, cardType, specVersion, issuer, issueDate, validUntil }: SsseCard) => ({
  cardSn,
  region,
  cardType,
  specVersion,
  issuer,
  issueDate,
  validUntil,
});

function emulate(card: SsseCard, generation: 2 | 3, options = {}): CardEmulator {
  return new CardEmulator(buildCardImage(card, { generation }), options);
}

/** Replaces one record of an image (cards in the field are not always what the builder makes). */
function withRecord(image: CardImage, file: 'ef05' | 'ef06', tag: number, bytes: Buffer): CardImage {
  const records = image[file].map((r) => (r.tag === tag ? { tag, bytes } : r));
  return { ...image, [file]: records };
}

describe('ssse-card', () => {
  describe('APDU builders', () => {
    it('selects the SSSE application by its GBK name', () => {
      expect(hex(selectSsseApp())).toBe('00A404000F7378312E73682EC9E7BBE1B1A3D5CF');
    });

    it('selects EF05 and EF06', () => {
      expect(hex(selectFile(0xef05))).toBe('00A4020002EF05');
      expect(hex(selectFile(0xef06))).toBe('00A4020002EF06');
      expect(() => selectFile(0x10000)).toThrow(ProtocolError);
    });

    it('reads records by tag with Le = value length + 2', () => {
      expect(hex(readRecord(0x01, 0x12))).toBe('00B2010012'); // 卡识别码, 16 bytes
      expect(hex(readRecord(0x07, 0x0b))).toBe('00B207000B'); // 卡号, 9 bytes
      expect(hex(readRecord(0x08, 0x14))).toBe('00B2080014'); // 社会保障号码, 18 bytes
      expect(hex(readRecord(0x09, 0x20))).toBe('00B2090020'); // 姓名, 30 bytes
      expect(hex(readRecord(0x4e, 0x16))).toBe('00B24E0016'); // 姓名扩展, 20 bytes
    });

    it('builds the authentication commands', () => {
      expect(hex(getChallenge())).toBe('0084000008');
      expect(hex(internalAuthenticate(0x01, Buffer.from('1122334455667788', 'hex')))).toBe(
        '00880001081122334455667788',
      );
      expect(hex(externalAuthenticate(0x02, Buffer.from('AABBCCDDEEFF0011', 'hex')))).toBe(
        '0082000208AABBCCDDEEFF0011',
      );
      expect(() => externalAuthenticate(0x02, Buffer.alloc(0))).toThrow(ProtocolError);
    });
  });

  describe(readSsseCard.name, () => {
    it('reads a 2nd-generation card end to end, with the exact command sequence', async () => {
      const card = emulate(NINGXIA_CARD, 2);
      await expect(readSsseCard(card.asTransmit())).resolves.toEqual({ kind: 'complete', card: NINGXIA_CARD });
      expect(card.received.map(hex)).toEqual([
        '00A404000F7378312E73682EC9E7BBE1B1A3D5CF',
        '00A4020002EF05',
        '00B2010012',
        '00B2020003',
        '00B2030006',
        '00B204000E',
        '00B2050006',
        '00B2060006',
        '00B207000B',
        '00A4020002EF06',
        '00B2080014',
        '00B2090020',
        '00B24E0016', // absent on this card: 6A 83, name has no extension
        '00B20A0003',
        '00B20B0003',
        '00B20C0005',
        '00B20D0006',
      ]);
    });

    it('decodes a GBK name with a middle dot', async () => {
      const card = emulate(UYGHUR_CARD, 2);
      const read = await readSsseCard(card.asTransmit());
      expect(read).toEqual({ kind: 'complete', card: UYGHUR_CARD });
    });

    it('appends 姓名扩展 for a long minority name', async () => {
      const long = { ...UYGHUR_CARD, name: LONG_NAME };
      const image = buildCardImage(long, { generation: 2 });
      const nameRecord = image.ef06.find((r) => r.tag === 0x09)?.bytes;
      const extension = image.ef06.find((r) => r.tag === 0x4e)?.bytes;
      expect(nameRecord).toEqual(encodeTlv([{ tag: 0x09, value: encodeGbk('阿卜杜热合曼·买买提明·阿卜杜') }]));
      expect(extension).toEqual(
        encodeTlv([{ tag: 0x4e, value: Buffer.concat([encodeGbk('克热木'), Buffer.alloc(14)]) }]),
      );
      await expect(readSsseCard(new CardEmulator(image).asTransmit())).resolves.toEqual({
        kind: 'complete',
        card: long,
      });
    });

    it('decodes a name whose character is cut between 姓名 and 姓名扩展', async () => {
      // 29 ASCII-free bytes: 14 characters and the lead byte of the 15th in 姓名, its trail byte in 姓名扩展.
      const full = encodeGbk('阿卜杜热合曼买买提明阿卜杜克热木');
      const image = buildCardImage(NINGXIA_CARD, { generation: 3 });
      const cut = withRecord(
        withRecord(image, 'ef06', 0x09, encodeTlv([{ tag: 0x09, value: full.subarray(0, 29) }])),
        'ef06',
        0x4e,
        encodeTlv([{ tag: 0x4e, value: full.subarray(29) }]),
      );
      const read = await readSsseCard(new CardEmulator(cut).asTransmit(), new SimulatedPsam());
      expect(read).toMatchObject({ kind: 'complete', card: { name: '阿卜杜热合曼买买提明阿卜杜克热木' } });
    });

    it('returns authentication-required for a 3rd-generation card without an authenticator', async () => {
      const card = emulate({ ...NINGXIA_CARD, specVersion: '3.00' }, 3);
      const read = await readSsseCard(card.asTransmit());
      expect(read).toEqual({
        kind: 'authentication-required',
        card: publicPart({ ...NINGXIA_CARD, specVersion: '3.00' }),
        reason: expect.objectContaining({ code: 'NO_AUTHENTICATOR', message: expect.stringContaining('PSAM') }),
      });
      // The card was asked for 卡号 and refused it; nothing of EF06 was read.
      expect(card.received.map(hex).slice(-1)).toEqual(['00B207000B']);
      expect(read.card).not.toHaveProperty('name');
      expect(read.card).not.toHaveProperty('ssn');
      expect(read.card).not.toHaveProperty('cardNo');
    });

    it('reads a 3rd-generation card completely with a correct authenticator', async () => {
      const third = { ...NINGXIA_CARD, specVersion: '3.00', name: LONG_NAME };
      const card = emulate(third, 3);
      const read = await readSsseCard(card.asTransmit(), new SimulatedPsam(), { terminalRandom: fixedRandom });
      expect(read).toEqual({ kind: 'complete', card: third });
      // Authentication comes right after EF05's public records; nothing is refused.
      const sent = card.received.map(hex);
      expect(sent.slice(8, 11)).toEqual([
        '00880001080102030405060708',
        '0084000008',
        expect.stringMatching(/^0082000208[0-9A-F]{16}$/),
      ]);
      expect(sent).toContain('00B24E0016');
    });

    it('gives the authenticator the card SN, the challenge and the internal-auth proof', async () => {
      const third = { ...NINGXIA_CARD, specVersion: '3.00' };
      const card = emulate(third, 3);
      const psam = new SimulatedPsam();
      const spy = jest.spyOn(psam, 'authenticate');
      await readSsseCard(card.asTransmit(), psam, { terminalRandom: fixedRandom });
      expect(spy).toHaveBeenCalledTimes(1);
      const [cardSn, challenge, cardData] = spy.mock.calls[0];
      expect(cardSn).toBe(NINGXIA_CARD.cardSn);
      expect(challenge).toHaveLength(8);
      expect(hex(cardData.subarray(0, 8))).toBe('0102030405060708');
      expect(cardData).toHaveLength(16);
    });

    it('returns authentication-required with the reason when the cryptogram is wrong', async () => {
      const card = emulate({ ...NINGXIA_CARD, specVersion: '3.00' }, 3);
      const wrong: CardAuthenticator = { authenticate: async () => Buffer.alloc(8, 0x55) };
      const read = await readSsseCard(card.asTransmit(), wrong);
      expect(read).toMatchObject({
        kind: 'authentication-required',
        reason: {
          code: 'CARD_REJECTED',
          sw: 0x63c2,
          driverCode: -25538,
          message: '卡片拒绝外部认证：认证失败，还可尝试2次（63C2）',
        },
      });
      expect(read.card).not.toHaveProperty('name');
      expect(card.remainingAuthAttempts).toBe(2);
    });

    it('returns authentication-required when the PSAM holds another key (card not genuine to it)', async () => {
      const card = emulate({ ...NINGXIA_CARD, specVersion: '3.00' }, 3);
      const otherPsam = new SimulatedPsam(Buffer.from('ANOTHER-KEY-0000', 'latin1'));
      const read = await readSsseCard(card.asTransmit(), otherPsam);
      expect(read).toMatchObject({
        kind: 'authentication-required',
        reason: { code: 'AUTHENTICATOR_FAILED', cause: expect.objectContaining({ code: 'PSAM_CARD_NOT_GENUINE' }) },
      });
      expect(card.remainingAuthAttempts).toBe(3); // no cryptogram was ever sent
    });

    it('returns authentication-required when the card refuses internal authentication', async () => {
      const card = emulate({ ...NINGXIA_CARD, specVersion: '3.00' }, 3);
      const read = await readSsseCard(card.asTransmit(), new SimulatedPsam(), { internalKeyRef: 0x7f });
      expect(read).toMatchObject({
        kind: 'authentication-required',
        reason: { code: 'INTERNAL_AUTH_FAILED', sw: 0x6a88 },
      });
    });

    it('authenticates on 69 82 even when the card claims version 2.00', async () => {
      const card = emulate(NINGXIA_CARD, 3);
      await expect(readSsseCard(card.asTransmit(), new SimulatedPsam())).resolves.toEqual({
        kind: 'complete',
        card: NINGXIA_CARD,
      });
      await expect(readSsseCard(emulate(NINGXIA_CARD, 3).asTransmit())).resolves.toMatchObject({
        kind: 'authentication-required',
        reason: { code: 'NO_AUTHENTICATOR' },
      });
    });

    it('never presents blank protected fields as a complete read', async () => {
      const blankName = (card: SsseCard, generation: 2 | 3): CardEmulator =>
        new CardEmulator(
          withRecord(
            buildCardImage(card, { generation }),
            'ef06',
            0x09,
            encodeTlv([{ tag: 0x09, value: Buffer.alloc(30) }]),
          ),
        );
      // A 3rd-generation card answering 90 00 with zeros, like the DLL's empty strings.
      const third = blankName({ ...NINGXIA_CARD, specVersion: '3.00' }, 2);
      await expect(readSsseCard(third.asTransmit())).resolves.toMatchObject({
        kind: 'authentication-required',
        reason: { code: 'PROTECTED_FIELDS_EMPTY', message: expect.stringContaining('姓名') },
      });
      // The same on a 2nd-generation card is a broken card, not an authentication matter.
      await expect(readSsseCard(blankName(NINGXIA_CARD, 2).asTransmit())).rejects.toThrow(CardDataError);
    });

    it('follows 61 xx with GET RESPONSE on a T=0 card', async () => {
      const card = emulate(UYGHUR_CARD, 3, { t0: true });
      await expect(readSsseCard(card.asTransmit(), new SimulatedPsam())).resolves.toEqual({
        kind: 'complete',
        card: UYGHUR_CARD,
      });
      expect(card.received.map(hex)).toContain('00C0000012');
    });

    it('resends with the right Le on 6C xx', async () => {
      const image = buildCardImage(NINGXIA_CARD, { generation: 2 });
      // A card personalised with a 5-byte 卡类别 record: the reader asks for 3 bytes, gets 6C 07.
      const odd = withRecord(image, 'ef05', 0x02, encodeTlv([{ tag: 0x02, value: Buffer.from('3    ') }]));
      const card = new CardEmulator(odd);
      await expect(readSsseCard(card.asTransmit())).rejects.toThrow(expect.objectContaining({ field: '卡类别' }));
      expect(card.received.map(hex)).toEqual(expect.arrayContaining(['00B2020003', '00B2020007']));
    });

    it('turns status words into typed errors with the SW, the driver code and a Chinese message', async () => {
      const notSsse: Transmit = async () => Buffer.from('6A82', 'hex');
      const err: unknown = await readSsseCard(notSsse).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CardStatusError);
      expect(err).toMatchObject({
        code: 'CARD_STATUS',
        sw: 0x6a82,
        driverCode: -27266,
        message: '选择社保应用失败：未找到文件（6A82）',
      });
    });

    it('refuses malformed records as CardDataError naming the field', async () => {
      const image = buildCardImage(NINGXIA_CARD, { generation: 2 });
      const badDate = withRecord(
        image,
        'ef06',
        0x0d,
        encodeTlv([{ tag: 0x0d, value: Buffer.from('19850230', 'hex') }]),
      );
      await expect(readSsseCard(new CardEmulator(badDate).asTransmit())).rejects.toMatchObject({
        code: 'CARD_DATA_INVALID',
        field: '出生日期',
      });
      const wrongTag = withRecord(image, 'ef05', 0x03, Buffer.from('0404332E3030', 'hex'));
      await expect(readSsseCard(new CardEmulator(wrongTag).asTransmit())).rejects.toMatchObject({ field: '规范版本' });
      const shortSn = withRecord(image, 'ef05', 0x01, Buffer.from('0110640100', 'hex'));
      await expect(readSsseCard(new CardEmulator(shortSn).asTransmit())).rejects.toBeInstanceOf(ProtocolError);
    });

    it('resolves or rejects with a ProtocolError whatever the card answers', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.uint8Array({ maxLength: 40 }), { minLength: 1, maxLength: 30 }),
          async (answers) => {
            let i = 0;
            const transmit: Transmit = async () => Buffer.from(answers[i++ % answers.length]);
            try {
              const read = await readSsseCard(transmit, new SimulatedPsam());
              if (read.kind === 'complete') {
                expect(read.card.name).not.toBe('');
                expect(read.card.ssn).not.toBe('');
                expect(read.card.cardNo).not.toBe('');
              }
            } catch (err) {
              expect(err).toBeInstanceOf(ProtocolError);
            }
          },
        ),
      );
    });

    it('survives plausible-but-corrupted answers from a real card image', async () => {
      const image = buildCardImage({ ...UYGHUR_CARD, name: LONG_NAME }, { generation: 3 });
      await fc.assert(
        fc.asyncProperty(fc.nat(40), fc.nat(), fc.integer({ min: 0, max: 255 }), async (answerIndex, at, byte) => {
          const card = new CardEmulator(image);
          let n = 0;
          const transmit: Transmit = async (apdu) => {
            const answer = card.transmit(apdu);
            if (n++ === answerIndex && answer.length > 0) {
              answer[at % answer.length] = byte;
            }
            return answer;
          };
          try {
            await readSsseCard(transmit, new SimulatedPsam());
          } catch (err) {
            expect(err).toBeInstanceOf(ProtocolError);
          }
        }),
      );
    });
  });

  describe('the sandbox insurer HSM scheme (CardEmulator hsmSecret)', () => {
    /** The sandbox insurer's HSM secret (src/sandbox/card-hsm-auth.spec.ts checks the sandbox uses this value and this derivation). */
    const SANDBOX_HSM_SECRET = '53414e44424f582d48534d2d4b455931';
    const third = { ...NINGXIA_CARD, specVersion: '3.00' };
    /** What the gateway's HSM authenticator gets back from the sandbox insurer's 1165. */
    const hsm = (secret: string): CardAuthenticator & { keys: string[] } => {
      const keys: string[] = [];
      return {
        keys,
        authenticate: async (cardSn, challenge, cardData) => {
          const key = sandboxHsmCardKey(secret, cardSn, challenge.toString('hex'), cardData.toString('hex'));
          keys.push(key);
          return Buffer.from(key, 'hex');
        },
      };
    };

    it('derives a 16-byte key from the secret, the card and the challenge', () => {
      const key = sandboxHsmCardKey(SANDBOX_HSM_SECRET, third.cardSn, '1a2b3c4d5e6f7081', 'aabb');
      expect(key).toMatch(/^[0-9A-F]{32}$/);
      expect(sandboxHsmCardKey(SANDBOX_HSM_SECRET, third.cardSn, '1A2B3C4D5E6F7081', 'AABB')).toBe(key); // case of the hex does not matter
      expect(sandboxHsmCardKey(SANDBOX_HSM_SECRET, third.cardSn, '1A2B3C4D5E6F7082', 'AABB')).not.toBe(key);
    });

    it('reads a 3rd-generation card completely with the key the sandbox HSM derives', async () => {
      const card = emulate(third, 3, { hsmSecret: SANDBOX_HSM_SECRET });
      const auth = hsm(SANDBOX_HSM_SECRET);
      const read = await readSsseCard(card.asTransmit(), auth, { terminalRandom: fixedRandom });
      expect(read).toEqual({ kind: 'complete', card: third });
      // EXTERNAL AUTHENTICATE carried exactly the 16-byte key, and the card took it.
      expect(card.received.map(hex)).toContain(`0082000210${auth.keys[0]}`);
      expect(card.remainingAuthAttempts).toBe(3);
    });

    it('refuses a key derived with another secret: authentication-required, CARD_REJECTED, one try used', async () => {
      const card = emulate(third, 3, { hsmSecret: SANDBOX_HSM_SECRET });
      const read = await readSsseCard(card.asTransmit(), hsm('00112233445566778899AABBCCDDEEFF'));
      expect(read).toMatchObject({
        kind: 'authentication-required',
        card: publicPart(third),
        reason: { code: 'CARD_REJECTED', sw: 0x63c2 },
      });
      expect(read.card).not.toHaveProperty('name');
      expect(read.card).not.toHaveProperty('ssn');
      expect(card.remainingAuthAttempts).toBe(2);
    });

    it('refuses the simulated PSAM cryptogram (wrong length) and a replayed key, and locks after three wrong keys', async () => {
      const card = emulate(third, 3, { hsmSecret: SANDBOX_HSM_SECRET });
      await expect(readSsseCard(card.asTransmit(), new SimulatedPsam())).resolves.toMatchObject({
        reason: { code: 'CARD_REJECTED', sw: 0x6700 },
      });
      expect(card.remainingAuthAttempts).toBe(3);

      // A key is good for one challenge only: replaying the last one fails.
      const auth = hsm(SANDBOX_HSM_SECRET);
      await expect(readSsseCard(card.asTransmit(), auth)).resolves.toMatchObject({ kind: 'complete' });
      const replay: CardAuthenticator = { authenticate: async () => Buffer.from(auth.keys[0], 'hex') };
      await expect(readSsseCard(card.asTransmit(), replay)).resolves.toMatchObject({
        reason: { code: 'CARD_REJECTED', sw: 0x63c2 },
      });
      await readSsseCard(card.asTransmit(), replay);
      await expect(readSsseCard(card.asTransmit(), replay)).resolves.toMatchObject({
        reason: { code: 'CARD_REJECTED', sw: 0x6983 },
      });
      // Locked: even the right key is refused now.
      await expect(readSsseCard(card.asTransmit(), hsm(SANDBOX_HSM_SECRET))).resolves.toMatchObject({
        reason: { code: 'CARD_REJECTED', sw: 0x6983 },
      });
    });

    it('takes no key without a preceding internal authentication on the same application selection', async () => {
      const card = emulate(third, 3, { hsmSecret: SANDBOX_HSM_SECRET });
      const transmit = card.asTransmit();
      const keyFor = async (internalAnswer: Buffer): Promise<Buffer> => {
        const challenge = (await transmit(getChallenge())).subarray(0, 8);
        const cardData = Buffer.concat([fixedRandom(), internalAnswer]);
        return Buffer.from(
          sandboxHsmCardKey(SANDBOX_HSM_SECRET, third.cardSn, challenge.toString('hex'), cardData.toString('hex')),
          'hex',
        );
      };
      await transmit(selectSsseApp());
      const answer = (await transmit(internalAuthenticate(0x01, fixedRandom()))).subarray(0, 8);
      await transmit(selectSsseApp()); // re-selecting the application forgets it
      expect(hex(await transmit(externalAuthenticate(0x02, await keyFor(answer))))).toBe('63C2');
      // The same steps without the re-selection are accepted.
      await transmit(internalAuthenticate(0x01, fixedRandom()));
      expect(hex(await transmit(externalAuthenticate(0x02, await keyFor(answer))))).toBe('9000');
    });
  });
});
