import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentInstallError, installAgent, type InstallAgentOptions, type RunCommand } from './install-agent';

/** The system as the installer sees it: commands answer as scripted, every call is recorded. */
function fakeSystem(answers: Record<string, { status: number; output: string }> = {}): {
  run: RunCommand;
  calls: string[];
} {
  const calls: string[] = [];
  return {
    calls,
    run: async (cmd, args) => {
      const line = [cmd, ...args].join(' ');
      calls.push(line);
      const key = Object.keys(answers).find((k) => line.startsWith(k));
      return key === undefined ? { status: 0, output: '' } : answers[key];
    },
  };
}

describe(installAgent.name, () => {
  let dir: string;
  let log: string[];
  const out = { log: (s: string) => log.push(s) };
  let enrolled: { central: string; code: string; dataDir: string }[];

  const enrol: InstallAgentOptions['enrol'] = async (o) => {
    enrolled.push(o);
    const file = join(o.dataDir, 'credential.json');
    return { file, credential: { desk: '门诊挂号3', name: '挂号3号窗口', agentId: '019a-1' } };
  };
  const refusingEnrol: InstallAgentOptions['enrol'] = async () => {
    throw new Error('the centre refused the enrolment code: AGENT_ENROLMENT_USED 该登记码已被使用过');
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'agent install '));
    log = [];
    enrolled = [];
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function linux(over: Partial<InstallAgentOptions> = {}): InstallAgentOptions {
    return {
      platform: 'linux',
      central: 'wss://gw.hospital.local:8443',
      code: 'K7MQ2-XW9RB',
      dataDir: join(dir, 'data'),
      installDir: '/opt/gateway',
      nodePath: '/usr/bin/node',
      outDir: join(dir, 'units'),
      enrol,
      start: true,
      ...over,
    };
  }

  function windows(over: Partial<InstallAgentOptions> = {}): InstallAgentOptions {
    return {
      ...linux(),
      platform: 'win32',
      dataDir: 'C:\\ProgramData\\GongshangAgent',
      installDir: 'C:\\Program Files\\Gongshang Gateway',
      nodePath: 'C:\\Program Files\\nodejs\\node.exe',
      outDir: join(dir, 'winsw'),
      ...over,
    };
  }

  it('writes nothing and runs nothing when the centre refuses the code', async () => {
    const system = fakeSystem();
    const result = await installAgent(linux({ enrol: refusingEnrol, run: system.run }), out);
    expect(result).toEqual({ ok: false, failedStep: 'enrol', credentialFile: null, serviceFile: null, started: false });
    expect(readdirSync(dir)).toEqual([]);
    expect(system.calls).toEqual([]);
    expect(log.join('\n')).toContain('AGENT_ENROLMENT_USED');
    expect(log.join('\n')).toContain('Nothing was installed');
  });

  it('refuses options that cannot work before spending the code', async () => {
    await expect(installAgent(linux({ dataDir: 'relative/data' }), out)).rejects.toThrow(AgentInstallError);
    await expect(installAgent(linux({ serviceUser: 'Root!' }), out)).rejects.toThrow(/Linux user name/);
    await expect(installAgent(windows({ serviceUser: 'agent' }), out)).rejects.toThrow(/LocalSystem/);
    await expect(installAgent(linux({ platform: 'darwin' }), out)).rejects.toThrow(/not darwin/);
    const readOnly = join(dir, 'not-a-dir');
    writeFileSync(readOnly, '');
    await expect(installAgent(linux({ outDir: join(readOnly, 'units') }), out)).rejects.toThrow(
      /cannot write the service file/,
    );
    expect(enrolled).toEqual([]);
  });

  it('on Linux: enrols, writes the unit, creates the account, hands it the data directory and starts the service', async () => {
    const system = fakeSystem({ 'id -u gateway-agent': { status: 1, output: 'id: no such user' } });
    const result = await installAgent(linux({ run: system.run }), out);
    const unitFile = join(dir, 'units', 'gateway-agent.service');
    expect(result).toEqual({
      ok: true,
      failedStep: null,
      credentialFile: join(dir, 'data', 'credential.json'),
      serviceFile: unitFile,
      started: true,
    });
    expect(enrolled).toEqual([
      { central: 'wss://gw.hospital.local:8443', code: 'K7MQ2-XW9RB', dataDir: join(dir, 'data') },
    ]);
    expect(readFileSync(unitFile, 'utf8')).toContain(
      'ExecStart=/usr/bin/node /opt/gateway/dist/src/agents/agent/agent-main.js',
    );
    expect(system.calls).toEqual([
      'id -u gateway-agent',
      `useradd --system --no-create-home --home-dir ${join(dir, 'data')} --shell /usr/sbin/nologin gateway-agent`,
      `chown -R gateway-agent ${join(dir, 'data')}`,
      'systemctl daemon-reload',
      // Not in /etc/systemd/system: enabled by its path.
      `systemctl enable --now ${unitFile}`,
    ]);
    expect(log.join('\n')).toContain('enrolled: agent "挂号3号窗口" (019a-1) for desk 门诊挂号3');
  });

  it('on Linux: keeps an existing account', async () => {
    const system = fakeSystem();
    const result = await installAgent(linux({ run: system.run, serviceUser: 'deskagent' }), out);
    expect(result.ok).toBe(true);
    expect(system.calls).toEqual([
      'id -u deskagent',
      `chown -R deskagent ${join(dir, 'data')}`,
      'systemctl daemon-reload',
      `systemctl enable --now ${join(dir, 'units', 'gateway-agent.service')}`,
    ]);
  });

  it('on Linux: stops at the first failing step and says what to do', async () => {
    const system = fakeSystem({
      'systemctl daemon-reload': { status: 1, output: 'Failed to reload daemon: Access denied' },
    });
    const result = await installAgent(linux({ run: system.run }), out);
    expect(result).toMatchObject({ ok: false, failedStep: 'systemctl daemon-reload', started: false });
    expect(system.calls.at(-1)).toBe('systemctl daemon-reload');
    expect(log.join('\n')).toContain('failed (exit 1): Failed to reload daemon: Access denied');
    expect(log.join('\n')).toContain('Run it as root: sudo gateway agent install');
  });

  it('with --no-start: enrols and writes the unit, runs nothing and prints the commands', async () => {
    const system = fakeSystem();
    const result = await installAgent(linux({ run: system.run, start: false }), out);
    expect(result).toMatchObject({
      ok: true,
      started: false,
      serviceFile: join(dir, 'units', 'gateway-agent.service'),
    });
    expect(existsSync(join(dir, 'units', 'gateway-agent.service'))).toBe(true);
    expect(system.calls).toEqual([]);
    expect(log.join('\n')).toContain('systemctl daemon-reload');
    expect(log.join('\n')).toContain('Not started (--no-start)');
  });

  it('on Windows: writes the XML next to WinSW, closes the data directory to others, installs and starts', async () => {
    const system = fakeSystem();
    const exe = join(dir, 'winsw', 'gateway-agent.exe');
    await installAgent(windows({ run: system.run, start: false }), out); // creates the directory
    writeFileSync(exe, 'MZ');
    log = [];
    const result = await installAgent(windows({ run: system.run }), out);
    expect(result).toMatchObject({ ok: true, started: true, serviceFile: join(dir, 'winsw', 'gateway-agent.xml') });
    const xml = readFileSync(join(dir, 'winsw', 'gateway-agent.xml'), 'utf8');
    expect(xml).toContain('<executable>C:\\Program Files\\nodejs\\node.exe</executable>');
    expect(system.calls).toEqual([
      'icacls C:\\ProgramData\\GongshangAgent /inheritance:r /grant:r *S-1-5-18:(OI)(CI)F *S-1-5-32-544:(OI)(CI)F',
      `${exe} install`,
      `${exe} start`,
    ]);
  });

  it('on Windows without WinSW: writes the XML, says where to put WinSW-x64.exe and runs nothing', async () => {
    const system = fakeSystem();
    const result = await installAgent(windows({ run: system.run }), out);
    expect(result).toMatchObject({
      ok: false,
      failedStep: 'winsw',
      serviceFile: join(dir, 'winsw', 'gateway-agent.xml'),
    });
    expect(system.calls).toEqual([]);
    const text = log.join('\n');
    expect(text).toContain('WinSW-x64.exe');
    expect(text).toContain(`rename it gateway-agent.exe and put it in ${join(dir, 'winsw')}`);
    expect(text).toContain(`"${join(dir, 'winsw', 'gateway-agent.exe')}" install`);
  });

  it('on Windows: a refused step tells IT to run as Administrator', async () => {
    const system = fakeSystem({ icacls: { status: 5, output: 'C:\\ProgramData\\GongshangAgent: Access is denied.' } });
    writeFileSync(join(dir, 'gateway-agent.exe'), 'MZ');
    const result = await installAgent(windows({ run: system.run, outDir: dir }), out);
    expect(result.ok).toBe(false);
    expect(result.failedStep).toMatch(/^icacls /);
    expect(system.calls).toHaveLength(1);
    expect(log.join('\n')).toContain('以管理员身份运行');
  });
});
