import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CliOutput } from '../../src/cli/cli-io';
import { runCli } from '../../src/cli/main';
import { TEST_HOSPITAL } from './test-config';

class Captured implements CliOutput {
  out = '';
  err = '';
  log(text: string): void {
    this.out += `${text}\n`;
  }
  error(text: string): void {
    this.err += `${text}\n`;
  }
}

/** Runs a CLI command in this process and returns its exit code and what it printed; `stdin` is what is piped in. */
export async function cli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  stdin = '',
): Promise<{ code: number; out: string; err: string }> {
  const io = new Captured();
  const code = await runCli(args, io, env, () => Promise.resolve(stdin));
  return { code, out: io.out, err: io.err };
}

/** A production config for the test hospital in `dir` (SQLite there, keyring file there), plus `extra` YAML. */
export function hospitalYaml(dir: string, extra = ''): string {
  const file = join(dir, 'hospital.yaml');
  writeFileSync(
    file,
    `mode: production
dataDir: ${dir}/data
database:
  url: sqlite:${dir}/data/gw.sqlite
hospital:
  fixmedinsCode: ${TEST_HOSPITAL.fixmedinsCode}
  name: ${TEST_HOSPITAL.name}
  admdvs: "${TEST_HOSPITAL.admdvs}"
  creditCode: "${TEST_HOSPITAL.creditCode}"
pii:
  keyringFile: ${dir}/keys.json
${extra}`,
  );
  return file;
}
