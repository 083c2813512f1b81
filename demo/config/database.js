const path = require('node:path');

module.exports = ({ env }) => {
  const url = env('DATABASE_URL');
  if (url) return { connection: { client: 'postgres', connection: { connectionString: url } } };
  return {
    connection: {
      client: 'sqlite',
      connection: { filename: path.resolve(__dirname, '..', '.tmp', 'data.db') },
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
