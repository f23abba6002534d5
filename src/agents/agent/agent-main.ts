import 'reflect-metadata';
import { agentCli } from './agent-cli';

/**
 * The desk agent's entry point (`gateway agent …` starts this file, not the gateway's CLI): it loads
 * the drivers, the link and the journal only, so a desk PC needs neither the database drivers nor Nest.
 */
agentCli(process.argv.slice(2), {
  log: (line) => process.stdout.write(`${line}\n`),
  error: (line) => process.stderr.write(`${line}\n`),
}).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
