// Reads infra/ as text (no Bicep compiler is needed) and reports what would make the deployed app
// fail or weaken its security: a setting the app's config schema requires that the Function App is
// not given, a role the app does not need, storage reachable with shared keys, the wrong Node.js
// runtime, parameters azd cannot map, and the secure defaults of the vault and the site.
// Every input is a value, so tests can hand it mutated texts or another schema.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ZodType } from 'zod';

export interface InfraTexts {
  /** Bicep files by path relative to infra/, with `/` separators (`main.bicep`, `app/api.bicep`). */
  bicep: Record<string, string>;
  /** infra/main.parameters.json */
  parameters: string;
}

export interface AllowedRole {
  id: string;
  name: string;
  /** Why the app (or the deployer) needs it. */
  why: string;
}

export interface InfraExpectations {
  /** The app's settings schema (src/platform/config.ts): what it requires is what infra must set. */
  configSchema: ZodType;
  /** Every built-in role definition id infra may assign. */
  allowedRoles: readonly AllowedRole[];
  /** Major version of the Node.js runtime the Function App must run. */
  nodeVersion: string;
}

export async function readInfra(infraDir: string): Promise<InfraTexts> {
  const bicep: Record<string, string> = {};
  const entries = await readdir(infraDir, { recursive: true, withFileTypes: true });
  for (const entry of entries) {
    if (!entry.isFile() || !entry.name.endsWith('.bicep')) continue;
    const file = path.join(entry.parentPath, entry.name);
    bicep[path.relative(infraDir, file).split(path.sep).join('/')] = await readFile(file, 'utf8');
  }
  return { bicep, parameters: await readFile(path.join(infraDir, 'main.parameters.json'), 'utf8') };
}

/** Every problem found, as a sentence naming the file and the setting, role or property; empty when none. */
export function checkInfra(texts: InfraTexts, expected: InfraExpectations): string[] {
  const files = Object.entries(texts.bicep).map(([name, text]) => ({ name, text, code: stripComments(text) }));
  const main = files.find((file) => file.name === 'main.bicep');
  if (!main) return ['infra/main.bicep is missing'];
  const resources = files.flatMap((file) => parseResources(file.code).map((resource) => ({ ...resource, file: file.name })));
  return [
    ...checkAppSettings(files, expected.configSchema),
    ...checkRoles(files, expected.allowedRoles),
    ...checkStorage(files, resources),
    ...checkRuntime(files, expected.nodeVersion),
    ...checkParameters(main.code, texts.parameters),
    ...checkVault(main.code, resources),
    ...checkSite(resources),
  ];
}

interface SourceFile {
  name: string;
  text: string;
  /** The text without comments (strings kept). */
  code: string;
}

interface Resource {
  file: string;
  symbol: string;
  /** Resource type without the API version, e.g. `Microsoft.Web/sites`. */
  type: string;
  existing: boolean;
  /** The declaration's object (or loop) body. */
  body: string;
}

const PLACEHOLDER = '<bicep expression>';

/**
 * (1) The Function App's unconditional settings (`var appSettings = { … }`) must satisfy the config
 * schema. Settings with a literal value are parsed as they are; those computed at deployment get a
 * placeholder, so only their presence counts. Whatever the schema then reports about a setting that
 * infra does not set is a setting the app requires and would be started without, including the
 * schema's own cross-checks (identity-based storage needs all three service URIs).
 */
function checkAppSettings(files: SourceFile[], schema: ZodType): string[] {
  const declarations = files.flatMap((file) => {
    const block = findBlock(file.code, /\bvar\s+appSettings\s*=\s*/g);
    return block === undefined ? [] : [{ file, block }];
  });
  if (declarations.length !== 1) return [`expected one \`var appSettings = { … }\` (the Function App's settings) in infra, found ${declarations.length}`];
  const [{ file, block }] = declarations as [{ file: SourceFile; block: string }];
  const problems: string[] = [];
  if (!/^\s*(properties|appSettings):\s*.*\bappSettings\b/m.test(file.code)) {
    problems.push(`${file.name}: \`var appSettings\` is not applied to the Function App (a config 'appsettings' resource or siteConfig.appSettings)`);
  }

  const settings = parseObjectEntries(block);
  const env = Object.fromEntries([...settings].map(([key, value]) => [key, literalString(value) ?? PLACEHOLDER]));
  const result = schema.safeParse(env);
  const reported = new Set<string>();
  for (const issue of result.success ? [] : result.error.issues) {
    const key = String(issue.path[0] ?? '');
    const value = settings.get(key);
    if (reported.has(key) || (value !== undefined && literalString(value) === undefined)) continue;
    reported.add(key);
    problems.push(
      value === undefined
        ? `${file.name}: app setting ${key} is required by the config schema (${issue.message}) but the Function App does not set it`
        : `${file.name}: app setting ${key}=${value} is rejected by the config schema: ${issue.message}`,
    );
  }
  if (settings.has('AzureWebJobsStorage'))
    problems.push(`${file.name}: app setting AzureWebJobsStorage is a connection string; use the identity-based AzureWebJobsStorage__* settings`);
  return problems;
}

const GUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;

/** (2) Every GUID in the Bicep code (role definition ids are the only ones) is an allowed role, and every allowed role is used. */
function checkRoles(files: SourceFile[], allowed: readonly AllowedRole[]): string[] {
  const allowedIds = new Map(allowed.map((role) => [role.id.toLowerCase(), role]));
  const problems: string[] = [];
  const used = new Set<string>();
  for (const file of files) {
    for (const match of file.code.matchAll(GUID)) {
      const id = match[0].toLowerCase();
      used.add(id);
      if (!allowedIds.has(id)) problems.push(`${file.name}: role definition ${id} is not on the allowed list (add it with the reason the app needs it, or remove it)`);
    }
  }
  for (const [id, role] of allowedIds) {
    if (!used.has(id)) problems.push(`allowed role ${role.name} (${id}) is not assigned anywhere in infra: remove it from the list`);
  }
  return problems;
}

/** (3) No storage account accepts shared keys, and nothing reads or builds a key. */
function checkStorage(files: SourceFile[], resources: Resource[]): string[] {
  const problems: string[] = [];
  const accounts = resources.filter((resource) => resource.type === 'Microsoft.Storage/storageAccounts' && !resource.existing);
  if (accounts.length === 0) problems.push('no storage account is declared in infra');
  for (const account of accounts) {
    const where = `${account.file}: storage account ${account.symbol}`;
    if (!/\ballowSharedKeyAccess:\s*false\b/.test(account.body)) problems.push(`${where} must set allowSharedKeyAccess: false`);
    if (!/\ballowBlobPublicAccess:\s*false\b/.test(account.body)) problems.push(`${where} must set allowBlobPublicAccess: false`);
    if (!/\bminimumTlsVersion:\s*'TLS1_2'/.test(account.body)) problems.push(`${where} must set minimumTlsVersion: 'TLS1_2'`);
  }
  for (const file of files) {
    if (/\ballowSharedKeyAccess:\s*true\b/.test(file.code)) problems.push(`${file.name}: allowSharedKeyAccess: true`);
    if (/\blistKeys\s*\(/i.test(file.code)) problems.push(`${file.name}: listKeys( reads a storage account key`);
    if (/\blistConnectionStrings\s*\(/i.test(file.code)) problems.push(`${file.name}: listConnectionStrings( reads a connection string with a key`);
    if (/AccountKey=/i.test(file.text)) problems.push(`${file.name}: contains AccountKey= (a connection string with a key)`);
  }
  return problems;
}

/** (4) The Function App's runtime is Node.js of the expected major version. */
function checkRuntime(files: SourceFile[], nodeVersion: string): string[] {
  const runtimes = files.flatMap((file) =>
    [...file.code.matchAll(/\bruntime:\s*\{([^{}]*)\}/g)].map((match) => ({
      file: file.name,
      name: /\bname:\s*'([^']*)'/.exec(match[1] ?? '')?.[1],
      version: /\bversion:\s*'([^']*)'/.exec(match[1] ?? '')?.[1],
    })),
  );
  if (runtimes.length === 0) return ["no Function App runtime (functionAppConfig.runtime: { name: 'node', version: '…' }) with literal values in infra"];
  return runtimes
    .filter((runtime) => runtime.name !== 'node' || runtime.version !== nodeVersion)
    .map((runtime) => `${runtime.file}: Function App runtime is ${runtime.name ?? '?'} ${runtime.version ?? '?'}, expected node ${nodeVersion}`);
}

