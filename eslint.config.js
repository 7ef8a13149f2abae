import js from "@eslint/js";
import tseslint from "typescript-eslint";
import reactHooks from "eslint-plugin-react-hooks";
import importX from "eslint-plugin-import-x";
import { createTypeScriptImportResolver } from "eslint-import-resolver-typescript";
import globals from "globals";
import prettier from "eslint-config-prettier";

const root = import.meta.dirname;
const adr = "See docs/decisions/0010-dependency-rules.md.";

/** Test code: the only files that may import a test runner or another test module. */
const testFiles = ["**/*.test.ts", "test/**", "vitest*.config.ts", "playwright.config.ts"];

/**
 * Layer boundaries, checked on resolved paths, so `~/…`, `#db/…` and relative imports count alike.
 * server/ composes everything and bench/ drives it; nothing below imports them.
 */
const layerZones = [
  {
    target: "./db",
    from: ["./app", "./provisioning", "./server", "./bench", "./stripe-emulator"],
    message: `db/ is the bottom layer. ${adr}`,
  },
  {
    target: "./provisioning",
    from: ["./app", "./server", "./bench"],
    message: `provisioning/ never imports the portal app or its entries. ${adr}`,
  },
  {
    target: "./stripe-emulator",
    from: ["./app", "./db", "./provisioning", "./server", "./bench"],
    message: `The Stripe emulator imports nothing of the portal. ${adr}`,
  },
  {
    target: "./app",
    from: ["./server", "./bench"],
    message: `app/ never imports the process entries. ${adr}`,
  },
  {
    target: "./app/routes",
    from: "./db",
    message: `Routes stay thin: they call app/modules, which reach the database. ${adr}`,
  },
  {
    target: ["./app/modules/orders", "./app/modules/billing", "./app/modules/trials"],
    from: "./provisioning",
    except: ["./index.ts"],
    message: `Ordering, billing and trials call provisioning only through provisioning/index.ts. ${adr}`,
  },
];

/** What only test code may import: test/, test modules, and (below) the test runners. */
const testOnlyZones = [
  { target: ".", from: "./test", message: `test/ is for tests only. ${adr}` },
  {
    target: ".",
    from: "**/*.test.ts",
    message: `Test modules import vitest; only tests may import them. ${adr}`,
  },
];

export default tseslint.config(
  { ignores: ["build/**", "node_modules/**", ".data/**", "test-results/**", "playwright-report/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    plugins: { "react-hooks": reactHooks, "import-x": importX },
    settings: {
      "import-x/extensions": [".ts", ".tsx", ".js"],
      "import-x/resolver-next": [createTypeScriptImportResolver({ project: `${root}/tsconfig.json` })],
    },
    rules: {
      ...reactHooks.configs.recommended.rules,
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      // Type-only imports are erased, so the rule leaves them out.
      "import-x/no-cycle": ["error", { ignoreExternal: true }],
      "import-x/no-restricted-paths": ["error", { basePath: root, zones: layerZones }],
    },
  },
  {
    ignores: testFiles,
    rules: {
      "import-x/no-restricted-paths": ["error", { basePath: root, zones: [...layerZones, ...testOnlyZones] }],
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["vitest", "vitest/*", "@vitest/*", "@playwright/test", "@playwright/test/*"],
              message: `Test runners are for test files only. ${adr}`,
            },
          ],
        },
      ],
    },
  },
  {
    files: testFiles,
    rules: {
      "no-restricted-syntax": [
        "error",
        {
          // vitest's toMatchObject counts a RegExp as an object with no keys: it matches any value.
          selector:
            "CallExpression[callee.property.name='toMatchObject'] :not(CallExpression[callee.property.name='stringMatching']) > :matches(Literal[regex], NewExpression[callee.name='RegExp'])",
          message: "toMatchObject ignores a RegExp (it matches anything): use expect.stringMatching(/…/).",
        },
      ],
    },
  },
  // Formatting is Prettier's job (`npm run lint` checks it); turn off the rules that would disagree with it.
  prettier,
);
