// docker exec's wire types (api/types/container ExecOptions, ExecStartOptions, ExecInspect) and top's.
import { InvalidArgumentError } from '../../base/index.js';
import { arrayOf, bool, decodeJsonBody, int, str, stringsOf, strslice, struct } from './schema.js';

/** POST /containers/{id}/exec */
export interface ExecCreateRequest {
  User?: string;
  Privileged?: boolean;
  Tty?: boolean;
  ConsoleSize?: [number, number] | null;
  AttachStdin?: boolean;
  AttachStderr?: boolean;
  AttachStdout?: boolean;
  DetachKeys?: string;
  Env?: string[] | null;
  WorkingDir?: string;
  Cmd?: string[] | null;
}

/** POST /exec/{id}/start */
export interface ExecStartRequest {
  Detach?: boolean;
  Tty?: boolean;
  ConsoleSize?: [number, number] | null;
}

/** GET /exec/{id}/json */
export interface ExecInspectResponse {
  CanRemove: boolean;
  DetachKeys: string;
  ID: string;
  Running: boolean;
  ExitCode: number | null;
  ProcessConfig: { privileged: boolean; user: string; tty: boolean; entrypoint: string; arguments: string[] };
  OpenStdin: boolean;
  OpenStderr: boolean;
  OpenStdout: boolean;
  ContainerID: string;
  Pid: number;
}

/** GET /containers/{id}/top */
export interface ContainerTopResponse {
  Titles: string[];
  Processes: string[][];
}

const consoleSize = arrayOf(int('uint'), '[2]uint');

const EXEC_CREATE = struct('container.ExecOptions', {
  User: str, Privileged: bool, Tty: bool, ConsoleSize: consoleSize, AttachStdin: bool, AttachStderr: bool, AttachStdout: bool,
  Detach: bool, DetachKeys: str, Env: arrayOf(str), WorkingDir: str, Cmd: strslice,
});

const EXEC_START = struct('container.ExecStartOptions', { Detach: bool, Tty: bool, ConsoleSize: consoleSize });

function checkConsoleSize(v: unknown): void {
  if (v !== undefined && v !== null && (!Array.isArray(v) || v.length !== 2)) {
    throw new InvalidArgumentError('json: cannot unmarshal array into Go struct field of type [2]uint');
  }
}

/** The exec's options, with dockerd's refusals of what no process can take (NUL bytes, empty env keys). */
export function decodeExecCreate(text: string): ExecCreateRequest {
  const body = decodeJsonBody<ExecCreateRequest | null>(text, EXEC_CREATE) ?? {};
  for (const [path, s] of stringsOf(body, '')) {
    if (s.includes('\0')) throw new InvalidArgumentError(`invalid ${path || 'value'}: NUL bytes are not allowed`);
  }
  for (const e of body.Env ?? []) {
    if (e.split('=', 1)[0] === '') throw new InvalidArgumentError(`invalid environment variable: ${e}`);
  }
  checkConsoleSize(body.ConsoleSize);
  return body;
}

export function decodeExecStart(text: string): ExecStartRequest {
  const body = decodeJsonBody<ExecStartRequest | null>(text, EXEC_START) ?? {};
  checkConsoleSize(body.ConsoleSize);
  return body;
}
