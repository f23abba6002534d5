import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  checkPath,
  checkServiceName,
  checkServiceUser,
  DEFAULT_SERVICE_NAME,
  DEFAULT_SERVICE_USER,
  ServiceFileError,
  systemdUnit,
  winswXml,
} from './service-files';

/** Where systemd looks for units an administrator installs. */
export const SYSTEMD_UNIT_DIR = '/etc/systemd/system';
/** The WinSW release file to download by hand (https://github.com/winsw/winsw/releases): we cannot ship it. */
export const WINSW_RELEASE_FILE = 'WinSW-x64.exe';

export type RunCommand = (cmd: string, args: string[]) => Promise<{ status: number; output: string }>;

export interface InstallAgentOptions {
  platform: NodeJS.Platform;
  /** The central gateway: wss://gw.hospital.local:8443. */
  central: string;
  /** The one-time enrolment code IT created for this desk. */
  code: string;
  dataDir: string;
  /** Where the gateway package is installed (its dist/src/agents/agent/agent-main.js runs the agent). */
  installDir: string;
  /** Absolute path of node (node.exe); the CLI passes process.execPath. */
  nodePath: string;
  serviceName?: string;
  /** Linux only: the account the service runs as (created if missing). */
  serviceUser?: string;
  /** Where the service file goes: default /etc/systemd/system (Linux), the install directory (Windows). */
  outDir?: string;
  enrol: (o: {
    central: string;
    code: string;
    dataDir: string;
  }) => Promise<{ file: string; credential: { desk: string; name: string; agentId: string } }>;
  /** Runs a system command (systemctl, useradd, icacls, the WinSW exe); default: a child process, no shell. */
  run?: RunCommand;
  /** Also carry out the system steps (account, ownership or ACL, register and start the service); else print them. */
  start: boolean;
}

export interface InstallAgentResult {
  ok: boolean;
  /** The step that failed (enrol, service-file, winsw, or the command), when not ok. */
  failedStep: string | null;
  credentialFile: string | null;
  serviceFile: string | null;
  started: boolean;
}

/** The options cannot work (a relative path, a service user on Windows…): nothing was done. */
export class AgentInstallError extends Error {}

/**
 * `gateway agent install`: enrols this desk PC with the code first (a bad code leaves nothing
 * installed), writes the service definition (systemd unit or WinSW XML), then registers and starts
 * the service, printing each step and what to do when one fails.
 */
