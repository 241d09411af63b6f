// Reads infra/ as text (no Bicep compiler is needed) and reports what would make the deployed app
// fail or weaken its security: a setting the app's config schema requires that the Function App is
// not given, a role the app does not need, storage reachable with shared keys, the wrong Node.js
// runtime, parameters azd cannot map, the secure defaults of the vault and the site, and existing
// vaults (additionalVaults) that would not get the created vault's roles or a valid KEYVAULTS.
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
  /** The app's rule for a vault alias (VAULT_ALIAS in src/platform/config.ts). */
  vaultAlias: RegExp;
  /** The alias of the vault KEYVAULT_URL names (the one infra creates), which no other vault may take. */
  defaultVault: string;
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
    ...checkExistingVaults(files, main, expected),
    ...checkVaultsSetting(files, main, expected.configSchema),
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
  problems.push(...checkStructuredMappings(params, parametersText));
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

/**
 * (6) Existing vaults (main.bicep's additionalVaults): a module deployed to each vault's resource
 * group gives the app identity the same roles on that vault as on the vault infra creates, each
 * assigned on the vault (not its resource group) under a name that is the same on every deployment.
 * By convention the app identity's principal id is the `appPrincipalId` parameter of every module
 * that assigns it roles.
 */
function checkExistingVaults(files: SourceFile[], main: SourceFile, expected: InfraExpectations): string[] {
  const param = parseParams(main.code).get('additionalVaults');
  if (!param) return ['main.bicep must declare param additionalVaults (existing vaults the app also manages)'];
  const problems = checkAliasRule(main.code, param, expected);
  if (!/^[ \t]*param\s+additionalVaults\s+\S+\s*=\s*\[\s*\]/m.test(main.code)) problems.push('main.bicep: param additionalVaults must default to [] (no existing vault)');

  const modules = parseModules(main.code);
  const perVault = modules.filter((module) => module.loopsOver === 'additionalVaults');
  if (perVault.length === 0) return [...problems, "main.bicep: no module is deployed for each entry of additionalVaults (the app identity's roles on that vault)"];
  const perVaultFiles = new Set(perVault.map((module) => module.file));
  const created = files.filter((file) => !perVaultFiles.has(file.name)).flatMap((file) => appRolesOnVaults(file).filter((assignment) => assignment.onVault));
  if (created.length === 0) return [...problems, 'no role assignment gives the app identity (appPrincipalId) a role on the vault infra creates'];
  const createdFiles = [...new Set(created.map((assignment) => assignment.file))];
  const appPrincipal = modules.find((module) => createdFiles.includes(module.file))?.params.get('appPrincipalId');
  const reference = { roles: new Set(created.flatMap((assignment) => assignment.roleIds)), files: createdFiles.join(', ') };

  for (const module of perVault) {
    const where = `main.bicep: module ${module.symbol}`;
    if (!/^\s*scope:\s*resourceGroup\(/m.test(module.body)) problems.push(`${where} must be deployed to each vault's resource group (scope: resourceGroup(…))`);
    if (appPrincipal !== undefined && module.params.get('appPrincipalId') !== appPrincipal)
      problems.push(`${where} must pass appPrincipalId: ${appPrincipal}, the app identity`);
    const file = files.find((candidate) => candidate.name === module.file);
    if (file) problems.push(...checkExistingVaultRoles(file, reference, expected.allowedRoles));
    else problems.push(`${where} deploys ${module.file}, which is not in infra/`);
  }
  return problems;
}

function checkExistingVaultRoles(file: SourceFile, reference: { roles: Set<string>; files: string }, allowed: readonly AllowedRole[]): string[] {
  const problems = parseResources(file.code)
    .filter((resource) => resource.type === 'Microsoft.KeyVault/vaults' && !resource.existing)
    .map((vault) => `${file.name}: Key Vault ${vault.symbol} must be declared existing: an existing vault is given roles, never created or changed`);
  const assignments = appRolesOnVaults(file);
  if (assignments.length === 0) problems.push(`${file.name}: gives the app identity (appPrincipalId) no role`);
  for (const assignment of assignments) {
    const where = `${file.name}: role assignment ${assignment.symbol}`;
    if (!assignment.onVault) {
      problems.push(`${where} is not scoped to the vault (scope: <the existing vault>), so it would apply to the whole resource group`);
      continue;
    }
    const name = new RegExp(`^guid\\(\\s*${assignment.scope}\\.id\\s*,\\s*appPrincipalId\\s*,\\s*${escapeRegExp(assignment.roleExpression ?? '')}\\s*\\)$`);
    if (!name.test(assignment.name ?? '')) {
      problems.push(
        `${where} must be named guid(${assignment.scope}.id, appPrincipalId, ${assignment.roleExpression ?? 'role'}): one name per vault, identity and role, the same on every deployment`,
      );
    }
  }
  const roles = new Set(assignments.flatMap((assignment) => assignment.roleIds));
  const names = new Map(allowed.map((role) => [role.id.toLowerCase(), role.name]));
  const describe = (ids: string[]) => ids.map((id) => `${names.get(id) ?? 'role'} (${id})`).join(', ');
  const missing = [...reference.roles].filter((id) => !roles.has(id));
  const extra = [...roles].filter((id) => !reference.roles.has(id));
  if (missing.length > 0)
    problems.push(`${file.name}: the app identity lacks ${describe(missing)} on an existing vault, which it has on the created vault (${reference.files})`);
  if (extra.length > 0)
    problems.push(`${file.name}: the app identity gets ${describe(extra)} on an existing vault, which it does not get on the created vault (${reference.files})`);
  return problems;
}

/** The alias property of additionalVaults' entry type allows what the app's alias rule allows, and its description states the rule. */
function checkAliasRule(code: string, param: Param, expected: InfraExpectations): string[] {
  const typeName = /^(\w+)\[\]$/.exec(param.type)?.[1];
  const block = typeName === undefined ? undefined : findBlock(code, new RegExp(`^[ \\t]*type\\s+${typeName}\\s*=\\s*`, 'gm'));
  if (block === undefined) return ['main.bicep: additionalVaults must be an array of a declared object type (type … = { alias: string, … }), so that Bicep checks each entry'];
  const alias = typeProperties(block).get('alias');
  if (alias === undefined) return [`main.bicep: type ${typeName} has no alias property`];
  const problems: string[] = [];
  const lengths = Array.from({ length: 64 }, (_, i) => i + 1).filter((length) => expected.vaultAlias.test('a'.repeat(length)));
  const [min, max] = [Math.min(...lengths), Math.max(...lengths)];
  if (!new RegExp(`@minLength\\(\\s*${min}\\s*\\)`).test(alias) || !new RegExp(`@maxLength\\(\\s*${max}\\s*\\)`).test(alias)) {
    problems.push(`main.bicep: ${typeName}.alias must have @minLength(${min}) and @maxLength(${max}), the lengths the app's alias rule allows`);
  }
  const description = literalString(/@description\(\s*('(?:[^'\\]|\\.)*')\s*\)/.exec(alias)?.[1] ?? '');
  if (!description?.includes(expected.vaultAlias.source) || !new RegExp(`\\b${expected.defaultVault}\\b`).test(description)) {
    problems.push(
      `main.bicep: the @description of ${typeName}.alias must state the app's alias rule (${expected.vaultAlias.source}) and that ${expected.defaultVault} is taken`,
    );
  }
  return problems;
}

const SAMPLE_VAULTS = [
  { alias: 'payments', name: 'kv-payments' },
  { alias: 'hr-eu', name: 'kv-hr-eu' },
];

/**
 * (7) KEYVAULTS, the existing vaults' alias=URL pairs, is added to the Function App's settings only
 * when there are existing vaults, and what it would be for two sample vaults passes the config
 * schema's KEYVAULTS and gives the app exactly those vaults at their URLs.
 */
function checkVaultsSetting(files: SourceFile[], main: SourceFile, schema: ZodType): string[] {
  const file = files.find((candidate) => /\bvar\s+appSettings\s*=/.test(candidate.code));
  if (!file) return [];
  const where = `${file.name}: app setting KEYVAULTS`;
  const settings = findBlock(file.code, /\bvar\s+appSettings\s*=\s*/g);
  if (settings !== undefined && parseObjectEntries(settings).has('KEYVAULTS')) return [`${where} must be set only when there are existing vaults, not in var appSettings`];
  const applied =
    /^\s*properties:\s*union\(([^)]*)\)/m
      .exec(file.code)?.[1]
      ?.split(',')
      .map((name) => name.trim()) ?? [];
  const conditional = [...file.code.matchAll(/\bvar\s+(\w+)\s*=\s*empty\(\s*(\w+)\s*\)\s*\?\s*\{\s*\}\s*:\s*\{\s*KEYVAULTS:\s*([^}]+?)\s*\}/g)].find((match) =>
    applied.includes(match[1] as string),
  );
  if (!conditional) return [`${where} is not set (expected var … = empty(<existing vaults>) ? {} : { KEYVAULTS: … }, applied in the settings' union)`];
  const [list, expression] = [conditional[2] as string, conditional[3] as string];
  const problems: string[] = [];
  const module = parseModules(main.code).find((candidate) => candidate.file === file.name);
  if (module?.params.get(list) !== 'additionalVaults') problems.push(`main.bicep: module ${module?.symbol ?? file.name} must pass ${list}: additionalVaults`);

  const value = /^\w+$/.test(expression) ? new RegExp(`^[ \\t]*var\\s+${expression}\\s*=\\s*(.+?)\\s*$`, 'm').exec(file.code)?.[1] : expression;
  const joined = /^join\(\s*map\(\s*(\w+)\s*,\s*(\w+)\s*=>\s*('(?:[^'\\]|\\.)*')\s*\)\s*,\s*('(?:[^'\\]|\\.)*')\s*\)$/.exec(value ?? '');
  const separator = literalString(joined?.[4] ?? '');
  if (!joined || joined[1] !== list || separator === undefined)
    return [...problems, `${where} must be join(map(${list}, vault => '<alias>=<URL>'), '<separator>'), found ${value ?? expression}`];
  const pairs = SAMPLE_VAULTS.map((vault) => renderTemplate(joined[3] as string, joined[2] as string, vault, file.code));
  const unknown = pairs.find((pair): pair is { unknown: string } => typeof pair === 'object');
  if (unknown) return [...problems, `${where}: cannot work out \${${unknown.unknown}} in ${joined[3]}`];
  const text = pairs.join(separator);

  const setting = (schema as { shape?: Record<string, ZodType> }).shape?.KEYVAULTS;
  if (!setting) return [...problems, `${where} is set, but the config schema has no KEYVAULTS`];
  const result = setting.safeParse(text);
  if (!result.success)
    return [...problems, `${where}=${text} (two sample vaults) is rejected by the config schema: ${result.error.issues.map((issue) => issue.message).join('; ')}`];
  const got = Object.fromEntries(Object.entries(result.data as Record<string, string>).map(([alias, url]) => [alias, new URL(url).href]));
  const want = Object.fromEntries(SAMPLE_VAULTS.map((vault) => [vault.alias, `https://${vault.name}.vault.azure.net/`]));
  if (JSON.stringify(got) !== JSON.stringify(want)) problems.push(`${where}=${text} (two sample vaults) gives the app ${JSON.stringify(got)}, not ${JSON.stringify(want)}`);
  return problems;
}

/** A `'…${item.alias}…'` template for one vault; `{ unknown }` names an interpolation it cannot work out. */
function renderTemplate(template: string, item: string, vault: Record<string, string>, code: string): string | { unknown: string } {
  const evaluate = (expression: string): string | undefined => {
    const member = new RegExp(`^${item}\\.\\??(\\w+)$`).exec(expression)?.[1];
    if (member !== undefined) return vault[member];
    if (/^(az\.)?environment\(\)\.suffixes\.keyvaultDns$/.test(expression)) return '.vault.azure.net';
    const variable = /^\w+$/.test(expression) ? new RegExp(`^[ \\t]*var\\s+${expression}\\s*=\\s*(.+?)\\s*$`, 'm').exec(code)?.[1] : undefined;
    return variable === undefined ? undefined : (literalString(variable) ?? evaluate(variable));
  };
  const body = template.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    if (body[i] === '\\') {
      out += body[++i] ?? '';
    } else if (body.startsWith('${', i)) {
      const end = body.indexOf('}', i);
      const expression = body.slice(i + 2, end).trim();
      const value = evaluate(expression);
      if (value === undefined) return { unknown: expression };
      out += value;
      i = end;
    } else {
      out += body[i];
    }
  }
  return out;
}

