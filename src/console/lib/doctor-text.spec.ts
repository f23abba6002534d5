import type { DoctorViewDto } from '../api/identity';
import { categoryText, coverageSourceText, disabilityText, doctorRows, injuryStatusView } from './doctor-text';

const VIEW: DoctorViewDto = {
  name: '马建国',
  sessionId: 's1',
  visitId: 'MZ1',
  psnNo: '6401040000102318',
  psnType: '在职',
  injuryStatus: 'determined',
  determinationNo: '银人社工认字〔2026〕第0042号',
  determinationDate: '2026-03-18',
  injuryDate: '2026-01-09',
  injuredParts: ['左手食指', '左手中指'],
  occupationalDisease: null,
  disabilityGrade: null,
  category: 'injury',
  coverageSource: 'insurer',
};

describe('doctor view text', () => {
  it('names the determination state with its tone', () => {
    expect(injuryStatusView('determined')).toEqual({ text: '已认定工伤', tone: 'success' });
    expect(injuryStatusView('pending').tone).toBe('warning');
    expect(injuryStatusView('none').tone).toBe('danger');
    expect(injuryStatusView('x').text).toBe('未知（x）');
  });

  it('names the category, the source and the grade', () => {
    expect(categoryText('occupational-disease')).toBe('职业病');
    expect(categoryText('injury')).toBe('工伤');
    expect(coverageSourceText('coverageCache')).toContain('缓存');
    expect(disabilityText(7)).toBe('7 级');
    expect(disabilityText(null)).toBe('未评定');
  });

  it('lists the facts in order, a missing one as a dash', () => {
    const rows = doctorRows(VIEW);
    expect(rows.map((r) => r.label)).toEqual([
      '人员编号',
      '人员类别',
      '就诊号',
      '类别',
      '认定状态',
      '认定书编号',
      '认定日期',
      '受伤（诊断）日期',
      '受伤部位',
      '职业病病种',
      '伤残等级',
      '参保信息来源',
    ]);
    expect(Object.fromEntries(rows.map((r) => [r.label, r.value]))).toMatchObject({
      人员编号: '6401040000102318',
      受伤部位: '左手食指、左手中指',
      职业病病种: '—',
      伤残等级: '未评定',
      认定状态: '已认定工伤',
    });
    expect(doctorRows({ ...VIEW, injuredParts: [] }).find((r) => r.label === '受伤部位')?.value).toBe('—');
  });
});
