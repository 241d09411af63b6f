import * as z from 'zod';

const booleanSetting = z
  .enum(['true', 'false', '1', '0', 'True', 'False'])
  .optional()
  .transform((value) => value === 'true' || value === 'True' || value === '1');

const httpsUrl = z.url({ protocol: /^https$/, error: 'must be an https:// URL' });

/** Azure Storage names: 3-63 lower-case letters, digits and single hyphens. */
const queueName = z.string().regex(/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/, 'must be a valid queue name');
const tableName = z.string().regex(/^[A-Za-z][A-Za-z0-9]{2,62}$/, 'must be a valid table name');

/** The vault `KEYVAULT_URL` names: today's routes (without `/vaults/{vault}`) address it. */
export const DEFAULT_VAULT = 'default';
/** Where a vault's routes start below the API root: `/vaults/{alias}`, nothing for the default vault. */
export const vaultPathPrefix = (alias: string | undefined) => (alias && alias !== DEFAULT_VAULT ? `/vaults/${alias}` : '');
/** ROTATION_CONCURRENCY when unset: the most rotations a run has in flight. */
export const DEFAULT_ROTATION_CONCURRENCY = 64;
/** A vault's host as a blob-name-safe slug: names the storage a vault's runs keep (lease, inventory). */
export const vaultHostSlug = (vaultUrl: string) => new URL(vaultUrl).host.toLowerCase().replace(/[^a-z0-9.-]/g, '-');

/** A vault alias: 1–24 lower-case letters, digits and hyphens. */
export const VAULT_ALIAS = /^[a-z0-9](?:[a-z0-9-]{0,22}[a-z0-9])?$/;

/**
 * `KEYVAULTS`: more vaults by alias, `alias=https://….vault.azure.net` pairs separated by commas.
 * Aliases are 1–24 lower-case letters, digits and hyphens; `default` is KEYVAULT_URL's.
 */
const vaultList = z
  .string()
  .optional()
  .transform((text, ctx) => {
    const vaults: Record<string, string> = {};
    for (const entry of (text ?? '')
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean)) {
      const [alias = '', url = ''] = entry.split(/=(.*)/s, 2).map((part) => part.trim());
      const problem = !VAULT_ALIAS.test(alias)
        ? `has an invalid alias '${alias.slice(0, 30)}': use 1-24 lower-case letters, digits and hyphens`
        : alias === DEFAULT_VAULT
          ? `cannot name a vault '${DEFAULT_VAULT}': that is KEYVAULT_URL's`
          : vaults[alias]
            ? `names vault '${alias}' twice`
            : !URL.canParse(url) || new URL(url).protocol !== 'https:'
              ? `must give vault '${alias}' an https:// URL (alias=https://name.vault.azure.net)`
              : undefined;
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
      else vaults[alias] = url.replace(/\/+$/, '');
    }
    return vaults;
  });

/**
 * Every app setting the app reads. Parsed once from the environment (app settings in Azure,
 * local.settings.json `Values` locally); a missing or invalid setting fails naming it.
 */
