/// <reference types="vitest/config" />
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The Python app serves dist/index.html at "/" and the bundle under "/assets/...".
export default defineConfig({
  base: "/",
  plugins: [react()],
  build: {
    outDir: "dist",
    assetsDir: "assets",
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 800,
    // React and the libraries apart from the app's own code, each chunk under the limit above.
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            { name: "react", test: /node_modules[\\/](react|react-dom|scheduler)[\\/]/ },
            { name: "vendor", test: /node_modules[\\/]/ },
          ],
        },
      },
    },
  },
  server: {
    port: 5173,
    // `npm run dev` talks to a local `ulak serve` for the admin API.
    proxy: { "/graphql": "http://127.0.0.1:3000" },
    // The schema test reads ../graphql/admin.graphql (the exported SDL).
    fs: { allow: [".", "../graphql"] },
  },
  test: {
    environment: "jsdom",
    setupFiles: ["./src/test/setup.ts"],
    css: false,
    include: ["src/**/*.test.{ts,tsx}"],
    // nothing here is timed: room for a loaded 2-core CI machine rendering a page
    testTimeout: 20_000,
  },
});
