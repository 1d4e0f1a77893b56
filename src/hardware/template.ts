// `hwnas devices init`: a new device profile as commented YAML, its numbers taken from a built-in profile to edit.
import YAML, { type Document, type YAMLMap } from 'yaml';
import type { DeviceProfile } from './schema.js';

/**
 * What each field means, for the people who fill the template in (the schema in schema.ts is what checks them).
 * Keys are dotted paths into the profile; a field without a note gets none.
 */
const FIELD_NOTES: Record<string, string> = {
  schemaVersion: 'Profile format version this file is written in (hwnas reads 1).',
  name: 'What users write after --device: 1–64 lower-case letters, digits, ".", "_" or "-".',
  version: 'Bump it when the numbers change (devices calibrate writes version + 1).',
  kind: 'How latencies are obtained: simulated (the roofline model of the simulated section), measured-table, host, onnxruntime or remote.',
  description: 'One line users see in `hwnas devices list`.',
  provenance: 'Where the numbers come from: a spec sheet, a datasheet, a measurement. Required: source.',
  'provenance.source': 'Replace with the spec-sheet figures or the measurement these numbers are based on.',
  simulated: 'The simulator model: peak throughput, memory, per-op efficiency, utilisation and overheads.',
  'simulated.peak':
    'Peak arithmetic throughput per precision (1 multiply-accumulate = 2 FLOPs). Leave fp16Gflops or int8Gops out when the device does not accelerate that precision.',
  'simulated.defaultPrecision': 'Precision the deployed model runs at unless a what-if changes it: fp32, fp16 or int8.',
  'simulated.memory':
    'bandwidthGBs: off-chip (DRAM or host link) bandwidth in GB/s; onChipKiB: cache/SRAM in KiB (a layer whose working set fits moves only its weights).',
  'simulated.efficiency': 'Fraction of peak each op class reaches on a well-shaped layer, in (0, 1].',
  'simulated.utilisation':
    'Channels are processed in tiles (vector lanes, systolic rows/columns); halfUtilOutputs: output elements at which a layer reaches half its peak (0 = no penalty).',
  'simulated.overhead': 'Fixed costs in microseconds: per executed layer (kernel launch, dispatch) and per inference.',
  'simulated.support': 'depthwise: false = no depthwise acceleration (a depthwise conv uses one lane per tile).',
  reference: 'Optional: measured latencies of reference archs (a HELP-style hardware embedding uses them).',
};

function annotate(doc: Document, node: YAMLMap, prefix: string): void {
  for (const pair of node.items) {
    const key = String((pair.key as { value?: unknown }).value ?? pair.key);
    const dotted = prefix === '' ? key : `${prefix}.${key}`;
    const note = FIELD_NOTES[dotted];
    if (note !== undefined) (pair.key as { commentBefore?: string }).commentBefore = ` ${note}`;
    if (YAML.isMap(pair.value)) annotate(doc, pair.value, dotted);
  }
}

/** The YAML text of a new profile `name` with the numbers of `like`, every field commented; it validates as is. */
export function profileTemplate(name: string, like: DeviceProfile): string {
  const profile = {
    ...structuredClone(like),
    name,
    version: 1,
    description: `${name}: a new device, starting from the numbers of ${like.name} (${like.description})`,
    provenance: { source: `copied from the built-in ${like.name} profile; replace with the figures of ${name}` },
  };
  const doc = new YAML.Document(profile);
  doc.commentBefore = ` Device profile ${name}. Edit the numbers, then: hwnas devices validate <this file> && hwnas devices add <this file>`;
  annotate(doc, doc.contents as YAMLMap, '');
  return doc.toString({ lineWidth: 0 });
}
