/**
 * The doctor view (GET/POST /api/v1/identity/doctor-view, docs/identity.md) in the words a doctor
 * reads: the determination's state, the category, where the facts came from. Framework-free, unit-tested.
 */
import type { DoctorViewDto } from '../api/identity';
import type { Tone } from './verdict-text';

const STATUSES: Record<string, { text: string; tone: Tone }> = {
  determined: { text: '已认定工伤', tone: 'success' },
  pending: { text: '工伤认定中（尚未作出认定）', tone: 'warning' },
  none: { text: '无工伤认定', tone: 'danger' },
};

export function injuryStatusView(status: string): { text: string; tone: Tone } {
  return STATUSES[status] ?? { text: `未知（${status}）`, tone: 'info' };
}

export function categoryText(category: string): string {
  return category === 'occupational-disease' ? '职业病' : category === 'injury' ? '工伤' : category;
}

export function coverageSourceText(source: string): string {
  return source === 'coverageCache'
    ? '参保信息缓存（经办机构暂不可用）'
    : source === 'insurer'
      ? '经办机构实时信息'
      : source;
}

export function disabilityText(grade: number | null): string {
  return grade === null ? '未评定' : `${grade} 级`;
}

/** The rows the page shows under the worker's name (shown large above them), in order; an empty fact is "—". */
export function doctorRows(view: DoctorViewDto): { label: string; value: string }[] {
  const or = (v: string | null | undefined): string => (v === null || v === undefined || v === '' ? '—' : v);
  return [
    { label: '人员编号', value: view.psnNo },
    { label: '人员类别', value: or(view.psnType) },
    { label: '就诊号', value: view.visitId },
    { label: '类别', value: categoryText(view.category) },
    { label: '认定状态', value: injuryStatusView(view.injuryStatus).text },
    { label: '认定书编号', value: or(view.determinationNo) },
    { label: '认定日期', value: or(view.determinationDate) },
    { label: '受伤（诊断）日期', value: or(view.injuryDate) },
    { label: '受伤部位', value: view.injuredParts.length > 0 ? view.injuredParts.join('、') : '—' },
    { label: '职业病病种', value: or(view.occupationalDisease) },
    { label: '伤残等级', value: disabilityText(view.disabilityGrade) },
    { label: '参保信息来源', value: coverageSourceText(view.coverageSource) },
  ];
}
