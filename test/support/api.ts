// A small HTTP client for the app's API as users call it (fetch + function key).
export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface CallOptions {
  body?: unknown;
  /** Sent as is (not JSON-encoded). */
  rawBody?: string | Buffer;
  headers?: Record<string, string>;
  /** `false`: no function key. */
  key?: string | false;
}

export class ApiClient {
  constructor(
    readonly baseUrl: string,
    readonly functionKey: string,
  ) {}

  async call<T = any>(method: string, path: string, options: CallOptions = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    const key = options.key === undefined ? this.functionKey : options.key;
    if (key) headers['x-functions-key'] = key;
    let body: string | Buffer | undefined = options.rawBody;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const url = path.startsWith('http') ? path : `${this.baseUrl}${path}`;
    const response = await fetch(url, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    if ((response.headers.get('content-type') ?? '').includes('json') && text) parsed = JSON.parse(text);
    return { status: response.status, headers: response.headers, body: parsed as T, text };
  }

  get = <T = any>(path: string, options?: CallOptions) => this.call<T>('GET', path, options);
  put = <T = any>(path: string, body: unknown, options?: CallOptions) => this.call<T>('PUT', path, { ...options, body });
  patch = <T = any>(path: string, body: unknown, options?: CallOptions) => this.call<T>('PATCH', path, { ...options, body });
  post = <T = any>(path: string, options?: CallOptions) => this.call<T>('POST', path, options);
  delete = <T = any>(path: string, options?: CallOptions) => this.call<T>('DELETE', path, options);
}

/** A name no other test uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Asserts the Azure error shape: body.error.code/message and the x-ms-error-code header. */
export function errorCodeOf(response: ApiResponse): string {
  const body = response.body as { error?: { code?: unknown; message?: unknown } };
  if (typeof body?.error?.code !== 'string' || typeof body.error.message !== 'string') {
    throw new Error(`not an error body (${response.status}): ${response.text.slice(0, 200)}`);
  }
  if (response.headers.get('x-ms-error-code') !== body.error.code) {
    throw new Error(`x-ms-error-code ${response.headers.get('x-ms-error-code')} does not match ${body.error.code}`);
  }
  return body.error.code;
}

/** The `x-ms-client-principal` header App Service Authentication would send for a caller with `roles`. */
export function clientPrincipal(...roles: string[]): string {
  return Buffer.from(JSON.stringify({ auth_typ: 'aad', role_typ: 'roles', claims: roles.map((val) => ({ typ: 'roles', val })) })).toString('base64');
}
