// Vite build of the Weft start page; `vite` (dev) proxies the api on WEFT_PORT (default 8080).
import { defineConfig } from 'vite';

const api = `http://127.0.0.1:${process.env.WEFT_PORT || 8080}`;

export default defineConfig({
  root: '.',
  base: '/',
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
  server: {
    proxy: {
      '/api': api,
      '/health': api,
      '/socket.io': { target: api, ws: true },
    },
  },
});
