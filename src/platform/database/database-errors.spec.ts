import { QueryFailedError } from 'typeorm';
import { databaseUnavailableCause, isDatabaseUnavailable } from './database-errors';

/** Errors shaped as pg and TypeORM raise them (test/integration/database-outage.spec.ts gets real ones). */
const pgServerError = (code: string, message: string): Error =>
  Object.assign(new Error(message), { severity: 'FATAL', code });
const socketError = (code: string): Error => Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code });
const query = (driverError: Error): QueryFailedError => new QueryFailedError('SELECT 1', [], driverError);

describe(isDatabaseUnavailable.name, () => {
  it('recognises a server that is shutting down, starting up, out of connections, or a standby', () => {
    for (const code of ['57P01', '57P02', '57P03', '53300', '08006', '08001', '25006']) {
      expect(`${code} ${isDatabaseUnavailable(query(pgServerError(code, 'x')))}`).toBe(`${code} true`);
      expect(`${code} ${isDatabaseUnavailable(pgServerError(code, 'x'))}`).toBe(`${code} true`);
    }
  });

  it('recognises a dead connection under a query: socket errors and pg messages', () => {
    expect(isDatabaseUnavailable(query(socketError('ECONNRESET')))).toBe(true);
    expect(isDatabaseUnavailable(query(new Error('Connection terminated unexpectedly')))).toBe(true);
    expect(
      isDatabaseUnavailable(query(new Error('Client has encountered a connection error and is not queryable'))),
    ).toBe(true);
    expect(databaseUnavailableCause(query(new Error('Connection terminated unexpectedly')))?.message).toMatch(
      /Connection terminated/,
    );
  });

  it('leaves other errors alone: constraint violations, a socket error not from the database, plain errors', () => {
    expect(isDatabaseUnavailable(query(Object.assign(new Error('dup'), { severity: 'ERROR', code: '23505' })))).toBe(
      false,
    );
    expect(
      isDatabaseUnavailable(query(Object.assign(new Error('deadlock'), { severity: 'ERROR', code: '40P01' }))),
    ).toBe(false);
    // An ECONNREFUSED of the insurer's HTTP link is not the database's.
    expect(isDatabaseUnavailable(socketError('ECONNREFUSED'))).toBe(false);
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(false);
    expect(isDatabaseUnavailable(undefined)).toBe(false);
    expect(isDatabaseUnavailable('57P01')).toBe(false);
  });

  it('follows a cause chain', () => {
    const wrapped = new Error('saving failed', { cause: query(pgServerError('57P01', 'terminating connection')) });
    expect(isDatabaseUnavailable(wrapped)).toBe(true);
  });
});
