// The hwnas version recorded in runs and exports.
export const HWNAS_VERSION = '0.1.0';