/** (5) azd can map main.parameters.json onto main.bicep; plus the subscription scope and the environment name azd allows. */
function checkParameters(mainCode: string, parametersText: string): string[] {
  const problems: string[] = [];
  const params = parseParams(mainCode);
  let mapped: string[];
  try {
    mapped = Object.keys((JSON.parse(parametersText) as { parameters?: Record<string, unknown> }).parameters ?? {});
  } catch (error) {
    return [`main.parameters.json is not JSON: ${(error as Error).message}`];
  }
  for (const name of mapped) {
    if (!params.has(name)) problems.push(`main.parameters.json maps ${name}, which main.bicep does not declare`);
  }
  for (const [name, param] of params) {
    if (!param.hasDefault && !mapped.includes(name)) problems.push(`main.bicep parameter ${name} has no default and main.parameters.json does not map it`);
  }
  if (!/^\s*targetScope\s*=\s*'subscription'/m.test(mainCode)) problems.push("main.bicep must declare targetScope = 'subscription' (it creates the resource group)");
  const environmentName = params.get('environmentName');
  if (!environmentName) problems.push('main.bicep must declare param environmentName');
  else if (!/@maxLength\(\s*64\s*\)/.test(environmentName.decorators))
    problems.push('main.bicep: environmentName must allow 64 characters (@maxLength(64)), as azd environment names do');
  const location = params.get('location');
  if (!location || !/@allowed\(/.test(location.decorators)) problems.push('main.bicep: location must list the Flex Consumption regions (@allowed)');
  else if (!/azd:\s*\{\s*type:\s*'location'/.test(location.decorators)) problems.push("main.bicep: location needs @metadata({ azd: { type: 'location' } })");
  return problems;
}

/** Purge protection on by default, soft delete, RBAC, and every request audited to Log Analytics. */
function checkVault(mainCode: string, resources: Resource[]): string[] {
  const problems: string[] = [];
  if (!/^\s*param\s+enablePurgeProtection\s+bool\s*=\s*true\b/m.test(mainCode)) problems.push('main.bicep: param enablePurgeProtection must default to true');
  const vaults = resources.filter((resource) => resource.type === 'Microsoft.KeyVault/vaults' && !resource.existing);
  if (vaults.length === 0) problems.push('no Key Vault is declared in infra');
  for (const vault of vaults) {
    const where = `${vault.file}: Key Vault ${vault.symbol}`;
    if (!/\benablePurgeProtection:\s*enablePurgeProtection\b/.test(vault.body)) problems.push(`${where} must take enablePurgeProtection from the parameter`);
    if (!/\benableSoftDelete:\s*true\b/.test(vault.body)) problems.push(`${where} must set enableSoftDelete: true`);
    if (!/\benableRbacAuthorization:\s*true\b/.test(vault.body)) problems.push(`${where} must set enableRbacAuthorization: true`);
    const audited = resources.some(
      (resource) =>
        resource.type === 'Microsoft.Insights/diagnosticSettings' &&
        resource.file === vault.file &&
        new RegExp(`\\bscope:\\s*${vault.symbol}\\b`).test(resource.body) &&
        /\bcategory:\s*'AuditEvent'|\bcategoryGroup:\s*'(audit|allLogs)'/.test(resource.body),
    );
    if (!audited) problems.push(`${where} has no diagnostic setting sending AuditEvent logs to Log Analytics`);
  }
  return problems;
}

/** Flex Consumption, HTTPS only, TLS 1.2, and no FTP or SCM publishing with basic credentials. */
function checkSite(resources: Resource[]): string[] {
  const problems: string[] = [];
  const sites = resources.filter((resource) => resource.type === 'Microsoft.Web/sites' && !resource.existing);
  if (sites.length === 0) problems.push('no Function App (Microsoft.Web/sites) is declared in infra');
  for (const site of sites) {
    const where = `${site.file}: Function App ${site.symbol}`;
    if (!/\bhttpsOnly:\s*true\b/.test(site.body)) problems.push(`${where} must set httpsOnly: true`);
    if (!/\bminTlsVersion:\s*'1\.2'/.test(site.body)) problems.push(`${where} must set siteConfig.minTlsVersion: '1.2'`);
  }
  const plans = resources.filter((resource) => resource.type === 'Microsoft.Web/serverfarms' && !resource.existing);
  if (!plans.some((plan) => /\bname:\s*'FC1'/.test(plan.body))) problems.push("no Flex Consumption plan (sku name 'FC1') is declared in infra");
  const policies = resources.filter((resource) => resource.type === 'Microsoft.Web/sites/basicPublishingCredentialsPolicies');
  for (const name of ['ftp', 'scm']) {
    const off = policies.some((policy) => new RegExp(`\\bname:\\s*'${name}'`).test(policy.body) && /\ballow:\s*false\b/.test(policy.body));
    if (!off) problems.push(`basic publishing credentials are not turned off for ${name} (basicPublishingCredentialsPolicies '${name}' with allow: false)`);
  }
  return problems;
}

interface Param {
  hasDefault: boolean;
  /** The decorators written above the declaration. */
  decorators: string;
}

function parseParams(code: string): Map<string, Param> {
  const params = new Map<string, Param>();
  let previousEnd = 0;
  for (const match of code.matchAll(/^[ \t]*param\s+(\w+)\s+[^\s=]+[ \t]*(=)?/gm)) {
    const before = code.slice(previousEnd, match.index);
    const firstDecorator = before.search(/^[ \t]*@/m);
    params.set(match[1] as string, { hasDefault: match[2] === '=', decorators: firstDecorator < 0 ? '' : before.slice(firstDecorator) });
    previousEnd = (match.index ?? 0) + match[0].length;
  }
  return params;
}

function parseResources(code: string): Omit<Resource, 'file'>[] {
  const resources: Omit<Resource, 'file'>[] = [];
  const declaration = /\bresource\s+(\w+)\s+'([^'@]+)@[^']*'\s*(existing\s*)?=\s*/g;
  for (let match = declaration.exec(code); match; match = declaration.exec(code)) {
    let at = declaration.lastIndex;
    if (code.startsWith('if', at)) at = skipBalanced(code, code.indexOf('(', at));
    const open = code.slice(at).search(/[[{]/);
    if (open < 0) continue;
    const start = at + open;
    resources.push({ symbol: match[1] as string, type: match[2] as string, existing: Boolean(match[3]), body: code.slice(start, skipBalanced(code, start)) });
  }
  return resources;
}

/** The `{ … }` that follows the first match of `prefix`, or undefined. */
function findBlock(code: string, prefix: RegExp): string | undefined {
  const match = prefix.exec(code);
  if (!match || code[prefix.lastIndex] !== '{') return undefined;
  return code.slice(prefix.lastIndex, skipBalanced(code, prefix.lastIndex));
}

/** Top-level `key: value` entries of a multi-line object literal. */
function parseObjectEntries(block: string): Map<string, string> {
  const entries = new Map<string, string>();
  const inner = block.slice(1, -1);
  let depth = 0;
  let line = '';
  const flush = () => {
    const entry = /^\s*('(?:[^'\\]|\\.)*'|[A-Za-z_]\w*)\s*:\s*([\s\S]*?)\s*$/.exec(line);
    if (entry) entries.set((entry[1] as string).replace(/^'|'$/g, ''), entry[2] as string);
    line = '';
  };
  for (let i = 0; i < inner.length; i++) {
    const char = inner[i] as string;
    if (char === "'") {
      const end = skipString(inner, i);
      line += inner.slice(i, end);
      i = end - 1;
      continue;
    }
    if ('{[('.includes(char)) depth++;
    if ('}])'.includes(char)) depth--;
    if ((char === '\n' || char === ',') && depth === 0) flush();
    else line += char;
  }
  flush();
  return entries;
}

/** The value of a plain single-quoted Bicep string (no interpolation), or undefined for an expression. */
function literalString(value: string): string | undefined {
  const match = /^'((?:[^'\\$]|\\.|\$(?!\{))*)'$/.exec(value.trim());
  return match ? (match[1] as string).replace(/\\(.)/g, '$1') : undefined;
}

