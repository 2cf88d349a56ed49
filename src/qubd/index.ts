export { qubd } from './qubd.js';
export type { QubdOptions, QubdPlane, QubdResult } from './qubd.js';
export { binarizedBdm, serialBinarizedBdm } from './binarized.js';
export type { BinarizedBdmOptions } from './binarized.js';
export { qubdModel } from './model.js';
export type { QubdModelOptions, QubdModelResult, QubdModelTensor } from './model.js';
export { qubdRatio, msbDiagnostic, MSB_STRUCTURE_Z } from './ratio.js';
export type { QubdRatioOptions, QubdRatioResult, MsbDiagnosticOptions, MsbDiagnosticResult } from './ratio.js';
