const path = require('node:path');

// Absolute path: a relative `resolve` is first tried against Strapi's own package and can
// silently load nothing. The plugin is loaded from this repo's build (dist/).
module.exports = ({ env }) => ({
  'town-crier': {
    enabled: true,
    resolve: path.resolve(__dirname, '../../..'),
    config: JSON.parse(env('TOWN_CRIER_TEST_PLUGIN_CONFIG', '{}')),
  },
});
