import { isValidCertno } from '../gb11643';
import { optionalString } from '../input-fields';
import { Rejection } from '../rejection';
import { TxContext, TxResult } from './context';
import { PersonOutput, personOutput } from './person-view';

/**
 * 1101 person and eligibility query (national code; output reshaped for work injury).
 * By ID number, by card, or both — then they must be the same person (人卡相符). The card's
 * status is reported, not judged: refusing a lost or expired card is the gateway's rule.
 */
export function personQuery(ctx: TxContext): TxResult<PersonOutput> {
  const certno = optionalString(ctx.input, 'certno', '', { pattern: /^\d{17}[\dX]$/, format: '18位身份证号码' });
  const cardSn = optionalString(ctx.input, 'card_sn', '', { pattern: /^[0-9A-F]{32}$/, format: '32位卡识别码' });
  const psnName = optionalString(ctx.input, 'psn_name', '', { maxLength: 50 });
  if (certno === undefined && cardSn === undefined) {
    throw new Rejection('certno 与 card_sn 至少填写一项');
  }
  if (certno !== undefined && !isValidCertno(certno)) {
    throw new Rejection('身份证号码校验位或出生日期错误');
  }

  const byCertno = certno !== undefined ? ctx.people.byCertNo(certno) : undefined;
  const byCard = cardSn !== undefined ? ctx.people.byCard(cardSn) : undefined;
  if (certno !== undefined && byCertno === undefined) {
    throw new Rejection('未查询到该证件号码的参保人员信息');
  }
  if (cardSn !== undefined && byCard === undefined) {
    throw new Rejection('未查询到该卡识别码对应的社会保障卡');
  }
  if (byCertno !== undefined && byCard !== undefined && byCertno !== byCard) {
    throw new Rejection('证件号码与社会保障卡不属于同一人（人卡不符）');
  }
  const person = byCertno ?? byCard;
  if (person === undefined) {
    throw new Rejection('未查询到该人员信息');
  }
  if (psnName !== undefined && psnName !== person.psn_name) {
    throw new Rejection('姓名与证件信息不符');
  }
  return { output: personOutput(person) };
}
