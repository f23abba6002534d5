// The web console's build (run by src/cli/build-freshness.js): Vue 3 single-file components,
// output for Chromium 87 (the kernel of many hospital desk browsers) into dist/console with
// content-hashed asset names, so the gateway can serve them as immutable.
import vue from '@vitejs/plugin-vue';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const consoleDir = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: consoleDir,
  base: '/console/',
  plugins: [vue()],
  publicDir: false,
  build: {
    target: 'chrome87',
    cssTarget: 'chrome87',
    outDir: fileURLToPath(new URL('../../dist/console', import.meta.url)),
    emptyOutDir: true,
    assetsDir: 'assets',
    // Element Plus is most of the weight; one chunk per page would not pay on a LAN.
    chunkSizeWarningLimit: 2000,
  },
});
