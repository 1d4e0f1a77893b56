// Turns schema violations into one-line ConfigErrors naming the file, the field path and the reason.
import type { z } from 'zod';
import { ConfigError } from '../errors.js';

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return `'${value}'`;
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return String(value);
}

/** Dotted JSON path with array indices in brackets: `strategy.params.population`, `devices[2]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc === '' ? String(key) : `${acc}.${String(key)}`),
    '',
  );
}

function reasonOf(issue: z.core.$ZodIssue): { path: readonly PropertyKey[]; reason: string } {
  const got = `got ${describe(issue.input)}`;
  switch (issue.code) {
    case 'unrecognized_keys':
      return { path: [...issue.path, issue.keys[0]], reason: `unknown field (allowed fields are listed in the README's config reference)` };
    case 'invalid_value': {
      const allowed = issue.values.map((v) => String(v)).join(', ');
      return {
        path: issue.path,
        reason: issue.input === undefined ? `is required (one of ${allowed})` : `must be one of ${allowed}, ${got}`,
      };
    }
    case 'invalid_type':
      return {
        path: issue.path,
        reason:
          issue.input === undefined ? 'is required' : `must be ${issue.expected === 'int' ? 'an integer' : `a ${issue.expected}`}, ${got}`,
      };
    case 'too_small':
    case 'too_big': {
      const bound = Number(issue.code === 'too_small' ? issue.minimum : issue.maximum);
      const inclusive = issue.inclusive ?? true;
      if (issue.origin === 'number' || issue.origin === 'int' || issue.origin === 'bigint') {
        const cmp = issue.code === 'too_small' ? (inclusive ? '>=' : '>') : inclusive ? '<=' : '<';
        const what = bound === 0 && cmp === '>' ? 'a positive number' : `a number ${cmp} ${bound}`;
        return { path: issue.path, reason: `must be ${what}, ${got}` };
      }
      const what = issue.code === 'too_small' ? `at least ${bound}` : `at most ${bound}`;
      return { path: issue.path, reason: `must have ${what} ${issue.origin === 'string' ? 'characters' : 'items'}, ${got}` };
    }
    default:
      return { path: issue.path, reason: `${issue.message.replace(/^Invalid input: /, '')}${issue.input !== undefined ? `, ${got}` : ''}` };
  }
}

/**
 * Validate `data` against `schema` and return the parsed value with defaults filled in.
 * @throws ConfigError for the first violation, e.g. `quick.json: strategy.name: must be one of random, nsga2, got 'foo'`,
 * carrying the others (zod reports every one) in `others`
 */
export function validate<S extends z.ZodType>(
  schema: S,
  data: unknown,
  file: string,
  pathPrefix: readonly PropertyKey[] = [],
): z.output<S> {
  const result = schema.safeParse(data, { reportInput: true });
  if (result.success) return result.data;
  const [first, ...rest] = result.error.issues
    .map(reasonOf)
    .map(({ path, reason }) => ({ path: formatPath([...pathPrefix, ...path]), reason }));
  throw new ConfigError(file, first.path, first.reason, rest);
}
