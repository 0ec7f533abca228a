import pg from 'pg';

export const PG_URL = process.env.GRAYLANE_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * A schema of its own in the test database, and a URL whose connections use it
 * (search_path). Other packages' integration tests use this too.
 */
export async function createTestSchema(prefix = 'gl_test'): Promise<{ url: string; drop(): Promise<void> }> {
  const schema = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
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
