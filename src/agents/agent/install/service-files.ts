import { posix, win32 } from 'node:path';

/**
 * The service definitions that run `gateway agent` on a desk PC (docs/agents.md, "Install on desk PCs"):
 * a systemd unit on Linux, a WinSW XML on Windows. Pure text generators: installAgent writes them.
 */

export const DEFAULT_SERVICE_NAME = 'gateway-agent';
export const DEFAULT_SERVICE_USER = 'gateway-agent';
/** What desk staff and IT see in the Windows service list. */
export const SERVICE_DISPLAY_NAME = '工伤保险网关桌面代理';

export interface ServiceFileOptions {
  /** Absolute path of the node executable (node.exe on Windows). */
  nodePath: string;
  /** Where the gateway package is installed: its dist/src/agents/agent/agent-main.js runs the agent. */
  installDir: string;
  /** The agent's data directory (credential, journal, status.json). */
  dataDir: string;
  serviceName?: string;
}

export class ServiceFileError extends Error {}

const SERVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
/** A Linux user or group name as useradd accepts it. */
const USER_NAME = /^[a-z_][a-z0-9_-]{0,31}$/;

/** `<installDir>/dist/src/agents/agent/agent-main.js` on the platform's paths. */
export function agentEntryPoint(platform: NodeJS.Platform, installDir: string): string {
  const path = platform === 'win32' ? win32 : posix;
  return path.join(installDir, 'dist', 'src', 'agents', 'agent', 'agent-main.js');
}

export function checkServiceName(name: string): string {
  if (!SERVICE_NAME.test(name)) {
    throw new ServiceFileError(
      `service name "${name}": expected letters, digits, '.', '_' and '-' (at most 64), e.g. ${DEFAULT_SERVICE_NAME}`,
    );
  }
  return name;
}

export function checkServiceUser(user: string): string {
  if (!USER_NAME.test(user)) {
    throw new ServiceFileError(
      `service user "${user}": expected a Linux user name (lower-case letters, digits, '_' and '-'), e.g. ${DEFAULT_SERVICE_USER}`,
    );
  }
  return user;
}

