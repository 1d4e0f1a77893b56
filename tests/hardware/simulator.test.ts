// Properties of the per-layer simulator, the what-if transformations and the fast per-choice scorer.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { createLatencyScorer } from '../../src/hardware/fast.js';
import { BUILTIN_PROFILES } from '../../src/hardware/registry.js';
import type { SimulatedParams, SimulatedProfile } from '../../src/hardware/schema.js';
import { simulateArch, simulateLayer, simulateLayers } from '../../src/hardware/simulator.js';
import { applyWhatIfs, fuseLayers, parseWhatIfs, pruneLayers } from '../../src/hardware/whatif.js';
import { avgPool, conv, passThrough, total } from '../../src/spaces/layers.js';
import { getSpace } from '../../src/spaces/registry.js';
import type { Shape4 } from '../../src/spaces/types.js';

const simulated = BUILTIN_PROFILES.filter((p): p is SimulatedProfile => p.kind === 'simulated');
const profile = (name: string): SimulatedParams => simulated.find((p) => p.name === name)!.simulated;
const origin = { stage: 'test', op: 'test' };
const nb201 = getSpace('nb201');
const fbnet = getSpace('fbnet');
const sampleArchs = (space: typeof nb201, n: number, seed: number) =>
  Array.from({ length: n }, (_, i) => space.sample(Rng.derive(seed, 'simulator-test', i)));

/** A machine with no overheads and no on-chip memory, so one term decides each layer. */
const plain: SimulatedParams = {
  peak: { fp32Gflops: 100, int8Gops: 400 },
  defaultPrecision: 'fp32',
  memory: { bandwidthGBs: 10, onChipKiB: 0 },
  efficiency: { conv: 0.5, pointwise: 0.5, depthwise: 0.5, fc: 0.5, elementwise: 0.5, pool: 0.5 },
  utilisation: { inChannelTile: 1, outChannelTile: 1, halfUtilOutputs: 0 },
  overhead: { perLayerUs: 0, perInferenceUs: 0 },
  support: { depthwise: true },
};

describe('simulateLayer', () => {
  it('is monotonic in FLOPs for compute-bound layers', () => {
    let previous = 0;
    for (const channels of [16, 32, 64, 128, 256]) {
      const layer = conv('c', origin, [1, 16, 16, 64], channels, 3);
      const cost = simulateLayer(plain, layer, 'fp32');
      expect(cost.bound).toBe('compute');
      expect(cost.timeMs).toBeGreaterThan(previous);
      previous = cost.timeMs;
    }
  });

  it('makes a bandwidth-bound layer respond to bandwidth only', () => {
    const layer = avgPool('p', origin, [1, 64, 64, 32], 3);
    const base = simulateLayer(plain, layer, 'fp32');
    expect(base.bound).toBe('memory');
    const faster = simulateLayer({ ...plain, memory: { ...plain.memory, bandwidthGBs: 20 } }, layer, 'fp32');
    expect(faster.timeMs).toBeCloseTo(base.timeMs / 2, 9);
    const morePeak = simulateLayer({ ...plain, peak: { fp32Gflops: 1000 } }, layer, 'fp32');
    expect(morePeak.timeMs).toBe(base.timeMs);
  });

  it('moves only weights when the working set fits on chip', () => {
    const layer = conv('c', origin, [1, 8, 8, 16], 16, 3);
    const offChip = simulateLayer(plain, layer, 'fp32');
    const onChip = simulateLayer({ ...plain, memory: { ...plain.memory, onChipKiB: 1024 } }, layer, 'fp32');
    expect(offChip.bytesMoved).toBe(layer.weightBytes + layer.inputBytes + layer.activationBytes);
    expect(onChip.bytesMoved).toBe(layer.weightBytes);
  });

  it('charges nothing for zero and identity layers', () => {
    for (const kind of ['zero', 'identity'] as const) {
      const cost = simulateLayer(profile('server-gpu'), passThrough('z', kind, origin, [1, 32, 32, 16]), 'fp32');
      expect(cost).toMatchObject({ timeMs: 0, bytesMoved: 0, bound: 'free' });
    }
  });

  it('wastes lanes on channel counts that do not fill a tile', () => {
    const tiled = { ...plain, utilisation: { inChannelTile: 64, outChannelTile: 64, halfUtilOutputs: 0 } };
    const narrow = simulateLayer(tiled, conv('c', origin, [1, 16, 16, 16], 16, 3), 'fp32');
    const wide = simulateLayer(tiled, conv('c', origin, [1, 16, 16, 64], 64, 3), 'fp32');
    // 16 times the MACs in the same time: a 16-channel conv uses 1/16 of a 64x64 array.
    expect(wide.computeMs).toBeCloseTo(narrow.computeMs, 9);
  });
});

