import { Rejection } from '../rejection';
import { SeedPerson } from '../seed-people';
import { VisitKind } from '../visits';

/**
 * Whether the fund may be charged for this person, here, for care starting on `begndate`:
 * shared by registration (2201), admission (2401) and (pre-)settlement (2206/2207, 2303/2304).
 *
 * `conversion` is 自费转工伤 (办法 26): costs advanced by the worker or the employer before the
 * injury determination, settled once it is made. Such care must lie between the injury date and
 * the determination date, and the determination must now be made; a pending determination is
 * refused either way.
 */
export interface CoverageQuestion {
  kind: VisitKind;
  fixmedinsCode: string;
  /** yyyy-MM-dd: first day of the care. */
  begndate: string;
  /** yyyy-MM-dd (Beijing): the insurer's today. */
  today: string;
  cardSn: string | undefined;
  conversion: boolean;
}

export function checkCoverage(person: SeedPerson, q: CoverageQuestion): void {
  if (!person.insured) {
    throw new Rejection('该人员未参加工伤保险，不能工伤记账');
  }
  if (q.conversion) {
    checkConversion(person, q.begndate);
  } else {
    checkDetermination(person, q.begndate);
  }
  if (q.cardSn !== undefined) {
    // The card presented must be this person's, valid and not reported lost (人卡相符, 协议 9).
    if (q.cardSn !== person.card.card_sn) {
      throw new Rejection('社会保障卡与人员不符（人卡不符），拒绝记账');
    }
    if (person.card.status === 'lost') {
      throw new Rejection('社会保障卡已挂失，拒绝记账');
    }
    if (person.card.valid_until < q.today) {
      throw new Rejection('社会保障卡已超过有效期，拒绝记账');
    }
  }
  const cross = person.cross_province;
  if (cross !== null) {
    if (cross.filing === null) {
      throw new Rejection('跨省异地就医未备案，不能直接结算');
    }
    if (q.begndate < cross.filing.valid_from || q.begndate > cross.filing.valid_to) {
      throw new Rejection('就诊日期不在异地就医备案有效期内');
    }
    return;
  }
  // Outpatient care is by signing (办法 18); admission is not restricted to signed institutions.
  if (q.kind === 'outpatient' && !person.signed_institutions.some((s) => s.fixmedins_code === q.fixmedinsCode)) {
    throw new Rejection('本机构不是该职工的签约门诊机构（每人最多签约3家），不能门诊记账');
  }
}

function checkDetermination(person: SeedPerson, begndate: string): void {
  if (person.injury.status === 'pending') {
    throw new Rejection('工伤认定尚未作出，暂不能工伤记账；可先自费，认定后办理自费转工伤');
  }
  if (person.injury.status === 'none') {
    throw new Rejection('该人员无工伤认定记录，不能工伤记账');
  }
  if (person.injury.injury_date !== null && begndate < person.injury.injury_date) {
    throw new Rejection('就诊日期早于受伤（确诊）日期');
  }
}

function checkConversion(person: SeedPerson, begndate: string): void {
  const { status, injury_date: injuryDate, determination_date: determinationDate } = person.injury;
  if (status === 'pending') {
    throw new Rejection('工伤认定尚未作出，不能办理自费转工伤（cvs_flag）；请待工伤认定决定书下达后再办理');
  }
  if (status === 'none') {
    throw new Rejection('该人员无工伤认定记录，不能办理自费转工伤（cvs_flag）');
  }
  if (injuryDate !== null && begndate < injuryDate) {
    throw new Rejection(`自费转工伤的就诊日期早于受伤（确诊）日期 ${injuryDate}，不能转工伤`);
  }
  if (determinationDate !== null && begndate > determinationDate) {
    throw new Rejection(
      `就诊日期晚于工伤认定日期 ${determinationDate}，应直接工伤结算，不能办理自费转工伤（cvs_flag 应为 0）`,
    );
  }
}
