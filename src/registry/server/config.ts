import { readFile } from 'node:fs/promises';
import { parse as parseYaml, parseDocument } from 'yaml';
import { InvalidArgumentError } from '../../base/index.js';

/** What `berth registry serve` runs with, read from distribution's config.yml shape. */
export interface RegistryConfig {
  storage: { rootDirectory: string; deleteEnabled: boolean; readOnly: boolean; uploadPurging: UploadPurging };
  http: {
    addr: string;
    net: 'tcp' | 'unix';
    /** A path prefix the whole API is served under ("/registry"), "" when none */
    prefix: string;
    /** The base URL put in Location headers ("https://registry.example.com"); from the request's Host when unset */
    host?: string;
    tls?: { certificate: string; key: string; clientCas: string[] };
    headers: Record<string, string[]>;
  };
  auth?: HtpasswdAuthConfig | TokenAuthConfig;
  log: { level: 'error' | 'warn' | 'info' | 'debug'; accessLog: boolean };
}

/** storage.maintenance.uploadpurging: upload sessions older than `ageMs` are deleted every `intervalMs`. */
export interface UploadPurging { enabled: boolean; ageMs: number; intervalMs: number; dryRun: boolean }

export interface HtpasswdAuthConfig { kind: 'htpasswd'; realm: string; path: string }
export interface TokenAuthConfig { kind: 'token'; realm: string; service: string; issuer: string; rootCertBundle: string; autoRedirect: boolean }

/** The defaults of the registry image's /etc/docker/registry/config.yml. */
export const DEFAULT_ROOT_DIRECTORY = '/var/lib/registry';
const SUPPORTED_STORAGE = new Set(['filesystem', 'delete', 'cache', 'maintenance', 'redirect', 'tag']);

/** Read a config file (none: the defaults) and apply REGISTRY_* environment overrides. */
export async function loadConfig(opts: { path?: string; env?: NodeJS.ProcessEnv }): Promise<RegistryConfig> {
  let text = '';
  if (opts.path !== undefined) {
    try {
      text = await readFile(opts.path, 'utf8');
    } catch (e) {
      throw new InvalidArgumentError(`Cannot read registry configuration "${opts.path}": ${(e as Error).message}`);
    }
  }
  return parseConfig(text, opts.env ?? process.env);
}

/** Parse config.yml text plus environment overrides into a checked configuration. */
export function parseConfig(text: string, env: NodeJS.ProcessEnv): RegistryConfig {
  let raw: unknown = {};
  if (text.trim() !== '') {
    const doc = parseDocument(text, { prettyErrors: false });
    if (doc.errors.length > 0) throw new InvalidArgumentError(`Cannot parse registry configuration: ${doc.errors[0]!.message}`);
    raw = doc.toJS() ?? {};
  }
  if (!isMap(raw)) throw new InvalidArgumentError('Cannot parse registry configuration: expected a mapping at the top level');
  applyEnv(raw, env);
  return checkConfig(raw);
}

/**
 * distribution's overrides: REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY=/x sets
 * storage.filesystem.rootdirectory. Keys match case-insensitively; values are read as YAML
 * scalars ("true", "5") or, for a whole section (REGISTRY_AUTH_HTPASSWD='{realm: r, path: p}'), YAML.
 * A driver section named by a plain value (REGISTRY_STORAGE=filesystem) selects it.
 */
function applyEnv(root: Record<string, unknown>, env: NodeJS.ProcessEnv): void {
  const names = Object.keys(env).filter((k) => k.startsWith('REGISTRY_') && env[k] !== undefined).sort((a, b) => a.length - b.length);
  for (const name of names) {
    const path = name.slice('REGISTRY_'.length).toLowerCase().split('_').filter((p) => p !== '');
    if (path.length === 0) continue;
    const value = parseYaml(env[name]!) as unknown;
    let node: Record<string, unknown> = root;
    for (const part of path.slice(0, -1)) {
      const key = Object.keys(node).find((k) => k.toLowerCase() === part) ?? part;
      if (!isMap(node[key])) node[key] = {};
      node = node[key] as Record<string, unknown>;
    }
    const last = path[path.length - 1]!;
    const key = Object.keys(node).find((k) => k.toLowerCase() === last) ?? last;
    if (isMap(node[key]) && typeof value === 'string' && !isMap(value)) {
      // REGISTRY_STORAGE=filesystem: keep the section, the value names the driver.
      const section = node[key] as Record<string, unknown>;
      if (!(value in section)) section[value] = {};
      continue;
    }
    node[key] = value;
  }
}

