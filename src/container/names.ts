import { randomInt } from 'node:crypto';

// Our own word lists, in the adjective_surname style Docker users know.
const ADJECTIVES = [
  'agile', 'amazing', 'bold', 'brave', 'bright', 'busy', 'calm', 'careful', 'cheerful', 'clever',
  'cool', 'curious', 'daring', 'dazzling', 'eager', 'elastic', 'elegant', 'epic', 'fervent', 'festive',
  'fierce', 'focused', 'friendly', 'gallant', 'gentle', 'gifted', 'glad', 'happy', 'hardy', 'hopeful',
  'humble', 'jolly', 'jovial', 'keen', 'kind', 'lively', 'loving', 'lucid', 'merry', 'mighty',
  'modest', 'nifty', 'noble', 'optimistic', 'patient', 'peaceful', 'playful', 'polite', 'proud', 'quick',
  'quiet', 'radiant', 'relaxed', 'serene', 'sharp', 'silly', 'sleepy', 'smart', 'steady', 'stoic',
  'sunny', 'swift', 'tender', 'thirsty', 'tidy', 'trusting', 'upbeat', 'vibrant', 'vigilant', 'vivid',
  'wise', 'witty', 'wonderful', 'youthful', 'zealous', 'zen',
];
const SURNAMES = [
  'agnesi', 'archimedes', 'babbage', 'bardeen', 'bohr', 'boole', 'brahmagupta', 'cannon', 'carson', 'curie',
  'darwin', 'dijkstra', 'einstein', 'euclid', 'euler', 'faraday', 'fermat', 'fermi', 'feynman', 'franklin',
  'galileo', 'gauss', 'germain', 'goodall', 'hamilton', 'hawking', 'heisenberg', 'hertz', 'hopper', 'hypatia',
  'johnson', 'kepler', 'knuth', 'kowalevski', 'lamarr', 'laplace', 'leakey', 'lovelace', 'maxwell', 'mayer',
  'meitner', 'mendel', 'mirzakhani', 'morse', 'napier', 'newton', 'nobel', 'noether', 'pascal', 'pasteur',
  'planck', 'poincare', 'ramanujan', 'ritchie', 'rosalind', 'sagan', 'shannon', 'stallman', 'tesla', 'thompson',
  'torvalds', 'turing', 'volta', 'wiles', 'wilson', 'wozniak', 'wright', 'yalow', 'yonath',
];

function pick(words: readonly string[]): string {
  return words[randomInt(words.length)]!;
}

/** A random name such as "jolly_noether"; `retry` > 0 appends a digit, as Docker does on collision. */
export function randomName(retry = 0): string {
  const name = `${pick(ADJECTIVES)}_${pick(SURNAMES)}`;
  return retry > 0 ? `${name}${randomInt(10)}` : name;
}

const NAME_RE = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
export function isValidName(name: string): boolean {
  return NAME_RE.test(name);
}
