import { durationText, healthSummary, type HealthDto } from './health-text';

const ALL_UP: HealthDto = {
  status: 'up',
  mode: 'sandbox',
  version: '0.1.0',
  uptimeSeconds: 3725,
  components: {
    calendar: { status: 'up', detail: 'holidays known for 2025–2027', knownUntil: 2027, unknownYears: [] },
    upstream: {
      status: 'up',
      detail: 'http://127.0.0.1:8090 (sandbox)',
      mode: 'normal',
      lastContactAt: '2026-12-03T02:30:00.000Z',
      unreachableSince: null,
      queue: { pending: 0, unknown: 0, sending: 0, delivered: 12, rejected: 0, cancelled: 0 },
      oldestWaitingSeconds: 0,
    },
    database: { status: 'up', detail: 'sqlite /data/sandbox.sqlite', latencyMs: 0.42 },
    devices: {
      status: 'up',
      detail: '2 of 2 working',
      devices: {
        'desk1-idcard': { kind: 'id-card', desk: '门诊挂号1', state: 'waiting', message: '请将身份证放在阅读器上' },
        'desk1-card': { kind: 'ssse-card', desk: '门诊挂号1', state: 'waiting', message: '请插入社保卡' },
      },
    },
    agents: { status: 'up', detail: '0 agents, 0 connected here', agents: {} },
    settlement: { status: 'up', unknown: 0, needsReview: 0, provisional: 0, openDifferences: 0 },
    obligations: { status: 'up', overdue: {}, open: 3 },
  },
};

