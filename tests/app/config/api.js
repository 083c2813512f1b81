// A town may move Strapi's REST API off `/api`; one test file does, to prove every link follows.
module.exports = ({ env }) => ({
  rest: { prefix: env('TOWN_CRIER_TEST_API_PREFIX', '/api'), defaultLimit: 25, maxLimit: 100 },
});
