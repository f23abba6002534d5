/** Where CLI commands write: the terminal, or a buffer in tests. */
export interface CliOutput {
  log(text: string): void;
  error(text: string): void;
}

export const stdio: CliOutput = {
  log: (text) => process.stdout.write(`${text}\n`),
  error: (text) => process.stderr.write(`${text}\n`),
};

/** A usage mistake: printed without a stack, exit code 2. */
export class CliError extends Error {}
