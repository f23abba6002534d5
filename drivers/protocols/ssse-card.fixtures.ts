import type { SsseCard } from './ssse-card';

/** Sample cards for the SSSE specs. Made-up people; the ID numbers have valid check characters. */

export const NINGXIA_CARD: SsseCard = {
  cardSn: '640100D15600000500BF7C7A48FB4966',
  region: '640100',
  cardType: '3',
  specVersion: '2.00',
  issuer: '640100000000000000000001',
  issueDate: '2016-09-19',
  validUntil: '2026-09-19',
  cardNo: 'B7K334774',
  ssn: '640102198503170524',
  name: '马晓燕',
  sex: '2',
  nation: '03',
  birthPlace: '640102',
  birthDate: '1985-03-17',
};

export const UYGHUR_CARD: SsseCard = {
  ...NINGXIA_CARD,
  cardSn: '650100D156000005C38275EEFC9B9648',
  region: '650100',
  specVersion: '3.00',
  cardNo: 'X00000019',
  ssn: '640302199208081014',
  name: '买买提·艾力',
  sex: '1',
  nation: '05',
  birthPlace: '6501',
  birthDate: '1992-08-08',
};

/** 18 characters, 36 GBK bytes: 姓名 holds the first 15, 姓名扩展 the last 3. */
export const LONG_NAME = '阿卜杜热合曼·买买提明·阿卜杜克热木';
