import { isAbsolute, join, resolve } from 'node:path';

export type DatabaseTarget = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };

/** `sqlite:<path>` / `sqlite::memory:` / `postgres://…`; an empty URL means SQLite in the data folder. */
export function parseDatabaseUrl(url: string, dataDir: string): DatabaseTarget {
  if (url === '') {
    return { kind: 'sqlite', file: resolve(join(dataDir, 'gateway.sqlite')) };
  }
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length);
    if (file === ':memory:') {
      return { kind: 'sqlite', file };
    }
    return { kind: 'sqlite', file: isAbsolute(file) ? file : resolve(file) };
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    return { kind: 'postgres', url };
  }
  throw new Error(`database.url must start with sqlite: or postgres:// (got ${url.split(':')[0]}:…)`);
}

/** For logs and health: never the password. */
export function describeTarget(target: DatabaseTarget): string {
  if (target.kind === 'sqlite') {
    return `sqlite ${target.file}`;
  }
  const u = new URL(target.url);
  return `postgres ${u.hostname}:${u.port || '5432'}${u.pathname}`;
}
