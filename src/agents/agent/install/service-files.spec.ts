import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemdUnit, windowsArg, winswXml, xmlEscape, ServiceFileError } from './service-files';

/** Splits an ExecStart= value as systemd does (quotes, C escapes, %% and $$), for the words we write. */
function systemdSplit(line: string): string[] {
  const words: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (line[i] === ' ') {
      i += 1;
    }
    if (i >= line.length) {
      break;
    }
    let word = '';
    if (line[i] === '"') {
      i += 1;
      while (line[i] !== '"') {
        if (i >= line.length) {
          throw new Error(`unterminated quote in ${line}`);
        }
        if (line[i] === '\\') {
          i += 1;
        }
        word += line[i];
        i += 1;
      }
      i += 1;
    } else {
      while (i < line.length && line[i] !== ' ') {
        word += line[i];
        i += 1;
      }
    }
    words.push(word.replace(/%%/g, '%').replace(/\$\$/g, '$'));
  }
  return words;
}

/** Splits a Windows command line as CommandLineToArgvW does. */
function windowsSplit(line: string): string[] {
  const args: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (line[i] === ' ') {
      i += 1;
    }
    if (i >= line.length) {
      break;
    }
    let arg = '';
    let quoted = false;
    while (i < line.length && (quoted || line[i] !== ' ')) {
      if (line[i] === '\\') {
        let n = 0;
        while (line[i] === '\\') {
          n += 1;
          i += 1;
        }
        if (line[i] === '"') {
          arg += '\\'.repeat(Math.floor(n / 2));
          if (n % 2 === 1) {
            arg += '"';
            i += 1;
          }
        } else {
          arg += '\\'.repeat(n);
        }
      } else if (line[i] === '"') {
        quoted = !quoted;
        i += 1;
      } else {
        arg += line[i];
        i += 1;
      }
    }
    args.push(arg);
  }
  return args;
}

function setting(unit: string, key: string): string[] {
  return unit
    .split('\n')
    .filter((l) => l.startsWith(`${key}=`))
    .map((l) => l.slice(key.length + 1));
}

function xmlElement(xml: string, name: string): string {
  const m = new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml);
  if (!m) {
    throw new Error(`no <${name}>`);
  }
  return m[1].replace(/&(lt|gt|quot|apos|amp);/g, (_, e: string) =>
    e === 'lt' ? '<' : e === 'gt' ? '>' : e === 'quot' ? '"' : e === 'apos' ? "'" : '&',
  );
}

describe('systemdUnit', () => {
  const base = {
    nodePath: '/usr/bin/node',
    installDir: '/opt/gateway',
    dataDir: '/var/lib/gateway-agent',
    user: 'gateway-agent',
  };

  it('runs the agent from the install directory as its own user, always restarted, hardened', () => {
    const unit = systemdUnit(base);
    expect(setting(unit, 'ExecStart')).toEqual([
      '/usr/bin/node /opt/gateway/dist/src/agents/agent/agent-main.js --data-dir /var/lib/gateway-agent',
    ]);
    expect(setting(unit, 'User')).toEqual(['gateway-agent']);
    expect(setting(unit, 'Restart')).toEqual(['always']);
    expect(setting(unit, 'RestartSec')).toEqual(['5s']);
    expect(setting(unit, 'NoNewPrivileges')).toEqual(['yes']);
    expect(setting(unit, 'ProtectSystem')).toEqual(['strict']);
    expect(setting(unit, 'ReadWritePaths')).toEqual(['/var/lib/gateway-agent']);
    expect(setting(unit, 'PrivateTmp')).toEqual(['yes']);
    expect(setting(unit, 'SupplementaryGroups')).toEqual(['dialout']);
    expect(setting(unit, 'PrivateDevices')).toEqual([]); // serial ports and HID live in /dev
    expect(setting(unit, 'WantedBy')).toEqual(['multi-user.target']);
  });

  it('quotes paths with spaces, quotes and backslashes, and escapes % and $ as systemd reads them', () => {
    const odd = {
      ...base,
      nodePath: '/opt/node 20/bin/node',
      installDir: '/opt/my gateway "v1"',
      dataDir: '/srv/agent data/100%/$HOME\\x',
    };
    const unit = systemdUnit(odd);
    expect(systemdSplit(setting(unit, 'ExecStart')[0])).toEqual([
      '/opt/node 20/bin/node',
      '/opt/my gateway "v1"/dist/src/agents/agent/agent-main.js',
      '--data-dir',
      '/srv/agent data/100%/$HOME\\x',
    ]);
    expect(setting(unit, 'ReadWritePaths')[0]).toBe('"/srv/agent data/100%%/$HOME\\\\x"');
    expect(setting(unit, 'Environment')[0]).toBe('"GATEWAY_AGENT_DIR=/srv/agent data/100%%/$HOME\\\\x"');
    expect(setting(unit, 'WorkingDirectory')[0]).toBe('/opt/my gateway "v1"');
    expect(setting(unit, 'Documentation')[0]).toBe('file:/opt/my%%20gateway%%20%%22v1%%22/docs/agents.md');
  });

  const analyze = spawnSync('systemd-analyze', ['--version']).status === 0;
  (analyze ? it : it.skip)(
    'is a unit systemd itself accepts, paths with spaces and % included (needs systemd-analyze: skipped without it)',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'unit '));
      try {
        const node = join(dir, 'node 20%', 'bin', 'node');
        const installDir = join(dir, 'my gateway');
        mkdirSync(join(node, '..'), { recursive: true });
        symlinkSync(process.execPath, node);
        mkdirSync(join(installDir, 'dist', 'src', 'agents', 'agent'), { recursive: true });
        writeFileSync(join(installDir, 'dist', 'src', 'agents', 'agent', 'agent-main.js'), '');
        mkdirSync(join(dir, 'agent data'));
        const file = join(dir, 'gateway-agent.service');
        writeFileSync(
          file,
          systemdUnit({ nodePath: node, installDir, dataDir: join(dir, 'agent data'), user: 'root' }),
        );
        const verified = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8' });
        expect(`${verified.status} ${verified.stderr}`).toBe('0 ');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it('refuses relative paths, line breaks (a new directive) and a user name systemd would not take', () => {
    expect(() => systemdUnit({ ...base, dataDir: 'data' })).toThrow(/absolute path/);
    expect(() => systemdUnit({ ...base, dataDir: '/var/lib/x\nExecStartPre=/bin/rm -rf /' })).toThrow(
      /control characters/,
    );
    expect(() => systemdUnit({ ...base, user: 'root; rm' })).toThrow(ServiceFileError);
    expect(() => systemdUnit({ ...base, user: 'Gateway' })).toThrow(/Linux user name/);
  });
});

