import { AgentPresence, isNewOutage } from './agent-presence';
import type { AgentReportedStatus } from './link/link-messages';

const status = (lastOutage: AgentReportedStatus['lastOutage'], bufferedScans = 0): AgentReportedStatus => ({
  bufferedScans,
  journalFillPercent: 0,
  droppedReads: 0,
  lastOutage,
  startedAt: '2026-12-03T01:00:00.000Z',
});
const outage = (from: string, to: string): NonNullable<AgentReportedStatus['lastOutage']> => ({
  from,
  to,
  replayedReads: 1,
  droppedReads: 2,
});

describe(AgentPresence.name, () => {
  it('keeps each agent’s last report with the time it came, after its link closes too', () => {
    const sut = new AgentPresence();
    const at = new Date('2026-12-03T02:00:00Z');
    expect(sut.lastReport('a1')).toBeNull();
    sut.linked('a1', at);
    sut.reported('a1', status(null, 3), at);
    sut.reported('a1', status(null, 5), new Date(at.getTime() + 1000));
    sut.unlinked('a1');
    expect(sut.isConnected('a1')).toBe(false);
    expect(sut.lastReport('a1')).toEqual({ status: status(null, 5), reportedAt: new Date(at.getTime() + 1000) });
    expect(sut.lastReport('a2')).toBeNull();
  });

  it('says an outage is new once: the agent repeats its last outage in every report', () => {
    const sut = new AgentPresence();
    const at = new Date('2026-12-03T02:00:00Z');
    const first = outage('2026-12-03T01:50:00.000Z', '2026-12-03T01:55:00.000Z');
    expect(sut.reported('a1', status(null), at)).toBe(false);
    expect(sut.reported('a1', status(first), at)).toBe(true);
    expect(sut.reported('a1', status({ ...first }, 9), at)).toBe(false);
    expect(sut.reported('a1', status(outage(first.from, '2026-12-03T01:56:00.000Z')), at)).toBe(true);
    // Another agent's report of the same times is its own outage.
    expect(sut.reported('a2', status(first), at)).toBe(true);
  });
});

describe(isNewOutage.name, () => {
  const o = outage('2026-12-03T01:50:00.000Z', '2026-12-03T01:55:00.000Z');
  it('is new when none was known or its start or end differ; none is never new', () => {
    expect(isNewOutage(null, o)).toBe(true);
    expect(isNewOutage(o, { ...o, replayedReads: 7 })).toBe(false);
    expect(isNewOutage(o, { ...o, from: '2026-12-03T01:51:00.000Z' })).toBe(true);
    expect(isNewOutage(o, { ...o, to: '2026-12-03T01:56:00.000Z' })).toBe(true);
    expect(isNewOutage(o, null)).toBe(false);
    expect(isNewOutage(null, null)).toBe(false);
  });
});
