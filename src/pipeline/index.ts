export * from './types';
export * from './results';
export { analyzeDatasetFile } from './analyzeFile';
