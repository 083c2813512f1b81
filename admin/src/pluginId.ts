export const PLUGIN_ID = 'town-crier';
