/**
 * Names for instances created without one, as LXD makes them: an adjective and an animal
 * (`gentle-otter`), valid instance names.
 */
import { randomInt } from 'node:crypto';

const ADJECTIVES = [
  'able', 'amused', 'awake', 'bold', 'brave', 'bright', 'calm', 'clever', 'cosmic', 'crisp', 'curious', 'daring', 'eager',
  'fair', 'fast', 'fine', 'fond', 'free', 'fresh', 'gentle', 'glad', 'grand', 'happy', 'honest', 'humble', 'jolly', 'keen',
  'kind', 'lively', 'lucky', 'merry', 'mighty', 'modest', 'neat', 'noble', 'patient', 'polite', 'proud', 'quick', 'quiet',
  'rapid', 'ready', 'robust', 'sharp', 'shy', 'smart', 'smooth', 'steady', 'sunny', 'swift', 'tender', 'tidy', 'vivid', 'warm', 'wise',
];
const ANIMALS = [
  'badger', 'beaver', 'bison', 'bobcat', 'camel', 'cheetah', 'condor', 'coyote', 'crane', 'dingo', 'dolphin', 'eagle', 'falcon',
  'ferret', 'finch', 'gazelle', 'gecko', 'heron', 'ibex', 'jackal', 'jaguar', 'koala', 'lemur', 'lynx', 'marmot', 'marten',
  'moose', 'newt', 'ocelot', 'osprey', 'otter', 'owl', 'panda', 'pelican', 'puffin', 'quail', 'rabbit', 'raven', 'robin',
  'salmon', 'seal', 'shrew', 'sloth', 'sparrow', 'stork', 'swan', 'tapir', 'tiger', 'toucan', 'turtle', 'walrus', 'weasel', 'wolf', 'yak', 'zebra',
];

export function randomInstanceName(): string {
  return `${ADJECTIVES[randomInt(ADJECTIVES.length)]}-${ANIMALS[randomInt(ANIMALS.length)]}`;
}
