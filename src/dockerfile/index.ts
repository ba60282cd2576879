export { DockerfileError } from './errors.js';
export type { Directives } from './directives.js';
export { parseDockerfile, type Heredoc, type InstructionNode, type ParsedDockerfile } from './parser.js';
export { instructionFromLine, parseInstruction, INSTRUCTION_NAMES, type CommandLine, type Instruction, type KeyValue } from './instructions.js';
export { readDockerfile, targetStage, type ArgInstruction, type Dockerfile, type FromInstruction, type Stage } from './stages.js';
export { expandWord, expandWords, type BuildEnv, type Expansion, type WordExpansionOptions } from './word-expansion.js';
export { applyMetadata, commandArgs, DEFAULT_SHELL, exposedPorts, isMetadata, resolveWorkdir, wordEnv, type MetadataInstruction, type MetadataResult, type StageConfig } from './metadata.js';
