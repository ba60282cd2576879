import type { SystemInfo } from '../../../api/types/index.js';
import { ConnectionError } from '../../../client/index.js';
import { bytesSize } from '../../../base/index.js';
import type { Cli } from '../../cli.js';
import { StatusError } from '../../errors.js';
import type { FlagSet } from '../../flags/index.js';
import { compileTemplate, executeTemplate } from '../../formatter/format.js';
import { INSPECT_FORMAT_HELP } from '../common.js';
import { clientVersion, clientVersionJson } from './client-version.js';

export function flags(fs: FlagSet) {
  return { format: fs.string('format', 'f', '', INSPECT_FORMAT_HELP) };
}

/** Go's fmt.Println of a label and a value ("true", numbers, strings as is). */
function line(label: string, value: unknown): string {
  return `${label} ${value === undefined || value === null ? '' : String(value)}\n`;
}

function nonEmpty(label: string, value: string | undefined): string {
  return value ? `${label} ${value}\n` : '';
}

/** "name=seccomp,profile=default" entries as docker's DecodeSecurityOptions reads them. */
function securityOptions(opts: string[]): string {
  let out = ' Security Options:\n';
  for (const o of opts) {
    const kv = Object.fromEntries(o.split(',').map((p) => {
      const i = p.indexOf('=');
      return i < 0 ? [p, ''] : [p.slice(0, i), p.slice(i + 1)];
    }));
    if (!o.startsWith('name=')) throw new Error(`invalid security option ${JSON.stringify(o)}`);
    out += `  ${kv.name}\n`;
    if (kv.profile !== undefined) out += `   Profile: ${kv.profile}\n`;
  }
  return out;
}

/** The "Server:" section of `docker info` (prettyPrintServerInfo). */
export function serverInfoText(i: SystemInfo, opts: { debug: boolean; userName?: string }): string {
  let out = '';
  out += line(' Containers:', i.Containers ?? 0);
  out += line('  Running:', i.ContainersRunning ?? 0);
  out += line('  Paused:', i.ContainersPaused ?? 0);
  out += line('  Stopped:', i.ContainersStopped ?? 0);
  out += line(' Images:', i.Images ?? 0);
  out += nonEmpty(' Server Version:', i.ServerVersion);
  out += nonEmpty(' Storage Driver:', i.Driver);
  for (const [k, v] of i.DriverStatus ?? []) out += `  ${k}: ${v}\n`;
  for (const [k, v] of (i as { SystemStatus?: string[][] }).SystemStatus ?? []) out += ` ${k}: ${v}\n`;
  out += nonEmpty(' Logging Driver:', i.LoggingDriver);
  out += nonEmpty(' Cgroup Driver:', i.CgroupDriver);
  out += nonEmpty(' Cgroup Version:', i.CgroupVersion);
  out += ' Plugins:\n';
  out += line('  Volume:', (i.Plugins?.Volume ?? []).join(' '));
  out += line('  Network:', (i.Plugins?.Network ?? []).join(' '));
  if ((i.Plugins?.Authorization ?? []).length) out += line('  Authorization:', i.Plugins!.Authorization!.join(' '));
  out += line('  Log:', (i.Plugins?.Log ?? []).join(' '));
  if ((i.CDISpecDirs ?? []).length) {
    out += ' CDI spec directories:\n';
    for (const d of i.CDISpecDirs!) out += `  ${d}\n`;
  }
  if ((i.DiscoveredDevices ?? []).length) {
    out += ' Discovered Devices:\n';
    for (const d of i.DiscoveredDevices!) out += `  ${d.Source}: ${d.ID}\n`;
  }
  const sw = i.Swarm ?? {};
  out += line(' Swarm:', sw.LocalNodeState ?? '');
  if (sw.LocalNodeState && sw.LocalNodeState !== 'inactive' && sw.LocalNodeState !== 'locked') {
    out += line('  NodeID:', sw.NodeID);
    if (sw.Error) out += line('  Error:', sw.Error);
    out += line('  Is Manager:', sw.ControlAvailable ?? false);
    out += line('  Node Address:', sw.NodeAddr);
  }
  const runtimes = Object.keys(i.Runtimes ?? {});
  if (runtimes.length) {
    out += line(' Runtimes:', runtimes.join(' '));
    out += line(' Default Runtime:', i.DefaultRuntime);
  }
  if (i.OSType === 'linux') {
    out += line(' Init Binary:', i.InitBinary);
    out += line(' containerd version:', i.ContainerdCommit?.ID);
    out += line(' runc version:', i.RuncCommit?.ID);
    out += line(' init version:', i.InitCommit?.ID);
    if ((i.SecurityOptions ?? []).length) out += securityOptions(i.SecurityOptions!);
  }
  if (i.OSType === 'windows') out += line(' Default Isolation:', i.Isolation);
  out += nonEmpty(' Kernel Version:', i.KernelVersion);
  out += nonEmpty(' Operating System:', i.OperatingSystem);
  out += nonEmpty(' OSType:', i.OSType);
  out += nonEmpty(' Architecture:', i.Architecture);
  out += line(' CPUs:', i.NCPU ?? 0);
  out += line(' Total Memory:', bytesSize(i.MemTotal ?? 0));
  out += nonEmpty(' Name:', i.Name);
  out += nonEmpty(' ID:', i.ID);
  out += line(' Docker Root Dir:', i.DockerRootDir);
  out += line(' Debug Mode:', i.Debug ?? false);
  if (i.Debug || opts.debug) {
    out += line('  File Descriptors:', i.NFd ?? 0);
    out += line('  Goroutines:', i.NGoroutines ?? 0);
    out += line('  System Time:', i.SystemTime);
    out += line('  EventsListeners:', i.NEventsListener ?? 0);
  }
  out += nonEmpty(' HTTP Proxy:', i.HttpProxy);
  out += nonEmpty(' HTTPS Proxy:', i.HttpsProxy);
  out += nonEmpty(' No Proxy:', i.NoProxy);
  out += nonEmpty(' Username:', opts.userName);
  if ((i.Labels ?? []).length) {
    out += ' Labels:\n';
    for (const l of i.Labels!) out += `  ${l}\n`;
  }
  out += line(' Experimental:', i.ExperimentalBuild ?? false);
  const reg = i.RegistryConfig;
  if (reg && ((reg.InsecureRegistryCIDRs ?? []).length || Object.keys(reg.IndexConfigs ?? {}).length)) {
    out += ' Insecure Registries:\n';
    for (const c of Object.values(reg.IndexConfigs ?? {})) if (!c.Secure) out += `  ${c.Name}\n`;
    for (const c of reg.InsecureRegistryCIDRs ?? []) out += `  ${c}\n`;
  }
  if (reg && (reg.Mirrors ?? []).length) {
    out += ' Registry Mirrors:\n';
    for (const m of reg.Mirrors!) out += `  ${m}\n`;
  }
  out += line(' Live Restore Enabled:', i.LiveRestoreEnabled ?? false);
  if (i.ProductLicense) out += line(' Product License:', i.ProductLicense);
  if ((i.DefaultAddressPools ?? []).length) {
    out += ' Default Address Pools:\n';
    for (const p of i.DefaultAddressPools!) out += `   Base: ${p.Base}, Size: ${p.Size}\n`;
  }
  return out + '\n';
}

