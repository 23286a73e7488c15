// ESLint (flat config): TypeScript with type information, the rules of hooks, and the
// import rules that keep the front end's shape (see "The shape of the front end" below).
// Formatting is Prettier's job (`npm run format:check`); eslint-config-prettier turns off
// every stylistic rule that would disagree with it.
import { readdirSync } from "node:fs";
import js from "@eslint/js";
import { defineConfig, globalIgnores } from "eslint/config";
import prettier from "eslint-config-prettier/flat";
import { createTypeScriptImportResolver } from "eslint-import-resolver-typescript";
import { importX } from "eslint-plugin-import-x";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import tseslint from "typescript-eslint";

// ---------------------------------------------------------------- the shape of the front end
//
//   src/app          the shell: providers, router, layout; may import anything
//   src/features/X   one domain (same name as the backend package and the URL prefix);
//                    another feature reaches it only through src/features/X/index.ts
//   src/components   shared UI, src/lib shared helpers, src/config constants,
//   src/api          the typed API client: none of these import a feature (or the app)
//
// Cycles are refused everywhere (import-x/no-cycle), including through a feature's index.ts.

const FEATURES = readdirSync(new URL("./src/features", import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

/** Feature X may import its own files, and only the index.ts of any other feature. */
const featureZones = FEATURES.map((feature) => ({
  target: `./src/features/${feature}`,
  from: "./src/features",
  except: [
    `./${feature}`,
    ...FEATURES.filter((other) => other !== feature).map((other) => `./${other}/index.ts`),
  ],
  message: `Import another feature through its index.ts ("@/features/<name>"), never a file inside it.`,
}));

const sharedZones = ["components", "lib", "config", "api"].map((shared) => ({
  target: `./src/${shared}`,
  from: ["./src/features", "./src/app"],
  message: `src/${shared} is shared by every feature: it must not import a feature or the app shell.`,
}));

const appZone = {
  target: "./src/features",
  from: "./src/app",
  message: "Features must not import the app shell (src/app): the app composes the features.",
};

export default defineConfig(
  globalIgnores(["dist/", "coverage/", "node_modules/", "src/api/schema.d.ts"]),

  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  reactHooks.configs.flat.recommended,
  importX.flatConfigs.recommended,
  importX.flatConfigs.typescript,

  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: "module",
      globals: { ...globals.browser },
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    settings: {
      "import-x/resolver-next": [createTypeScriptImportResolver({ project: "./tsconfig.json" })],
    },
    rules: {
      "import-x/no-cycle": ["error", { ignoreExternal: true }],
      "import-x/no-restricted-paths": [
        "error",
        { zones: [...featureZones, ...sharedZones, appZone] },
      ],
      // The resolver above already proves every import exists; these re-parse every module.
      "import-x/namespace": "off",
      "import-x/default": "off",
      "import-x/no-named-as-default-member": "off",
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" },
      ],
      // antd waits on a promise returned to onConfirm/onOk (the button spins): allowed.
      "@typescript-eslint/no-misused-promises": [
        "error",
        { checksVoidReturn: { attributes: false } },
      ],
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-import-type-side-effects": "error",
    },
  },

  {
    files: ["**/*.test.{ts,tsx}", "src/test/**"],
    languageOptions: { globals: { ...globals.node } },
  },

  {
    // Config files run in Node and are outside the TypeScript project.
    files: ["*.js", "*.config.{js,ts}"],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { ...globals.node } },
  },

  prettier,
);
