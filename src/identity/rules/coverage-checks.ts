import type { InsurerPersonAnswer } from './evidence';
import { isIsoDate, result, type CheckResult } from './check-result';

/** The coverage checks (see checks.ts): does the work-injury fund pay for this visit here? */

export type VisitKind = 'outpatient' | 'inpatient';

/** Institution codes as comparable text. */
function institutionKey(code: string): string {
  return code.trim().toUpperCase();
}

/**
 * The coverage checks on one 1101 record (live or cached): insured; determination made (none /
 * pending are separate codes); for a cross-province worker a filing valid today (they are not bound
 * to signed institutions, 协议 31–33); for a local worker's outpatient visit this hospital among the
 * signed institutions (办法 18; admission is not restricted).
 */
export function checkCoverage(
  record: InsurerPersonAnswer,
  source: 'insurer' | 'coverageCache',
  context: { readonly hospitalCode: string; readonly visitKind: VisitKind; readonly today: string },
): CheckResult[] {
  const out: CheckResult[] = [];
  out.push(
    record.insuinfo.insured
      ? result('NOT_INSURED', true, [source], '已参加工伤保险')
      : result('NOT_INSURED', false, [source], '该人员未参加工伤保险：不能工伤记账'),
  );
  const status = record.injury.status;
  out.push(
    status === 'none' || (status !== 'determined' && status !== 'pending')
      ? result('NO_DETERMINATION', false, [source], '该人员无工伤认定记录：不能工伤记账')
      : result('NO_DETERMINATION', true, [source], '有工伤认定记录'),
  );
  out.push(
    status === 'pending'
      ? result('DETERMINATION_PENDING', false, [source], '工伤认定尚未作出：暂按自费就医，认定后可办理自费转工伤')
      : result('DETERMINATION_PENDING', true, [source], '工伤认定不处于待认定状态'),
  );
  const cross = record.cross_province;
  if (cross !== null) {
    const filing = cross.filing;
    out.push(
      filing === null
        ? result('CROSS_PROVINCE_NO_FILING', false, [source], '跨省异地就医未备案：不能直接结算，请先办理异地就医备案')
        : result('CROSS_PROVINCE_NO_FILING', true, [source], '已办理跨省异地就医备案'),
    );
    if (filing !== null) {
      const inForce =
        isIsoDate(context.today) &&
        isIsoDate(filing.valid_from) &&
        isIsoDate(filing.valid_to) &&
        filing.valid_from <= context.today &&
        context.today <= filing.valid_to;
      out.push(
        inForce
          ? result('CROSS_PROVINCE_FILING_NOT_VALID', true, [source], '跨省异地就医备案在有效期内')
          : result(
              'CROSS_PROVINCE_FILING_NOT_VALID',
              false,
              [source],
              '今天不在跨省异地就医备案有效期内：不能直接结算，请办理备案变更或续期',
            ),
      );
    }
  } else if (context.visitKind === 'outpatient') {
    const here = institutionKey(context.hospitalCode);
    const signed = record.signed_institutions.some((s) => institutionKey(s.fixmedins_code) === here);
    out.push(
      signed
        ? result('NOT_SIGNED_HERE', true, [source], '本院是该职工的工伤门诊签约医疗机构')
        : result(
            'NOT_SIGNED_HERE',
            false,
            [source],
            '本院不是该职工的工伤门诊签约医疗机构（每人最多签约3家，办法第十八条）：不能门诊记账；住院不受此限',
          ),
    );
  }
  return out;
}

/** Why coverage is not known, when it is not. */
export type CoverageGap =
  | { readonly kind: 'not-queried' }
  | { readonly kind: 'offline-no-cache' }
  | { readonly kind: 'offline-cache-stale'; readonly ageMs: number }
  /** The cache's time is missing or later than now: its age cannot be trusted. */
  | { readonly kind: 'offline-cache-undated' }
  | { readonly kind: 'offline-cache-other-person' }
  | { readonly kind: 'offline-identity-unknown' }
  | { readonly kind: 'identity-unresolved' };

/**
 * COVERAGE_NOT_QUERIED / COVERAGE_PENDING: where coverage comes from. Passed with the source when it
 * is known (live answer, or a cache within its permitted age while offline); failed with the reason.
 */
export function checkCoverageKnown(
  known: { readonly source: 'insurer' } | { readonly source: 'coverageCache'; readonly ageMs: number } | CoverageGap,
): CheckResult {
  if ('source' in known) {
    if (known.source === 'insurer') {
      return result('COVERAGE_PENDING', true, ['insurer'], '参保与工伤认定信息已由经办机构实时确认');
    }
    return result(
      'COVERAGE_PENDING',
      true,
      ['coverageCache'],
      `经办机构系统暂时无法连接（离线）：参保与工伤认定信息来自${minutes(known.ageMs)}前的缓存`,
    );
  }
  switch (known.kind) {
    case 'not-queried':
      return result(
        'COVERAGE_NOT_QUERIED',
        false,
        ['insurer'],
        '尚未向经办机构查询参保与工伤认定信息：请稍候或重新查询',
      );
    case 'offline-no-cache':
      return result(
        'COVERAGE_PENDING',
        false,
        ['insurer'],
        '经办机构系统暂时无法连接，且没有该人员的参保信息缓存：参保状态待确认',
      );
    case 'offline-cache-stale':
      return result(
        'COVERAGE_PENDING',
        false,
        ['insurer', 'coverageCache'],
        `经办机构系统暂时无法连接，参保信息缓存（${minutes(known.ageMs)}前）已超过允许使用的时限：参保状态待确认`,
      );
    case 'offline-cache-undated':
      return result(
        'COVERAGE_PENDING',
        false,
        ['insurer', 'coverageCache'],
        '经办机构系统暂时无法连接，参保信息缓存的时间无效（缺失或晚于当前时间）：参保状态待确认',
      );
    case 'offline-cache-other-person':
      return result(
        'COVERAGE_PENDING',
        false,
        ['insurer', 'coverageCache'],
        '经办机构系统暂时无法连接，参保信息缓存不属于本次核验的人员：参保状态待确认',
      );
    case 'offline-identity-unknown':
      return result(
        'COVERAGE_PENDING',
        false,
        ['insurer'],
        '经办机构系统暂时无法连接，且本人身份尚未确定，无法使用参保信息缓存：参保状态待确认',
      );
    case 'identity-unresolved':
      return result('COVERAGE_PENDING', false, ['insurer'], '身份信息不一致，未采用参保信息：参保状态待确认');
  }
}

function minutes(ms: number): string {
  const m = Math.floor(ms / 60_000);
  if (m < 1) {
    return '不到1分钟';
  }
  if (m < 120) {
    return `${m}分钟`;
  }
  return `${Math.floor(m / 60)}小时`;
}
