// A synthetic ONNX model of any depth (a conv → BN → ReLU chain), for benchmarks and tests of the importer's speed.
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/**
 * An ONNX model of `layers` nodes: (layers − 3) / 3 blocks of 3×3 conv → BatchNormalization → ReLU at `channels`
 * channels and `resolution` px, then GlobalAveragePool, Flatten and Gemm to 10 classes. Weights are zeros (the
 * importer reads their shapes only). Input `input` [batch, 3, res, res] with a symbolic batch.
 */
export function syntheticOnnxChain(layers = 300, options: { channels?: number; resolution?: number } = {}): Uint8Array {
  const channels = options.channels ?? 32;
  const resolution = options.resolution ?? 32;
  const blocks = Math.max(1, Math.round((layers - 3) / 3));
  const nodes: ReturnType<typeof onnx.NodeProto.create>[] = [];
  const initializer: ReturnType<typeof onnx.TensorProto.create>[] = [];
  const weight = (name: string, dims: number[]) => {
    const data = new Float32Array(dims.reduce((a, b) => a * b, 1));
    initializer.push(
      onnx.TensorProto.create({ name, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: new Uint8Array(data.buffer) }),
    );
    return name;
  };
  const ints = (name: string, values: number[]) =>
    onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INTS, ints: values });
  const node = (opType: string, name: string, input: string[], attribute: ReturnType<typeof ints>[] = []) => {
    nodes.push(onnx.NodeProto.create({ opType, name, input, output: [name], attribute }));
    return name;
  };
  let x = 'input';
  let cin = 3;
  for (let b = 0; b < blocks; b++) {
    const conv = node(
      'Conv',
      `block${b}.conv`,
      [x, weight(`block${b}.conv.weight`, [channels, cin, 3, 3])],
      [ints('kernel_shape', [3, 3]), ints('pads', [1, 1, 1, 1])],
    );
    const bn = node('BatchNormalization', `block${b}.bn`, [
      conv,
      ...['scale', 'bias', 'mean', 'var'].map((p) => weight(`block${b}.bn.${p}`, [channels])),
    ]);
    x = node('Relu', `block${b}.relu`, [bn]);
    cin = channels;
  }
  const pooled = node('GlobalAveragePool', 'head.gap', [x]);
  const flat = node('Flatten', 'head.flatten', [pooled]);
  const logits = node('Gemm', 'head.fc', [flat, weight('head.fc.weight', [channels, 10]), weight('head.fc.bias', [10])]);
  const tensorType = (dims: (number | string)[]) =>
    onnx.TypeProto.create({
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    });
  const graph = onnx.GraphProto.create({
    name: `synthetic-chain-${nodes.length}`,
    node: nodes,
    initializer,
    input: [onnx.ValueInfoProto.create({ name: 'input', type: tensorType(['batch', 3, resolution, resolution]) })],
    output: [onnx.ValueInfoProto.create({ name: logits, type: tensorType(['batch', 10]) })],
  });
  const model = onnx.ModelProto.create({ irVersion: 7, producerName: 'hwnas', opsetImport: [{ domain: '', version: 13 }], graph });
  return onnx.ModelProto.encode(model).finish();
}
