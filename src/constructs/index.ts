export * from './permission.js';
export * from './service-account-access.js';
export * from './token.js';
export {
  TokenAudience,
  type IWorkload,
  type MountTokenOptions,
  type WorkloadContainer,
  type WorkloadServiceAccount,
  type WorkloadVolume,
  type WorkloadVolumeMount,
} from './workload.js';
