/**
 * The host console's build: `npm run build:console` → console/dist (index.html, call.html and hashed files
 * under assets/), served by the API at `/`, `/podcast`, `/call` and `/assets/...` (locally and by the console
 * function). The pages bundle the browser code they share with the program controller (stage-client/).
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  publicDir: false,
  // The pages use stage-client/ and the contract, outside this folder.
  server: { fs: { allow: [fileURLToPath(new URL('..', import.meta.url))] } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    sourcemap: false,
    rollupOptions: { input: { index: fileURLToPath(new URL('index.html', import.meta.url)), call: fileURLToPath(new URL('call.html', import.meta.url)) } },
    // The IVS web SDK is a large chunk, loaded when a page joins the stage.
    chunkSizeWarningLimit: 1200,
  },
});
