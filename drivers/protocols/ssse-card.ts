import { CardDataError } from './card-errors';
import { EF05, EF06, selectFile, selectSsseApp } from './ssse-card-apdus';
import { FIELDS } from './ssse-card-fields';
import { AuthenticationRequired, ReadSession } from './ssse-card-session';
import { CardAuthenticator, ReadSsseCardOptions, SsseCard, SsseCardRead, Transmit } from './ssse-card-types';

/**
 * Reading the social-security card (社保卡) through its SSSE application, over an injected
 * `transmit` (a PC/SC reader, the card emulator, a vpcd bridge). No I/O of its own.
 *
 * 3rd-generation cards (规范版本 3.00) refuse 卡号 and all of EF06 with 69 82 until the terminal
 * has authenticated with the RKSSSE key, which only a PSAM in the reader or the insurer's HSM
 * holds. Without that step the result is `authentication-required` carrying only what EF05
 * gave: a card with an empty name or ID number must never look like a complete read, because
 * "person, card and code match" (人、卡、码相符) is decided on those fields.
 */

export * from './ssse-card-types';
export {
  selectSsseApp,
  selectFile,
  readRecord,
  getChallenge,
  internalAuthenticate,
  externalAuthenticate,
} from './ssse-card-apdus';
export { parseResponse, statusWordToDriverCode } from './apdu';
export { parseTlv } from './tlv';
export { decodeBcdDate } from './bcd';

/** Reads the card: EF05, then (authenticating when the card asks for it) 卡号 and EF06. */
export async function readSsseCard(
  transmit: Transmit,
  auth?: CardAuthenticator,
  options: ReadSsseCardOptions = {},
): Promise<SsseCardRead> {
  const session = new ReadSession(transmit, auth, options);
  await session.expectOk(selectSsseApp(), '选择社保应用');
  await session.expectOk(selectFile(EF05), '选择卡片信息文件EF05');
  const pub = await session.readPublic();
  const thirdGeneration = majorVersion(pub.specVersion) >= 3;
  try {
    // A 3rd-generation card protects 卡号 and EF06; authenticating first saves a refused read
    // and also covers cards that answer 90 00 with blanks instead of 69 82.
    if (thirdGeneration && auth) {
      await session.authenticate(pub.cardSn);
    }
    const cardNo = await session.readField(FIELDS.cardNo, pub.cardSn);
    await session.expectOk(selectFile(EF06), '选择个人基本信息文件EF06', pub.cardSn);
    const ssn = await session.readField(FIELDS.ssn, pub.cardSn);
    const name = await session.readName(pub.cardSn);
    const card: SsseCard = {
      ...pub,
      cardNo,
      ssn,
      name,
      sex: await session.readField(FIELDS.sex, pub.cardSn),
      nation: await session.readField(FIELDS.nation, pub.cardSn),
      birthPlace: await session.readField(FIELDS.birthPlace, pub.cardSn),
      birthDate: await session.readField(FIELDS.birthDate, pub.cardSn),
    };
    const blank = (['cardNo', 'ssn', 'name'] as const).filter((key) => card[key] === '').map((key) => FIELDS[key]);
    if (blank.length > 0) {
      if (thirdGeneration) {
        throw new AuthenticationRequired({
          code: 'PROTECTED_FIELDS_EMPTY',
          message: `卡片返回的${blank.map((f) => f.label).join('、')}为空，须经PSAM卡或加密机认证后重新读卡`,
        });
      }
      throw new CardDataError(blank[0].label, blank[0].tag, '卡片返回空值');
    }
    return { kind: 'complete', card };
  } catch (err) {
    if (err instanceof AuthenticationRequired) {
      return { kind: 'authentication-required', card: pub, reason: err.reason };
    }
    throw err;
  }
}

function majorVersion(specVersion: string): number {
  const major = Number.parseInt(specVersion, 10);
  return Number.isNaN(major) ? 0 : major;
}