describe('NB201 archs on the built-in profiles', () => {
  const input = nb201.defaultInput();
  const none = '|none~0|+|none~0|none~1|+|none~0|none~1|none~2|';

  it('gives none edges no cost: replacing an op by none never adds latency', () => {
    for (const p of simulated) {
      const withConv = simulateArch(p.simulated, nb201.layers('|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|none~2|', input));
      const edgeLayers = nb201.layers(none, input).filter((l) => l.origin.edge !== undefined);
      expect(
        edgeLayers.every((l) => simulateLayer(p.simulated, l, p.simulated.defaultPrecision).timeMs === 0),
        p.name,
      ).toBe(true);
      expect(simulateArch(p.simulated, nb201.layers(none, input))).toBeLessThan(withConv);
    }
  });

  it('scales sub-linearly with batch size where per-layer overhead dominates', () => {
    const arch = '|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|';
    const gpu = profile('server-gpu');
    const one = simulateLayers(gpu, nb201.layers(arch, input));
    expect(one.costs.filter((c) => c.bound === 'overhead').length).toBeGreaterThan(one.costs.length / 2);
    const eight = simulateArch(gpu, nb201.layers(arch, { ...input, batchSize: 8 }));
    expect(eight).toBeGreaterThan(one.totalMs);
    expect(eight).toBeLessThan(2 * one.totalMs);
  });

  it('is deterministic', () => {
    const layers = nb201.layers(nb201.fromIndex!(123), input);
    expect(simulateArch(profile('mcu'), layers)).toBe(simulateArch(profile('mcu'), layers));
  });

  it('fast per-choice scorer equals the full layer simulation for every profile', () => {
    for (const p of simulated) {
      const score = createLatencyScorer(p.simulated, nb201, input);
      for (const arch of sampleArchs(nb201, 40, 1)) {
        expect(score(arch) / simulateArch(p.simulated, nb201.layers(arch, input))).toBeCloseTo(1, 12);
      }
    }
  });

  it('fast scorer equals the full simulation on FBNet at batch 4', () => {
    const fbInput = { ...fbnet.defaultInput(), batchSize: 4 };
    for (const p of simulated) {
      const score = createLatencyScorer(p.simulated, fbnet, fbInput);
      for (const arch of sampleArchs(fbnet, 5, 2))
        expect(score(arch) / simulateArch(p.simulated, fbnet.layers(arch, fbInput))).toBeCloseTo(1, 12);
    }
  });
});

describe('what-ifs', () => {
  const input = nb201.defaultInput();
  const arch = '|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|';

  it('parses the documented syntax and rejects bad items', () => {
    expect(parseWhatIfs('int8, fuse,prune:0.3,batch:8,resolution:64')).toEqual([
      { kind: 'precision', precision: 'int8' },
      { kind: 'fuse' },
      { kind: 'prune', fraction: 0.3 },
      { kind: 'batch', batchSize: 8 },
      { kind: 'resolution', resolution: 64 },
    ]);
    expect(() => parseWhatIfs('prune:1.5')).toThrow(/prune:1.5.*between 0 and 1/);
    expect(() => parseWhatIfs('int4')).toThrow(/unknown what-if/);
  });

  it('int8 is never slower than fp32 or fp16 on the int8-preferring devices', () => {
    const int8Devices = simulated.filter(
      (p) => (p.simulated.peak.int8Gops ?? 0) >= Math.max(p.simulated.peak.fp32Gflops, p.simulated.peak.fp16Gflops ?? 0),
    );
    expect(int8Devices.map((p) => p.name)).toEqual(expect.arrayContaining(['mobile-npu', 'edge-tpu', 'mcu']));
    for (const p of int8Devices) {
      for (const a of [arch, ...sampleArchs(nb201, 10, 3)]) {
        const layers = nb201.layers(a, input);
        const int8 = simulateArch(p.simulated, layers, 'int8');
        expect(int8, p.name).toBeLessThanOrEqual(simulateArch(p.simulated, layers, 'fp32'));
        expect(int8, p.name).toBeLessThanOrEqual(simulateArch(p.simulated, layers, 'fp16'));
      }
    }
  });

  it('fusion removes BN/ReLU kernels inside an op but keeps every FLOP', () => {
    const layers = nb201.layers(arch, input);
    const fused = fuseLayers(layers);
    const fusedNames = fused.filter((l) => l.fusedInto !== undefined);
    expect(fusedNames.every((l) => l.kind === 'bn' || l.kind === 'relu')).toBe(true);
    // Every fused layer joins a conv of the same op (same name prefix).
    for (const l of fusedNames) expect(l.fusedInto!.slice(0, l.fusedInto!.lastIndexOf('.'))).toBe(l.name.slice(0, l.name.lastIndexOf('.')));
    expect(fused.find((l) => l.name === 'head.relu')?.fusedInto).toBeUndefined();
    expect(total(fused, 'flops')).toBe(total(layers, 'flops'));
    const gpu = profile('server-gpu');
    expect(simulateArch(gpu, fused)).toBeLessThan(simulateArch(gpu, layers));
  });

  it('pruning a fraction f scales conv MACs by about (1 - f)^2 and keeps the input and class count', () => {
    const layers = nb201.layers(arch, input);
    const pruned = pruneLayers(layers, 0.5, input);
    expect(pruned[0].inputShape[3]).toBe(3);
    expect(pruned[pruned.length - 1].outputShape).toEqual(layers[layers.length - 1].outputShape);
    const ratio = total(pruned, 'flops') / total(layers, 'flops');
    expect(ratio).toBeGreaterThan(0.2);
    expect(ratio).toBeLessThan(0.3);
  });

  it('batch and resolution what-ifs rebuild the layers for the new input', () => {
    const s = applyWhatIfs((i) => nb201.layers(arch, i), input, parseWhatIfs('batch:4,resolution:64'));
    expect(s.input).toMatchObject({ batchSize: 4, resolution: 64 });
    expect(s.layers[0].outputShape).toEqual([4, 64, 64, 16] as Shape4);
    const base = nb201.layers(arch, input);
    // Convs scale with batch x pixels (4 x 4 = 16); the classifier only with the batch.
    s.layers.forEach((l, i) => expect(l.flops).toBe(base[i].flops * (l.kind === 'conv' ? 16 : l.kind === 'fc' ? 4 : 0) || 0));
  });
});
