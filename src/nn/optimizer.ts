// AdamW (Adam with decoupled weight decay; decay 0 is Adam) over a Parameters set, its learning rate read from a
// schedule at every step.
import type * as Tf from '@tensorflow/tfjs';
import { tf } from '../core/tf.js';
import type { Parameters } from './parameters.js';

/** Learning rate at a step (0-based). */
export type Schedule = (step: number) => number;

export function constantSchedule(rate: number): Schedule {
  return () => rate;
}

/** Cosine annealing from `base` at step 0 to 0 at step `totalSteps`. */
export function cosineSchedule(base: number, totalSteps: number): Schedule {
  return (step) => 0.5 * base * (1 + Math.cos((Math.PI * step) / Math.max(totalSteps, 1)));
}

export interface AdamWOptions {
  /** A fixed rate or a schedule. */
  learningRate: number | Schedule;
  /** Decoupled decay: each step also subtracts rate × weightDecay × the weight. 0 (default) is plain Adam. */
  weightDecay?: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** Which parameters decay: by default matrices and embeddings (rank > 1), not biases and gains. */
  decays?: (name: string, value: Tf.Variable) => boolean;
}

/**
 * AdamW: m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², w ← w − rate · (m̂ / (√v̂ + ε) + λw) with m̂, v̂ the bias-corrected
 * moments and λ the weight decay.
 */
export class AdamW {
  private readonly moments = new Map<string, { m: Tf.Variable; v: Tf.Variable }>();
  private readonly schedule: Schedule;
  private readonly decayed: Set<string>;
  private readonly weightDecay: number;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;
  private stepsTaken = 0;

  constructor(
    private readonly params: Parameters,
    options: AdamWOptions,
  ) {
    const rate = options.learningRate;
    this.schedule = typeof rate === 'number' ? constantSchedule(rate) : rate;
    this.weightDecay = options.weightDecay ?? 0;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
    const decays = options.decays ?? ((_name, value) => value.rank > 1);
    this.decayed = new Set(this.weightDecay === 0 ? [] : [...params].filter(([name, value]) => decays(name, value)).map(([name]) => name));
    for (const [name, value] of params)
      this.moments.set(name, { m: tf.variable(tf.zerosLike(value), false), v: tf.variable(tf.zerosLike(value), false) });
  }

  /** Steps taken so far (the schedule's next step). */
  get steps(): number {
    return this.stepsTaken;
  }

  /** One step on `loss` (built from the parameters; tensors it makes are freed) at the schedule's rate; returns the loss. */
  minimize(loss: () => Tf.Scalar): number {
    const rate = this.schedule(this.stepsTaken);
    const t = ++this.stepsTaken;
    return tf.tidy(() => {
      const { value, grads } = tf.variableGrads(
        loss,
        [...this.params].map(([, v]) => v),
      );
      const correction1 = 1 - this.beta1 ** t;
      const correction2 = 1 - this.beta2 ** t;
      for (const [name, param] of this.params) {
        const g = grads[param.name];
        if (g === undefined) continue;
        const { m, v } = this.moments.get(name)!;
        m.assign(tf.add(tf.mul(m, this.beta1), tf.mul(g, 1 - this.beta1)));
        v.assign(tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2)));
        const update = tf.div(tf.div(m, correction1), tf.add(tf.sqrt(tf.div(v, correction2)), this.epsilon));
        const step = this.decayed.has(name) ? tf.add(update, tf.mul(param, this.weightDecay)) : update;
        param.assign(tf.sub(param, tf.mul(step, rate)));
      }
      return value.dataSync()[0];
    });
  }

  /** Free the moment estimates (the parameters stay). */
  dispose(): void {
    for (const { m, v } of this.moments.values()) tf.dispose([m, v]);
    this.moments.clear();
  }
}
