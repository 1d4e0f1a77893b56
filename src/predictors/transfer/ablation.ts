// The NASFLAT ablations of the transfer experiment (`--no-hw-op-emb`, `--no-hw-init`, `--no-supplementary`,
// `--no-readout`), as
// overrides of the `nasflat` method options.

/** One switchable NASFLAT idea: its CLI flag and the option values that turn it off. */
export interface Ablation {
  flag: 'hw-op-emb' | 'hw-init' | 'supplementary' | 'readout';
  description: string;
  off: Record<string, unknown>;
}

export const NASFLAT_ABLATIONS: readonly Ablation[] = [
  { flag: 'hw-op-emb', description: 'hardware-specific (device, op) embeddings', off: { hwOpEmbedding: false } },
  { flag: 'hw-init', description: 'target initialised from the best-correlated source device', off: { hwInit: false } },
  { flag: 'supplementary', description: 'supplementary encodings beside the graph', off: { supplementary: [] } },
  {
    flag: 'readout',
    description: 'few-shot readout chosen by leave-one-out (off: the fine-tuned score through a line, as the paper)',
    off: { readout: 'line' },
  },
];

/** Method options with the ablations (and an epochs override) applied to the `nasflat` entry. */
export function applyAblations(
  methodOptions: Record<string, Record<string, unknown>>,
  ablations: readonly Ablation[],
  epochs?: number,
): Record<string, Record<string, unknown>> {
  const nasflat = { ...(methodOptions.nasflat ?? {}) };
  for (const a of ablations) Object.assign(nasflat, a.off);
  if (epochs !== undefined) nasflat.epochs = epochs;
  return { ...methodOptions, nasflat };
}
