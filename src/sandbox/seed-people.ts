/**
 * The people the sandbox insurer knows. Believable Ningxia data (ID numbers pass GB 11643, birth
 * date and sex agree with them), each person there for one situation the gateway must handle.
 * Exported so specs elsewhere can use them by role: `SEED.lostCard.certno`.
 *
 * Institution codes are sandbox inventions in the national format (H + region code + 5 digits);
 * the names are real agreement hospitals of Annex 4. Employers are fictitious.
 */

export type CardStatus = 'normal' | 'lost';
export type DeterminationStatus = 'determined' | 'pending' | 'none';
/** 在职 employed, 退休 retired, 老工伤 injured before the pooled scheme took them over. */
export type WorkerCategory = '在职' | '退休' | '老工伤';

export interface SeedInstitution {
  fixmedins_code: string;
  fixmedins_name: string;
}

export interface SignedInstitution extends SeedInstitution {
  sign_date: string;
}

export interface SeedCard {
  /** 卡识别码, 32 characters, the first 6 the issuing region. */
  card_sn: string;
  /** 卡号, 9 characters. */
  card_no: string;
  /** 规范版本: "3.00" cards need the HSM (1165) before a reader can see their data. */
  card_version: '2.00' | '3.00';
  status: CardStatus;
  issue_date: string;
  valid_until: string;
}

export interface SeedInjury {
  status: DeterminationStatus;
  determination_no: string | null;
  determination_date: string | null;
  /** Date of the accident, or of the diagnosis for an occupational disease. */
  injury_date: string | null;
  injured_parts: string[];
  occupational_disease: string | null;
  /** 伤残等级 1–10; null when not (yet) appraised. */
  disability_grade: number | null;
}

export interface SeedFiling {
  filing_no: string;
  valid_from: string;
  valid_to: string;
}

export interface SeedPerson {
  psn_no: string;
  psn_name: string;
  /** GB/T 2261.1: 1 male, 2 female. */
  gend: '1' | '2';
  brdy: string;
  certno: string;
  /** GB 3304 ethnic group code: 01 汉, 03 回, 05 维吾尔. */
  naty: string;
  card: SeedCard;
  /** Takes part in work-injury insurance at all. */
  insured: boolean;
  insuplc_admdvs: string;
  emp_name: string | null;
  psn_type: WorkerCategory | null;
  injury: SeedInjury;
  /** Outpatient care is by signing: at most 3 institutions (办法 18). */
  signed_institutions: SignedInstitution[];
  /** Insured in another province and treated in Ningxia; null for local workers. */
  cross_province: { insuplc_admdvs: string; filing: SeedFiling | null } | null;
}

export const SANDBOX_HOSPITAL: SeedInstitution = {
  fixmedins_code: 'H64010600001',
  fixmedins_name: '宁夏回族自治区人民医院',
};

const YINCHUAN_FIRST: SeedInstitution = { fixmedins_code: 'H64010400001', fixmedins_name: '银川市第一人民医院' };
const NXMU_GENERAL: SeedInstitution = { fixmedins_code: 'H64010400010', fixmedins_name: '宁夏医科大学总医院' };
const GUOLONG_ORTHO: SeedInstitution = { fixmedins_code: 'H64010400014', fixmedins_name: '银川国龙骨科医院' };
const HAND_FOOT: SeedInstitution = { fixmedins_code: 'H64010400016', fixmedins_name: '银川手足外科医院' };
const SHIZUISHAN_FIRST: SeedInstitution = { fixmedins_code: 'H64020200029', fixmedins_name: '石嘴山市第一人民医院' };
const WUZHONG: SeedInstitution = { fixmedins_code: 'H64030200041', fixmedins_name: '吴忠市人民医院' };
const GUYUAN: SeedInstitution = { fixmedins_code: 'H64040000057', fixmedins_name: '固原市人民医院' };
const ZHONGWEI: SeedInstitution = { fixmedins_code: 'H64050000067', fixmedins_name: '中卫市人民医院' };

function signed(institution: SeedInstitution, sign_date: string): SignedInstitution {
  return { ...institution, sign_date };
}

const NO_INJURY: SeedInjury = {
  status: 'none',
  determination_no: null,
  determination_date: null,
  injury_date: null,
  injured_parts: [],
  occupational_disease: null,
  disability_grade: null,
};

