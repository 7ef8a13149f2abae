/**
 * `npm start` runs in production mode unless NODE_ENV says otherwise (ADR 12). React picks its
 * development or production build, and Express its `env`, from NODE_ENV when they are first loaded,
 * so the mode is set here, in the first module server/start.ts imports, before anything else loads.
 * `npm run dev` sets NODE_ENV=development itself.
 */
import { createRequire } from "node:module";

if (!process.env.NODE_ENV) process.env.NODE_ENV = "production";

/**
 * The builds of React this process has run (`production`, `development`), from Node's module cache.
 * Only modules that ran count: Node's ESM loader also caches, unrun, the files a CommonJS module may
 * re-export (both of React's builds) while it looks for their export names.
 */
export function loadedReactBuilds(): string[] {
  const builds = new Set<string>();
  for (const [file, module] of Object.entries(createRequire(import.meta.url).cache)) {
    const build = /[\\/]react(?:-dom)?[\\/]cjs[\\/][\w.-]+\.(production|development)\b/.exec(file)?.[1];
    if (build && module?.loaded) builds.add(build);
  }
  return [...builds];
}
