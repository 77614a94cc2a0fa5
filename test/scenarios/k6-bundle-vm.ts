// Loads a built k6 scenario bundle the way k6 gives each VU its own copy: a fresh JavaScript realm with
// only ECMAScript built-ins plus k6's globals (__ENV, console) — no process, Buffer, require, timers or
// Intl, which k6's runtime lacks too — and k6's modules resolved from an emulated module table.
import { readFile } from "node:fs/promises";
import vm from "node:vm";
import { transform } from "esbuild";

export interface BundleVu {
  exports: Record<string, unknown>;
  /** Copies a value into this VU's realm. */
  toRealm(value: unknown): unknown;
}

export class MissingModuleError extends Error {
  readonly code = "K6_EMULATOR_MISSING_MODULE";
}

export interface LoadedBundle {
  /** A new VU: runs the bundle's init code in a fresh realm. */
  newVu(
    env: Record<string, string>,
    modules: (toRealm: (value: unknown) => unknown) => Record<string, unknown>,
  ): BundleVu;
  /** Modules the bundle tried to require that k6 would not have (caught by the bundle or not). */
  missingModules: Set<string>;
}

export async function loadBundle(file: string): Promise<LoadedBundle> {
  const esm = await readFile(file, "utf8");
  // k6 loads ES modules natively; converting to CommonJS lets a vm script take `require` as a parameter.
  const { code } = await transform(esm, { format: "cjs", loader: "js", sourcefile: file });
  const script = new vm.Script(`(function (exports, require, module) {\n${code}\n})`, { filename: file });
  const missingModules = new Set<string>();
  return {
    missingModules,
    newVu(env, modules) {
      const context = vm.createContext({});
      vm.runInContext("delete globalThis.Intl;", context);
      const realmJson = vm.runInContext("JSON", context) as JSON;
      const toRealm = (value: unknown) =>
        value === undefined ? undefined : realmJson.parse(JSON.stringify(value));
      context.__ENV = toRealm(env);
      context.console = console;
      const table = modules(toRealm);
      const require = (name: string) => {
        if (!(name in table)) {
          missingModules.add(name);
          throw new MissingModuleError(`module "${name}" is not available in k6`);
        }
        return table[name];
      };
      const module = { exports: {} as Record<string, unknown> };
      const init = script.runInContext(context) as (
        exports: unknown,
        require: (name: string) => unknown,
        module: { exports: unknown },
      ) => void;
      init(module.exports, require, module);
      return { exports: module.exports, toRealm };
    },
  };
}
