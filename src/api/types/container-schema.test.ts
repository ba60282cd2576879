import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeContainerCreate } from './container-schema.js';

const refuse = (body: string, message: string | RegExp): void => {
  assert.throws(() => decodeContainerCreate(body), (e: Error & { kind?: string }) => {
    assert.equal(e.kind, 'invalid-argument');
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  }, body);
};

test('decodeContainerCreate() refuses wrong JSON types with Go decode errors', () => {
  const cases: Array<[string, string]> = [
    ['{"HostConfig":{"Privileged":"false"}}', 'json: cannot unmarshal string into Go struct field HostConfig.HostConfig.Privileged of type bool'],
    ['{"Env":"A=1"}', 'json: cannot unmarshal string into Go struct field CreateRequest.Env of type []string'],
    ['{"Labels":["a"]}', 'json: cannot unmarshal array into Go struct field CreateRequest.Labels of type map[string]string'],
    ['{"Labels":{"a":1}}', 'json: cannot unmarshal number into Go struct field CreateRequest.Labels of type string'],
    ['{"HostConfig":{"Memory":"1g"}}', 'json: cannot unmarshal string into Go struct field HostConfig.HostConfig.Memory of type int64'],
    ['{"HostConfig":{"Memory":"64m"}}', 'json: cannot unmarshal string into Go struct field HostConfig.HostConfig.Memory of type int64'],
    ['{"HostConfig":{"Memory":1e30}}', 'json: cannot unmarshal number 1e30 into Go struct field HostConfig.HostConfig.Memory of type int64'],
    ['{"HostConfig":{"Memory":1.5}}', 'json: cannot unmarshal number 1.5 into Go struct field HostConfig.HostConfig.Memory of type int64'],
    ['{"HostConfig":{"CpuShares":99999999999999999999}}', 'json: cannot unmarshal number 99999999999999999999 into Go struct field HostConfig.HostConfig.CpuShares of type int64'],
    ['{"HostConfig":{"ExtraHosts":"bad"}}', 'json: cannot unmarshal string into Go struct field HostConfig.HostConfig.ExtraHosts of type []string'],
    ['{"Tty":"yes"}', 'json: cannot unmarshal string into Go struct field CreateRequest.Tty of type bool'],
    ['{"WorkingDir":5}', 'json: cannot unmarshal number into Go struct field CreateRequest.WorkingDir of type string'],
    ['{"Image":5}', 'json: cannot unmarshal number into Go struct field CreateRequest.Image of type string'],
    ['{"Cmd":[1]}', 'json: cannot unmarshal array into Go struct field CreateRequest.Cmd of type string'],
    ['{"StopTimeout":"5"}', 'json: cannot unmarshal string into Go struct field CreateRequest.StopTimeout of type int'],
    ['{"Healthcheck":{"Interval":"1s"}}', 'json: cannot unmarshal string into Go struct field HealthConfig.Healthcheck.Interval of type time.Duration'],
    ['{"ExposedPorts":{"80/tcp":1}}', 'json: cannot unmarshal number into Go struct field CreateRequest.ExposedPorts of type struct {}'],
    ['{"HostConfig":{"PortBindings":{"80/tcp":[{"HostPort":80}]}}}', 'json: cannot unmarshal number into Go struct field PortBinding.HostConfig.PortBindings.HostPort of type string'],
    ['{"HostConfig":{"Ulimits":[{"Name":"nofile","Soft":"1"}]}}', 'json: cannot unmarshal string into Go struct field Ulimit.HostConfig.Ulimits.Soft of type int64'],
    ['{"HostConfig":{"BlkioWeight":70000}}', 'json: cannot unmarshal number 70000 into Go struct field HostConfig.HostConfig.BlkioWeight of type uint16'],
    ['{"HostConfig":{"RestartPolicy":{"Name":1}}}', 'json: cannot unmarshal number into Go struct field RestartPolicy.HostConfig.RestartPolicy.Name of type container.RestartPolicyMode'],
    ['{"HostConfig":5}', 'json: cannot unmarshal number into Go struct field CreateRequest.HostConfig of type container.HostConfig'],
    ['[]', 'json: cannot unmarshal array into Go value of type container.CreateRequest'],
    ['5', 'json: cannot unmarshal number into Go value of type container.CreateRequest'],
  ];
  for (const [body, msg] of cases) refuse(body, `invalid JSON: ${msg}`);
});

test('decodeContainerCreate() matches field names as Go does: exact first, then any case', () => {
  refuse('{"hostconfig":{"privileged":"false"}}', 'invalid JSON: json: cannot unmarshal string into Go struct field HostConfig.HostConfig.Privileged of type bool');
  const b = decodeContainerCreate('{"image":"busybox","HostConfig":{"privileged":true},"Bogus":{"x":1}}');
  assert.deepEqual(b, { Image: 'busybox', HostConfig: { Privileged: true } });
});

test('decodeContainerCreate() reports syntax errors, EOF and trailing content as dockerd does', () => {
  refuse('', 'invalid JSON: got EOF while reading request body');
  refuse('  \n', 'invalid JSON: got EOF while reading request body');
  refuse('null', 'config cannot be empty in order to create a container');
  refuse('{"Image":"base:1"', 'invalid JSON: unexpected EOF');
  refuse('{"Image":"base:1"} x', 'unexpected content after JSON');
  refuse('{"Image" "x"}', 'invalid JSON: invalid character \'"\' after object key');
  refuse('{x}', 'invalid JSON: invalid character \'x\' looking for beginning of object key string');
  refuse('[1,]', 'invalid JSON: invalid character \']\' looking for beginning of value');
  refuse('{"a":tru}', 'invalid JSON: invalid character \'}\' in literal true (expecting \'e\')');
  refuse(`${'['.repeat(20000)}`, 'invalid JSON: exceeded max depth');
});

