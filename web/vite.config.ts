// The web app's build: `npm run web:build` at the repository's root writes web/dist, which the
// Trellis server serves (src/http/web-app.ts). `npm run dev --workspace @trellis/web` serves it
// with hot reload and sends /v1 to a server on port 3000.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Under the server's CSP every script is a file of its own origin; nothing is inlined.
    assetsInlineLimit: 0,
  },
  server: { proxy: { '/v1': 'http://localhost:3000' } },
});