/** An absolute path on the given platform, without control characters (a newline would add a directive). */
export function checkPath(platform: NodeJS.Platform, what: string, path: string): string {
  const absolute =
    platform === 'win32' ? win32.isAbsolute(path) && /^[A-Za-z]:[\\/]/.test(path) : posix.isAbsolute(path);
  if (!absolute) {
    throw new ServiceFileError(
      `${what} "${path}" must be an absolute path${platform === 'win32' ? ' with a drive letter (C:\\…)' : ' (/…)'}`,
    );
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(path)) {
    throw new ServiceFileError(`${what} must not contain control characters (a line break, a tab)`);
  }
  if (platform === 'win32' && /[%"]/.test(path)) {
    // WinSW expands %VARIABLES% in every value and a Windows path cannot hold a quote.
    throw new ServiceFileError(`${what} "${path}" must not contain % or "`);
  }
  return path;
}

// ---------------------------------------------------------------- systemd

/** systemd expands %-specifiers in nearly every setting: a literal % is %%. */
function systemdSpecifiers(text: string): string {
  return text.replace(/%/g, '%%');
}

/** One word of a quoted list (ExecStart=, ReadWritePaths=, Environment=): quoted when it holds anything but plain characters. */
function systemdWord(text: string): string {
  if (/^[A-Za-z0-9_@+=:,./-]+$/.test(text)) {
    return systemdSpecifiers(text);
  }
  return `"${systemdSpecifiers(text).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** An ExecStart= argument: also `$` (environment substitution) doubled. */
function systemdExecWord(text: string): string {
  return systemdWord(text).replace(/\$/g, '$$$$');
}

/**
 * `gateway-agent.service`: the agent as a dedicated user, restarted always, with the file system
 * read-only but for its data directory, and serial ports through the dialout group.
 */
export function systemdUnit(options: ServiceFileOptions & { user: string }): string {
  const nodePath = checkPath('linux', 'the node path', options.nodePath);
  const installDir = checkPath('linux', 'the install directory', options.installDir);
  const dataDir = checkPath('linux', 'the data directory', options.dataDir);
  const user = checkServiceUser(options.user);
  const exec = [nodePath, agentEntryPoint('linux', installDir), '--data-dir', dataDir].map(systemdExecWord);
  return [
    '# Written by `gateway agent install` (docs/agents.md, "Install on desk PCs").',
    '[Unit]',
    'Description=Ningxia work-injury insurance gateway desk agent (gateway agent)',
    `Documentation=${systemdSpecifiers(`file:${encodeURI(posix.join(installDir, 'docs', 'agents.md'))}`)}`,
    'Wants=network-online.target',
    'After=network-online.target pcscd.service',
    '',
    '[Service]',
    'Type=simple',
    `User=${user}`,
    'SupplementaryGroups=dialout',
    `Environment=${systemdWord(`GATEWAY_AGENT_DIR=${dataDir}`)}`,
    'Environment=NODE_ENV=production',
    `WorkingDirectory=${systemdSpecifiers(installDir)}`,
    `ExecStart=${exec.join(' ')}`,
    'Restart=always',
    'RestartSec=5s',
    // Time to finish an fsync and say goodbye to the centre.
    'TimeoutStopSec=15s',
    'UMask=0077',
    'NoNewPrivileges=yes',
    'ProtectSystem=strict',
    `ReadWritePaths=${systemdWord(dataDir)}`,
    // read-only, not yes: the package may be installed under /home.
    'ProtectHome=read-only',
    'PrivateTmp=yes',
    'ProtectKernelTunables=yes',
    'ProtectKernelModules=yes',
    'ProtectControlGroups=yes',
    'RestrictSUIDSGID=yes',
    'LockPersonality=yes',
    'RestrictRealtime=yes',
    // pcscd is reached over a UNIX socket, serial port discovery reads udev over netlink.
    'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK',
    // No PrivateDevices=: the agent opens /dev/ttyS*, /dev/ttyUSB*, /dev/hidraw*.
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}

// ---------------------------------------------------------------- WinSW

export function xmlEscape(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c,
  );
}

/**
 * One argument of a Windows command line as CommandLineToArgvW (and node.exe) splits it: quoted when it
 * holds a space, a tab or a quote; backslashes doubled only where they precede a quote.
 */
export function windowsArg(arg: string): string {
  if (arg !== '' && !/[\s"]/.test(arg)) {
    return arg;
  }
  let out = '"';
  let slashes = 0;
  for (const c of arg) {
    if (c === '\\') {
      slashes += 1;
      continue;
    }
    out += c === '"' ? '\\'.repeat(slashes * 2 + 1) + '"' : '\\'.repeat(slashes) + c;
    slashes = 0;
  }
  return `${out}${'\\'.repeat(slashes * 2)}"`;
}

/**
 * `gateway-agent.xml` for WinSW (the service wrapper renamed `gateway-agent.exe` beside it): node.exe
 * running the agent as LocalSystem, restarted on failure, logs rolled by size in the data directory.
 */
export function winswXml(options: ServiceFileOptions): string {
  const nodePath = checkPath('win32', 'the node path', options.nodePath);
  const installDir = checkPath('win32', 'the install directory', options.installDir);
  const dataDir = checkPath('win32', 'the data directory', options.dataDir);
  const id = checkServiceName(options.serviceName ?? DEFAULT_SERVICE_NAME);
  const args = [agentEntryPoint('win32', installDir), '--data-dir', dataDir].map(windowsArg).join(' ');
  const x = xmlEscape;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!-- Written by `gateway agent install` (docs/agents.md, "Install on desk PCs"). -->',
    '<service>',
    `  <id>${x(id)}</id>`,
    `  <name>${x(SERVICE_DISPLAY_NAME)}</name>`,
    `  <description>${x('运行本工作站的读卡器、身份证阅读器和扫码枪，并连接工伤保险网关中心（gateway agent）')}</description>`,
    `  <executable>${x(nodePath)}</executable>`,
    `  <arguments>${x(args)}</arguments>`,
    `  <workingdirectory>${x(installDir)}</workingdirectory>`,
    `  <env name="GATEWAY_AGENT_DIR" value="${x(dataDir)}"/>`,
    '  <env name="NODE_ENV" value="production"/>',
    '  <startmode>Automatic</startmode>',
    '  <onfailure action="restart" delay="5 sec"/>',
    '  <onfailure action="restart" delay="10 sec"/>',
    '  <onfailure action="restart" delay="30 sec"/>',
    '  <resetfailure>1 hour</resetfailure>',
    '  <stoptimeout>15 sec</stoptimeout>',
    `  <logpath>${x(win32.join(dataDir, 'logs'))}</logpath>`,
    '  <log mode="roll-by-size">',
    '    <sizeThreshold>10240</sizeThreshold>',
    '    <keepFiles>8</keepFiles>',
    '  </log>',
    '</service>',
    '',
  ].join('\r\n');
}