test('decodeContainerCreate() refuses values out of dockerd\'s static ranges with its wording', () => {
  refuse('{"HostConfig":{"Memory":-1}}', 'Minimum memory limit allowed is 6MB');
  refuse('{"HostConfig":{"Memory":1000}}', 'Minimum memory limit allowed is 6MB');
  refuse('{"HostConfig":{"CapAdd":["CAP_BOGUS"]}}', 'invalid CapAdd: unknown capability: "CAP_BOGUS"');
  refuse('{"HostConfig":{"CapDrop":"bogus"}}', 'invalid CapDrop: unknown capability: "CAP_BOGUS"');
  refuse('{"StopSignal":"SIGBOGUS"}', 'invalid signal: SIGBOGUS');
  refuse('{"HostConfig":{"ShmSize":-1}}', 'SHM size can not be less than 0');
  refuse('{"HostConfig":{"OomScoreAdj":5000}}', 'Invalid value 5000, range for oom score adj is [-1000, 1000]');
  refuse('{"HostConfig":{"ExtraHosts":["bad"]}}', 'bad format for add-host: "bad"');
  refuse('{"HostConfig":{"ExtraHosts":["h:1.2.3"]}}', 'invalid IP address in add-host: "1.2.3"');
  refuse('{"WorkingDir":"rel"}', "the working directory 'rel' is invalid, it needs to be an absolute path");
  refuse('{"Env":["=x"]}', 'invalid environment variable: =x');
  refuse('{"Healthcheck":{"Interval":10}}', 'Interval in Healthcheck cannot be less than 1ms');
  refuse('{"HostConfig":{"Isolation":"hyperv"}}', "invalid isolation 'hyperv' on linux");
});

test('decodeContainerCreate() refuses NUL bytes instead of cutting strings at them', () => {
  refuse('{"Env":["A=\\u0000b"]}', 'invalid Env: NUL bytes are not allowed');
  refuse('{"Cmd":["a\\u0000b"]}', 'invalid Cmd: NUL bytes are not allowed');
  refuse('{"Labels":{"a\\u0000":"b"}}', 'invalid Labels key: NUL bytes are not allowed');
});

test('decodeContainerCreate() keeps what docker run sends', () => {
  const body = {
    Hostname: '', Domainname: '', User: '', AttachStdin: false, AttachStdout: true, AttachStderr: true, Tty: false, OpenStdin: false,
    StdinOnce: false, Env: ['A=1'], Cmd: ['sh', '-c', 'true'], Image: 'busybox', Volumes: {}, WorkingDir: '/w', Entrypoint: null,
    OnBuild: null, Labels: { a: 'b' }, StopSignal: 'SIGRTMIN+3', StopTimeout: 5, Healthcheck: { Test: ['CMD', 'true'], Interval: 1000000000, Retries: 3 },
    HostConfig: {
      Binds: null, ContainerIDFile: '', LogConfig: { Type: '', Config: {} }, NetworkMode: 'default', PortBindings: {},
      RestartPolicy: { Name: 'no', MaximumRetryCount: 0 }, AutoRemove: true, VolumeDriver: '', VolumesFrom: null, ConsoleSize: [40, 120],
      CapAdd: ['NET_ADMIN'], CapDrop: null, CgroupnsMode: '', Dns: [], DnsOptions: [], DnsSearch: [], ExtraHosts: ['h:1.2.3.4', 'g:host-gateway', 'v6:::1'],
      GroupAdd: null, IpcMode: '', Cgroup: '', Links: null, OomScoreAdj: -500, PidMode: '', Privileged: false, PublishAllPorts: false,
      ReadonlyRootfs: false, SecurityOpt: null, UTSMode: '', UsernsMode: '', ShmSize: 0, Isolation: '', CpuShares: 0,
      Memory: 64 * 1024 * 1024, NanoCpus: 0, CgroupParent: '', BlkioWeight: 0, BlkioWeightDevice: [], CpuPeriod: 0, CpuQuota: 0,
      Devices: [], MemorySwap: -1, MemorySwappiness: null, OomKillDisable: null, PidsLimit: null, Ulimits: [{ Name: 'nofile', Soft: 1024, Hard: 2048 }],
      Mounts: [{ Type: 'tmpfs', Target: '/t', TmpfsOptions: { SizeBytes: 1024, Mode: 0o1777 } }], MaskedPaths: null, ReadonlyPaths: null, Init: true,
    },
    NetworkingConfig: { EndpointsConfig: { bridge: { IPAMConfig: null, Aliases: ['x'] } } },
  };
  assert.deepEqual(decodeContainerCreate(JSON.stringify(body)), body);
  assert.deepEqual(decodeContainerCreate('{"Cmd":"true","Entrypoint":"sh"}'), { Cmd: ['true'], Entrypoint: ['sh'] });
});

test('decodeContainerCreate() keeps a label named __proto__ as a label', () => {
  const b = decodeContainerCreate('{"Labels":{"__proto__":"x","a":"b"}}');
  assert.deepEqual(Object.entries(b.Labels ?? {}), [['__proto__', 'x'], ['a', 'b']]);
  assert.equal(Object.getPrototypeOf(b.Labels), Object.prototype);
});