export async function run(cli: Cli, o: ReturnType<typeof flags>, _args: string[]): Promise<void> {
  const client = await cli.client();
  let info: SystemInfo | undefined;
  let connErr: unknown;
  const serverErrors: string[] = [];
  const format = o.format.get;
  try {
    info = await client.info();
  } catch (e) {
    if (e instanceof ConnectionError) connErr = e;
    else {
      serverErrors.push((e as Error).message);
      if (format !== '') cli.printErr(`${(e as Error).message}\n`);
    }
  }
  const cv = clientVersion(client.apiVersion);
  if (format === '') {
    let out = 'Client:\n';
    out += nonEmpty(' Version:   ', String(cv.Version));
    out += line(' Context:   ', cv.Context);
    out += line(' Debug Mode:', cli.global.debug);
    out += '\nServer:\n';
    const warnings: string[] = [];
    if (info) {
      try {
        out += serverInfoText(info, { debug: cli.global.debug });
      } catch (e) {
        serverErrors.push((e as Error).message);
      }
      warnings.push(...(info.Warnings ?? []));
    }
    await cli.print(out);
    for (const w of warnings) cli.printErr(`${w}\n`);
    for (const e of serverErrors) cli.printErr(`ERROR: ${e}\n`);
    const errs = [...(serverErrors.length ? ['errors pretty printing info'] : []), ...(connErr ? [(connErr as Error).message] : [])];
    if (errs.length) throw new StatusError(1, errs.join('\n'));
    return;
  }
  const tmplSrc = format === 'json' ? '{{json .}}' : format;
  let tmpl;
  try {
    tmpl = compileTemplate(tmplSrc);
  } catch (e) {
    throw new StatusError(64, (e as Error).message);
  }
  const data = {
    ...(info ?? {}),
    ...(serverErrors.length ? { ServerErrors: serverErrors } : {}),
    ClientInfo: { Debug: cli.global.debug, ...clientVersionJson(cv), Plugins: [], Warnings: null },
  };
  let text = '';
  let tmplErr: unknown;
  try {
    text = executeTemplate(tmpl, data);
  } catch (e) {
    tmplErr = e;
  }
  await cli.print(text + '\n');
  if (connErr) throw connErr;
  if (tmplErr) throw tmplErr;
}