export async function installAgent(
  options: InstallAgentOptions,
  out: { log(s: string): void },
): Promise<InstallAgentResult> {
  const plan = planInstall(options);
  await mustBeWritable(plan.outDir, 'the service file', plan.hintAdmin);
  await mustBeWritable(options.dataDir, 'the data directory', plan.hintAdmin);

  const result: InstallAgentResult = {
    ok: false,
    failedStep: null,
    credentialFile: null,
    serviceFile: null,
    started: false,
  };

  out.log(`1. Enrolling this PC at ${options.central} …`);
  let enrolled: Awaited<ReturnType<InstallAgentOptions['enrol']>>;
  try {
    enrolled = await options.enrol({ central: options.central, code: options.code, dataDir: options.dataDir });
  } catch (e) {
    out.log(`   failed: ${(e as Error).message}`);
    out.log(
      '   Nothing was installed. Check the code (ask IT for a new one if it was used or expired) and the central URL, then run this again.',
    );
    return { ...result, failedStep: 'enrol' };
  }
  result.credentialFile = enrolled.file;
  const { desk, name, agentId } = enrolled.credential;
  out.log(`   enrolled: agent "${name}" (${agentId}) for desk ${desk}; credential in ${enrolled.file}`);

  out.log(`2. Writing ${plan.serviceFile} …`);
  try {
    await fs.mkdir(plan.outDir, { recursive: true });
    await fs.writeFile(plan.serviceFile, plan.text, 'utf8');
  } catch (e) {
    out.log(`   failed: ${(e as Error).message}`);
    out.log(
      `   ${plan.hintAdmin} The agent is enrolled (${enrolled.file}): run this again with a new code, or write the file by hand.`,
    );
    return { ...result, failedStep: 'service-file' };
  }
  result.serviceFile = plan.serviceFile;

  if (plan.winswExe !== null && !(await exists(plan.winswExe))) {
    out.log(`   WinSW is missing: download ${WINSW_RELEASE_FILE} from https://github.com/winsw/winsw/releases,`);
    out.log(`   rename it ${plan.serviceName}.exe and put it in ${plan.outDir}, next to ${plan.serviceName}.xml.`);
    if (options.start) {
      out.log('   Then run:');
      for (const step of plan.steps) {
        out.log(`     ${commandLine(step.cmd, step.args)}`);
      }
      return { ...result, failedStep: 'winsw' };
    }
  }

  if (!options.start) {
    out.log('3. Not started (--no-start). To register and start the service, run as ' + plan.admin + ':');
    for (const step of plan.steps) {
      out.log(`     ${commandLine(step.cmd, step.args)}`);
    }
    return { ...result, ok: true };
  }

  const run = options.run ?? runCommand;
  out.log(`3. Registering and starting the service ${plan.serviceName} …`);
  for (const step of plan.steps) {
    if (step.onlyIf !== undefined && !(await step.onlyIf(run))) {
      continue;
    }
    out.log(`   $ ${commandLine(step.cmd, step.args)}`);
    const answer = await run(step.cmd, step.args);
    if (answer.status !== 0) {
      const text = answer.output.trim();
      out.log(`   failed (exit ${answer.status})${text ? `: ${text}` : ''}`);
      out.log(`   ${step.hint(answer.output)}`);
      return { ...result, failedStep: commandLine(step.cmd, step.args) };
    }
  }
  out.log(`   The agent runs as the service ${plan.serviceName}. ${plan.checkHint}`);
  return { ...result, ok: true, started: true };
}

interface Step {
  cmd: string;
  args: string[];
  /** Run the step only when this answers true (e.g. create the account only when it is missing). */
  onlyIf?: (run: RunCommand) => Promise<boolean>;
  hint: (output: string) => string;
}

interface Plan {
  serviceName: string;
  outDir: string;
  serviceFile: string;
  text: string;
  winswExe: string | null;
  steps: Step[];
  admin: string;
  hintAdmin: string;
  checkHint: string;
}

function planInstall(options: InstallAgentOptions): Plan {
  try {
    const serviceName = checkServiceName(options.serviceName ?? DEFAULT_SERVICE_NAME);
    if (options.platform === 'linux') {
      return planLinux(options, serviceName);
    }
    if (options.platform === 'win32') {
      return planWindows(options, serviceName);
    }
    throw new AgentInstallError(
      `gateway agent install knows systemd (Linux) and WinSW (Windows), not ${options.platform}: ` +
        "run `gateway agent --data-dir <dir>` under this system's own service manager",
    );
  } catch (e) {
    if (e instanceof ServiceFileError) {
      throw new AgentInstallError(e.message);
    }
    throw e;
  }
}

function planLinux(options: InstallAgentOptions, serviceName: string): Plan {
  const user = checkServiceUser(options.serviceUser ?? DEFAULT_SERVICE_USER);
  const dataDir = checkPath('linux', 'the data directory', options.dataDir);
  const text = systemdUnit({ ...options, user });
  const outDir = options.outDir ?? SYSTEMD_UNIT_DIR;
  const serviceFile = join(outDir, `${serviceName}.service`);
  const asRoot = 'Run it as root: sudo gateway agent install …';
  const rootHint = (output: string): string =>
    /permission denied|access denied|not permitted|authentication required|must be root|only root/i.test(output)
      ? asRoot
      : `See the message above; ${asRoot.toLowerCase()}`;
  const journal = `See: systemctl status ${serviceName}; journalctl -u ${serviceName}`;
  return {
    serviceName,
    outDir,
    serviceFile,
    text,
    winswExe: null,
    admin: 'root',
    hintAdmin: asRoot,
    checkHint: `Check it with: systemctl status ${serviceName}; gateway agent status --data-dir ${dataDir}`,
    steps: [
      {
        cmd: 'useradd',
        args: ['--system', '--no-create-home', '--home-dir', dataDir, '--shell', '/usr/sbin/nologin', user],
        onlyIf: async (run) => (await run('id', ['-u', user])).status !== 0,
        hint: rootHint,
      },
      // The credential was written by the installing user (root): the service's account must read it.
      { cmd: 'chown', args: ['-R', user, dataDir], hint: rootHint },
      { cmd: 'systemctl', args: ['daemon-reload'], hint: rootHint },
      {
        cmd: 'systemctl',
        // A unit outside systemd's directories is enabled by its path (systemctl links it in).
        args: ['enable', '--now', outDir === SYSTEMD_UNIT_DIR ? serviceName : serviceFile],
        hint: (output) => `${rootHint(output)}. ${journal}`,
      },
    ],
  };
}