/** A module declaration in main.bicep. */
interface Module {
  symbol: string;
  /** The Bicep file it deploys, relative to infra/ (`app/api.bicep`). */
  file: string;
  /** What a `[for … in <collection>: …]` module loops over. */
  loopsOver?: string;
  body: string;
  /** Its `params: { … }` entries, as written. */
  params: Map<string, string>;
}

function parseModules(code: string): Module[] {
  const modules: Module[] = [];
  const declaration = /\bmodule\s+(\w+)\s+'([^']+)'\s*=\s*/g;
  for (let match = declaration.exec(code); match; match = declaration.exec(code)) {
    const start = declaration.lastIndex;
    if (!'[{'.includes(code[start] ?? '')) continue;
    const body = code.slice(start, skipBalanced(code, start));
    const params = findBlock(body, /\bparams:\s*/g);
    modules.push({
      symbol: match[1] as string,
      file: path.posix.normalize(match[2] as string),
      loopsOver: /^\[\s*for\s+(?:\w+|\(\s*\w+\s*,\s*\w+\s*\))\s+in\s+(\w+)\s*:/.exec(body)?.[1],
      body,
      params: params === undefined ? new Map() : parseObjectEntries(params),
    });
  }
  return modules;
}

interface RoleAssignment {
  file: string;
  symbol: string;
  /** The symbol `scope:` names, if it names one. */
  scope?: string;
  /** Whether that symbol is a Key Vault of the same file. */
  onVault: boolean;
  /** Its `name:` expression. */
  name?: string;
  /** The role inside subscriptionResourceId(…): a loop variable, `roles.x` or an id. */
  roleExpression?: string;
  /** The role definition ids it assigns (one per loop item when it loops). */
  roleIds: string[];
}

