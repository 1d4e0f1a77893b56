// Reading config files: JSON, or YAML for files ending in .yaml/.yml.
import fs from 'node:fs';
import YAML from 'yaml';
import { ConfigError } from '../errors.js';

/** Parse a JSON or YAML file into plain data. @throws ConfigError for unreadable files and syntax errors */
export function readConfigData(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, '', `cannot read file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  if (/\.ya?ml$/i.test(file)) {
    const doc = YAML.parseDocument(text);
    if (doc.errors.length > 0) {
      const e = doc.errors[0];
      throw new ConfigError(file, '', `invalid YAML at line ${e.linePos?.[0].line ?? '?'}: ${e.message.split('\n')[0]}`);
    }
    try {
      // toJS resolves aliases; it refuses alias bombs ("Excessive alias count") instead of expanding them.
      return doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      throw new ConfigError(file, '', `invalid YAML: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    const msg = (err as Error).message;
    const pos = /position (\d+)/.exec(msg);
    const line = pos ? text.slice(0, Number(pos[1])).split('\n').length : undefined;
    throw new ConfigError(file, '', `invalid JSON${line ? ` at line ${line}` : ''}: ${msg}`);
  }
}
