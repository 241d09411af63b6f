// Shapes shared by the parts of the local Functions host: the worker (loads the app and runs
// invocations), the HTTP front end, and the trigger listeners (queue, timer). They mirror the
// Functions host <-> Node worker protocol.

/** The worker protocol's TypedData: exactly one member is set. */
export interface TypedData {
  string?: string;
  json?: string;
  bytes?: Uint8Array;
  stream?: Uint8Array;
  int?: number;
  double?: number;
  http?: RpcHttpData;
}

export interface RpcHttpData {
  method?: string;
  url?: string;
  nullableHeaders?: Record<string, { value?: string }>;
  nullableQuery?: Record<string, { value?: string }>;
  nullableParams?: Record<string, { value?: string }>;
  body?: TypedData;
  statusCode?: string;
  headers?: Record<string, string>;
  cookies?: unknown[];
  enableContentNegotiation?: boolean;
}

/** One binding as registered by the app's programming model (options spread + type + direction). */
export interface BindingInfo {
  type: string;
  direction: 'in' | 'out' | 'inout';
  [option: string]: unknown;
}

/** A function as the host indexes it after the app has loaded. */
export interface FunctionInfo {
  name: string;
  /** Keyed by binding name; the return binding's key is `$return`. */
  bindings: Record<string, BindingInfo>;
  /** The trigger binding's key and object (the binding whose type ends in "trigger"). */
  triggerKey: string;
  trigger: BindingInfo;
  retryOptions?: unknown;
}

export interface InvocationRequest {
  functionName: string;
  /** Shown in the "Executing 'Functions.<name>' (Reason='…')" log line. */
  reason: string;
  inputData: { name: string; data: TypedData }[];
  triggerMetadata?: Record<string, TypedData>;
  retryContext?: { retryCount: number; maxRetryCount: number; exception?: { message: string } };
}

export interface InvocationResult {
  invocationId: string;
  succeeded: boolean;
  /** Present when the invocation failed (hook, handler, getResponse or functionTimeout). */
  error?: { message: string };
  /** Only meaningful when the function has a `$return` binding. */
  returnValue?: TypedData;
  /** One entry per `out` binding other than `$return` whose value the app set. */
  outputData: { name: string; data: TypedData }[];
}

/** Runs one invocation in the worker and, on success, writes its output bindings. */
export type Invoke = (request: InvocationRequest) => Promise<InvocationResult>;

export type LogLevel = 'trace' | 'debug' | 'information' | 'warning' | 'error' | 'critical';

export interface HostLogger {
  /** `category` as the real host uses it: `Host.*`, `Function.<name>`, `Function.<name>.User`. */
  log(level: LogLevel, category: string, message: string): void;
}

/** App settings as the host sees them: environment (which wins) over local.settings.json Values. */
export interface AppSettings {
  get(name: string): string | undefined;
  /** Every setting whose name starts with `prefix` (used for identity-based `Name__key` sections). */
  withPrefix(prefix: string): Record<string, string>;
  /** Replaces every `%NAME%` with the setting's value; throws naming the setting when missing. */
  resolve(text: string): string;
}

/** What every trigger listener gets from the host. */
export interface HostContext {
  appDir: string;
  /** Folder for the host's own state (keys, timer status); `.local/host` under the app by default. */
  dataDir: string;
  settings: AppSettings;
  /** host.json after `AzureFunctionsJobHost__*` overrides. */
  hostJson: HostJson;
  invoke: Invoke;
  logger: HostLogger;
  /** Output bindings call this after writing to a queue so that a listener on it polls at once. */
  notifyQueueWrite(queueName: string): void;
}

export interface HostJson {
  version: string;
  functionTimeout?: string;
  logging?: { logLevel?: Record<string, string> };
  extensions?: {
    http?: { routePrefix?: string };
    queues?: {
      batchSize?: number;
      newBatchThreshold?: number;
      maxDequeueCount?: number;
      visibilityTimeout?: string;
      maxPollingInterval?: string;
      messageEncoding?: 'base64' | 'none';
    };
  };
  functions?: string[];
  [key: string]: unknown;
}

/** A non-HTTP trigger's listener, started after indexing and stopped (drained) at shutdown. */
export interface TriggerListener {
  start(): Promise<void>;
  /** Stops taking new work and waits for in-flight invocations; never deletes unfinished messages. */
  stop(): Promise<void>;
  /** `POST /admin/functions/{name}` with body `{ input }`: invoke once, as the real host does. */
  invokeFromAdmin(input: string): Promise<InvocationResult>;
  /**
   * Optional: the host's `notifyQueueWrite(queue)` should call this on every listener; a queue
   * listener watching that queue then polls at once instead of waiting out its back-off.
   */
  onQueueWrite?(queueName: string): void;
}