/** The role assignments that give the app identity (`principalId: appPrincipalId`) a role, in one file. */
function appRolesOnVaults(file: SourceFile): RoleAssignment[] {
  const resources = parseResources(file.code);
  const vaults = new Set(resources.filter((resource) => resource.type === 'Microsoft.KeyVault/vaults').map((resource) => resource.symbol));
  return resources
    .filter((resource) => resource.type === 'Microsoft.Authorization/roleAssignments' && /\bprincipalId:\s*appPrincipalId\s*$/m.test(resource.body))
    .map((resource) => {
      const loop = /^\[\s*for\s+(\w+)\s+in\s+(\w+)\s*:/.exec(resource.body);
      const roleExpression = /\broleDefinitionId:\s*subscriptionResourceId\(\s*'Microsoft\.Authorization\/roleDefinitions'\s*,\s*([^)]+?)\s*\)/.exec(resource.body)?.[1];
      const roleIds =
        roleExpression === undefined ? [] : loop && roleExpression === loop[1] ? resolveRoleList(file.code, loop[2] as string) : [resolveRole(file.code, roleExpression)];
      const scope = /^\s*scope:\s*(\w+)\s*$/m.exec(resource.body)?.[1];
      return {
        file: file.name,
        symbol: resource.symbol,
        scope,
        onVault: scope !== undefined && vaults.has(scope),
        name: /^\s*name:\s*(.+?)\s*$/m.exec(resource.body)?.[1],
        roleExpression,
        roleIds: roleIds.filter((id): id is string => id !== undefined),
      };
    });
}

