// A schema of its own in the machine's PostgreSQL (127.0.0.1:5432, database `test`, or
// GRAYLANE_TEST_POSTGRES), and a URL whose connections use it; dropped at the end.
import pg from 'pg';

const PG_URL = process.env.GRAYLANE_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';

export async function createTestSchema(prefix) {
  const schema = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(`PostgreSQL does not answer at ${PG_URL} (${error.message}): this scenario needs it`);
  }
  await admin.query(`CREATE SCHEMA ${schema}`);
  const url = new URL(PG_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: url.toString(),
    async drop() {
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    },
  };
}
