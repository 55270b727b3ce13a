// ESLint (flat config): the recommended rules for the pages' modules (browser globals), the
// build script and the JS unit tests (node globals).
import js from "@eslint/js";
import globals from "globals";

export default [
  { ignores: ["static/dist/**", "node_modules/**", "test-artifacts/**", ".venv/**"] },
  js.configs.recommended,
  {
    files: ["static/src/**/*.js"],
    languageOptions: { ecmaVersion: 2022, sourceType: "module", globals: globals.browser },
  },
  {
    files: ["static/build.mjs", "tests/js/**/*.mjs", "eslint.config.js"],
    languageOptions: { ecmaVersion: 2022, sourceType: "module", globals: globals.node },
  },
  { rules: { "no-unused-vars": ["error", { argsIgnorePattern: "^_" }] } },
];