describe('winswXml', () => {
  const base = {
    nodePath: 'C:\\Program Files\\nodejs\\node.exe',
    installDir: 'C:\\Program Files\\Gongshang Gateway',
    dataDir: 'C:\\ProgramData\\GongshangAgent',
  };

  it('names the service, runs node.exe with the agent, restarts it on failure and rolls its logs by size', () => {
    const xml = winswXml(base);
    expect(xmlElement(xml, 'id')).toBe('gateway-agent');
    expect(xmlElement(xml, 'name')).toBe('工伤保险网关桌面代理');
    expect(xmlElement(xml, 'executable')).toBe('C:\\Program Files\\nodejs\\node.exe');
    expect(windowsSplit(xmlElement(xml, 'arguments'))).toEqual([
      'C:\\Program Files\\Gongshang Gateway\\dist\\src\\agents\\agent\\agent-main.js',
      '--data-dir',
      'C:\\ProgramData\\GongshangAgent',
    ]);
    expect(xml).toContain('<env name="GATEWAY_AGENT_DIR" value="C:\\ProgramData\\GongshangAgent"/>');
    expect(xml.match(/<onfailure action="restart" delay="\d+ sec"\/>/g)).toHaveLength(3);
    expect(xml).toContain('<log mode="roll-by-size">');
    expect(xmlElement(xml, 'logpath')).toBe('C:\\ProgramData\\GongshangAgent\\logs');
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\r\n')).toBe(true);
  });

  it('escapes XML and quotes arguments with spaces, including a trailing backslash', () => {
    const xml = winswXml({
      ...base,
      installDir: 'D:\\Apps & Tools\\<gw>',
      dataDir: 'D:\\Agent Data\\',
      serviceName: 'gateway-agent-2',
    });
    expect(xml).toContain('<executable>C:\\Program Files\\nodejs\\node.exe</executable>');
    expect(xml).toContain('D:\\Apps &amp; Tools\\&lt;gw&gt;');
    expect(xml).not.toMatch(/& |<gw>/);
    expect(xmlElement(xml, 'arguments')).toBe(
      '"D:\\Apps & Tools\\<gw>\\dist\\src\\agents\\agent\\agent-main.js" --data-dir "D:\\Agent Data\\\\"',
    );
    expect(windowsSplit(xmlElement(xml, 'arguments'))).toEqual([
      'D:\\Apps & Tools\\<gw>\\dist\\src\\agents\\agent\\agent-main.js',
      '--data-dir',
      'D:\\Agent Data\\',
    ]);
    expect(xml).toContain('<env name="GATEWAY_AGENT_DIR" value="D:\\Agent Data\\"/>');
    expect(xmlElement(xml, 'id')).toBe('gateway-agent-2');
  });

  it('refuses a path without a drive letter, with % (WinSW expands it) or a quote, and a bad service id', () => {
    expect(() => winswXml({ ...base, dataDir: '/var/lib/x' })).toThrow(/drive letter/);
    expect(() => winswXml({ ...base, dataDir: 'C:\\%TEMP%\\agent' })).toThrow(/must not contain %/);
    expect(() => winswXml({ ...base, serviceName: 'gateway agent' })).toThrow(/service name/);
  });
});

describe('windowsArg', () => {
  it.each([
    ['plain', 'plain'],
    ['', '""'],
    ['a b', '"a b"'],
    ['say "hi"', '"say \\"hi\\""'],
    ['C:\\dir with space\\', '"C:\\dir with space\\\\"'],
    ['C:\\no-space\\', 'C:\\no-space\\'],
    ['a\\"b', '"a\\\\\\"b"'],
  ])('%j → %s, and back', (arg, quoted) => {
    expect(windowsArg(arg)).toBe(quoted);
    expect(windowsSplit(`x ${windowsArg(arg)} y`)).toEqual(['x', arg, 'y']);
  });
});

describe('xmlEscape', () => {
  it('escapes the five XML characters', () => {
    expect(xmlEscape(`<a href="x">Tom & 'Jerry'</a>`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;Tom &amp; &apos;Jerry&apos;&lt;/a&gt;',
    );
  });
});
