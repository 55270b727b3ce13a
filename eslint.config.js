// ESLint (flat config): the recommended rules for the pages' modules (browser globals), the
// build script and the JS unit tests (node globals). The pages never parse a string as HTML:
// text goes in with textContent or `h`, markup through the `html`/`svg` tagged templates of
// static/src/common/dom.js, which escape every interpolation (its one parse is exempted there).
import js from "@eslint/js";
import globals from "globals";

const USE_DOM = "use textContent, h() or the html`…`/svg`…` templates of common/dom.js";
const PARSES_HTML = [
  ...["innerHTML", "outerHTML", "insertAdjacentHTML", "setHTMLUnsafe", "createContextualFragment", "srcdoc"].map(
    (property) => ({ property, message: `${property} parses markup: ${USE_DOM}` }),
  ),
  ...["write", "writeln"].map((property) => ({ object: "document", property, message: `document.${property}: ${USE_DOM}` })),
  { property: "parseFromString", message: `DOMParser markup: ${USE_DOM}` },
];
const PARSES_HTML_SYNTAX = [
  // el["innerHTML"] and the like, which no-restricted-properties does not see.
  {
    selector: "MemberExpression[computed=true] > Literal[value=/^(innerHTML|outerHTML|insertAdjacentHTML|setHTMLUnsafe)$/]",
    message: `this parses markup: ${USE_DOM}`,
  },
  { selector: "CallExpression[callee.name='eval'], NewExpression[callee.name='Function']", message: "no code from strings" },
];

export default [
  { ignores: ["static/dist/**", "node_modules/**", "test-artifacts/**", ".venv/**"] },
  js.configs.recommended,
  {
    files: ["static/src/**/*.js"],
    languageOptions: { ecmaVersion: 2022, sourceType: "module", globals: globals.browser },
    rules: {
      "no-restricted-properties": ["error", ...PARSES_HTML],
      "no-restricted-syntax": ["error", ...PARSES_HTML_SYNTAX],
    },
  },
  {
    files: ["static/build.mjs", "tests/js/**/*.mjs", "eslint.config.js"],
    languageOptions: { ecmaVersion: 2022, sourceType: "module", globals: globals.node },
  },
  { rules: { "no-unused-vars": ["error", { argsIgnorePattern: "^_" }] } },
];
