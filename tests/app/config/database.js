// The harness (tests/support/strapi.ts) picks the database per test file through these variables.
module.exports = ({ env }) => {
  const url = env('TOWN_CRIER_TEST_DATABASE_URL');
  if (url) {
    // Benchmarks size the pool as docs/performance.md advises for a worker (TOWN_CRIER_TEST_DB_POOL_MAX); tests keep 5.
    return { connection: { client: 'postgres', connection: { connectionString: url }, pool: { min: 0, max: env.int('TOWN_CRIER_TEST_DB_POOL_MAX', 5) } } };
  }
  return {
    connection: {
      client: 'sqlite',
      connection: { filename: env('TOWN_CRIER_TEST_SQLITE_FILE', ':memory:') },
      useNullAsDefault: true,
      // WAL with synchronous=NORMAL: one fsync per checkpoint instead of several per write. Every
      // delivery is a small write, so SQLite's default journal made it the bottleneck of a broadcast.
      pool: {
        afterCreate(connection, done) {
          connection.pragma('journal_mode = WAL');
          connection.pragma('synchronous = NORMAL');
          done(null, connection);
        },
      },
    },
  };
};