function planWindows(options: InstallAgentOptions, serviceName: string): Plan {
  if (options.serviceUser !== undefined) {
    throw new AgentInstallError(
      'on Windows the agent runs as LocalSystem and its data directory is closed to everyone else; ' +
        '--service-user is for Linux (another account would need its password in the WinSW file)',
    );
  }
  const dataDir = checkPath('win32', 'the data directory', options.dataDir);
  const text = winswXml({ ...options, serviceName });
  const outDir = options.outDir ?? options.installDir;
  const winswExe = join(outDir, `${serviceName}.exe`);
  const asAdmin = '请以管理员身份运行命令提示符 (Run the command prompt as Administrator) and run this again.';
  const adminHint = (output: string): string =>
    /access is denied|拒绝访问|administrator|管理员/i.test(output) ? asAdmin : `See the message above. ${asAdmin}`;
  return {
    serviceName,
    outDir,
    serviceFile: join(outDir, `${serviceName}.xml`),
    text,
    winswExe,
    admin: 'Administrator',
    hintAdmin: asAdmin,
    checkHint: `Check it in services.msc (${serviceName}) or with: gateway agent status --data-dir "${dataDir}"`,
    steps: [
      // The credential file: only LocalSystem (S-1-5-18) and Administrators (S-1-5-32-544), by SID so
      // a Chinese Windows (管理员组) matches too; inherited entries (Users: read) removed.
      {
        cmd: 'icacls',
        args: [dataDir, '/inheritance:r', '/grant:r', '*S-1-5-18:(OI)(CI)F', '*S-1-5-32-544:(OI)(CI)F'],
        hint: adminHint,
      },
      { cmd: winswExe, args: ['install'], hint: adminHint },
      {
        cmd: winswExe,
        args: ['start'],
        hint: (output) => `${adminHint(output)} The service log is in ${join(dataDir, 'logs')}.`,
      },
    ],
  };
}

/**
 * Refuses before the code is spent when the installing user cannot write where install must write.
 * A probe directory is made and removed (fs.access alone ignores Windows ACLs: a user who is not
 * Administrator passes it for C:\Program Files and then fails to write).
 */
async function mustBeWritable(dir: string, what: string, hint: string): Promise<void> {
  let probe = dir;
  for (;;) {
    try {
      await fs.rmdir(await fs.mkdtemp(join(probe, '.gateway-agent-install-')));
      return;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && dirname(probe) !== probe) {
        probe = dirname(probe); // not there yet: whoever may create it
        continue;
      }
      throw new AgentInstallError(`cannot write ${what} in ${dir} (${code ?? (e as Error).message}): ${hint}`);
    }
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}

function commandLine(cmd: string, args: string[]): string {
  return [cmd, ...args].map((a) => (/[\s"]/.test(a) ? `"${a}"` : a)).join(' ');
}

/** A system command as a child process (no shell: the arguments are passed as they are). */
export const runCommand: RunCommand = (cmd, args) =>
  new Promise((resolve) => {
    const child = spawn(cmd, args, { windowsHide: true });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => chunks.push(c));
    child.on('error', (e) => resolve({ status: 127, output: `${cmd}: ${e.message}` }));
    child.on('close', (status) => resolve({ status: status ?? 1, output: Buffer.concat(chunks).toString('utf8') }));
  });
