import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The dashboard: sources in src/web, built into dist/web, which the server serves under `/`.
// In `vite dev`, API calls are proxied to a running `npm start` (PORT 3000 by default).
export default defineConfig({
  root: "src/web",
  plugins: [react()],
  build: {
    outDir: "../../dist/web",
    emptyOutDir: true,
    // Hashed file names under /assets are cached for a year by the server.
    assetsDir: "assets",
    sourcemap: false,
    chunkSizeWarningLimit: 600,
  },
  server: {
    proxy: { "/api": "http://127.0.0.1:3000" },
  },
});
