// Reads a JSON data file and checks it against a schema; every problem is a DataFileError with a location.
import fs from 'node:fs';
import type { z } from 'zod';
import { DataFileError } from '../core/errors.js';
import { formatPath } from '../core/config/validate.js';

/**
 * Parse `file` as JSON and validate it with `schema`.
 * @throws DataFileError with line and character for a syntax error, or the field path for a schema violation
 */
export function readJsonData<S extends z.ZodType>(file: string, schema: S): z.output<S> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new DataFileError(file, 0, `cannot read file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message;
    const at = /position (\d+)/.exec(message);
    if (at === null) throw new DataFileError(file, 0, `invalid JSON: ${message}`);
    const before = text.slice(0, Number(at[1]));
    const line = before.split('\n').length;
    const char = before.length - before.lastIndexOf('\n');
    throw new DataFileError(file, line, `invalid JSON: ${message.replace(/ in JSON at position \d+.*$/, '')}`, `char ${char}`);
  }
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new DataFileError(file, 0, `${formatPath(issue.path) || '(root)'}: ${issue.message}`);
}
