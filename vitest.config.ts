import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src-host-tests/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: "forks",
    reporters: ["default"],
  },
});
