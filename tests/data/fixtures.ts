// Tiny generated data files for malformed-input tests, written to a fresh temp folder.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Write `text` to `name` in a new temp folder and return its path. */
export function writeFixture(name: string, text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hwnas-data-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

export const NB201_A = '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|';
export const NB201_B = '|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|';
export const FBNET_A = '7_8_1_8_4_8_8_8_7_4_1_4_7_3_2_7_3_2_4_2_4_5';
export const FBNET_B = '5_3_5_5_0_4_7_5_5_2_0_2_4_5_1_3_7_2_6_0_4_0';