function checkConfig(raw: Record<string, unknown>): RegistryConfig {
  const version = raw['version'];
  if (version !== undefined && String(version) !== '0.1') throw new InvalidArgumentError(`Cannot use registry configuration version "${String(version)}": expected "0.1"`);
  const storage = map(raw['storage'], 'storage');
  for (const key of Object.keys(storage)) {
    if (!SUPPORTED_STORAGE.has(key)) throw new InvalidArgumentError(`Cannot use storage driver "${key}": berth's registry stores on the filesystem (storage.filesystem)`);
  }
  const fsSection = map(storage['filesystem'], 'storage.filesystem');
  const rootDirectory = optString(fsSection['rootdirectory'], 'storage.filesystem.rootdirectory') ?? DEFAULT_ROOT_DIRECTORY;
  if (!rootDirectory.startsWith('/')) throw new InvalidArgumentError(`Cannot use storage.filesystem.rootdirectory "${rootDirectory}": expected an absolute path`);
  const del = map(storage['delete'], 'storage.delete');
  const maint = map(storage['maintenance'], 'storage.maintenance');
  const readonly = map(maint['readonly'], 'storage.maintenance.readonly');
  const purging = map(maint['uploadpurging'], 'storage.maintenance.uploadpurging');
  const uploadPurging: UploadPurging = {
    enabled: purging['enabled'] !== false,
    ageMs: goDuration(purging['age'] ?? '168h', 'storage.maintenance.uploadpurging.age'),
    intervalMs: goDuration(purging['interval'] ?? '24h', 'storage.maintenance.uploadpurging.interval'),
    dryRun: purging['dryrun'] === true,
  };

  const http = map(raw['http'], 'http');
  const net = optString(http['net'], 'http.net') ?? 'tcp';
  if (net !== 'tcp' && net !== 'unix') throw new InvalidArgumentError(`Cannot listen on http.net "${net}": expected tcp or unix`);
  const addr = optString(http['addr'], 'http.addr') ?? ':5000';
  let prefix = optString(http['prefix'], 'http.prefix') ?? '';
  prefix = prefix.replace(/\/+$/, '');
  if (prefix !== '' && !prefix.startsWith('/')) prefix = `/${prefix}`;
  const tlsSection = map(http['tls'], 'http.tls');
  const certificate = optString(tlsSection['certificate'], 'http.tls.certificate');
  const key = optString(tlsSection['key'], 'http.tls.key');
  if ((certificate === undefined) !== (key === undefined)) throw new InvalidArgumentError('Cannot serve TLS: http.tls needs both certificate and key');
  const clientCas = tlsSection['clientcas'] === undefined ? [] : stringList(tlsSection['clientcas'], 'http.tls.clientcas');
  const headers: Record<string, string[]> = {};
  for (const [name, v] of Object.entries(map(http['headers'], 'http.headers'))) headers[name] = stringList(v, `http.headers.${name}`);
  const host = optString(http['host'], 'http.host');

  const logSection = map(raw['log'], 'log');
  const level = optString(logSection['level'], 'log.level') ?? 'info';
  if (!['error', 'warn', 'info', 'debug'].includes(level)) throw new InvalidArgumentError(`Cannot use log.level "${level}": expected error, warn, info or debug`);
  const accessLog = map(logSection['accesslog'], 'log.accesslog');

  return {
    storage: { rootDirectory, deleteEnabled: del['enabled'] === true, readOnly: readonly['enabled'] === true, uploadPurging },
    http: {
      addr, net, prefix, headers,
      ...(host !== undefined ? { host: host.replace(/\/+$/, '') } : {}),
      ...(certificate !== undefined && key !== undefined ? { tls: { certificate, key, clientCas } } : {}),
    },
    ...authConfig(map(raw['auth'], 'auth')),
    log: { level: level as RegistryConfig['log']['level'], accessLog: accessLog['disabled'] !== true },
  };
}

function authConfig(auth: Record<string, unknown>): { auth?: RegistryConfig['auth'] } {
  const kinds = Object.keys(auth).filter((k) => auth[k] !== null && auth[k] !== undefined);
  if (kinds.length === 0) return {};
  if (kinds.length > 1) throw new InvalidArgumentError(`Cannot use more than one auth scheme: found ${kinds.join(', ')}`);
  const kind = kinds[0]!;
  const s = map(auth[kind], `auth.${kind}`);
  const need = (k: string): string => {
    const v = optString(s[k], `auth.${kind}.${k}`);
    if (v === undefined || v === '') throw new InvalidArgumentError(`Cannot use auth.${kind}: ${k} is required`);
    return v;
  };
  if (kind === 'htpasswd') return { auth: { kind, realm: optString(s['realm'], 'auth.htpasswd.realm') ?? 'basic-realm', path: need('path') } };
  if (kind === 'token') {
    return { auth: { kind, realm: need('realm'), service: need('service'), issuer: need('issuer'), rootCertBundle: need('rootcertbundle'), autoRedirect: s['autoredirect'] === true } };
  }
  throw new InvalidArgumentError(`Cannot use auth scheme "${kind}": expected htpasswd or token`);
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function map(v: unknown, where: string): Record<string, unknown> {
  if (v === undefined || v === null) return {};
  if (!isMap(v)) throw new InvalidArgumentError(`Cannot parse registry configuration: ${where} must be a mapping`);
  const out: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(v)) out[where === 'http.headers' ? k : k.toLowerCase()] = val;
  return out;
}

function optString(v: unknown, where: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new InvalidArgumentError(`Cannot parse registry configuration: ${where} must be a string`);
}

function stringList(v: unknown, where: string): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  throw new InvalidArgumentError(`Cannot parse registry configuration: ${where} must be a list of strings`);
}

/** A Go duration ("168h", "1h30m", "90s") in milliseconds. */
export function goDuration(v: unknown, where: string): number {
  const text = String(v).trim();
  const unit: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, µs: 0.001, ns: 0.000001 };
  let ms = 0;
  let rest = text;
  while (rest !== '') {
    const m = /^(\d+(?:\.\d+)?)(ms|us|µs|ns|h|m|s)/.exec(rest);
    if (!m) throw new InvalidArgumentError(`Cannot parse ${where} "${text}": expected a duration such as 168h or 30m`);
    ms += Number(m[1]) * unit[m[2]!]!;
    rest = rest.slice(m[0].length);
  }
  if (text === '' || ms <= 0) throw new InvalidArgumentError(`Cannot parse ${where} "${text}": expected a duration such as 168h or 30m`);
  return ms;
}
