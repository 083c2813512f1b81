// German next to English, so the browser test can check the plugin's German admin texts.
export default {
  config: { locales: ['de'] },
  bootstrap() {},
};