export const configSchema = z
  .object({
    KEYVAULT_URL: httpsUrl,
    KEYVAULTS: vaultList,
    AZURE_CLIENT_ID: z.uuid({ error: 'must be the client id (a GUID) of a user-assigned identity' }).optional(),
    /** `managedidentity` (default) or `developer` (DefaultAzureCredential: az login, env, …) as an explicit opt-in. */
    AZURE_CREDENTIAL: z.enum(['managedidentity', 'developer']).default('managedidentity'),
    AzureWebJobsStorage: z.string().min(1).optional(),
    AzureWebJobsStorage__queueServiceUri: z.url().optional(),
    AzureWebJobsStorage__tableServiceUri: z.url().optional(),
    AzureWebJobsStorage__blobServiceUri: z.url().optional(),
    AzureWebJobsStorage__credential: z.literal('managedidentity').optional(),
    AzureWebJobsStorage__clientId: z.uuid().optional(),
    // Required: the queue triggers' bindings read it as %JOBS_QUEUE% from the app settings.
    JOBS_QUEUE: queueName,
    EVENTS_QUEUE: queueName.default('vault-events'),
    OPERATIONS_TABLE: tableName.default('operations'),
    // Required: the timer binding reads it as %ROTATION_SCHEDULE%.
    ROTATION_SCHEDULE: z.string().min(1),
    /** The most secrets a rotation run rotates at once; below it, the run follows the vault's 429s. */
    ROTATION_CONCURRENCY: z.coerce.number({ error: 'must be a whole number from 1 to 256' }).int().min(1).max(256).default(DEFAULT_ROTATION_CONCURRENCY),
    // GET /api/inventory?refresh=true rebuilds a vault's inventory at most this often.
    INVENTORY_REFRESH_SECONDS: z.coerce.number({ error: 'must be a whole number of seconds from 0 to 86400' }).int().min(0).max(86_400).default(60),
    /** How long one worker invocation polls Key Vault before handing the job over to a new message. */
    JOB_POLL_BUDGET_SECONDS: z.coerce.number({ error: 'must be a whole number of seconds from 1 to 240' }).int().min(1).max(240).default(20),
    /** Optional: told (name and versions, never the value) before each rotated value is written. */
    ROTATION_WEBHOOK_URL: z.url({ protocol: /^https?$/ }).optional(),
    /** Roles from the signed-in principal App Service Authentication passes on (requires it to be on). */
    AUTH_ROLES: booleanSetting,
    /** Without AUTH_ROLES, purge is refused unless this is on (with AUTH_ROLES, Vault.Admin decides). */
    ALLOW_PURGE: booleanSetting,
    /** Where callers reach the app (e.g. a custom domain): the origin of every URL the API returns. */
    PUBLIC_BASE_URL: z.url({ protocol: /^https?$/, error: 'must be an absolute https:// URL' }).optional(),
    /** Set by App Service (and Core Tools locally): the app's default host name, with a port locally. */
    WEBSITE_HOSTNAME: z
      .string()
      .regex(/^[A-Za-z0-9.-]+(:\d{1,5})?$/, 'must be a host name with an optional port')
      .optional(),
    /** Set by App Service when App Service Authentication is on. */
    WEBSITE_AUTH_ENABLED: booleanSetting,
    /** Telemetry to Azure Monitor (Application Insights) with the OpenTelemetry distro; set by infra/. */
    APPLICATIONINSIGHTS_CONNECTION_STRING: z
      .string()
      .regex(/InstrumentationKey=/i, 'must be an Application Insights connection string')
      .optional(),
    /** `Authorization=AAD` (and `ClientId=<guid>` for a user-assigned identity): Entra authentication for telemetry, as infra/ sets it. */
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: z.string().optional(),
    /** Telemetry to any OTLP/HTTP endpoint (traces and metrics), when Application Insights is not configured. */
    OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ protocol: /^https?$/, error: 'must be an http(s):// URL' }).optional(),
    /** How often metrics are exported (milliseconds; default 60000). */
    OTEL_METRIC_EXPORT_INTERVAL: z.coerce.number({ error: 'must be a whole number of milliseconds' }).int().min(100).optional(),
    /** Set by the local stack only: the vault is the local emulator served under a name without a domain. */
    KEYVAULT_LOCAL: booleanSetting,
  })
  // Runs even when other settings are invalid, so that one start-up error lists every problem.
  .superRefine(
    (settings, ctx) => {
      const identityBased = settings.AzureWebJobsStorage__queueServiceUri !== undefined;
      if (!settings.AzureWebJobsStorage && !identityBased) {
        ctx.addIssue({
          code: 'custom',
          path: ['AzureWebJobsStorage'],
          message: 'is required: set a connection string, or the identity-based settings ' + 'AzureWebJobsStorage__queueServiceUri, __tableServiceUri and __blobServiceUri',
        });
      }
      // Only App Service Authentication may set x-ms-client-principal: without it a caller could forge it.
      if (settings.AUTH_ROLES && !settings.WEBSITE_AUTH_ENABLED && !settings.KEYVAULT_LOCAL) {
        ctx.addIssue({
          code: 'custom',
          path: ['AUTH_ROLES'],
          message: 'requires App Service Authentication (WEBSITE_AUTH_ENABLED=true): without it the principal header can be forged',
        });
      }
      // Told about every rotation: only over TLS, except to a receiver on the local stack.
      if (settings.ROTATION_WEBHOOK_URL?.startsWith('http:') && !settings.KEYVAULT_LOCAL) {
        ctx.addIssue({ code: 'custom', path: ['ROTATION_WEBHOOK_URL'], message: 'must be an https:// URL' });
      }
      // The origin of the links the API returns: only over TLS, except on the local stack.
      if (settings.PUBLIC_BASE_URL !== undefined) {
        const url = URL.canParse(settings.PUBLIC_BASE_URL) ? new URL(settings.PUBLIC_BASE_URL) : undefined;
        if (url && url.protocol === 'http:' && !settings.KEYVAULT_LOCAL) {
          ctx.addIssue({ code: 'custom', path: ['PUBLIC_BASE_URL'], message: 'must be an absolute https:// URL' });
        } else if (url && (url.search || url.hash || url.username || url.password)) {
          ctx.addIssue({ code: 'custom', path: ['PUBLIC_BASE_URL'], message: 'must have no query, fragment or credentials' });
        }
      }
      if (identityBased) {
        for (const key of ['AzureWebJobsStorage__tableServiceUri', 'AzureWebJobsStorage__blobServiceUri'] as const) {
          if (!settings[key]) ctx.addIssue({ code: 'custom', path: [key], message: 'is required with identity-based storage' });
        }
      }
    },
    { when: () => true },
  );

export type AppConfig = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid app settings: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

/** Parses settings; the error names every offending setting (never its value). */
export function parseConfig(env: Record<string, string | undefined>): AppConfig {
  // An empty app setting means "not set", as in the Azure portal and local.settings.json.
  const settings = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const result = configSchema.safeParse(settings);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const setting = issue.path.join('.') || 'settings';
    const message = settings[setting] === undefined && issue.code === 'invalid_type' ? 'is required' : issue.message;
    return `${setting} ${message}`;
  });
  throw new ConfigError(problems);
}

let cached: AppConfig | undefined;

/** The app's configuration, validated once per process. */
export function getConfig(): AppConfig {
  cached ??= parseConfig(process.env);
  return cached;
}

/** Every vault the app manages, by alias: `default` (KEYVAULT_URL) first, then KEYVAULTS. */
export function configuredVaults(config: Pick<AppConfig, 'KEYVAULT_URL' | 'KEYVAULTS'>): Record<string, string> {
  return { [DEFAULT_VAULT]: config.KEYVAULT_URL, ...config.KEYVAULTS };
}
