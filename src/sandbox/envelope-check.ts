import { INTERFACE_VERSION, RequestEnvelope, SIGN_TYPE } from '../upstream/protocol/envelope';
import { isDateTime } from './dates';
import { Fields, isFields, optionalString, requireString } from './input-fields';
import { Rejection } from './rejection';

/**
 * Field checks of a request envelope whose signature has already verified and whose msgid
 * has been parsed. Run before any transaction handler; a failure is a final rejection.
 */
export type CheckedEnvelope = RequestEnvelope<Fields>;

const ADMDVS = { pattern: /^\d{6}$/, format: '6位行政区划代码' };

export function checkEnvelope(body: Fields): CheckedEnvelope {
  const field = (key: string, rule = {}): string => requireString(body, key, '', rule);
  const optional = (key: string, rule = {}): string => {
    const value = body[key];
    if (value !== undefined && typeof value !== 'string') {
      throw new Rejection(`字段 ${key} 应为字符串`);
    }
    return optionalString(body, key, '', rule) ?? '';
  };

  const infno = field('infno', { pattern: /^\d{4}$/, format: '4位交易编号' });
  const signtype = field('signtype');
  if (signtype !== SIGN_TYPE) {
    throw new Rejection(`不支持的签名类型 ${signtype}，应为 ${SIGN_TYPE}`);
  }
  const infver = field('infver');
  if (infver !== INTERFACE_VERSION) {
    throw new Rejection(`不支持的接口版本 ${infver}，应为 ${INTERFACE_VERSION}`);
  }
  const opterType = field('opter_type');
  if (opterType !== '1' && opterType !== '2' && opterType !== '3') {
    throw new Rejection('字段 opter_type 应为 1（窗口人员）、2（自助终端）或 3（移动终端）');
  }
  const infTime = field('inf_time');
  if (!isDateTime(infTime)) {
    throw new Rejection('字段 inf_time 格式错误，应为 yyyy-MM-dd HH:mm:ss');
  }
  if (!isFields(body.input)) {
    throw new Rejection(body.input === undefined ? '缺少必填字段 input' : '字段 input 应为对象');
  }

  return {
    infno,
    msgid: field('msgid'),
    mdtrtarea_admvs: field('mdtrtarea_admvs', ADMDVS),
    // Empty before the insured region is known (e.g. the first person query).
    insuplc_admdvs: optional('insuplc_admdvs', ADMDVS),
    recer_sys_code: field('recer_sys_code', { maxLength: 20 }),
    dev_no: optional('dev_no', { maxLength: 100 }),
    dev_safe_info: optional('dev_safe_info', { maxLength: 2000 }),
    cainfo: field('cainfo'),
    signtype: SIGN_TYPE,
    infver,
    opter_type: opterType,
    opter: field('opter', { maxLength: 30 }),
    opter_name: field('opter_name', { maxLength: 50 }),
    inf_time: infTime,
    fixmedins_code: field('fixmedins_code'),
    fixmedins_name: field('fixmedins_name', { maxLength: 200 }),
    // 9001 itself is sent before there is a sign_no.
    sign_no: optional('sign_no', { maxLength: 30 }),
    input: body.input,
    sign: field('sign'),
  };
}
