import { DockerfileError } from './errors.js';
import { parseInstruction, type Instruction } from './instructions.js';
import { parseDockerfile, type ParsedDockerfile } from './parser.js';

export type FromInstruction = Extract<Instruction, { kind: 'from' }>;
export type ArgInstruction = Extract<Instruction, { kind: 'arg' }>;

/** A build stage: its FROM and the instructions after it, up to the next FROM. */
export interface Stage {
  index: number;
  /** `AS name`, lower case. */
  name?: string;
  from: FromInstruction;
  instructions: Instruction[];
}

export interface Dockerfile {
  parsed: ParsedDockerfile;
  /** ARGs before the first FROM: usable in FROM lines, and in stages that redeclare them. */
  metaArgs: ArgInstruction[];
  stages: Stage[];
}

/** Parses a Dockerfile into its global ARGs and its stages. */
export function readDockerfile(text: string): Dockerfile {
  const parsed = parseDockerfile(text);
  const metaArgs: ArgInstruction[] = [];
  const stages: Stage[] = [];
  for (const node of parsed.instructions) {
    const instruction = parseInstruction(node, parsed.directives.escape);
    if (instruction.kind === 'from') {
      const name = instruction.stageName;
      if (name !== undefined && stages.some((s) => s.name === name)) {
        throw new DockerfileError(`duplicate stage name "${name}"`, node.startLine);
      }
      stages.push({ index: stages.length, name, from: instruction, instructions: [] });
      continue;
    }
    const current = stages[stages.length - 1];
    if (current) { current.instructions.push(instruction); continue; }
    if (instruction.kind !== 'arg') throw new DockerfileError('no build stage in current context', node.startLine);
    metaArgs.push(instruction);
  }
  if (stages.length === 0) throw new DockerfileError('the Dockerfile (Dockerfile) cannot be empty');
  return { parsed, metaArgs, stages };
}

/** The stage a `--target` names (by name, case-insensitive), or the last one. */
export function targetStage(dockerfile: Dockerfile, target?: string): Stage {
  if (!target) return dockerfile.stages[dockerfile.stages.length - 1]!;
  const stage = dockerfile.stages.find((s) => s.name === target.toLowerCase());
  if (!stage) throw new DockerfileError(`failed to reach build target ${target} in Dockerfile`);
  return stage;
}