/** Index just past the bracket that closes the one at `open` (strings skipped). */
function skipBalanced(code: string, open: number): number {
  let depth = 0;
  for (let i = open; i < code.length; i++) {
    const char = code[i] as string;
    if (char === "'") {
      i = skipString(code, i) - 1;
      continue;
    }
    if ('{[('.includes(char)) depth++;
    if ('}])'.includes(char) && --depth === 0) return i + 1;
  }
  return code.length;
}

/** Index just past the string that starts at `quote` (a `'…'` string with `\` escapes and `${…}` interpolations, or `'''…'''`). */
function skipString(code: string, quote: number): number {
  if (code.startsWith("'''", quote)) {
    const end = code.indexOf("'''", quote + 3);
    return end < 0 ? code.length : end + 3;
  }
  for (let i = quote + 1; i < code.length; i++) {
    if (code[i] === '\\') i++;
    else if (code.startsWith('${', i)) i = skipBalanced(code, i + 1) - 1;
    else if (code[i] === "'") return i + 1;
  }
  return code.length;
}

/** Bicep without `//` and `/* … *\/` comments; strings (which may contain `//`, as URLs do) are kept. */
function stripComments(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "'") {
      const end = skipString(text, i);
      out += text.slice(i, end);
      i = end - 1;
    } else if (text.startsWith('//', i)) {
      const end = text.indexOf('\n', i);
      i = (end < 0 ? text.length : end) - 1;
    } else if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2);
      i = (end < 0 ? text.length : end + 2) - 1;
    } else {
      out += text[i];
    }
  }
  return out;
}
