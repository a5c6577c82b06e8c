/**
 * The host console's build: `npm run build:console` → console/dist (index.html and hashed files under
 * assets/), served by the API at `/`, `/podcast` and `/assets/...` (locally and by the console function).
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  publicDir: false,
  // The page reuses the controller's stage connection (controller/page), outside this folder.
  server: { fs: { allow: [fileURLToPath(new URL('..', import.meta.url))] } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    sourcemap: false,
    // The IVS web SDK (AWS only) is a large chunk loaded on demand.
    chunkSizeWarningLimit: 1200,
  },
});
