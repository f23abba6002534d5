import { SeedFiling, SeedInjury, SeedPerson, SignedInstitution, WorkerCategory } from '../seed-people';

/** The person as the insurer reports them (1101); 1161 reuses `baseinfo`. */
export interface BaseInfo {
  psn_no: string;
  psn_name: string;
  gend: '1' | '2';
  brdy: string;
  certno: string;
  psn_cert_type: '01';
  naty: string;
}

export interface PersonOutput {
  baseinfo: BaseInfo;
  card: {
    card_sn: string;
    card_no: string;
    card_version: string;
    card_status: 'normal' | 'lost';
    issue_date: string;
    valid_until: string;
  };
  insuinfo: {
    insured: boolean;
    insuplc_admdvs: string;
    emp_name: string | null;
    psn_type: WorkerCategory | null;
  };
  injury: SeedInjury;
  signed_institutions: SignedInstitution[];
  cross_province: { insuplc_admdvs: string; filing: SeedFiling | null } | null;
}

export function baseInfo(p: SeedPerson): BaseInfo {
  return {
    psn_no: p.psn_no,
    psn_name: p.psn_name,
    gend: p.gend,
    brdy: p.brdy,
    certno: p.certno,
    psn_cert_type: '01',
    naty: p.naty,
  };
}

export function personOutput(p: SeedPerson): PersonOutput {
  return {
    baseinfo: baseInfo(p),
    card: {
      card_sn: p.card.card_sn,
      card_no: p.card.card_no,
      card_version: p.card.card_version,
      card_status: p.card.status,
      issue_date: p.card.issue_date,
      valid_until: p.card.valid_until,
    },
    insuinfo: {
      insured: p.insured,
      insuplc_admdvs: p.insuplc_admdvs,
      emp_name: p.emp_name,
      psn_type: p.psn_type,
    },
    injury: { ...p.injury, injured_parts: [...p.injury.injured_parts] },
    signed_institutions: p.signed_institutions.map((s) => ({ ...s })),
    cross_province: p.cross_province
      ? {
          insuplc_admdvs: p.cross_province.insuplc_admdvs,
          filing: p.cross_province.filing ? { ...p.cross_province.filing } : null,
        }
      : null,
  };
}
