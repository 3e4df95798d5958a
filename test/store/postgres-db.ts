// Throwaway PostgreSQL databases for store tests: one per test file on the real server (PGURL),
// dropped afterwards, with a fresh schema (through search_path) for every store a test opens.
import pg from 'pg';
import { PGURL } from '../helpers/pg.ts';

export interface TestDatabase {
  /** URL of the whole database (public schema). */
  readonly url: string;
  /** A new, empty schema in the database; the URL selects it through search_path. */
  freshSchema(): Promise<string>;
  query<R extends pg.QueryResultRow = any>(sql: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
  drop(): Promise<void>;
}

export function withSearchPath(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `pulsemap_test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: PGURL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const u = new URL(PGURL);
  u.pathname = `/${name}`;
  const url = u.toString();
  const db = new pg.Pool({ connectionString: url, max: 2 });
  db.on('error', () => {});
  let schemas = 0;
  return {
    url,
    async freshSchema() {
      const schema = `s${++schemas}`;
      await db.query(`CREATE SCHEMA ${schema}`);
      return withSearchPath(url, schema);
    },
    query: (sql, values) => db.query(sql, values),
    async drop() {
      await db.end();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}
