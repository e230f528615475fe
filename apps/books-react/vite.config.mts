import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

// `npm run dev` proxies the API to the gateway (or straight to books for read-only work), so the app keeps using
// same-origin relative URLs exactly as it does in production.
const apiTarget = process.env.BOOKS_API_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  server: {
    port: Number(process.env.BOOKS_REACT_DEV_PORT ?? 5173),
    strictPort: true,
    proxy: { '/books': { target: apiTarget, changeOrigin: true } },
  },
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    sourcemap: false,
  },
  test: {
    environment: 'jsdom',
    include: ['test/unit/**/*.test.{ts,tsx}'],
    setupFiles: ['test/unit/setup.ts'],
    restoreMocks: true,
  },
});