export const SEED = {
  /** Covered, employed, crushed fingers; signed with the sandbox hospital. The default patient. */
  activeFingers: {
    psn_no: '6401040000102318',
    psn_name: '马建国',
    gend: '1',
    brdy: '1985-03-12',
    certno: '640104198503120319',
    naty: '03',
    card: {
      card_sn: '640100D15600000500A3F1C9E27B4D18',
      card_no: 'N10428317',
      card_version: '3.00',
      status: 'normal',
      issue_date: '2023-05-10',
      valid_until: '2033-05-10',
    },
    insured: true,
    insuplc_admdvs: '640100',
    emp_name: '宁夏鑫源建筑工程有限公司',
    psn_type: '在职',
    injury: {
      status: 'determined',
      determination_no: '银人社工认字〔2025〕第0186号',
      determination_date: '2025-06-20',
      injury_date: '2025-04-03',
      injured_parts: ['左手食指', '左手中指'],
      occupational_disease: null,
      disability_grade: 9,
    },
    signed_institutions: [signed(SANDBOX_HOSPITAL, '2025-07-01'), signed(HAND_FOOT, '2025-07-01')],
    cross_province: null,
  },
  /** A name with the middle dot (U+00B7), as minority names are registered. */
  dotName: {
    psn_no: '6401050000207764',
    psn_name: '买买提·艾力',
    gend: '1',
    brdy: '1990-07-08',
    certno: '640105199007082158',
    naty: '05',
    card: {
      card_sn: '640100D156000005017C2E90B45A6F03',
      card_no: 'N10733162',
      card_version: '3.00',
      status: 'normal',
      issue_date: '2024-02-19',
      valid_until: '2034-02-19',
    },
    insured: true,
    insuplc_admdvs: '640100',
    emp_name: '宁夏宁东恒泰化工有限公司',
    psn_type: '在职',
    injury: {
      status: 'determined',
      determination_no: '银人社工认字〔2026〕第0042号',
      determination_date: '2026-03-18',
      injury_date: '2026-01-09',
      injured_parts: ['右胫腓骨'],
      occupational_disease: null,
      disability_grade: null,
    },
    signed_institutions: [signed(SANDBOX_HOSPITAL, '2026-03-25')],
    cross_province: null,
  },
  /** Rare characters: 禤 is outside GB2312, 䶮 (CJK Ext. A) outside GBK — the card's 姓名扩展 case. */
  rareName: {
    psn_no: '6401060000311925',
    psn_name: '禤䶮',
    gend: '1',
    brdy: '1993-02-21',
    certno: '640106199302211537',
    naty: '01',
    card: {
      card_sn: '640100D15600000502E81B6D09C3A742',
      card_no: 'N11092455',
      card_version: '3.00',
      status: 'normal',
      issue_date: '2022-09-01',
      valid_until: '2032-09-01',
    },
    insured: true,
    insuplc_admdvs: '640100',
    emp_name: '银川市金凤区恒信钢结构有限公司',
    psn_type: '在职',
    injury: {
      status: 'determined',
      determination_no: '银人社工认字〔2026〕第0107号',
      determination_date: '2026-05-12',
      injury_date: '2026-02-27',
      injured_parts: ['左手', '右手', '面部'],
      occupational_disease: null,
      disability_grade: 10,
    },
    signed_institutions: [signed(SANDBOX_HOSPITAL, '2026-05-20'), signed(YINCHUAN_FIRST, '2026-05-20')],
    cross_province: null,
  },
  /** Retired coal miner with an occupational disease; an older 2nd-generation card. */
  retiredDisease: {
    psn_no: '6402020000048830',
    psn_name: '张万福',
    gend: '1',
    brdy: '1961-09-05',
    certno: '640202196109050176',
    naty: '01',
    card: {
      card_sn: '640200D156000002009B4C7E1F20D58A',
      card_no: 'N20318864',
      card_version: '2.00',
      status: 'normal',
      issue_date: '2019-09-30',
      valid_until: '2029-09-30',
    },
    insured: true,
    insuplc_admdvs: '640200',
    emp_name: '石嘴山市惠农区恒达煤业有限公司',
    psn_type: '退休',
    injury: {
      status: 'determined',
      determination_no: '石人社职认字〔2019〕第0031号',
      determination_date: '2019-08-14',
      injury_date: '2019-05-30',
      injured_parts: [],
      occupational_disease: '煤工尘肺（壹期）',
      disability_grade: 7,
    },
    signed_institutions: [signed(SANDBOX_HOSPITAL, '2026-01-05'), signed(SHIZUISHAN_FIRST, '2026-01-05')],
    cross_province: null,
  },
  /** 老工伤 (injured 2002), female, ID number ending in X; signed with three institutions including ours. */
  oldInjury: {
    psn_no: '6403020000015547',
    psn_name: '李秀兰',
    gend: '2',
    brdy: '1968-04-15',
    certno: '64030219680415022X',
    naty: '03',
    card: {
      card_sn: '640300D1560000050344F0A8C61E9B27',
      card_no: 'N30245190',
      card_version: '3.00',
      status: 'normal',
      issue_date: '2021-11-15',
      valid_until: '2031-11-15',
    },
    insured: true,
    insuplc_admdvs: '640300',
    emp_name: '吴忠市利通区宏达机械制造有限公司',
    psn_type: '老工伤',
    injury: {
      status: 'determined',
      determination_no: '吴劳工认字〔2002〕第0015号',
      determination_date: '2002-11-06',
      injury_date: '2002-07-22',
      injured_parts: ['腰椎'],
      occupational_disease: null,
      disability_grade: 6,
    },
    signed_institutions: [
      signed(SANDBOX_HOSPITAL, '2026-01-08'),
      signed(WUZHONG, '2026-01-08'),
      signed(NXMU_GENERAL, '2026-01-08'),
    ],
    cross_province: null,
  },
  /** Already signed with three institutions, none of them the sandbox hospital: outpatient 记账 here is refused. */
  threeSigned: {
    psn_no: '6401210000126604',
    psn_name: '杨志强',
    gend: '1',
    brdy: '1979-06-30',
    certno: '640121197906303517',
    naty: '01',
    card: {
      card_sn: '640100D15600000504D2759EA03B6C81',
      card_no: 'N10615028',
      card_version: '3.00',
      status: 'normal',
      issue_date: '2022-04-06',
      valid_until: '2032-04-06',
    },
    insured: true,
    insuplc_admdvs: '640100',
    emp_name: '永宁县宏远物流有限公司',
    psn_type: '在职',
    injury: {
      status: 'determined',
      determination_no: '银人社工认字〔2024〕第0933号',
      determination_date: '2024-10-15',
      injury_date: '2024-08-02',
      injured_parts: ['右膝关节'],
      occupational_disease: null,
      disability_grade: 10,
    },
    signed_institutions: [
      signed(YINCHUAN_FIRST, '2026-01-12'),
      signed(NXMU_GENERAL, '2026-01-12'),
      signed(GUOLONG_ORTHO, '2026-01-12'),
    ],
    cross_province: null,
  },
  /** Injured last month, determination not yet made: settle self-pay now, convert later (自费转工伤). */
  pending: {
    psn_no: '6401810000093317',
    psn_name: '王磊',
    gend: '1',
    brdy: '1995-01-19',
    certno: '640181199501190935',
    naty: '01',
    card: {
      card_sn: '640100D15600000505B18E3F7C92A064',
      card_no: 'N10987743',
      card_version: '3.00',
      status: 'normal',
      issue_date: '2025-03-03',
      valid_until: '2035-03-03',
    },
    insured: true,
    insuplc_admdvs: '640100',
    emp_name: '灵武市华泰建材有限公司',
    psn_type: '在职',
    injury: { ...NO_INJURY, status: 'pending', injury_date: '2026-10-30' },
    signed_institutions: [],
    cross_province: null,
  },
  /** Insured in Lanzhou (Gansu), working in Ningxia, with a valid cross-province filing (备案). */
  crossWithFiling: {
    psn_no: '6201020000551208',
    psn_name: '赵鹏',
    gend: '1',
    brdy: '1988-11-03',
    certno: '620102198811034176',
    naty: '01',
    card: {
      card_sn: '620100D156000005062A7F40C9E1B35D',
      card_no: 'G62075531',
      card_version: '3.00',
      status: 'normal',
      issue_date: '2024-06-18',
      valid_until: '2034-06-18',
    },
    insured: true,
    insuplc_admdvs: '620100',
    emp_name: '兰州新区中通建设工程有限公司',
    psn_type: '在职',
    injury: {
      status: 'determined',
      determination_no: '兰人社工认字〔2026〕第0258号',
      determination_date: '2026-04-20',
      injury_date: '2026-02-11',
      injured_parts: ['左踝关节'],
      occupational_disease: null,
      disability_grade: null,
    },
    signed_institutions: [],
    cross_province: {
      insuplc_admdvs: '620100',
      filing: { filing_no: 'BA62010020260512003', valid_from: '2026-05-12', valid_to: '2030-12-31' },
    },
  },
  /** Insured in Xi'an (Shaanxi), treated in Ningxia without a filing: direct settlement is refused. */
  crossNoFiling: {
    psn_no: '6101130000782246',
    psn_name: '刘芳',
    gend: '2',
    brdy: '1992-05-27',
    certno: '610113199205272686',
    naty: '01',
    card: {
      card_sn: '610100D15600000507E05C3B8A1F6D92',
      card_no: 'S61304478',
      card_version: '3.00',
      status: 'normal',
      issue_date: '2023-08-21',
      valid_until: '2033-08-21',
    },
    insured: true,
    insuplc_admdvs: '610100',
    emp_name: '西安航盛电子科技有限公司',
    psn_type: '在职',
    injury: {
      status: 'determined',
      determination_no: '西人社工认字〔2026〕第0517号',
      determination_date: '2026-08-03',
      injury_date: '2026-06-15',
      injured_parts: ['右腕关节'],
      occupational_disease: null,
      disability_grade: null,
    },
    signed_institutions: [],
    cross_province: { insuplc_admdvs: '610100', filing: null },
  },
  /** Covered, but the card was reported lost (挂失): the card must not be accepted. */
  lostCard: {
    psn_no: '6404020000064471',
    psn_name: '陈海军',
    gend: '1',
    brdy: '1983-08-17',
    certno: '640402198308171253',
    naty: '03',
    card: {
      card_sn: '640400D1560000050871C6E2A94F0B3E',
      card_no: 'N40155692',
      card_version: '3.00',
      status: 'lost',
      issue_date: '2022-12-02',
      valid_until: '2032-12-02',
    },
    insured: true,
    insuplc_admdvs: '640400',
    emp_name: '固原市原州区金鼎建筑安装有限公司',
    psn_type: '在职',
    injury: {
      status: 'determined',
      determination_no: '固人社工认字〔2025〕第0074号',
      determination_date: '2025-09-09',
      injury_date: '2025-07-16',
      injured_parts: ['左肩关节'],
      occupational_disease: null,
      disability_grade: 9,
    },
    signed_institutions: [signed(SANDBOX_HOSPITAL, '2025-09-20'), signed(GUYUAN, '2025-09-20')],
    cross_province: null,
  },
  /** Covered, but the (2nd-generation) card expired at the end of 2025. */
  expiredCard: {
    psn_no: '6405020000037719',
    psn_name: '周玉梅',
    gend: '2',
    brdy: '1976-12-09',
    certno: '640502197612090467',
    naty: '01',
    card: {
      card_sn: '640500D15600000209F38D1A5B7C2E64',
      card_no: 'N50087316',
      card_version: '2.00',
      status: 'normal',
      issue_date: '2015-12-31',
      valid_until: '2025-12-31',
    },
    insured: true,
    insuplc_admdvs: '640500',
    emp_name: '中卫市兴达造纸有限公司',
    psn_type: '在职',
    injury: {
      status: 'determined',
      determination_no: '卫人社工认字〔2025〕第0021号',
      determination_date: '2025-04-28',
      injury_date: '2025-02-17',
      injured_parts: ['右手拇指'],
      occupational_disease: null,
      disability_grade: 10,
    },
    signed_institutions: [signed(SANDBOX_HOSPITAL, '2025-05-06'), signed(ZHONGWEI, '2025-05-06')],
    cross_province: null,
  },
  /** Has a social-security card (medical insurance) but no work-injury insurance at all. */
  uninsured: {
    psn_no: '6401060000420083',
    psn_name: '孙丽',
    gend: '2',
    brdy: '1998-03-02',
    certno: '640106199803021846',
    naty: '01',
    card: {
      card_sn: '640100D15600000509C4A0E7B3D61F58',
      card_no: 'N11240879',
      card_version: '3.00',
      status: 'normal',
      issue_date: '2024-10-08',
      valid_until: '2034-10-08',
    },
    insured: false,
    insuplc_admdvs: '640100',
    emp_name: null,
    psn_type: null,
    injury: NO_INJURY,
    signed_institutions: [],
    cross_province: null,
  },
} satisfies Record<string, SeedPerson>;

export type SeedRole = keyof typeof SEED;

export const SEED_PEOPLE: readonly SeedPerson[] = Object.values(SEED);