describe(healthSummary.name, () => {
  it('says all is well, with the mode, version and uptime, and orders the components', () => {
    const summary = healthSummary(ALL_UP);
    expect(summary.tone).toBe('success');
    expect(summary.headline).toBe('网关运行正常：各部分均正常');
    expect(summary.facts).toBe('沙箱模式（测试用，不连接真实经办机构）；版本 0.1.0；已运行 1 小时 2 分钟');
    expect(summary.blocks.map((b) => b.title)).toEqual([
      '数据库',
      '经办机构（医保中心）连接',
      '读卡器与扫码枪',
      '桌面代理',
      '结算',
      '限时事项',
      '工作日日历',
    ]);
    const text = (name: string): string => summary.blocks.find((b) => b.name === name)?.sentences.join('') ?? '';
    expect(text('database')).toBe('数据库可以访问（sqlite /data/sandbox.sqlite），响应 0.42 毫秒。');
    // 02:30Z is 10:30 in Beijing.
    expect(text('upstream')).toBe(
      '与经办机构的连接正常。最近一次与经办机构通信：2026-12-03 10:30（北京时间）。上传队列中没有等待发送的报文。',
    );
    expect(text('devices')).toBe('全部 2 台设备工作正常。');
    expect(text('settlement')).toBe('没有等待经办机构或等待复核的结算。');
    expect(text('obligations')).toBe('没有逾期的限时事项；进行中 3 项。');
    expect(text('calendar')).toBe('法定节假日已知到 2027 年，限时事项按工作日计算。');
    expect(summary.blocks.every((b) => b.tone === 'success' && b.stateText === '正常')).toBe(true);
  });

  it('names emergency mode with its Beijing time, the backlog and its age, rejected messages, and the troubled devices', () => {
    const summary = healthSummary({
      ...ALL_UP,
      status: 'degraded',
      components: {
        ...ALL_UP.components,
        upstream: {
          status: 'degraded',
          detail: 'x — EMERGENCY MODE',
          mode: 'emergency',
          lastContactAt: null,
          unreachableSince: '2026-12-02T16:05:00.000Z',
          queue: { pending: 4, unknown: 1, sending: 0, delivered: 0, rejected: 2, cancelled: 0 },
          oldestWaitingSeconds: 5400,
        },
        devices: {
          status: 'degraded',
          devices: {
            'desk1-idcard': { kind: 'id-card', desk: '门诊挂号1', state: 'disconnected', message: '串口 COM3 已断开' },
            'desk1-card': { kind: 'ssse-card', desk: '门诊挂号1', state: 'waiting', message: '请插入社保卡' },
          },
        },
      },
    });
    expect(summary.tone).toBe('warning');
    expect(summary.headline).toContain('需要关注');
    const upstream = summary.blocks.find((b) => b.name === 'upstream');
    expect(upstream?.stateText).toBe('需要关注');
    expect(upstream?.sentences).toEqual([
      '应急模式：经办机构自 2026-12-03 00:05（北京时间）起无法连接，报文在队列中等待，恢复后自动发送。',
      '上传队列中有 5 条报文在途（待发送 4 条，结果未知（待查询） 1 条），最早的已等待 1 小时 30 分钟。',
      '有 2 条报文被经办机构拒绝：请在“上传队列”中查看原因，处理后重新发送。',
    ]);
    expect(summary.blocks.find((b) => b.name === 'devices')?.sentences).toEqual([
      '2 台设备中 1 台工作正常，1 台有问题：',
      '门诊挂号1 的身份证读卡器（desk1-idcard）未连接：串口 COM3 已断开',
    ]);
  });

  it('says when the database is down, what waits in settlement, overdue duties and missing holidays', () => {
    const summary = healthSummary({
      status: 'down',
      components: {
        database: { status: 'down', detail: 'no answer within 3000 ms' },
        settlement: { status: 'degraded', unknown: 1, needsReview: 2, provisional: 0, openDifferences: 3 },
        obligations: {
          status: 'degraded',
          overdue: { 'monthly-declaration': 1, 'cross-province-upload': 2 },
          open: 5,
          insurerOverdue: { 'audit-result': 1 },
        },
        calendar: { status: 'degraded', knownUntil: 2026, unknownYears: [2027] },
        agents: {
          status: 'degraded',
          detail: '1 agent, 0 connected here; not seen for 3 minutes, its desk cannot use its devices: 门诊挂号3 (gh3)',
          agents: { a1: { name: 'gh3', desk: '门诊挂号3', connected: false, lastSeenAt: null, bufferedScans: 4 } },
        },
      },
    });
    expect(summary.tone).toBe('danger');
    expect(summary.headline).toBe('网关故障：关键部分不可用（见下方红色项），请立即处理');
    expect(summary.facts).toBe('');
    const text = (name: string): string[] => summary.blocks.find((b) => b.name === name)?.sentences ?? [];
    expect(text('database')).toEqual([
      '数据库无法访问：no answer within 3000 ms。网关无法保存任何数据，请检查数据库服务和连接配置。',
    ]);
    expect(text('settlement')).toEqual([
      '1 笔结算等待经办机构结果超时（结果未知），网关会继续查询。',
      '2 笔结算需要信息科复核（经办机构的回复未通过校验）。',
      '3 笔临时结算与正式结算的差额尚待补收或退还。',
    ]);
    expect(text('obligations')).toEqual([
      '有 3 项限时事项已逾期：月度申报 1 项，跨省异地就医结算上传 2 项。请尽快处理。',
      '经办机构逾期未办：审核结果 1 项（仅供知悉）。',
    ]);
    expect(text('calendar')[0]).toContain('缺少 2027 年的法定节假日');
    expect(text('agents')).toEqual([
      '已登记 1 个桌面代理，0 个连接在本网关。',
      '有工作站的桌面代理长时间未连接，该工作站的设备无法使用：门诊挂号3 (gh3)',
      '门诊挂号3（gh3）有 4 次扫码暂存在本机，等待送达。',
    ]);
    expect(summary.blocks.find((b) => b.name === 'database')?.tone).toBe('danger');
  });

  it('shows a component it does not know by its status and detail, after the known ones', () => {
    const summary = healthSummary({
      status: 'degraded',
      components: {
        printers: { status: 'degraded', detail: 'tray empty' },
        database: { status: 'up', detail: 'pg', latencyMs: 1 },
      },
    });
    expect(summary.blocks.map((b) => b.name)).toEqual(['database', 'printers']);
    expect(summary.blocks[1]).toMatchObject({
      title: 'printers',
      tone: 'warning',
      sentences: ['需要关注：tray empty'],
    });
  });
});

describe(durationText.name, () => {
  it('gives the two largest units', () => {
    expect(durationText(0)).toBe('0 秒');
    expect(durationText(45)).toBe('45 秒');
    expect(durationText(3600)).toBe('1 小时');
    expect(durationText(90_061)).toBe('1 天 1 小时');
  });
});