/** A role definition id written as a string or as `roles.<key>` of a `var roles = { … }`. */
function resolveRole(code: string, expression: string): string | undefined {
  const member = /^(\w+)\.(\w+)$/.exec(expression.trim());
  const object = member ? findBlock(code, new RegExp(`\\bvar\\s+${member[1]}\\s*=\\s*`, 'g')) : undefined;
  const value = member && object !== undefined ? parseObjectEntries(object).get(member[2] as string) : expression;
  return value === undefined ? undefined : literalString(value)?.toLowerCase();
}

/** The role definition ids of a `var <name> = [ … ]`. */
function resolveRoleList(code: string, name: string): (string | undefined)[] {
  const list = findBlock(code, new RegExp(`\\bvar\\s+${name}\\s*=\\s*`, 'g'), '[');
  return list === undefined ? [] : topLevelItems(list).map((item) => resolveRole(code, item));
}

/** The properties of an object type (`{ @decorator(…) name: type … }`), each with the decorators written above it. */
function typeProperties(block: string): Map<string, string> {
  const properties = new Map<string, string>();
  let decorators = '';
  for (const item of topLevelItems(block)) {
    const name = /^(\w+)\s*:/.exec(item)?.[1];
    if (item.startsWith('@')) decorators += `${item}\n`;
    else if (name !== undefined) {
      properties.set(name, decorators);
      decorators = '';
    }
  }
  return properties;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * An array or object parameter mapped from an environment variable (`"${NAME=default}"`) needs a JSON
 * default of its kind: azd (1.23.4 and later) parses the substituted text as JSON, and an unset
 * variable without one would be empty text.
 */
function checkStructuredMappings(params: Map<string, Param>, parametersText: string): string[] {
  const parameters = (JSON.parse(parametersText) as { parameters?: Record<string, { value?: unknown }> }).parameters ?? {};
  const problems: string[] = [];
  for (const [name, entry] of Object.entries(parameters)) {
    const type = params.get(name)?.type ?? '';
    const kind = type === 'array' || type.endsWith('[]') ? 'array' : type === 'object' ? 'object' : undefined;
    if (!kind || typeof entry.value !== 'string' || !entry.value.includes('${')) continue;
    const fallback = /^\$\{\w+=(.*)\}$/s.exec(entry.value)?.[1];
    let parsed: unknown;
    try {
      parsed = fallback === undefined ? undefined : JSON.parse(fallback);
    } catch {
      parsed = undefined;
    }
    const ok = kind === 'array' ? Array.isArray(parsed) : typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
    if (!ok) problems.push(`main.parameters.json: ${name} is an ${kind}, so ${entry.value} needs a JSON ${kind} as its default (\${NAME=${kind === 'array' ? '[]' : '{}'}})`);
  }
  return problems;
}

interface Param {
  /** The declared type as written (`string`, `additionalVault[]`). */
  type: string;
  hasDefault: boolean;
  /** The decorators written above the declaration. */
  decorators: string;
}

function parseParams(code: string): Map<string, Param> {
  const params = new Map<string, Param>();
  let previousEnd = 0;
  for (const match of code.matchAll(/^[ \t]*param\s+(\w+)\s+([^\s=]+)[ \t]*(=)?/gm)) {
    const before = code.slice(previousEnd, match.index);
    const firstDecorator = before.search(/^[ \t]*@/m);
    params.set(match[1] as string, { type: match[2] as string, hasDefault: match[3] === '=', decorators: firstDecorator < 0 ? '' : before.slice(firstDecorator) });
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

/** The `{ … }` (or `[ … ]`) that follows the first match of `prefix`, or undefined. */
function findBlock(code: string, prefix: RegExp, open: '{' | '[' = '{'): string | undefined {
  const match = prefix.exec(code);
  if (!match || code[prefix.lastIndex] !== open) return undefined;
  return code.slice(prefix.lastIndex, skipBalanced(code, prefix.lastIndex));
}

/** Top-level `key: value` entries of a multi-line object literal. */
function parseObjectEntries(block: string): Map<string, string> {
  const entries = new Map<string, string>();
  for (const item of topLevelItems(block)) {
    const entry = /^('(?:[^'\\]|\\.)*'|[A-Za-z_]\w*)\s*:\s*([\s\S]*?)$/.exec(item);
    if (entry) entries.set((entry[1] as string).replace(/^'|'$/g, ''), entry[2] as string);
  }
  return entries;
}

/** The top-level items of a multi-line object or array literal: its lines (or comma-separated parts) outside nested brackets and strings, trimmed. */
function topLevelItems(block: string): string[] {
  const items: string[] = [];
  const inner = block.slice(1, -1);
  let depth = 0;
  let line = '';
  const flush = () => {
    if (line.trim()) items.push(line.trim());
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
  return items;
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
