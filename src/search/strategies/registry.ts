// The search strategies users name in `strategy.name`.
import { Registry } from '../../core/registry.js';
import type { SearchStrategy, StrategyFactory } from '../types.js';
import { localSearch } from './local-search.js';
import { nsga2Strategy } from './nsga2.js';
import { randomStrategy } from './random.js';
import { regularizedEvolution } from './regularized-evolution.js';

export const strategyRegistry = new Registry<StrategyFactory>('strategy')
  .register('random', randomStrategy)
  .register('regularized-evolution', regularizedEvolution)
  .register('nsga2', nsga2Strategy)
  .register('local-search', localSearch);

/**
 * A strategy by name with validated parameters.
 * @throws UnknownNameError listing the strategies; ConfigError at `strategy.params.<field>`
 */
export function createStrategy(name: string, params: Record<string, unknown>, file: string): SearchStrategy {
  return strategyRegistry.get(name).create(params, file);
}
