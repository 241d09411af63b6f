// The `@azure/functions-core` module the real Node worker injects at runtime. The app's copy of
// `@azure/functions` requires it lazily and caches the outcome, so it must be installed before
// anything touches the library.
import Module from 'node:module';
import type { RegisteredFunction } from './protocol.js';
import type { LogLevel } from '../contracts.js';

export type HookName = 'appStart' | 'preInvocation' | 'postInvocation' | 'appTerminate' | 'log';
const HOOK_NAMES: readonly HookName[] = ['appStart', 'preInvocation', 'postInvocation', 'appTerminate', 'log'];

export type HookCallback = (context: unknown) => unknown;
export type FunctionCallback = (...args: unknown[]) => unknown;

/** The library's programming model (`@azure/functions` calls `setProgrammingModel` with it). */
export interface ProgrammingModel {
  name: string;
  version: string;
  getInvocationModel(coreCtx: unknown): InvocationModel;
  getCapabilities(capabilities: Record<string, string>): Promise<Record<string, string>>;
}

export interface InvocationModel {
  getArguments(): Promise<{ context: unknown; inputs: unknown[] }>;
  invokeFunction(context: unknown, inputs: unknown[], handler: FunctionCallback): Promise<unknown>;
  getResponse(context: unknown, result: unknown): Promise<{ returnValue?: unknown; outputData?: unknown[] }>;
}

export interface RegisteredEntry {
  metadata: RegisteredFunction;
  callback: FunctionCallback;
}

/** Everything the app registered through the core module. */
export class CoreRegistry {
  readonly functions = new Map<string, RegisteredEntry>();
  readonly hooks: Record<HookName, HookCallback[]> = {
    appStart: [],
    preInvocation: [],
    postInvocation: [],
    appTerminate: [],
    log: [],
  };
  programmingModel: ProgrammingModel | undefined;
  /** Set after app start-up: registration is over. */
  locked = false;
}

class Disposable {
  #callOnDispose: (() => unknown) | undefined;
  constructor(callOnDispose: () => unknown) {
    this.#callOnDispose = callOnDispose;
  }
  static from(...items: { dispose(): unknown }[]): Disposable {
    return new Disposable(() => {
      for (const item of items) item.dispose();
    });
  }
  dispose(): void {
    const fn = this.#callOnDispose;
    this.#callOnDispose = undefined;
    fn?.();
  }
}

class SystemError extends RangeError {
  readonly isAzureFunctionsSystemError = true;
}

export function createCoreModule(registry: CoreRegistry, systemLog: (level: LogLevel, category: string, message: string) => void): Record<string, unknown> {
  return {
    version: '3.10.1',
    hostVersion: '4.1037.0.0',
    Disposable,
    registerFunction(metadata: RegisteredFunction & { functionId?: string }, callback: FunctionCallback) {
      if (registry.locked) throw new Error('A function can only be registered during app startup.');
      const id = metadata.functionId ?? metadata.name;
      if (registry.functions.has(id)) {
        throw new Error(`A function with the name '${id}' has already been registered.`);
      }
      registry.functions.set(id, { metadata, callback });
      return new Disposable(() => {
        if (registry.locked) throw new Error('A function can only be disposed during app startup.');
        registry.functions.delete(id);
      });
    },
    registerHook(name: string, callback: HookCallback) {
      if (!HOOK_NAMES.includes(name as HookName)) {
        throw new SystemError(`Invalid hook name: ${name}`);
      }
      const list = registry.hooks[name as HookName];
      list.push(callback);
      return new Disposable(() => {
        const index = list.indexOf(callback);
        if (index >= 0) list.splice(index, 1);
      });
    },
    setProgrammingModel(model: ProgrammingModel) {
      registry.programmingModel = model;
    },
    getProgrammingModel() {
      return registry.programmingModel;
    },
    log(level: LogLevel, category: string, message: string) {
      systemLog(level, category, message);
    },
  };
}

const CORE_MODULE_ID = '@azure/functions-core';

/** Answers `require('@azure/functions-core')` with `core`, as the real worker does. */
export function installCoreModule(core: Record<string, unknown>): void {
  const proto = Module.prototype as unknown as { require: (id: string) => unknown };
  proto.require = new Proxy(proto.require, {
    apply(target, thisArg, args: [string]) {
      if (args[0] === CORE_MODULE_ID) return core;
      return Reflect.apply(target, thisArg, args);
    },
  });
}
