import type { DeviceEvent } from '../../devices/device-events';
import type { DeviceConfig } from '../../devices/devices.config';
import { eventually } from '../../../drivers/testing/eventually';
import { AgentDevices, toAgentDeviceConfig } from './agent-devices';

const DESK = '西药房2';
const code = (n: number): string => `8${String(n).padStart(19, '0')}`;

describe('the devices of a desk agent', () => {
  let events: DeviceEvent[];
  let agent: AgentDevices;
  beforeEach(() => {
    events = [];
    agent = new AgentDevices(DESK, (e) => events.push(e));
  });
  afterEach(() => agent.stop());

  /** A person scanning at the simulated scanner: the bytes go through the real driver. */
  const scanAt = async (id: string, text: string): Promise<void> => {
    const simulation = agent.simulation(id);
    if (simulation?.kind !== 'scanner') {
      throw new Error(`${id} is not a simulated scanner`);
    }
    await simulation.scan(text);
  };
  const scanner = (over: Partial<DeviceConfig> = {}) =>
    toAgentDeviceConfig({
      id: 'rx2-scanner',
      kind: 'scanner',
      transport: 'simulated',
      desk: DESK,
      host: 'agent',
      ...over,
    });

  it('runs the devices the centre gives it with the same drivers, publishing their reads and status at its desk', async () => {
    expect(await agent.apply([scanner()])).toMatchObject({ started: ['rx2-scanner'], refused: [] });
    await eventually(() => agent.status()[0]?.status.state === 'waiting', 'the scanner ready');
    await scanAt('rx2-scanner', code(1));
    await eventually(() => events.some((e) => e.type === 'scan'), 'the scan');
    const scan = events.find((e) => e.type === 'scan');
    expect(scan).toMatchObject({ deviceId: 'rx2-scanner', desk: DESK, source: 'device', scan: { text: code(1) } });
    expect(events.some((e) => e.type === 'status' && e.desk === DESK)).toBe(true);
  });

  it('applies a new configuration: adds, keeps what did not change, restarts what did, stops what went', async () => {
    const idCard = toAgentDeviceConfig({ id: 'rx2-idcard', kind: 'id-card', transport: 'simulated', desk: DESK });
    await agent.apply([scanner(), idCard]);
    const kept = agent.simulation('rx2-scanner');
    expect(await agent.apply([scanner(), idCard])).toMatchObject({ unchanged: ['rx2-scanner', 'rx2-idcard'] });
    expect(agent.simulation('rx2-scanner')).toBe(kept);
    expect(await agent.apply([scanner({ terminator: 'LF' })])).toEqual({
      started: [],
      stopped: ['rx2-idcard'],
      restarted: ['rx2-scanner'],
      unchanged: [],
      refused: [],
    });
    expect(agent.status().map((d) => d.id)).toEqual(['rx2-scanner']);
    expect(agent.simulation('rx2-scanner')).not.toBe(kept);
  });

  it('checks what the centre sends again and refuses a device it cannot run, naming why', async () => {
    const result = await agent.apply([
      { id: 'bad', kind: 'scanner', options: { transport: 'bluetooth' } },
      { id: 'worse', kind: 'scanner', options: { transport: 'serial', path: 'COM3', shell: 'rm -rf /' } },
      scanner(),
    ]);
    expect(result.started).toEqual(['rx2-scanner']);
    expect(result.refused).toEqual([
      { id: 'bad', problem: expect.stringContaining('transport') },
      { id: 'worse', problem: expect.stringContaining('shell') },
    ]);
  });

  it('a test read from the centre waits for the device’s next read, or says none came', async () => {
    await agent.apply([scanner()]);
    await eventually(() => agent.status()[0]?.status.state === 'waiting', 'the scanner ready');
    expect(await agent.testRead('rx2-scanner', 50)).toBeNull();
    const pending = agent.testRead('rx2-scanner', 5_000);
    await scanAt('rx2-scanner', code(2));
    expect(await pending).toMatchObject({ type: 'scan', scan: { text: code(2) } });
    await expect(agent.testRead('nope', 10)).rejects.toThrow('this agent runs no device "nope"');
  });
});
