// The names of the zero-cost proxies hwnas computes, apart from the TF.js code that computes them (encodings/zcp.ts),
// so that checking a name (`config check`, `--proxies`) does not load TF.js.

/** Proxies `computeZcp` computes, in the order they are reported by default. */
export const COMPUTED_ZCPS = [
  'params',
  'flops',
  'grad_norm',
  'snip',
  'synflow',
  'nwot',
  'jacov',
  'fisher',
  'grasp',
  'l2_norm',
  'plain',
  'epe_nas',
  'zen',
] as const;
export type ComputedZcp = (typeof COMPUTED_ZCPS)[number];
/**
 * Proxies that need no gradient (a few hundred ms per NB201 arch on wasm): the encoder's default. The others
 * backpropagate through the network, several times for fisher and grasp.
 */
export const FORWARD_ZCPS: readonly ComputedZcp[] = ['params', 'flops', 'l2_norm', 'nwot', 'synflow', 'zen'];
