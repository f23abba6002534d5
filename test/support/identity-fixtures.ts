import type { SsseCard, SsseCardPublicInfo } from '../../drivers/protocols/ssse-card-types';
import type { IdCardIdentity } from '../../drivers/protocols/id-card-text';
import { SANDBOX_HOSPITAL, SEED, type SeedPerson } from '../../src/sandbox/seed-people';
import { baseInfo, personOutput } from '../../src/sandbox/transactions/person-view';
import type { QrDecodeOutput } from '../../src/sandbox/transactions/qr-decode';
import { beijingDateTime } from '../../src/upstream/protocol/msgid';
import type {
  CachedCoverage,
  CardEvidence,
  HisIdentityEvidence,
  IdCardEvidence,
  InsurerEvidence,
  InsurerPersonAnswer,
  QrDecodeAnswer,
  QrEvidence,
  StaffConfirmation,
} from '../../src/identity/rules/evidence';
import type { EvaluationContext } from '../../src/identity/rules/verdict';
import { IdentitySession } from '../../src/identity/identity-session.entity';

/**
 * Evidence for the identity-rule specs, built from the sandbox insurer's seed people so the specs
 * speak about the same people as the rest of the project. The sandbox's own output types are
 * assigned to the rules' insurer types here: if the protocol drifts, this file stops compiling.
 */

/** 10:00 in Beijing. */
export const NOW = new Date('2026-11-25T02:00:00.000Z');
export const HOSPITAL = SANDBOX_HOSPITAL.fixmedins_code;
export const HOUR = 3_600_000;

export const CONTEXT: EvaluationContext = {
  hospitalCode: HOSPITAL,
  visitKind: 'outpatient',
  now: NOW,
  maxCoverageCacheAgeMs: 24 * HOUR,
};

export { SEED };
export type { SeedPerson };

export const PEOPLE: readonly SeedPerson[] = Object.values(SEED);

export function ago(ms: number): Date {
  return new Date(NOW.getTime() - ms);
}

export function ssseCard(p: SeedPerson): SsseCard {
  return {
    cardSn: p.card.card_sn,
    region: p.card.card_sn.slice(0, 6),
    cardType: '3',
    specVersion: p.card.card_version,
    issuer: `${p.card.card_sn.slice(0, 6)}000000000000000001`,
    issueDate: p.card.issue_date,
    validUntil: p.card.valid_until,
    cardNo: p.card.card_no,
    ssn: p.certno,
    name: p.psn_name,
    sex: p.gend,
    nation: p.naty,
    birthPlace: p.certno.slice(0, 6),
    birthDate: p.brdy,
  };
}

export function cardRead(p: SeedPerson, override: Partial<SsseCard> = {}): CardEvidence {
  return { read: { kind: 'complete', card: { ...ssseCard(p), ...override } }, at: ago(60_000) };
}

/** A 3rd-generation card read without the HSM step: public fields only. */
export function lockedCardRead(p: SeedPerson): CardEvidence {
  const c = ssseCard(p);
  const card: SsseCardPublicInfo = {
    cardSn: c.cardSn,
    region: c.region,
    cardType: c.cardType,
    specVersion: c.specVersion,
    issuer: c.issuer,
    issueDate: c.issueDate,
    validUntil: c.validUntil,
  };
  return {
    read: {
      kind: 'authentication-required',
      card,
      reason: { code: 'NO_AUTHENTICATOR', message: '三代社保卡需经加密机认证后才能读取' },
    },
    at: ago(60_000),
  };
}

export function qrAnswer(p: SeedPerson, expiresAt: Date): QrDecodeAnswer {
  const output: QrDecodeOutput = { ...baseInfo(p), qr_kind: 'ecard', expire_time: beijingDateTime(expiresAt) };
  return output;
}

/** A QR code decoded 5 seconds ago, valid for another `validForMs`. */
export function qrDecoded(p: SeedPerson, validForMs = 55_000): QrEvidence {
  return { kind: 'decoded', answer: qrAnswer(p, new Date(NOW.getTime() + validForMs)), at: ago(5_000) };
}

export function idCardIdentity(p: SeedPerson, override: Partial<IdCardIdentity> = {}): IdCardIdentity {
  return {
    name: p.psn_name,
    sexCode: p.gend,
    sex: p.gend === '1' ? '男' : '女',
    nationCode: p.naty,
    nation: null,
    birthDate: p.brdy,
    address: '宁夏回族自治区银川市兴庆区解放西街1号',
    idNumber: p.certno,
    issuingAuthority: '银川市公安局兴庆分局',
    validFrom: '2020-01-01',
    validTo: '2040-01-01',
    ...override,
  };
}

export function idCardRead(p: SeedPerson, override: Partial<IdCardIdentity> = {}): IdCardEvidence {
  return { identity: idCardIdentity(p, override), at: ago(30_000) };
}

export function hisIdentity(p: SeedPerson, override: Partial<HisIdentityEvidence> = {}): HisIdentityEvidence {
  return { idNumber: p.certno, name: p.psn_name, at: ago(HOUR), ...override };
}

export function staffConfirmed(override: Partial<StaffConfirmation> = {}): StaffConfirmation {
  return { staffId: 'S0107', staffName: '窗口一号', at: ago(10_000), ...override };
}

/** The 1101 output for a seed person, with optional changes (for situations the seed lacks). */
export function answerOf(
  p: SeedPerson,
  change: (a: InsurerPersonAnswer) => InsurerPersonAnswer = (a) => a,
): InsurerPersonAnswer {
  const output: InsurerPersonAnswer = personOutput(p);
  return change(output);
}

export function insurerAnswer(
  p: SeedPerson,
  change?: (a: InsurerPersonAnswer) => InsurerPersonAnswer,
): InsurerEvidence {
  return { kind: 'answer', answer: answerOf(p, change), at: ago(2_000) };
}

export const UNREACHABLE: InsurerEvidence = { kind: 'unreachable', at: ago(2_000) };

export function cached(
  p: SeedPerson,
  ageMs: number,
  change?: (a: InsurerPersonAnswer) => InsurerPersonAnswer,
): CachedCoverage {
  return { answer: answerOf(p, change), fetchedAt: ago(ageMs) };
}

/**
 * An identity session row as the repository stores it: desk-1, outpatient, waiting (INCOMPLETE, no
 * evidence, no person yet), created and updated at `at`, open for an hour; `over` replaces any field.
 */
export function storedSession(id: string, at: Date, over: Partial<IdentitySession> = {}): IdentitySession {
  return Object.assign(new IdentitySession(), {
    id,
    desk: 'desk-1',
    visitId: null,
    visitKind: 'outpatient',
    subjectKey: null,
    evidence: '',
    verdict: 'INCOMPLETE',
    offline: false,
    coverage: 'pending',
    result: '{"checks":[],"missing":[],"sources":[]}',
    token: null,
    tokenExpiresAt: null,
    createdBy: 'system:test',
    createdAt: at,
    updatedAt: at,
    expiresAt: new Date(at.getTime() + 3_600_000),
    ...over,
  });
}
