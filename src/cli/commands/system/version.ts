import type { SystemVersion } from '../../../api/types/index.js';
import type { Cli } from '../../cli.js';
import { StatusError } from '../../errors.js';
import type { FlagSet } from '../../flags/index.js';
import { compileTemplate, executeTemplate, tabwrite } from '../../formatter/format.js';
import { INSPECT_FORMAT_HELP } from '../common.js';
import { clientVersion, clientVersionJson } from './client-version.js';

// docker's default `version` template (the user-visible layout), run through a tabwriter.
const DEFAULT_TEMPLATE = `{{with .Client -}}
Client:{{if ne .Platform nil}}{{if ne .Platform.Name ""}} {{.Platform.Name}}{{end}}{{end}}
 Version:	{{.Version}}
 API version:	{{.APIVersion}}{{if ne .APIVersion .DefaultAPIVersion}} (downgraded from {{.DefaultAPIVersion}}){{end}}
 Go version:	{{.GoVersion}}
 Git commit:	{{.GitCommit}}
 Built:	{{.BuildTime}}
 OS/Arch:	{{.Os}}/{{.Arch}}
 Context:	{{.Context}}
{{- end}}

{{- if ne .Server nil}}{{with .Server}}

Server:{{if ne .Platform.Name ""}} {{.Platform.Name}}{{end}}
 {{- range $component := .Components}}
 {{$component.Name}}:
  {{- if eq $component.Name "Engine" }}
  Version:	{{.Version}}
  API version:	{{index .Details "ApiVersion"}} (minimum version {{index .Details "MinAPIVersion"}})
  Go version:	{{index .Details "GoVersion"}}
  Git commit:	{{index .Details "GitCommit"}}
  Built:	{{index .Details "BuildTime"}}
  OS/Arch:	{{index .Details "Os"}}/{{index .Details "Arch"}}
  Experimental:	{{index .Details "Experimental"}}
  {{- else }}
  Version:	{{$component.Version}}
  {{- $detailsOrder := getDetailsOrder $component}}
  {{- range $key := $detailsOrder}}
  {{$key}}:	{{index $component.Details $key}}
   {{- end}}
  {{- end}}
 {{- end}}
 {{- end}}{{- end}}`;

export function flags(fs: FlagSet) {
  return { format: fs.string('format', 'f', '', INSPECT_FORMAT_HELP) };
}

/** Go's time.ANSIC for an RFC 3339 build time, else the text as is. */
function reformatDate(s: string): string {
  const d = new Date(s);
  if (!s || Number.isNaN(d.getTime()) || !/^\d{4}-\d\d-\d\dT/.test(s)) return s;
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]} ${months[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}

function getDetailsOrder(c: { Details?: Record<string, unknown> | null }): string[] {
  return Object.keys(c.Details ?? {}).sort();
}

export async function run(cli: Cli, o: ReturnType<typeof flags>, _args: string[]): Promise<void> {
  let format = o.format.get;
  if (format === '') format = DEFAULT_TEMPLATE;
  else if (format === 'json') format = '{{json .}}';
  let tmpl;
  try {
    tmpl = compileTemplate(format, { getDetailsOrder: getDetailsOrder as (...a: never[]) => unknown });
  } catch (e) {
    throw new StatusError(64, (e as Error).message);
  }
  const client = await cli.client();
  let server: SystemVersion | null = null;
  let err: unknown;
  try {
    server = await client.version_();
    const components = [...(server.Components ?? [])];
    let found = false;
    for (const c of components) {
      if (c.Name === 'Engine') {
        found = true;
        if (c.Details && typeof c.Details.BuildTime === 'string') c.Details.BuildTime = reformatDate(c.Details.BuildTime);
      }
    }
    if (!found) {
      components.push({
        Name: 'Engine', Version: server.Version ?? '',
        Details: {
          ApiVersion: server.ApiVersion, MinAPIVersion: server.MinAPIVersion, GitCommit: server.GitCommit, GoVersion: server.GoVersion,
          Os: server.Os, Arch: server.Arch, BuildTime: reformatDate(server.BuildTime ?? ''), Experimental: String(server.Experimental ?? false),
        },
      });
    }
    server = { ...server, Platform: server.Platform ?? { Name: '' }, Components: components };
  } catch (e) {
    err = e;
  }
  const cv = clientVersion(client.apiVersion);
  cv.BuildTime = reformatDate(String(cv.BuildTime));
  // Templates see Go's field names (.APIVersion); JSON sees the json tags (omitempty, ApiVersion).
  const asJson = format === '{{json .}}';
  const { ApiVersion, ...rest } = cv;
  const clientData = asJson
    ? clientVersionJson(cv)
    : { ...rest, APIVersion: ApiVersion };
  const data = { Client: clientData, Server: server };
  let text = '';
  let tmplErr: unknown;
  try {
    text = executeTemplate(tmpl, data);
  } catch (e) {
    tmplErr = e;
  }
  await cli.print(tabwrite(text + '\n', { minwidth: 20, padding: 1 }));
  if (err) throw err;
  if (tmplErr) throw tmplErr;
}
