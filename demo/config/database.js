const path = require('node:path');

module.exports = ({ env }) => {
  const url = env('DATABASE_URL');
  if (url) return { connection: { client: 'postgres', connection: { connectionString: url } } };
  return {
    connection: {
      client: 'sqlite',
      connection: { filename: path.resolve(__dirname, '..', '.tmp', 'data.db') },
      useNullAsDefault: true,
    },
  };
};
